"""Plotly figures of the simulator, in the visual language of the devguide's release-cycle chart.

The devguide draws one row per Python line with coloured phases on a shared date axis; here the
same rows carry the alpha, beta and release-candidate phases of each line (betas highlighted,
because the PEP 761 discussion framed the cut around the first beta), a vertical line marks the
policy's cut, and one bar per distributor runs from when it starts fetching the line to when it
expects to verify Sigstore, coloured by exposure. Hovering a bar shows the sentence that explains
it. Fonts and bar heights are sized for a projector; every label is in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from analysis.figure_layout import integer_ticks
from analysis.palette import EXPOSURE_COLORS, QUALITATIVE, RELEASE_STAGE_COLORS, SEVERITY_COLORS
from analysis.plain_figure import Chart, PlainFigure
from analysis.plot_text import plot_text
from analysis.schedule import Policy, Schedule, load_schedule
from analysis.simulation.deterministic import DistributorResult, PolicyResult
from analysis.simulation.montecarlo import MonteCarloResult

FONT_SIZE = 16
#: Longest distributor name drawn on the y axis (the hover box shows it whole).
AXIS_NAME_LIMIT = 32
ROW_PX = 34
#: Status -> (legend words, colour). In production uses the "ready" colour of the palette.
STATUS_STYLE: dict[str, tuple[str, str]] = {
    "exposed": ("Exposed: meets an unsigned release before verifying Sigstore", EXPOSURE_COLORS["exposed"]),
    "not exposed": ("Not exposed: verifies Sigstore in time", EXPOSURE_COLORS["not exposed"]),
    "unknown": ("Exposure unknown: no likely ready date, or no answer on PGP today", EXPOSURE_COLORS["unknown"]),
    "unverified today": (
        "Ships unverified today: does not verify PGP now, loses nothing",
        EXPOSURE_COLORS["unverified today"],
    ),
    "in production": ("Already verifies Sigstore in production", EXPOSURE_COLORS["ready"]),
}
PHASE_WORDS = {"alpha": "Alpha phase", "beta": "Beta phase (highlighted)", "rc": "Release-candidate phase"}
_MS_PER_DAY = 86_400_000


def _line_label(line: str) -> str:
    return f"Python {line}"


def _ms(days: int) -> int:
    return days * _MS_PER_DAY


def _release_rows(fig: PlainFigure, schedule: Schedule, lines: Sequence[str]) -> None:
    """Phases as bars and every release as a milestone marker (hollow when only planned)."""
    shown: set[str] = set()
    for line in lines:
        releases = schedule.line_releases(line)
        firsts = {s: schedule.first_of_stage(line, s).date for s in ("alpha", "beta", "rc", "final")}
        phases = [
            ("alpha", firsts["alpha"], firsts["beta"]),
            ("beta", firsts["beta"], firsts["rc"]),
            ("rc", firsts["rc"], firsts["final"]),
        ]
        for stage, start, end in phases:
            fig.add_bar(
                y=[_line_label(line)],
                base=[start.isoformat()],
                x=[_ms((end - start).days)],
                orientation="h",
                marker={
                    "color": RELEASE_STAGE_COLORS[stage],
                    "opacity": 1.0 if stage == "beta" else 0.55,
                    "line": {"color": "#000000", "width": 2 if stage == "beta" else 0},
                },
                width=0.8 if stage == "beta" else 0.55,
                name=PHASE_WORDS[stage],
                legendgroup=f"phase-{stage}",
                showlegend=stage not in shown,
                hovertemplate=f"{_line_label(line)} {PHASE_WORDS[stage].split(' (')[0].lower()}: "
                f"{start.isoformat()} to {end.isoformat()}<extra></extra>",
            )
            shown.add(stage)
        fig.add_scatter(
            x=[r.date.isoformat() for r in releases],
            y=[_line_label(line)] * len(releases),
            mode="markers",
            marker={
                "symbol": ["diamond" if r.stage == "final" else "line-ns" for r in releases],
                "size": [18 if r.stage == "final" else 14 for r in releases],
                "color": [RELEASE_STAGE_COLORS["final"] if r.stage == "final" else "#000000" for r in releases],
                "line": {
                    "width": [1.5 if r.is_actual else 3 for r in releases],
                    "color": ["#000000" if r.is_actual else RELEASE_STAGE_COLORS["planned"] for r in releases],
                },
            },
            name="Release (hollow grey: planned date only)",
            legendgroup="releases",
            showlegend=line == lines[0],
            hovertext=[
                f"{r.name}: {r.date.isoformat()} ({'actual' if r.is_actual else 'planned, not yet made'})"
                for r in releases
            ],
            hoverinfo="text",
        )


@Chart
def timeline_figure(
    result: PolicyResult,
    schedule: Schedule | None = None,
    lines: Sequence[str] | None = None,
    today: date | None = None,
    max_distributors: int = 60,
) -> PlainFigure:
    """Release lines, the policy cut and one bar per distributor for one deterministic result.

    Distributors are sorted by when they start fetching; with more than ``max_distributors`` the
    exposed ones (longest first) are kept, since they are the ones a reviewer must see.
    """
    schedule = schedule or load_schedule()
    policy = result.policy
    if lines is None:
        lines = [line for line in schedule.lines() if line in (policy.line, _next_line(schedule, policy.line))]
    rows = sorted(result.distributors, key=lambda r: (r.fetch_start, r.distributor.casefold()))
    if len(rows) > max_distributors:
        rows = sorted(rows, key=lambda r: -(r.exposed_days or 0))[:max_distributors]
        rows.sort(key=lambda r: (r.fetch_start, r.distributor.casefold()))

    line_dates = [r.date for line in lines for r in schedule.line_releases(line)]
    ready_dates = [r.ready_date for r in rows if r.ready_date]
    x_min = min([*line_dates, *(r.fetch_start for r in rows), policy.date]) - timedelta(days=20)
    x_max = max([*line_dates, *ready_dates, *(r.first_affected_date for r in rows), policy.date]) + timedelta(days=40)

    fig = PlainFigure()
    _release_rows(fig, schedule, list(lines))

    # Respondents' names are text, never Plotly markup; long ones are shortened on the axis only.
    axis_name = {r.distributor: plot_text(r.distributor, limit=AXIS_NAME_LIMIT) for r in rows}
    names = [axis_name[r.distributor] for r in rows]
    for status, (words, colour) in STATUS_STYLE.items():
        group = [r for r in rows if r.status == status]
        if not group:
            continue
        hover = [
            f"<b>{plot_text(r.distributor)}</b><br>{_wrap(r.explanation)}<br>Severity if exposed: {r.severity}"
            for r in group
        ]
        if status in ("in production", "unverified today"):
            # Already verifying, or verifying nothing today: nothing to bridge, so a mark where it
            # would start, not a bar.
            fig.add_scatter(
                x=[r.fetch_start.isoformat() for r in group],
                y=[axis_name[r.distributor] for r in group],
                mode="markers",
                marker={
                    "symbol": "circle" if status == "in production" else "x",
                    "size": 16,
                    "color": colour,
                    "line": {"color": "#000000", "width": 1},
                },
                name=words,
                hovertext=hover,
                hoverinfo="text",
            )
            continue
        if status == "exposed":
            _signed_lead_in(fig, group, hover, axis_name)
        starts, lengths, labels = [], [], []
        for r in group:
            start = r.first_affected_date if status == "exposed" else r.fetch_start
            end = r.ready_date
            if status == "unknown" or end is None:
                end = x_max  # open-ended: no date to stop at
            end = max(end, start + timedelta(days=3))  # keep zero-length bars visible
            starts.append(start.isoformat())
            lengths.append(_ms((end - start).days))
            labels.append(f"{r.exposed_days} days" if status == "exposed" else "")
        fig.add_bar(
            y=[axis_name[r.distributor] for r in group],
            base=starts,
            x=lengths,
            orientation="h",
            marker={
                "color": colour,
                "opacity": 0.45 if status == "unknown" else 0.9,
                "pattern": {"shape": "/" if status == "unknown" else ""},
            },
            width=0.6,
            name=words,
            hovertext=hover,
            hoverinfo="text",
            text=labels,
            textposition="inside",
            insidetextanchor="end",
            textfont={"size": FONT_SIZE - 2, "color": "#FFFFFF"},
        )
    exposed = [r for r in rows if r.status == "exposed"]
    if exposed:
        fig.add_scatter(
            x=[r.first_affected_date.isoformat() for r in exposed],
            y=[axis_name[r.distributor] for r in exposed],
            mode="markers",
            marker={"symbol": "triangle-right", "size": 14, "color": "#000000"},
            name="First unsigned release it fetches",
            hovertext=[
                f"{plot_text(r.distributor)}: first unsigned release on {r.first_affected_date}" for r in exposed
            ],
            hoverinfo="text",
        )

    fig.add_vline(x=policy.date.isoformat(), line={"color": "#111111", "width": 3, "dash": "dash"})
    # Anchored on the side facing the middle of the axis, so a cut near either end of the date
    # range keeps its words inside the figure.
    left_half = (policy.date - x_min).days < (x_max - x_min).days / 2
    fig.add_annotation(
        x=policy.date.isoformat(),
        xanchor="left" if left_half else "right",
        y=1.0,
        yref="paper",
        yanchor="bottom",
        yshift=50,  # above the two-line month labels of the top axis
        text=f"<b>PGP stops: {policy.name}</b> ({policy.date.isoformat()})",
        showarrow=False,
        font={"size": FONT_SIZE + 2, "color": "#111111"},
        bgcolor="#FFFFFF",
    )
    if today is not None and x_min <= today <= x_max:
        fig.add_vline(x=today.isoformat(), line={"color": RELEASE_STAGE_COLORS["planned"], "width": 2, "dash": "dot"})
        fig.add_annotation(x=today.isoformat(), y=0, yref="paper", yanchor="bottom", text="today", showarrow=False)

    categories = [_line_label(line) for line in lines] + names
    if names:  # a rule between the release lines and the distributors
        fig.add_hline(y=len(lines) - 0.5, line={"color": "#888888", "width": 1})
    layout = {
        "barmode": "overlay",
        "height": max(420, 260 + ROW_PX * len(categories)),
        "font": {"size": FONT_SIZE},
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.01, "x": 0, "font": {"size": FONT_SIZE - 2}},
        "plot_bgcolor": "#FFFFFF",
        "hoverlabel": {"font": {"size": FONT_SIZE - 2}, "align": "left"},
    }
    xaxes = {
        "type": "date",
        "range": [x_min.isoformat(), x_max.isoformat()],
        "showgrid": True,
        "gridcolor": "#DDDDDD",
        "dtick": "M3",
        # Month over year: narrow enough that a review page's column (~560 px on a 1024 px
        # screen) keeps them level, where "Oct 2025" in one line turned upright into the title.
        "tickformat": "%b<br>%Y",
        "side": "top",
    }
    yaxes = {
        "type": "category",
        "categoryorder": "array",
        "categoryarray": categories,
        "range": [len(categories) - 0.5, -0.5],  # first category on top, no padding rows
        "autorange": False,
        "showgrid": False,
    }
    return fig.own_layout(margin={"l": 10, "r": 20, "t": 100, "b": 10}, layout=layout, xaxes=xaxes, yaxes=yaxes)


#: Colour of the part of an exposed bar before its first unsigned release (fetching, still signed).
SIGNED_LEAD_IN = "#E6B0AA"


def _signed_lead_in(
    fig: PlainFigure, group: Sequence[DistributorResult], hover: Sequence[str], axis_name: dict[str, str]
) -> None:
    """The stretch from fetch start to the first unsigned release: fetching, but still PGP-signed."""
    lead = [(r, h) for r, h in zip(group, hover, strict=True) if r.first_affected_date > r.fetch_start]
    if not lead:
        return
    fig.add_bar(
        y=[axis_name[r.distributor] for r, _ in lead],
        base=[r.fetch_start.isoformat() for r, _ in lead],
        x=[_ms((r.first_affected_date - r.fetch_start).days) for r, _ in lead],
        orientation="h",
        marker={"color": SIGNED_LEAD_IN},
        width=0.6,
        name="Fetching, releases still PGP-signed",
        hovertext=[h for _, h in lead],
        hoverinfo="text",
    )


def _next_line(schedule: Schedule, line: str) -> str | None:
    lines = schedule.lines()
    i = lines.index(line)
    return lines[i + 1] if i + 1 < len(lines) else None


def _wrap(text: str, width: int = 70) -> str:
    """Break a long sentence for the hover box (Plotly does not wrap); the words are escaped."""
    out, current = [], ""
    for word in text.split():
        if current and len(current) + len(word) + 1 > width:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    out.append(current)
    return "<br>".join(plot_text(line) for line in out)


@Chart
def policy_comparison_figure(
    deterministic: Sequence[PolicyResult],
    monte_carlo: MonteCarloResult | None = None,
    threshold: float | None = None,
    recommended: str | None = None,
) -> PlainFigure:
    """Side by side, one column per policy (earliest left): distributors exposed and
    severity-weighted exposure days. Bars are the Monte Carlo expectation with the 5th-95th
    percentile of outcomes as whiskers; black diamonds are the deterministic numbers."""
    ordered = sorted(deterministic, key=lambda r: r.policy.date)
    labels = [_policy_label(r.policy) for r in ordered]
    # Two rows sharing the x axis, as plotly's make_subplots(rows=2, shared_xaxes=True,
    # vertical_spacing=0.1) lays them out, with the subplot titles as annotations.
    fig = PlainFigure().update_layout(
        xaxis={"anchor": "y", "domain": [0.0, 1.0], "matches": "x2", "showticklabels": False},
        xaxis2={"anchor": "y2", "domain": [0.0, 1.0]},
        yaxis={"anchor": "x", "domain": [0.55, 1.0]},
        yaxis2={"anchor": "x2", "domain": [0.0, 0.45]},
    )
    title_font = {"size": FONT_SIZE + 2, "color": "#111111"}
    for text, y in (("Distributors exposed", 1.0), ("Severity-weighted exposure (days)", 0.45)):
        fig.add_annotation(
            font=title_font,
            showarrow=False,
            text=text,
            x=0.5,
            xanchor="center",
            xref="paper",
            y=y,
            yanchor="bottom",
            yref="paper",
        )
    axes = {1: {"xaxis": "x", "yaxis": "y"}, 2: {"xaxis": "x2", "yaxis": "y2"}}
    # Green under the threshold, red over it (grey without one); the recommended one is outlined.
    weighted = {r.policy.name: r.weighted_exposed_days for r in ordered}
    if monte_carlo is not None:
        weighted.update({p.policy.name: p.expected_weighted_days for p in monte_carlo.policies})
    colours = [
        QUALITATIVE[7]
        if threshold is None
        else (SEVERITY_COLORS["none"] if weighted[r.policy.name] < threshold else SEVERITY_COLORS["high"])
        for r in ordered
    ]
    outline = [4 if r.policy.name == recommended else 0 for r in ordered]
    if monte_carlo is not None:
        mc = {p.policy.name: p for p in monte_carlo.policies}
        rows = [mc[r.policy.name] for r in ordered if r.policy.name in mc]
        if len(rows) == len(ordered):
            for col, mean, interval, words in (
                (1, [p.expected_exposed for p in rows], [p.exposed_interval for p in rows], "distributors"),
                (2, [p.expected_weighted_days for p in rows], [p.weighted_interval for p in rows], "days"),
            ):
                fig.add_bar(
                    x=labels,
                    y=mean,
                    marker={"color": colours, "opacity": 0.8, "line": {"color": "#111111", "width": outline}},
                    error_y={
                        "type": "data",
                        "symmetric": False,
                        "array": [max(0.0, hi - m) for m, (_, hi) in zip(mean, interval, strict=True)],
                        "arrayminus": [max(0.0, m - lo) for m, (lo, _) in zip(mean, interval, strict=True)],
                        "thickness": 2,
                        "width": 8,
                    },
                    name="Expected (Monte Carlo), whiskers: 90% of draws; green: under the threshold",
                    showlegend=col == 1,
                    legendgroup="mc",
                    hovertemplate=f"%{{x}}<br>expected %{{y:,.1f}} {words}<extra></extra>",
                    **axes[col],
                )
    for col, values, hover in (
        (
            1,
            [r.n_exposed for r in ordered],
            [f"{r.policy.name}: {r.n_exposed} exposed, {r.n_unknown} unknown (no ready date)" for r in ordered],
        ),
        (
            2,
            [r.weighted_exposed_days for r in ordered],
            [f"{r.policy.name}: {r.weighted_exposed_days:,.0f} weighted days" for r in ordered],
        ),
    ):
        fig.add_scatter(
            x=labels,
            y=values,
            mode="markers",
            marker={"symbol": "diamond", "size": 14, "color": "#000000"},
            name="Deterministic (likely dates)",
            legendgroup="det",
            showlegend=col == 1,
            hovertext=hover,
            hoverinfo="text",
            **axes[col],
        )
    if threshold is not None:
        # What plotly's add_hline(row=2, annotation_position="top left") adds: a rule across the
        # lower plot and its words above its left end.
        fig.add_hline(threshold, line={"color": "#111111", "dash": "dash", "width": 2}, **axes[2])
        fig.add_annotation(
            font=title_font,
            showarrow=False,
            text=f"threshold {threshold:,.0f} days",
            x=0,
            xanchor="left",
            xref="x2 domain",
            y=threshold,
            yanchor="bottom",
            yref="y2",
        )
    fig.update_layout(
        height=720,
        font={"size": FONT_SIZE},
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0, "font": {"size": FONT_SIZE - 2}},
        plot_bgcolor="#FFFFFF",
        bargap=0.35,
    )
    fig.update_yaxes(rangemode="tozero", gridcolor="#DDDDDD", tickfont={"size": FONT_SIZE})
    fig.update_xaxes(tickfont={"size": FONT_SIZE})
    counts = [float(r.n_exposed) for r in ordered]
    if monte_carlo is not None:
        counts += [p.exposed_interval[1] for p in monte_carlo.policies]
    top = max(counts, default=1.0)
    fig.update_layout(yaxis=integer_ticks(top))  # the upper plot counts distributors
    return fig.own_layout(margin={"l": 10, "r": 20, "t": 50, "b": 10})


def _policy_label(policy: Policy) -> str:
    return f"{policy.name}<br>{policy.date.strftime('%b %Y')}"
