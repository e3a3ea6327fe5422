"""The overview's trend charts: Sigstore status over time (stacked area) and readiness drift.

Figures only; the numbers come from ``analysis.progress.trends``. Distributor names are people's
words and go through ``plot_text`` (drawn as text, never as Plotly markup).
"""

from __future__ import annotations

from collections.abc import Sequence

from analysis.charts import _style, empty_figure
from analysis.crosstab.labels import label_for_value
from analysis.figure_layout import integer_ticks
from analysis.palette import RELEASE_STAGE_COLORS, color_map
from analysis.plain_figure import Chart, PlainFigure
from analysis.plot_text import plot_text
from analysis.progress.trends import DriftRow, Milestone, Progress

DRIFT_COLORS = {"slipping": "#C0392B", "holding": "#7F8C8D", "earlier": "#1E8449"}
DRIFT_WORDS = {"slipping": "slipping (later)", "holding": "holding", "earlier": "earlier"}
MAX_DRIFT_ROWS = 40


@Chart
def status_trend_chart(progress: Progress, milestones: Sequence[Milestone] = ()) -> PlainFigure:
    """Counted distributors per Sigstore status at the end of each day, with release milestones."""
    frame = progress.status
    if frame.empty:
        return empty_figure.plain("No answers yet.")
    colors = color_map("sigstore_status")
    fig = PlainFigure()
    for status in [c for c in frame.columns if c != "day"]:
        words = label_for_value("sigstore_status", status)
        fig.add_scatter(
            x=frame["day"],
            y=frame[status],
            name=words,
            mode="lines",
            stackgroup="status",
            line={"width": 0.5, "color": colors.get(status)},
            fillcolor=colors.get(status),
            hovertemplate="%{x|%Y-%m-%d}: %{y} " + plot_text(words) + "<extra></extra>",
        )
    for m in milestones:
        fig.add_vline(
            x=m.day.isoformat(),
            line={"color": RELEASE_STAGE_COLORS.get(m.stage, "#555555"), "dash": "dot", "width": 2},
        )
        fig.add_annotation(
            x=m.day.isoformat(),
            y=1.0,
            yref="paper",
            text=plot_text(m.label),
            showarrow=False,
            textangle=-90,
            xanchor="right",
            yanchor="top",
            font={"size": 13},
        )
    fig.update_layout(
        xaxis={"title": {"text": "End of day (UTC)"}},
        yaxis={"title": {"text": "Distributors (latest answer each)"}},
        legend={"orientation": "h", "y": -0.25, "traceorder": "normal"},
        hovermode="x unified",
    )
    # A count axis (whole numbers); x labels a little lower, so the first date does not sit on
    # the y axis's "0" in the corner.
    top = float(frame.drop(columns="day").sum(axis=1).max())
    fig.update_yaxes(integer_ticks(top))
    fig.update_xaxes(ticklabelstandoff=10)
    return _style(fig, title="Sigstore status over time", chart="status_trend_chart", height=520)


@Chart
def drift_chart(rows: Sequence[DriftRow]) -> PlainFigure:
    """Each distributor's most likely ready date: first answer (hollow) to current (filled), by drift."""
    if not rows:
        return empty_figure.plain("No distributor has given a most likely ready date yet.")
    shown = sorted(rows, key=lambda r: (-abs(r.days), r.distributor.casefold()))[:MAX_DRIFT_ROWS]
    shown.sort(key=lambda r: (-r.days, r.distributor.casefold()))
    fig = PlainFigure()
    for kind in ("slipping", "holding", "earlier"):
        group = [r for r in shown if r.drift == kind]
        if not group:
            continue
        xs: list[object] = []
        ys: list[object] = []
        for r in group:
            xs += [r.first_likely.isoformat(), r.last_likely.isoformat(), None]
            ys += [plot_text(r.distributor, 40)] * 2 + [None]
        fig.add_scatter(
            x=xs,
            y=ys,
            mode="lines+markers",
            name=f"{DRIFT_WORDS[kind]} ({len(group)})",
            line={"color": DRIFT_COLORS[kind], "width": 3},
            marker={
                "size": 11,
                "color": DRIFT_COLORS[kind],
                "symbol": ["circle-open", "circle", "circle"] * len(group),
            },
            hovertemplate="%{y}: %{x|%Y-%m-%d}<extra></extra>",
        )
    fig.update_yaxes(
        autorange="reversed", categoryorder="array", categoryarray=[plot_text(r.distributor, 40) for r in shown]
    )
    fig.update_layout(
        xaxis={"title": {"text": "Most likely date to verify Sigstore"}},
        legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.0, "yanchor": "bottom"},
    )
    height = max(320, 120 + 32 * len(shown))
    return _style(fig, title="Readiness drift: first answer → current answer", chart="drift_chart", height=height)
