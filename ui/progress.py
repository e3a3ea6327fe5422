"""Streamlit glue for the overview's trend charts (cached on the store's generation and the as-of date)."""

from __future__ import annotations

from datetime import date

import streamlit as st

from analysis.crosstab.fields import ANALYSIS_COLUMNS
from analysis.progress.trend_charts import drift_chart, status_trend_chart
from analysis.progress.trends import Progress, progress_over_time, release_milestones
from analysis.schedule import load_schedule
from analysis.storage.history import revisions_frame
from ui.charts import show_chart
from ui.store import get_store


@st.cache_data(show_spinner="Computing trends…", max_entries=8)
def cached_progress(url: str, generation: int, as_of: date | None) -> Progress:
    del url, generation
    return progress_over_time(revisions_frame(get_store(), columns=ANALYSIS_COLUMNS), as_of)


def trends_section(progress: Progress) -> None:
    st.header("Are they getting ready? Answers over time")
    days = list(progress.status["day"])
    milestones = release_milestones(load_schedule(), days[0], days[-1]) if days else []
    show_chart(status_trend_chart(progress, milestones), key="chart_status_trend")
    kinds = [r.drift for r in progress.drift]
    st.caption(
        "Each distributor's latest answer at the end of each day (the as-of rule); dotted lines: first beta, "
        "first release candidate and final of each Python line. Readiness drift: "
        f"{kinds.count('slipping')} slipping, {kinds.count('holding')} holding, {kinds.count('earlier')} earlier."
    )
    show_chart(drift_chart(progress.drift), key="chart_drift")
