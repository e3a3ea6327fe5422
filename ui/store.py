"""The store as a Streamlit resource: one engine per process, migrated once.

A store that cannot be opened (bad URL, server down, missing directory) is not cached, so the
next page run tries again; the page says the store is unavailable and stops, the log gets the
reason (password hidden, no SQL, no parameters).
"""

from __future__ import annotations

import logging
import os
from typing import NoReturn

import streamlit as st

from analysis.secrets_file import SecretsFileError, database_url_from
from analysis.storage import ResponseStore, StoreUnavailable, open_store
from analysis.storage.db import DATABASE_URL_ENV, database_url
from ui.app_secrets import read_secrets


def configured_database_url() -> str | None:
    """``$DATABASE_URL`` wins; else ``[database] url`` in ``.streamlit/secrets.toml``; else SQLite.

    Raises :class:`SecretsFileError` when the secrets file cannot be read: the configured store is
    then unknown, and guessing (a fresh local SQLite file) would hide every stored answer.
    """
    if os.environ.get(DATABASE_URL_ENV):
        return os.environ[DATABASE_URL_ENV]
    return database_url_from(read_secrets(), ".streamlit/secrets.toml")


@st.cache_resource(show_spinner=False)
def _store_for(url: str) -> ResponseStore:
    return open_store(url)


def stop_unreadable_store_config(exc: SecretsFileError) -> NoReturn:
    """Say which file is broken and render nothing else: no page reads or writes another store."""
    st.error(
        f"The store configuration could not be read: `{exc}`. "
        "Nothing is shown or saved until the file is fixed (the app never falls back to another store)."
    )
    st.stop()


_log = logging.getLogger("survey.store")
UNAVAILABLE_MESSAGE = (
    "The answer store is unavailable right now, so this page cannot be shown. Nothing you typed "
    "elsewhere is lost; please try again in a few minutes. (For the operator: the server log says why.)"
)


def get_store() -> ResponseStore:
    """The process's store, or a clear "store unavailable" message and the end of the page run."""
    # Keyed on the resolved URL so a change of $SURVEY_DATA_DIR (tests) gets its own store.
    try:
        url = database_url(configured_database_url())
    except SecretsFileError as exc:
        stop_unreadable_store_config(exc)
    try:
        return _store_for(url)
    except StoreUnavailable as exc:
        _log.error("store unavailable: %s", exc)
        st.error(UNAVAILABLE_MESSAGE, icon=":material/cloud_off:")
        st.stop()
