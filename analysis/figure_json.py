"""A figure's data as the JSON plotly.js reads, written without plotly's Python package (issue 14).

The HTML report embeds each chart as ``Plotly.newPlot(id, data, layout, config)``. plotly's own
``to_html`` builds a ``go.Figure``, copies it, turns numeric arrays into base64 and encodes the
rest with its JSON encoder; importing the package and doing that for thirteen figures was about a
tenth of a 100,000-answer ``export --format html``. What a chart holds is known and small
(``analysis.plain_figure.PlainFigure``: text, numbers, dates, numpy arrays), so it is encoded here,
value for value as plotly's encoder does (``tests/test_figure_json.py`` compares the two for every
chart the report draws):

* numpy arrays and numpy scalars become their Python values (plotly sends numeric arrays as
  base64 typed arrays; plotly.js reads either form as the same numbers);
* dates and datetimes (pandas ``Timestamp`` included) become ISO 8601 text, ``NaT`` null;
* NaN and infinities become null, as plotly's strict encoding makes them (JSON has neither);
* ``<``, ``>`` and ``/`` are written as ``\\u003c``, ``\\u003e``, ``\\u002f``, and every non-ASCII
  character (U+2028 and U+2029 included) as an escape, so text typed by a person, such as a
  distributor named ``</script><script>...``, cannot end the ``<script>`` element it sits in.

Anything else is refused with a :class:`TypeError` naming the type: a chart that starts holding
a new kind of value fails its tests, not silently in a reader's browser.
"""

from __future__ import annotations

import json
import math
from typing import Any

#: How plotly makes JSON safe inside an HTML ``<script>`` (``plotly.io._json._swap_json``).
_SCRIPT_SAFE = (("<", "\\u003c"), (">", "\\u003e"), ("/", "\\u002f"))


def _value(obj: Any) -> Any:
    """A value json cannot encode itself, as plotly's encoder encodes it."""
    if hasattr(obj, "isoformat"):  # date, datetime, pandas Timestamp; pandas' NaT writes itself "NaT"
        text = obj.isoformat()
        return None if text == "NaT" else text
    dtype = getattr(obj, "dtype", None)
    if dtype is not None and dtype.kind == "M":  # numpy datetime64: its instants, not its integers
        return obj.astype("datetime64[us]").tolist()
    if hasattr(obj, "tolist"):  # numpy arrays and scalars
        return obj.tolist()
    raise TypeError(f"a chart holds a {type(obj).__name__}, which has no JSON form for plotly.js")


def _strict(value: Any) -> Any:
    """``value`` with every NaN and infinity (JSON has neither) made ``None``."""
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, dict):
        return {key: _strict(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_strict(item) for item in value]
    return value


def to_json(value: Any) -> str:
    """``value`` (a figure's data, its layout, any part of them) as JSON safe inside ``<script>``."""
    text = json.dumps(value, default=_value, separators=(",", ":"))
    if "NaN" in text or "Infinity" in text:
        # Rare (a chart of no numbers); decoding the text finds every non-finite float however
        # deep or inside whatever array it came from, which walking the Python values would not.
        text = json.dumps(_strict(json.loads(text)), separators=(",", ":"))
    for unsafe, safe in _SCRIPT_SAFE:
        text = text.replace(unsafe, safe)
    return text
