"""``.streamlit/secrets.toml`` as a plain dict, read one way for every caller.

An absent or malformed secrets file must never take a page down (the survey is public): it reads
as "nothing configured", and the app falls back to its open, SQLite defaults.
"""

from __future__ import annotations

from typing import Any

import streamlit as st


def read_secrets() -> dict[str, Any]:
    """The secrets, or ``{}`` when the file is absent or malformed (never raises)."""
    try:
        return st.secrets.to_dict()
    except Exception:  # noqa: BLE001 (absent or malformed secrets.toml must not break a page)
        return {}
