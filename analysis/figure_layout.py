"""Layout every figure sets for itself, so a chart looks the same whichever process drew it.

Plotly fills anything a figure leaves unset from ``plotly.io.templates.default``, and importing
Streamlit switches that default to Streamlit's own template, which neither reserves room for tick
labels (no ``automargin``) nor keeps plotly's fonts. A report built by the Reports page (a process
that imported Streamlit) then drew its y-axis labels left of the figure, while the CLI's export
of the same data was fine. So each figure names its template and margins explicitly, and every
axis grows its margin to fit its labels (``automargin``): nothing depends on the process.

Count axes get whole-number ticks (``integer_ticks``): "2.5 distributors" is not a count.
"""

from __future__ import annotations

import copy
import functools
import json
import math
import pkgutil
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:  # plotly's Python package is imported only where a go.Figure is made
    import plotly.graph_objects as go

#: The template every figure names (never the process-wide default).
TEMPLATE = "plotly_white"
#: Trace types the app draws: their defaults are all a figure needs of the template.
TRACE_TYPES = ("bar", "scatter", "heatmap")
#: At most this many ticks on a count axis, so labels stay far apart on a projector.
MAX_COUNT_TICKS = 8
#: What every x axis gets: room for its labels, and when level tick labels do not fit plotly may
#: turn them, but only upright (slanted labels are hard to read and their boxes run into each other).
X_AXIS_RULES: dict[str, Any] = {"automargin": True, "autotickangles": (0, -90)}
#: What every y axis gets: room for its labels.
Y_AXIS_RULES: dict[str, Any] = {"automargin": True}


def own_layout(
    fig: go.Figure,
    *,
    margin: dict[str, int],
    layout: dict[str, Any] | None = None,
    xaxes: dict[str, Any] | None = None,
    yaxes: dict[str, Any] | None = None,
) -> go.Figure:
    """Pin the template and margins, and let every axis (all subplots) reserve room for labels.

    ``layout``, ``xaxes`` and ``yaxes`` are the caller's own settings, applied in the same three
    updates: each plotly update walks the whole figure, so a chart pays for three, not seven.
    """
    set_template(fig)
    fig.update_layout({**(layout or {}), "margin": {"autoexpand": True, **margin}})
    fig.update_xaxes({**(xaxes or {}), **X_AXIS_RULES})
    fig.update_yaxes({**(yaxes or {}), **Y_AXIS_RULES})
    return fig


@functools.cache
def own_template() -> go.layout.Template:
    """:data:`TEMPLATE`'s layout and its defaults for :data:`TRACE_TYPES` only, built once.

    Naming a template costs plotly a lookup and a deep copy of every trace type's defaults
    (about 40 ms a figure; a report draws twenty); the same template without the trace types the
    app never draws looks the same, costs a quarter and makes each figure's JSON smaller.
    """
    import plotly.graph_objects as go
    import plotly.io as pio

    full = pio.templates[TEMPLATE]
    return go.layout.Template(layout=full.layout, data={kind: full.data[kind] for kind in TRACE_TYPES})


@functools.cache
def template_json() -> dict[str, Any]:
    """:func:`own_template` as plain data, read as plotly reads it (shared: callers copy it).

    plotly loads a named template from its package data with validation off; building the
    validated ``Template`` object and converting it back took 70-100 ms of every export (once per
    process). The same file, read the same way and cut to :data:`TRACE_TYPES`, is the same data
    (``tests/test_charts.py`` compares the two).
    """
    text = pkgutil.get_data("plotly", f"package_data/templates/{TEMPLATE}.json")
    if text is None:  # pragma: no cover - plotly ships its templates
        return cast(dict[str, Any], own_template().to_plotly_json())
    full = json.loads(text)
    return {"data": {kind: full["data"][kind] for kind in TRACE_TYPES}, "layout": full["layout"]}


def set_template(fig: go.Figure) -> go.Figure:
    """Give ``fig`` :func:`own_template`, without validating the template again.

    Assigning a template object makes plotly validate every property of it anew (7-12 ms a
    figure; a report draws thirteen). :func:`own_template` is built from plotly's own validated
    template, so it is set as plotly sets its default template on every new figure: as plain
    data, with validation off for that one assignment. A figure gets a copy of its own.
    """
    layout = fig.layout
    layout._validate = False
    try:
        layout.template = copy.deepcopy(template_json())
    finally:
        layout._validate = True
    return fig


def integer_ticks(max_value: float) -> dict[str, Any]:
    """Axis settings for a count: ticks at 0, d, 2d, ... with d a whole 1/2/5 x 10^k step."""
    top = max(1.0, float(max_value))
    raw = top / MAX_COUNT_TICKS
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return {"tick0": 0, "dtick": max(1, int(step)), "tickformat": ",d"}
