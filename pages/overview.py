"""Review dashboard: counts and the three questions as charts, for a live Steering Council session.

Thin: figures come from ``analysis.charts`` (also used by the HTML report), data from
``ui.review_data`` (cached on the store's generation).
"""

from __future__ import annotations

from datetime import date
from typing import cast

import pandas as pd
import streamlit as st

from analysis import charts
from analysis.counting import headline
from analysis.crosstab import Filters, Unit, apply_filters, select_unit
from ui.asof import as_of_control
from ui.auth import require_reviewer
from ui.charts import show_chart
from ui.outreach import cached_coverage, coverage_section
from ui.progress import cached_progress, trends_section
from ui.review_data import (
    ILLUSTRATIVE_NOTE,
    UNIT_LABELS,
    counting_frame,
    empty_state,
    store_and_key,
    store_stats,
)
from ui.schedule_notice import show_schedule_status


@st.cache_data(show_spinner=False, max_entries=16)
def figures(
    url: str, generation: int, unit: Unit, by_kind: bool, illustrative: bool, as_of: date | None
) -> dict[str, object]:
    """All overview figures for one combination of switches (cheap to flip back and forth)."""
    frame = apply_filters(counting_frame(url, generation, as_of), Filters(include_illustrative=illustrative))
    return {
        "start": charts.prerelease_start_chart(frame, by_kind=by_kind, unit=unit),
        "lag": charts.prerelease_lag_chart(frame, unit=unit),
        "status": charts.sigstore_status_chart(frame, by_kind=by_kind, unit=unit),
        "blockers": charts.blockers_chart(frame, by_kind=by_kind, unit=unit),
        "worst": charts.worst_case_chart(frame, by_kind=by_kind, unit=unit),
        "ready": charts.readiness_chart(frame, by_kind=by_kind, unit=unit),
    }


def _last_update(value: object) -> str:
    if not value:
        return "–"
    return pd.Timestamp(str(value)).strftime("%d %b %Y, %H:%M UTC")


require_reviewer()  # before anything reads answers
store, url, generation = store_and_key()

st.title("Survey overview")
show_schedule_status()
as_of = as_of_control()
frame = counting_frame(url, generation, as_of)
if frame.empty:
    empty_state("overview")
    st.stop()

controls = st.columns([2, 1, 1])
unit = cast(
    "Unit",
    controls[0].radio(
        "Count", list(UNIT_LABELS), format_func=UNIT_LABELS.__getitem__, horizontal=True, key="overview_unit"
    ),
)
by_kind = controls[1].toggle("Split by kind of distributor", key="overview_by_kind")
include_illustrative = controls[2].checkbox("Include illustrative answers", value=True, key="overview_illustrative")

stats = store_stats(url, generation)
counts = headline(frame, include_illustrative=include_illustrative)  # the report counts the same way
counted = apply_filters(frame, Filters(include_illustrative=include_illustrative))
units = select_unit(counted, unit)
with_evidence = int(sum(bool(v) for v in units["verification_evidence"]))
unit_words = "distributors" if unit == "distributor" else "responses"
metrics = st.columns(4)
metrics[0].metric("Distributors", f"{counts.distributors:,}")
metrics[1].metric("Responses", f"{counts.responses:,}")
if include_illustrative:
    metrics[2].metric(
        "Illustrative answers",
        f"{counts.illustrative(unit):,} of {counts.counted(unit):,}",
        help=f"Counted {unit_words} whose answer was derived by the survey team from public statements.",
    )
else:
    metrics[2].metric(
        "Illustrative answers left out",
        f"{counts.illustrative(unit):,}",
        help="Tick “Include illustrative answers” to count them.",
    )
metrics[3].metric(
    "With verification evidence",
    f"{with_evidence:,}",
    help="Distributors (or responses) that attached a successful offline Sigstore verification.",
)

st.caption(f"Last update: {_last_update(stats.get('last_update'))}")
if include_illustrative and counts.illustrative(unit):
    st.info(ILLUSTRATIVE_NOTE.format(n=counts.illustrative(unit)), icon=":material/info:")
if units.empty:
    st.warning("No answers left after leaving out the illustrative ones.")
    st.stop()

coverage_section(cached_coverage(url, generation, as_of))

figs = figures(url, generation, unit, by_kind, include_illustrative, as_of)

st.header("Q1. When do distributors start on a new Python line?")
show_chart(figs["start"], key="chart_start")
show_chart(figs["lag"], key="chart_lag")

st.header("Where are they with Sigstore?")
show_chart(figs["status"], key="chart_status")
show_chart(figs["ready"], key="chart_ready")

trends_section(cached_progress(url, generation, as_of))

st.header("Q2. What blocks them?")
show_chart(figs["blockers"], key="chart_blockers")

st.header("Q3. Who is hurt most in the worst case?")
show_chart(figs["worst"], key="chart_worst")

st.caption(
    "Counting "
    + ("each distributor's most recent answer" if unit == "distributor" else "every response")
    + "; names are normalised (case, spacing, aliases such as RHEL / Red Hat Enterprise Linux). "
    "Slice any answer by any other in the cross-tab explorer."
)
st.page_link("pages/crosstab.py", label="Open the cross-tab explorer", icon=":material/table_chart:")
