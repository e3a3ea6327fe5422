"""The review pages' as-of date: one sidebar picker shared by every review page.

The chosen date is kept in the session (not only in the widget, whose state Streamlit drops when
another page is shown), so it follows the reviewer from page to page; every page says which date it
is at. The data is cut by ``analysis.crosstab.asof`` (end of the day, UTC).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import streamlit as st

AS_OF_KEY = "review_as_of"
_WIDGET = "_review_as_of_widget"
EARLIEST = date(2020, 1, 1)


def _keep() -> None:
    st.session_state[AS_OF_KEY] = st.session_state.get(_WIDGET)


def as_of_control() -> date | None:
    """The date the page is at (``None``: now), from the sidebar picker; says it on the page."""
    today = datetime.now(UTC).date()
    current = st.session_state.get(AS_OF_KEY)
    if not isinstance(current, date) or current > today or current < EARLIEST:
        current = None
    st.session_state[_WIDGET] = current
    with st.sidebar:
        st.date_input(
            "Answers as of (end of day, UTC)",
            key=_WIDGET,
            min_value=EARLIEST,
            max_value=today,
            format="YYYY-MM-DD",
            on_change=_keep,
            help="Show the answers as they stood at the end of that day. Clear it to see the current state.",
        )
    if current is None:
        st.caption(f"Answers as of now ({today.isoformat()}, UTC).")
    else:
        st.info(
            f"Answers as of the end of {current.isoformat()} (UTC): later answers and revisions are left out. "
            "Clear the date in the sidebar to see the current state.",
            icon=":material/history:",
        )
    return current
