"""Plotly figures for the review dashboard and the HTML report (no Streamlit here).

Every figure is built from the cross-tab engine (``analysis.crosstab``), so a chart, the explorer
table and the CLI always agree, and uses the shared palette (``analysis.palette.color_map``), so a
category has the same colour on every page and in the report. Fonts are sized for a projector
(>= 16 px), axes and legends use words, never answer codes.

Public functions (``frame`` = ``ResponseStore.latest_frame()``, optionally filtered with
``analysis.crosstab.apply_filters``; ``unit`` = ``"distributor"`` (default: each distributor's
latest answer) or ``"response"``; ``by_kind`` splits the chart by kind of distributor)::

    prerelease_start_chart(frame, *, by_kind=False, unit="distributor") -> go.Figure
        Q1: first release of a new line that distributors fetch and verify; hover shows median lag.
    prerelease_lag_chart(frame, *, unit="distributor") -> go.Figure
        Q1 detail: days after that release, per start stage.
    sigstore_status_chart(frame, *, by_kind=False, unit="distributor") -> go.Figure
    blockers_chart(frame, *, by_kind=False, unit="distributor") -> go.Figure
        Q2: share of distributors naming each blocker (multi-select: bars add up to > 100 %).
    worst_case_chart(frame, *, by_kind=False, unit="distributor") -> go.Figure
        Q3: share of distributors naming each worst case.
    readiness_chart(frame, *, by_kind=False, unit="distributor") -> go.Figure
        Cumulative share of distributors expecting to verify Sigstore by each date (earliest /
        most likely / latest estimates; one "most likely" line per kind when split).
    crosstab_heatmap(table, *, theme_labels=None, title=None) -> go.Figure
    crosstab_bars(table, *, theme_labels=None, title=None) -> go.Figure
        Views of any ``analysis.crosstab.crosstab`` table (margins are dropped from the plot).
    empty_figure(message) -> go.Figure

Each is an ``analysis.plain_figure.Chart``: ``builder.plain(...)`` gives the same figure as a
``PlainFigure`` (the report's form, serialised without plotly). All figures have ``layout.meta["chart"]`` set to the function's name, for tests and reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

import numpy as np
import pandas as pd

from analysis.crosstab import (
    LAG_BUCKETS,
    NO_ANSWER,
    TOTAL,
    Unit,
    axis_fields,
    crosstab,
    is_multi,
    select_unit,
    short_label,
)
from analysis.crosstab import label_for_value as _label_words
from analysis.figure_layout import integer_ticks
from analysis.palette import QUALITATIVE, color_map
from analysis.plain_figure import Chart, PlainFigure
from analysis.plot_text import plot_text

FONT_SIZE = 18
TITLE_SIZE = 24
TICK_SIZE = 16
FONT_FAMILY = "Source Sans Pro, Helvetica, Arial, sans-serif"
NO_ANSWER_COLOR = "#BBBBBB"
_ALL = "All distributors"


def label_for_value(field: str, value: object, theme_labels: Mapping[str, str] | None = None) -> str:
    """Words for an answer value, escaped for Plotly: distributor names and reviewers' theme labels
    are typed by people and must be drawn as text, never as Plotly markup or links."""
    return plot_text(_label_words(field, value, theme_labels))


def _style(fig: PlainFigure, *, title: str, chart: str, height: int | None = None) -> PlainFigure:
    """Projector-readable defaults shared by every chart (the caller makes it a figure)."""
    layout: dict[str, object] = {
        # Pinned to the top edge: plotly's default centres the title in the top margin, where a
        # legend placed above the plot then runs into it.
        "title": {
            "text": title,
            "font": {"size": TITLE_SIZE},
            "y": 1.0,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": 24},
        },
        "font": {"size": FONT_SIZE, "family": FONT_FAMILY},
        "legend": {"font": {"size": TICK_SIZE}, "title": {"font": {"size": TICK_SIZE}}},
        "meta": {"chart": chart},
        "hoverlabel": {"font": {"size": TICK_SIZE}},
    }
    if height:
        layout["height"] = height
    axes = {"tickfont": {"size": TICK_SIZE}, "title": {"font": {"size": FONT_SIZE}}}
    return fig.own_layout(margin={"l": 20, "r": 20, "t": 80, "b": 40}, layout=layout, xaxes=axes, yaxes=axes)


#: How far below the figure's top edge a legend above the plot starts: under the title and its
#: subtitle, which ``_style`` pins to the top edge.
LEGEND_TOP_PX = 72
#: plotly.js's height of a figure that names none.
PLOTLY_DEFAULT_HEIGHT = 450


def _legend_under_title(fig: PlainFigure) -> PlainFigure:
    """A horizontal legend right under the title, the plot pushed down as far as it needs.

    Anchored to the top of the plot (``y=1`` of the plot area), a legend that wraps grows upward,
    into the title, whenever its rows outnumber what the fixed top margin held: eight kinds of
    distributor at the report's 640 px did. Anchored to the figure's top edge it grows downward,
    and plotly widens the top margin to fit it (``margin.autoexpand``), at any width.
    """
    height = fig.height or PLOTLY_DEFAULT_HEIGHT
    legend = {"orientation": "h", "x": 0, "yref": "container", "y": 1 - LEGEND_TOP_PX / height, "yanchor": "top"}
    return fig.update_layout(legend=legend, margin={"t": LEGEND_TOP_PX + 30})


@Chart
def empty_figure(message: str = "No answers yet.") -> PlainFigure:
    """A blank figure carrying a message, so pages and reports never show a broken chart."""
    fig = PlainFigure()
    fig.add_annotation(
        text=message, showarrow=False, font={"size": FONT_SIZE + 2}, x=0.5, y=0.5, xref="paper", yref="paper"
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _style(fig, title="", chart="empty_figure", height=240)


def _colors(field: str, values: list[str]) -> dict[str, str]:
    colors = color_map(field, [v for v in values if v not in (NO_ANSWER, TOTAL)])
    colors[NO_ANSWER] = NO_ANSWER_COLOR
    return colors


def _unit_word(unit: Unit) -> str:
    return "distributors" if unit == "distributor" else "responses"


# -- single-choice questions: one stacked bar per kind -------------------------------------------


def _stacked_single(
    frame: pd.DataFrame,
    field: str,
    *,
    by_kind: bool,
    unit: Unit,
    title: str,
    chart: str,
    hover_extra: pd.DataFrame | None,
) -> PlainFigure:
    table = crosstab(frame, "distributor_kind", field, unit=unit)
    if table.to_numpy().sum() == 0:
        return empty_figure.plain()
    if by_kind:
        table = table.loc[table.sum(axis=1) > 0]
        rows = [label_for_value("distributor_kind", k) for k in table.index]
    else:
        table = table.sum(axis=0).to_frame().T
        table.index = pd.Index([_ALL])
        rows = [_ALL]
    table = table.loc[:, table.sum(axis=0) > 0]
    colors = _colors(field, list(table.columns))
    totals = table.sum(axis=1).to_numpy()
    fig = PlainFigure()
    for value in table.columns:
        counts = table[value].to_numpy()
        share = np.divide(counts, totals, out=np.zeros(len(counts)), where=totals > 0) * 100
        extra = [""] * len(rows)
        if hover_extra is not None and value in hover_extra.columns:
            extra = [f"<br>{hover_extra.loc[k, value]}" if k in hover_extra.index else "" for k in table.index]
        fig.add_bar(
            name=label_for_value(field, value),
            y=rows,
            x=share,
            orientation="h",
            marker={"color": colors.get(value, NO_ANSWER_COLOR)},
            text=[f"{c}" if c else "" for c in counts],
            textposition="inside",
            insidetextanchor="middle",
            textangle=0,  # counts stay level (plotly turns them in thin bars)
            textfont={"size": TICK_SIZE},
            customdata=np.column_stack([counts, extra]),
            hovertemplate="%{y}<br>"
            + label_for_value(field, value)
            + ": %{customdata[0]} (%{x:.0f} %)%{customdata[1]}<extra></extra>",
        )
    # Legend above the bars: below them it collides with the axis title on short figures.
    fig.update_layout(barmode="stack", legend={"traceorder": "normal"})
    fig.update_xaxes(title={"text": f"Share of {_unit_word(unit)} (%)"}, range=[0, 100], ticksuffix=" %")
    fig.update_yaxes(title={"text": ""}, autorange="reversed")
    _style(fig, title=title, chart=chart, height=220 + 60 * len(rows))
    return _legend_under_title(fig)


def _two_lines(label: str, width: int = 12) -> str:
    """Break an (escaped) category label at the space nearest its middle when it is long."""
    if len(label) <= width or " " not in label:
        return label
    spaces = [i for i, ch in enumerate(label) if ch == " "]
    cut = min(spaces, key=lambda i: abs(i - len(label) / 2))
    return label[:cut] + "<br>" + label[cut + 1 :]


def _median_lag(frame: pd.DataFrame, unit: Unit) -> pd.DataFrame:
    units = select_unit(frame, unit)
    if units.empty:
        return pd.DataFrame()
    grouped = units.groupby(["distributor_kind", "prerelease_start"])["prerelease_lag_days"].median()
    overall = units.groupby("prerelease_start")["prerelease_lag_days"].median()
    table = grouped.unstack()
    table.loc[_ALL] = overall
    return table.map(lambda v: "" if pd.isna(v) else f"median {v:.0f} days after")


@Chart
def prerelease_start_chart(frame: pd.DataFrame, *, by_kind: bool = False, unit: Unit = "distributor") -> PlainFigure:
    """Q1: at which release of a new line distributors start fetching and verifying."""
    return _stacked_single(
        frame,
        "prerelease_start",
        by_kind=by_kind,
        unit=unit,
        title="When distributors start verifying a new Python line",
        chart="prerelease_start_chart",
        hover_extra=_median_lag(frame, unit),
    )


@Chart
def sigstore_status_chart(frame: pd.DataFrame, *, by_kind: bool = False, unit: Unit = "distributor") -> PlainFigure:
    """How far along Sigstore verification distributors are (red: not started .. green: in production)."""
    return _stacked_single(
        frame,
        "sigstore_status",
        by_kind=by_kind,
        unit=unit,
        title="Where distributors are with Sigstore",
        chart="sigstore_status_chart",
        hover_extra=None,
    )


@Chart
def prerelease_lag_chart(frame: pd.DataFrame, *, unit: Unit = "distributor") -> PlainFigure:
    """Q1 detail: how many days after the start release distributors fetch it, per start stage."""
    table = crosstab(frame, "prerelease_start", "lag_bucket", unit=unit)
    if table.to_numpy().sum() == 0:
        return empty_figure.plain()
    table = table.loc[table.sum(axis=1) > 0]
    # Category ticks side by side: two short lines each, so neighbours never run into each other
    # on a narrow screen (plotly does not wrap tick labels itself).
    stages = [_two_lines(label_for_value("prerelease_start", s)) for s in table.index]
    fig = PlainFigure()
    blues = ["#08306B", "#2171B5", "#6BAED6", "#C6DBEF", "#F4A582"]
    for bucket, color in zip(LAG_BUCKETS, blues, strict=True):
        fig.add_bar(
            name=bucket,
            x=stages,
            y=table[bucket].to_numpy(),
            marker={"color": color},
            hovertemplate="%{x}, " + bucket + ": %{y}<extra></extra>",
        )
    fig.update_layout(barmode="stack", legend={"title": {"text": "Days after that release"}, "traceorder": "normal"})
    fig.update_xaxes(title={"text": short_label("prerelease_start")})
    fig.update_yaxes(title={"text": _unit_word(unit).capitalize()}, **integer_ticks(float(table.sum(axis=1).max())))
    return _style(
        fig, title="How long after that release distributors fetch it", chart="prerelease_lag_chart", height=460
    )


# -- multi-select questions: share naming each value ---------------------------------------------


def _count_cell(table: pd.DataFrame, row: str, col: str) -> int:
    """One cell of a count cross-tab. pandas-stubs types ``.loc[row, col]`` as any scalar (or a
    frame for duplicate labels); a cross-tab has unique labels and integer counts."""
    return int(cast(int, table.loc[row, col]))


def _multi_share(frame: pd.DataFrame, field: str, *, by_kind: bool, unit: Unit, title: str, chart: str) -> PlainFigure:
    table = crosstab(frame, field, "distributor_kind", unit=unit, margins=True)
    grand = _count_cell(table, TOTAL, TOTAL)
    if grand == 0:
        return empty_figure.plain()
    body = table.drop(index=TOTAL)
    body = body.loc[body[TOTAL] > 0]
    labels = [label_for_value(field, v) for v in body.index]
    fig = PlainFigure()
    if by_kind:
        kinds = [k for k in body.columns if k != TOTAL and _count_cell(table, TOTAL, k) > 0]
        colors = color_map("distributor_kind")
        for kind in kinds:
            counts = body[kind].to_numpy()
            fig.add_bar(
                name=label_for_value("distributor_kind", kind),
                y=labels,
                x=counts / grand * 100,
                orientation="h",
                marker={"color": colors.get(kind, QUALITATIVE[0])},
                customdata=counts,
                hovertemplate="%{y}<br>" + label_for_value("distributor_kind", kind) + ": %{customdata}<extra></extra>",
            )
        # Legend above the bars, not beside them: beside them it takes the width the long
        # answer labels and the share axis need (ticks were slanted and crowded).
        fig.update_layout(barmode="stack", legend={"traceorder": "normal"})
    else:
        colors = _colors(field, list(body.index))
        counts = body[TOTAL].to_numpy()
        fig.add_bar(
            y=labels,
            x=counts / grand * 100,
            orientation="h",
            marker={"color": [colors.get(v, NO_ANSWER_COLOR) for v in body.index]},
            text=[f"{c} ({c / grand * 100:.0f} %)" for c in counts],
            textposition="outside",
            textfont={"size": TICK_SIZE},
            hovertemplate="%{y}: %{x:.0f} %<extra></extra>",
            showlegend=False,
        )
    # Zoom to the data (room for the value labels): the longest bar should fill the width.
    xmax = min(105.0, max(10.0, float((body[TOTAL] / grand * 100).max()) * 1.3))
    fig.update_xaxes(title={"text": f"Share of {_unit_word(unit)} naming it (%)"}, range=[0, xmax], ticksuffix=" %")
    fig.update_yaxes(title={"text": ""}, autorange="reversed")
    subtitle = f"{grand} {_unit_word(unit)}; several answers possible"
    _style(fig, title=f"{title}<br><sup>{subtitle}</sup>", chart=chart, height=220 + 46 * len(labels))
    if by_kind:
        fig.update_layout(height=300 + 46 * len(labels))
        _legend_under_title(fig)
    return fig


@Chart
def blockers_chart(frame: pd.DataFrame, *, by_kind: bool = False, unit: Unit = "distributor") -> PlainFigure:
    """Q2: what blocks Sigstore adoption (share of distributors naming each blocker)."""
    return _multi_share(
        frame, "blockers", by_kind=by_kind, unit=unit, title="What blocks Sigstore adoption", chart="blockers_chart"
    )


@Chart
def worst_case_chart(frame: pd.DataFrame, *, by_kind: bool = False, unit: Unit = "distributor") -> PlainFigure:
    """Q3: what distributors would do if PGP is gone and they cannot adopt Sigstore."""
    return _multi_share(
        frame,
        "worst_case",
        by_kind=by_kind,
        unit=unit,
        title="Worst case without PGP or Sigstore",
        chart="worst_case_chart",
    )


# -- readiness -----------------------------------------------------------------------------------


def _cumulative(dates: pd.Series, total: int) -> tuple[list[pd.Timestamp], list[float]]:
    known = pd.to_datetime(dates.dropna()).sort_values()
    if known.empty or total == 0:
        return [], []
    counts = known.value_counts().sort_index().cumsum()
    return list(counts.index), list(counts.to_numpy() / total * 100)


@Chart
def readiness_chart(frame: pd.DataFrame, *, by_kind: bool = False, unit: Unit = "distributor") -> PlainFigure:
    """Share of distributors expecting to verify Sigstore by each date (step lines).

    The denominator is every distributor, including those that gave no date, so the lines stop
    below 100 % by exactly the share that could not say (stated in the subtitle).
    """
    units = select_unit(frame, unit)
    total = len(units)
    if total == 0:
        return empty_figure.plain()
    already = units["sigstore_status"].isin(["in-production"])
    fig = PlainFigure()
    if by_kind:
        colors = color_map("distributor_kind")
        for kind, group in units.groupby("distributor_kind", sort=False):
            x, y = _cumulative(group["ready_likely"], len(group))
            if x:
                fig.add_scatter(
                    x=x,
                    y=y,
                    mode="lines",
                    line={"shape": "hv", "width": 4, "color": colors.get(str(kind))},
                    name=label_for_value("distributor_kind", str(kind)),
                )
    else:
        styles = {
            "ready_earliest": ("Earliest", "dot"),
            "ready_likely": ("Most likely", "solid"),
            "ready_latest": ("Latest", "dash"),
        }
        for column, (name, dash) in styles.items():
            x, y = _cumulative(units[column], total)
            if x:
                fig.add_scatter(
                    x=x,
                    y=y,
                    mode="lines",
                    line={"shape": "hv", "width": 4, "dash": dash, "color": "#1E8449"},
                    name=name,
                )
    if not fig.data:
        return empty_figure.plain("No distributor has given a readiness date yet.")
    unknown = int(units["ready_likely"].isna().sum())
    subtitle = f"{total} {_unit_word(unit)}; {unknown} gave no date; {int(already.sum())} already verify in production"
    # The first date sits at the corner, under the "0 %" of the share axis: set a little lower.
    fig.update_xaxes(title={"text": "Expected date"}, dtick="M3", tickformat="%b %Y", ticklabelstandoff=8)
    fig.update_yaxes(title={"text": f"Share of {_unit_word(unit)} ready (%)"}, range=[0, 100], ticksuffix=" %")
    # Legend above the plot: below it, it ran into the x axis title.
    fig.update_layout(hovermode="x unified")
    _style(
        fig,
        title=f"When distributors expect to verify Sigstore<br><sup>{subtitle}</sup>",
        chart="readiness_chart",
        height=540,
    )
    return _legend_under_title(fig)


# -- any cross-tab -------------------------------------------------------------------------------


def _plot_body(table: pd.DataFrame) -> pd.DataFrame:
    return table.drop(index=TOTAL, columns=TOTAL, errors="ignore")


def _is_percent(table: pd.DataFrame) -> bool:
    return any(np.issubdtype(t, np.floating) for t in table.dtypes)


@Chart
def crosstab_heatmap(
    table: pd.DataFrame, *, theme_labels: Mapping[str, str] | None = None, title: str | None = None
) -> PlainFigure:
    """Heatmap of a cross-tab (rows top to bottom in table order), cell values written in."""
    body = _plot_body(table)
    if body.empty:
        return empty_figure.plain("Nothing to show for this selection.")
    row, col = axis_fields(table)
    percent = _is_percent(table)
    values = body.to_numpy(dtype=float)
    text = [[(f"{v:.0f} %" if percent else f"{int(v)}") if v else "" for v in line] for line in values]
    from plotly.colors import get_colorscale  # pages only: the report draws no heatmap

    fig = PlainFigure().add_heatmap(
        z=values,
        x=[label_for_value(col, v, theme_labels) for v in body.columns],
        y=[label_for_value(row, v, theme_labels) for v in body.index],
        text=text,
        texttemplate="%{text}",
        textfont={"size": TICK_SIZE},
        colorscale=get_colorscale("Blues"),  # plotly's Blues, spelt out (plotly.js has its own "Blues")
        colorbar={"title": {"text": "%" if percent else "Count", "side": "right"}}
        | ({} if percent else integer_ticks(float(values.max()))),
        hovertemplate="%{y} × %{x}: %{text}<extra></extra>",
        xgap=2,
        ygap=2,
    )
    # Level labels when they fit, upright when not (``figure_layout.X_AXIS_RULES``).
    fig.update_xaxes(title={"text": short_label(col)})
    fig.update_yaxes(title={"text": short_label(row)}, autorange="reversed")
    return _style(
        fig,
        title=title or f"{short_label(row)} by {short_label(col)}",
        chart="crosstab_heatmap",
        height=max(420, 180 + 40 * len(body.index)),
    )


@Chart
def crosstab_bars(
    table: pd.DataFrame, *, theme_labels: Mapping[str, str] | None = None, title: str | None = None
) -> PlainFigure:
    """Stacked bars: one bar per row value, segments coloured by column value (shared palette)."""
    body = _plot_body(table)
    if body.empty:
        return empty_figure.plain("Nothing to show for this selection.")
    row, col = axis_fields(table)
    colors = _colors(col, list(body.columns))
    ys = [label_for_value(row, v, theme_labels) for v in body.index]
    fig = PlainFigure()
    for value in body.columns:
        fig.add_bar(
            name=label_for_value(col, value, theme_labels),
            y=ys,
            x=body[value].to_numpy(),
            orientation="h",
            marker={"color": colors.get(value, NO_ANSWER_COLOR)},
        )
    percent = _is_percent(table)
    fig.update_layout(barmode="stack", legend={"title": {"text": short_label(col)}, "traceorder": "normal"})
    if is_multi(col) and not title:
        # A multi-select counts once per selected value: bars are mentions, not people.
        title = f"{short_label(row)} by {short_label(col)}<br><sup>several answers possible: bars can exceed the total</sup>"
    fig.update_xaxes(title={"text": "%" if percent else "Count"}, ticksuffix=" %" if percent else "")
    if not percent:
        fig.update_xaxes(**integer_ticks(float(body.sum(axis=1).max())))
    fig.update_yaxes(title={"text": short_label(row)}, autorange="reversed")
    return _style(
        fig,
        title=title or f"{short_label(row)} by {short_label(col)}",
        chart="crosstab_bars",
        height=max(420, 180 + 40 * len(body.index)),
    )
