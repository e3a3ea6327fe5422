"""Cached data for the review pages, invalidated by the store's change counter.

Every loader takes ``(url, generation)`` as its cache key: ``ResponseStore.generation()`` is bumped
by every write from any process, so a new answer or a new tag shows up on the next rerun, and an
unchanged store costs one tiny query per rerun.

The answers frame is cached with ``st.cache_resource``, not ``st.cache_data``: ``cache_data``
returns a pickled copy on every hit, which for 100,000 rows with list columns costs more than the
cross-tab itself (streamlit/streamlit#17084). Callers treat the frame as read-only; everything in
``analysis.crosstab`` returns new objects.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

from analysis.crosstab import ANALYSIS_COLUMNS, NO_ANSWER, TOTAL, label_for_value
from analysis.storage import ResponseStore
from analysis.storage.db import database_url
from analysis.storage.history import frame_as_of
from ui.store import configured_database_url, get_store

UNIT_LABELS = {"distributor": "Distributors (latest answer each)", "response": "All responses"}
ILLUSTRATIVE_NOTE = (
    "**{n} illustrative answer(s)**: derived by the survey team from public statements, not submitted by the "
    "distributors. Untick “Include illustrative answers” to leave them out."
)


def store_and_key() -> tuple[ResponseStore, str, int]:
    """The store, its URL and current generation (the cache key for everything below)."""
    store = get_store()
    return store, database_url(configured_database_url()), store.generation()


@st.cache_resource(show_spinner="Loading answers…", max_entries=4)
def answers_frame(url: str, generation: int, as_of: date | None = None) -> pd.DataFrame:
    """``latest_frame()`` of the store at ``url`` as of ``generation`` (read-only, shared); with
    ``as_of``, the answers at the end of that day (``analysis.storage.history.frame_as_of``)."""
    del url, generation
    return frame_as_of(get_store(), as_of)


@st.cache_resource(show_spinner="Loading answers…", max_entries=4)
def counting_frame(url: str, generation: int, as_of: date | None = None) -> pd.DataFrame:
    """Like :func:`answers_frame` without the free text: all the charts and cross-tabs need."""
    del url, generation
    return frame_as_of(get_store(), as_of, columns=ANALYSIS_COLUMNS)


@st.cache_data(show_spinner=False, max_entries=4)
def tags_frame(url: str, generation: int) -> pd.DataFrame:
    del url, generation
    return get_store().tags_frame()


@st.cache_data(show_spinner=False, max_entries=4)
def theme_records(url: str, generation: int) -> list[dict[str, object]]:
    del url, generation
    return get_store().themes()


@st.cache_data(show_spinner=False, max_entries=4)
def store_stats(url: str, generation: int) -> dict[str, object]:
    del url, generation
    return get_store().stats()


def theme_label_map(url: str, generation: int) -> dict[str, str]:
    return {str(t["name"]): str(t["label"]) for t in theme_records(url, generation)}


def value_formatter(field: str, theme_labels: dict[str, str] | None = None) -> Callable[[str], str]:
    """``format_func`` for selectboxes offering a field's values (words, not codes)."""

    def fmt(value: str) -> str:
        if value in (TOTAL, NO_ANSWER):
            return value
        return label_for_value(field, value, theme_labels)

    return fmt


def empty_state(what: str) -> None:
    """The helpful empty state shared by review pages: how answers get into the store."""
    st.info(
        f"No answers yet, so there is no {what} to show. Answers appear here as soon as distributors "
        "submit the survey. To explore the dashboard now, import the illustrative seed answers:\n\n"
        "`python -m analysis import data/seed_responses.json`"
    )
    st.page_link("pages/survey.py", label="Open the survey", icon=":material/edit_note:")
