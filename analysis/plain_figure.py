"""A figure built as plain plotly JSON and made a ``go.Figure`` once, without re-validation.

Each plotly call (``go.Bar(...)``, ``add_trace``, ``update_layout``, ``add_vline``) validates every
property it is given and walks the figure's object tree. A report draws thirteen figures, and at
100,000 answers building them took a fifth of ``export --format html`` (the timelines alone
28 ms each), nearly all of it in that machinery, not in the numbers (issue 14). Here a chart
collects its traces and layout as dicts with the names plotly.js reads, and :meth:`figure` hands
them to plotly in one step with validation off, as plotly itself sets its default template.

Nothing is lost: ``tests/test_plain_figure.py`` rebuilds every figure the app draws *with*
plotly's validation and requires the very same JSON, so a misspelt property or a value plotly
would refuse fails there, not in a reader's browser. The methods mirror plotly's (``add_bar``,
``update_xaxes``, ``add_vline``...) but take nested dicts only: plotly's ``marker_color``
shorthand is ambiguous next to real names with underscores (``error_y``).

A chart builder is wrapped in :class:`Chart`: a page calls it and gets the ``go.Figure`` Streamlit
draws; the report calls its ``plain`` and serialises the data itself (``analysis.figure_json``),
so an export never imports plotly's Python package at all (about 0.3 s of a 100,000-answer
``export --format html``: the import, thirteen ``go.Figure`` objects and their ``to_html``).
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, ParamSpec

from analysis.figure_layout import X_AXIS_RULES, Y_AXIS_RULES, template_json

if TYPE_CHECKING:
    import plotly.graph_objects as go

_P = ParamSpec("_P")


def merge(into: dict[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """plotly's update rule on plain data: nested dicts are merged, anything else replaced."""
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            merge(into[key], value)
        else:
            into[key] = copy.deepcopy(dict(value)) if isinstance(value, Mapping) else value
    return into


class PlainFigure:
    """Traces and layout of one figure, as plotly JSON (see the module docstring).

    Subplots are laid out by the caller (axes ``xaxis2``... with their domains, traces naming
    them); the axis updates then reach every axis, as plotly's do.
    """

    def __init__(self) -> None:
        self.data: list[dict[str, Any]] = []
        self.layout: dict[str, Any] = {}

    def _add(self, kind: str, props: dict[str, Any]) -> PlainFigure:
        self.data.append({"type": kind, **props})
        return self

    def add_bar(self, **props: Any) -> PlainFigure:
        return self._add("bar", props)

    def add_scatter(self, **props: Any) -> PlainFigure:
        return self._add("scatter", props)

    def add_heatmap(self, **props: Any) -> PlainFigure:
        return self._add("heatmap", props)

    def update_layout(self, update: Mapping[str, Any] | None = None, **props: Any) -> PlainFigure:
        merge(self.layout, {**(update or {}), **props})
        return self

    def update_xaxes(self, update: Mapping[str, Any] | None = None, **props: Any) -> PlainFigure:
        """Every x axis (``xaxis``, ``xaxis2``...), or a new ``xaxis`` if there is none, as in plotly."""
        return self._update_axes("x", {**(update or {}), **props})

    def update_yaxes(self, update: Mapping[str, Any] | None = None, **props: Any) -> PlainFigure:
        """Every y axis, or a new ``yaxis`` if there is none."""
        return self._update_axes("y", {**(update or {}), **props})

    def _update_axes(self, letter: str, update: Mapping[str, Any]) -> PlainFigure:
        prefix = f"{letter}axis"
        names = [k for k in self.layout if k.startswith(prefix) and (k == prefix or k[len(prefix) :].isdigit())]
        for name in names or [f"{letter}axis"]:
            merge(self.layout.setdefault(name, {}), update)
        return self

    def add_annotation(self, **props: Any) -> PlainFigure:
        self.layout.setdefault("annotations", []).append(props)
        return self

    def add_vline(self, x: Any, *, line: Mapping[str, Any]) -> PlainFigure:
        """A vertical line across the plot at ``x`` (what plotly's ``add_vline`` adds)."""
        shape = {"type": "line", "x0": x, "x1": x, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain"}
        self.layout.setdefault("shapes", []).append({**shape, "line": dict(line)})
        return self

    def add_hline(self, y: Any, *, line: Mapping[str, Any], xaxis: str = "x", yaxis: str = "y") -> PlainFigure:
        """A horizontal line across the plot of ``xaxis``/``yaxis`` (a subplot's: ``x2``, ``y2``) at
        ``y``, as plotly's ``add_hline`` adds it."""
        shape = {"type": "line", "x0": 0, "x1": 1, "xref": f"{xaxis} domain", "y0": y, "y1": y, "yref": yaxis}
        self.layout.setdefault("shapes", []).append({**shape, "line": dict(line)})
        return self

    def own_layout(
        self,
        *,
        margin: dict[str, int],
        layout: Mapping[str, Any] | None = None,
        xaxes: Mapping[str, Any] | None = None,
        yaxes: Mapping[str, Any] | None = None,
    ) -> PlainFigure:
        """``figure_layout.own_layout`` on plain data: the same margins and axis rules."""
        self.update_layout({**(layout or {}), "margin": {"autoexpand": True, **margin}})
        self.update_xaxes({**(xaxes or {}), **X_AXIS_RULES})
        self.update_yaxes({**(yaxes or {}), **Y_AXIS_RULES})
        return self

    @property
    def height(self) -> int | None:
        """The figure's own height in px (``None``: plotly.js's default)."""
        height = self.layout.get("height")
        return int(height) if height is not None else None

    def resized(self, height: int) -> PlainFigure:
        """A copy ``height`` px tall (the PDF's variant of a tall chart); traces are shared."""
        copied = PlainFigure()
        copied.data = self.data
        copied.layout = {**self.layout, "height": height}
        return copied

    def to_plotly_dict(self) -> dict[str, Any]:
        """``{"data", "layout"}`` as plotly.js reads them, the template included.

        A read-only view: the template is the one shared :func:`figure_layout.template_json`.
        """
        return {"data": self.data, "layout": {**self.layout, "template": template_json()}}

    def figure(self) -> go.Figure:
        """The ``go.Figure``, with :func:`figure_layout.own_template` (no process default)."""
        import plotly.graph_objects as go  # only pages draw go.Figures (see the module docstring)

        layout = {**self.layout, "template": copy.deepcopy(template_json())}
        return go.Figure(data=self.data, layout=layout, _validate=False)


class Chart(Generic[_P]):
    """A chart builder: called, the ``go.Figure`` a page shows; ``plain(...)``, its :class:`PlainFigure`.

    Used as the decorator of a function that returns a :class:`PlainFigure`. Both come from the one function the builder is written as, so a page and the report cannot
    draw a chart differently.
    """

    def __init__(self, build: Callable[_P, PlainFigure]) -> None:
        self.plain = build
        functools.update_wrapper(self, build)

    def __call__(self, *args: _P.args, **kwargs: _P.kwargs) -> go.Figure:
        return self.plain(*args, **kwargs).figure()
