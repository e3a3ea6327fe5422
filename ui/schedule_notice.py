"""The release schedule's as-of line and stale-data warning, the same on every page that shows it.

The words come from :func:`analysis.schedule.schedule_status` (also used by the reports and by
``python -m analysis schedule status``), judged against today's date: a planned date in the past
with no actual date means the data in ``data/`` is older than the world.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from analysis.schedule import schedule_status


def show_schedule_status(today: date | None = None) -> None:
    """A caption "Release schedule as of DATE (source)." and, when it applies, a warning."""
    status = schedule_status(today or date.today())
    st.caption(status.as_of_line)
    if status.warning:
        st.warning(status.warning, icon=":material/update:")
