"""Click a cross-tab cell (heatmap) or bar segment to select that cell's distributors.

Streamlit reports chart selections through plotly's selection events, and plotly selects points
only on traces that support it: bars do, heatmaps do not. So every bar segment carries its cell's
codes in ``customdata``, and the heatmap gets an invisible scatter point at the centre of each
cell (``hoverdistance=-1``: a click anywhere in a cell picks its centre) that carries them too.
The codes, not the words on the axis, come back, so a label that two values share cannot pick the
wrong cell. The figures themselves come from ``analysis.charts`` unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from analysis.crosstab import TOTAL

#: Outline drawn around the selected heatmap cell (readable on every shade of the blue scale).
SELECTED_COLOR = "#d62728"


def _body(table: pd.DataFrame) -> pd.DataFrame:
    return table.drop(index=TOTAL, columns=TOTAL, errors="ignore")


def selectable_heatmap(fig: go.Figure, table: pd.DataFrame) -> go.Figure:
    """Add one clickable point per heatmap cell (the heatmap itself stops taking hover)."""
    body = _body(table)
    if body.empty or not fig.data or fig.data[0].type != "heatmap":
        return fig
    heat = fig.data[0]
    xs, ys = list(heat.x), list(heat.y)
    texts = heat.text
    px, py, data = [], [], []
    for i, row_value in enumerate(body.index):
        for j, col_value in enumerate(body.columns):
            px.append(xs[j])
            py.append(ys[i])
            data.append([str(row_value), str(col_value), texts[i][j] if texts is not None else ""])
    heat.update(hoverinfo="skip", hovertemplate=None)
    fig.add_scatter(
        x=px,
        y=py,
        mode="markers",
        customdata=data,
        marker={"symbol": "square-open", "size": 28, "color": SELECTED_COLOR, "opacity": 0, "line": {"width": 3}},
        selected={"marker": {"opacity": 1}},
        unselected={"marker": {"opacity": 0}},
        hovertemplate="%{y} × %{x}: %{customdata[2]}<br>click to list them<extra></extra>",
        hoverlabel={"bgcolor": "white", "bordercolor": SELECTED_COLOR, "font": {"color": "#1a1a1a"}},
        showlegend=False,
        name="cells",
    )
    fig.update_layout(hoverdistance=-1, clickmode="event+select", dragmode=False)
    return fig


def selectable_bars(fig: go.Figure, table: pd.DataFrame) -> go.Figure:
    """Give each bar segment its cell's codes (bars are selectable by plotly already)."""
    body = _body(table)
    bars = [t for t in fig.data if t.type == "bar"]
    if body.empty or len(bars) != len(body.columns):
        return fig
    for trace, col_value in zip(bars, body.columns, strict=True):
        trace.customdata = [[str(row_value), str(col_value)] for row_value in body.index]
    fig.update_layout(clickmode="event+select", dragmode=False)
    return fig


def selected_cells(points: Iterable[Mapping[str, Any]], table: pd.DataFrame) -> list[tuple[str, str]]:
    """The (row value, column value) cells a chart selection names, in table codes.

    Points without our ``customdata``, or naming values the table does not have (a stale
    selection after the view changed), are left out.
    """
    rows = {str(v) for v in table.index}
    cols = {str(v) for v in table.columns}
    cells: list[tuple[str, str]] = []
    for point in points:
        data = point.get("customdata")
        if not isinstance(data, Sequence) or isinstance(data, str) or len(data) < 2:
            continue
        cell = (str(data[0]), str(data[1]))
        if cell[0] in rows and cell[1] in cols and cell not in cells:
            cells.append(cell)
    return cells
