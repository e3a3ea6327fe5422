"""The store as a Streamlit resource: one engine per process, migrated once."""

from __future__ import annotations

import os

import streamlit as st

from analysis.storage import ResponseStore, open_store
from analysis.storage.db import DATABASE_URL_ENV, database_url
from ui.app_secrets import read_secrets


def configured_database_url() -> str | None:
    """``$DATABASE_URL`` wins; else ``[database] url`` in ``.streamlit/secrets.toml``; else SQLite."""
    if os.environ.get(DATABASE_URL_ENV):
        return os.environ[DATABASE_URL_ENV]
    section = read_secrets().get("database")
    if isinstance(section, dict) and section.get("url"):
        return str(section["url"])
    return None


@st.cache_resource(show_spinner=False)
def _store_for(url: str) -> ResponseStore:
    return open_store(url)


def get_store() -> ResponseStore:
    # Keyed on the resolved URL so a change of $SURVEY_DATA_DIR (tests) gets its own store.
    return _store_for(database_url(configured_database_url()))
