"""Adapters from the analysis modules (cross-tabs, charts, simulator) to report sections.

The report does not compute cross-tabs or simulations itself: it asks the same engines the pages
and the CLI use, so a number in a report is the number on screen. Each adapter raises
``SectionUnavailable`` (with a reason the report prints) when its engine is missing or fails,
instead of substituting numbers of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis.models import SurveyResponse
from analysis.reference_data import field_label
from analysis.reports.model import (
    Cell,
    ExposedDistributor,
    PolicyExposure,
    ReportOptions,
    SimulationSection,
    Table,
)

if TYPE_CHECKING:
    from analysis.plain_figure import PlainFigure

#: Question fields cross-tabulated by distributor kind, in report order.
CROSSTAB_FIELDS: tuple[str, ...] = ("prerelease_start", "sigstore_status", "blockers", "worst_case")
BY = "distributor_kind"


class SectionUnavailable(RuntimeError):
    """A report section could not be built; the message says why, in words."""


def _import(module: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise SectionUnavailable(f"the module {module} is not available ({exc})") from exc


def _label(field: str, value: Any) -> str:
    from analysis.crosstab import label_for_value

    return label_for_value(field, value)


def frame_to_table(df: pd.DataFrame, key: str, title: str, row_field: str, col_field: str, note: str = "") -> Table:
    """A cross-tab DataFrame (index = row values, columns = column values) as a labelled Table."""
    from analysis.crosstab import label_for_field

    columns = (label_for_field(row_field), *(_label(col_field, c) for c in df.columns))
    rows: list[tuple[Cell, ...]] = []
    for idx, series in df.iterrows():
        cells: list[Cell] = [_label(row_field, idx)]
        for value in series.tolist():
            cells.append(_cell(value))
        rows.append(tuple(cells))
    return Table(key, title, columns, tuple(rows), note)


def _cell(value: Any) -> Cell:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int | float | str):
        return value
    return str(value)


def crosstabs(frame: pd.DataFrame | None) -> tuple[Table, ...]:
    """The three questions (and Sigstore status) by distributor kind, counted per distributor."""
    if frame is None or frame.empty:
        return ()
    engine = _import("analysis.crosstab")
    tables = []
    for field in CROSSTAB_FIELDS:
        try:
            df = engine.crosstab(frame, field, BY, normalize="none", margins=True, unit="distributor")
        except Exception as exc:  # an engine bug must not lose the rest of the report
            raise SectionUnavailable(f"the cross-tab engine failed on {field}: {exc}") from exc
        # Kinds nobody answered are left out: a report table is read, not explored.
        df = df.loc[:, [c for c in df.columns if c == engine.TOTAL or df[c].sum() > 0]]
        title = f"{field_label(field)} × {field_label(BY)}"
        note = "Distributors (latest answer each); a multi-select counts once per selected value."
        tables.append(frame_to_table(df, f"crosstab-{field}", title, field, BY, note))
    return tuple(tables)


def duplicates(frame: pd.DataFrame | None, counted: dict[str, str]) -> Table:
    """Distributors claimed by several responses (the engine's detection) and which answer counts.

    ``counted`` maps a distributor key to the display name of the answer that counts.
    """
    columns = ("Counted as", "Responses", "Names used", "Answers differ on")
    note = "Only the most recent response of each distributor is counted."
    if frame is None or frame.empty:
        return Table("duplicates", "Distributors with several responses", columns, (), note)
    engine = _import("analysis.crosstab")
    found = engine.duplicate_distributors(frame)
    rows = []
    for rec in found.to_dict("records"):
        differ = ", ".join(engine.label_for_field(f) for f in rec["disagreements"]) or "nothing"
        rows.append(
            (
                counted.get(rec["distributor_key"], rec["distributor_key"]),
                int(rec["responses"]),
                "; ".join(rec["names"]),
                differ,
            )
        )
    rows.sort(key=lambda r: (str(r[0]).casefold(), r[2]))
    return Table("duplicates", "Distributors with several responses", columns, tuple(rows), note)


def figures(frame: pd.DataFrame | None) -> dict[str, PlainFigure]:
    """Charts of the three questions (plain plotly data), keyed like the summaries they illustrate."""
    if frame is None or frame.empty:
        return {}
    charts = _import("analysis.charts")
    builders = (
        ("prerelease_start", lambda: charts.prerelease_start_chart.plain(frame, by_kind=True)),
        ("sigstore_status", lambda: charts.sigstore_status_chart.plain(frame, by_kind=True)),
        ("blockers", lambda: charts.blockers_chart.plain(frame, by_kind=True)),
        ("worst_case", lambda: charts.worst_case_chart.plain(frame, by_kind=True)),
        ("readiness", lambda: charts.readiness_chart.plain(frame)),
    )
    figures: dict[str, PlainFigure] = {}
    for key, build in builders:
        try:
            figures[key] = build()
        except Exception as exc:  # one broken chart must not take the others down
            raise SectionUnavailable(f"the {key.replace('_', ' ')} chart failed: {exc}") from exc
    return figures


def _days(value: float) -> str:
    return f"{value:,.0f}"


def _interval(bounds: tuple[float, float], digits: int = 0) -> str:
    lo, hi = bounds
    return f"{lo:,.{digits}f}–{hi:,.{digits}f}"


def simulation(
    responses: list[SurveyResponse], options: ReportOptions, *, draw: bool = True
) -> tuple[SimulationSection, dict[str, Any]]:
    """The simulator's comparison of the chosen policies, plus the timeline figures (``draw``).

    Deterministic numbers (one date per release) sit next to the Monte Carlo expectation and its
    5th-95th percentile range, so a reader sees both the rule-based answer and its uncertainty.
    """
    schedule_mod = _import("analysis.schedule")
    sim = _import("analysis.simulation")
    try:
        schedule = schedule_mod.load_schedule()
        names = list(options.policies) or [p.name for p in schedule_mod.builtin_policies(schedule)]
        dists = sim.distributors_from_responses(responses)
        det = sim.compare_policies(dists, names, schedule)
        config = sim.MonteCarloConfig(draws=options.draws, seed=options.seed)
        mc = sim.run_monte_carlo(dists, names, config, schedule)
        rec = sim.recommend(mc.policies, options.threshold)
    except Exception as exc:  # the rest of the report is still worth having
        raise SectionUnavailable(f"the simulator failed: {exc}") from exc

    rows = []
    for d, m in zip(det, mc.policies, strict=True):
        rows.append(
            (
                d.policy.name,
                d.policy.date.isoformat(),
                d.policy.description,
                d.n_exposed,
                d.n_unknown,
                len(d.unverified_today),
                d.total_exposed_days,
                round(d.weighted_exposed_days, 1),
                round(m.expected_exposed, 1),
                _interval(m.exposed_interval, 0),
                round(m.expected_weighted_days, 1),
                _interval(m.weighted_interval, 0),
            )
        )
    comparison = Table(
        "simulation",
        "Policies compared",
        (
            "Policy (first release without PGP)",
            "Date",
            "Description",
            "Exposed",
            "Exposure unknown",
            "Ship unverified today",
            "Exposed days",
            "Severity-weighted days",
            "Expected exposed (Monte Carlo)",
            "90 % range exposed",
            "Expected weighted days",
            "90 % range weighted days",
        ),
        tuple(rows),
        note=(
            f"Exposed, unknown and days: deterministic rules (one date per release). Expected values and "
            f"5th-95th percentile ranges: {options.draws:,} Monte Carlo draws, seed {options.seed}. "
            f"Recommendation threshold: {_days(options.threshold)} severity-weighted days."
            f"{_unverified_note(det)}"
        ),
    )
    exposures = []
    for d, m in zip(det, mc.policies, strict=True):
        stats = {name: i for i, name in enumerate(m.names)}
        exposure_rows = []
        for r in sorted(d.distributors, key=lambda r: (-(r.exposed_days or 0), r.distributor.casefold())):
            i = stats.get(r.distributor)
            p_exp = None if i is None or pd.isna(m.p_exposed[i]) else round(float(m.p_exposed[i]), 2)
            p90 = None if i is None or pd.isna(m.p90_days[i]) else int(m.p90_days[i])
            if r.status in ("exposed", "unknown") or (p_exp or 0) > 0:
                exposure_rows.append(
                    (
                        r.distributor,
                        r.status,
                        r.first_affected_date.isoformat(),
                        r.ready_date.isoformat() if r.ready_date else "unknown",
                        r.exposed_days,
                        r.shown_severity,
                        p_exp,
                        p90,
                    )
                )
        exposures.append(
            Table(
                f"exposure-{d.policy.name}",
                f"Exposure under {d.policy.name}",
                (
                    "Distributor",
                    "Status",
                    "First unsigned artifact",
                    "Ready (likely)",
                    "Exposed days",
                    "Severity",
                    "P(exposed)",
                    "p90 exposed days",
                ),
                tuple(exposure_rows),
                note="Distributors exposed, at risk in the Monte Carlo, or with no ready date.",
            )
        )
    figures = _simulation_figures(det, mc, schedule, options.threshold, rec.policy) if draw else {}
    section = SimulationSection(
        comparison=comparison,
        recommendation=rec.sentence,
        exposures=tuple(exposures),
        exposed=exposed_distributors(det),
        figure_keys=tuple(figures),
    )
    return section, figures


def _unverified_note(det: Any) -> str:
    """The distributors that ship unverified today, named apart: PGP stopping costs them nothing
    (they are neither exposed nor unknown), but the Steering Council should know they verify nothing."""
    names = sorted({r.distributor for d in det for r in d.unverified_today}, key=str.casefold)
    if not names:
        return ""
    return (
        f" Ship unverified today ({len(names)}): {', '.join(names)}. They do not verify PGP signatures now, so "
        "PGP stopping takes nothing from them: not exposed, not counted as unknown."
    )


def exposed_distributors(det: Any) -> tuple[ExposedDistributor, ...]:
    """Each distributor exposed under any policy once, with the policies (earliest first) it is
    exposed under; distributors in order of their first exposure, then by name."""
    by_name: dict[str, tuple[Any, list[PolicyExposure]]] = {}
    for d in sorted(det, key=lambda d: d.policy.date):
        for r in d.distributors:
            if r.status != "exposed":
                continue
            first = r.first_affected_date.isoformat()
            entry = by_name.setdefault(r.distributor, (r, []))
            entry[1].append(PolicyExposure(d.policy.name, int(r.exposed_days or 0), first))
    out = []
    for name, (r, policies) in by_name.items():
        start = _label("prerelease_start", r.prerelease_start)
        ready = r.ready_date.isoformat() if r.ready_date else "an unknown date"
        basis = f"starts fetching a new line at {start} +{r.lag_days} days and expects to verify Sigstore on {ready}"
        out.append(ExposedDistributor(name, basis, tuple(policies)))
    return tuple(out)


def _simulation_figures(
    det: Any, mc: Any, schedule: Any, threshold: float, recommended: str | None
) -> dict[str, PlainFigure]:
    """The comparison chart, then one timeline per policy (``today`` is not drawn: reports are
    about the data, and a "today" line would make two exports differ)."""
    charts = _import("analysis.timeline_chart")
    try:
        figures = {"sim-comparison": charts.policy_comparison_figure.plain(det, mc, threshold, recommended)}
        for result in det:
            key = "timeline-" + result.policy.name.replace(".", "-")
            figures[key] = charts.timeline_figure.plain(_most_exposed(result), schedule, today=None)
    except Exception as exc:
        raise SectionUnavailable(f"the simulator charts failed: {exc}") from exc
    return figures


#: Bars a report's timeline draws: one per distributor would be dozens of PDF pages per policy at
#: scale (issue 14); the exposure tables and the Simulator page have everyone.
MAX_TIMELINE_DISTRIBUTORS = 30


def _most_exposed(result: Any) -> Any:
    """The result with only its most exposed distributors (unknown ready date first, then days)."""
    if len(result.distributors) <= MAX_TIMELINE_DISTRIBUTORS:
        return result
    import dataclasses

    ranked = sorted(
        result.distributors,
        key=lambda r: (r.status != "unknown", -(r.exposed_days or 0), r.distributor.casefold()),
    )
    return dataclasses.replace(result, distributors=ranked[:MAX_TIMELINE_DISTRIBUTORS])


class UnknownPolicy(ValueError):
    """A policy that names no release in the schedule."""


def check_policies(policies: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Validate policy names against the release schedule; schedule order, duplicates dropped.

    Any release in ``data/release_schedule.csv`` can be a policy (issue 5); an empty selection
    means the simulator's built-in policies.
    """
    from analysis.reference_data import read_csv

    releases = [row["release"] for row in read_csv("release_schedule.csv")]
    unknown = [p for p in policies if p not in releases]
    if unknown:
        raise UnknownPolicy(f"not a release in the schedule: {', '.join(unknown)} (e.g. 3.14.0b1)")
    wanted = set(policies)
    return tuple(r for r in dict.fromkeys(releases) if r in wanted)
