"""Keep a page's view in its URL (``st.query_params``), so a view can be shared or bookmarked.

What a view *is* and how a link is checked lives in ``analysis`` (e.g. ``analysis.crosstab_view``);
this module only moves values between the URL and widget state.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st


def query() -> dict[str, list[str]]:
    """The URL's parameters, every value of a repeated one."""
    return {name: st.query_params.get_all(name) for name in st.query_params}


def first_visit(widget_key: str) -> bool:
    """True on the first run of a page visit: its widgets have no state yet, so a link may set it."""
    return widget_key not in st.session_state


def seed_widgets(values: Mapping[str, object]) -> None:
    """Set widget state before the widgets are created (they take no ``index``/``value`` then)."""
    for key, value in values.items():
        st.session_state[key] = value


def write_query(params: Mapping[str, str | list[str]]) -> None:
    """Make the URL say ``params`` (only when it differs: every write is a browser history entry)."""
    wanted = {k: [v] if isinstance(v, str) else list(v) for k, v in params.items()}
    if query() != wanted:
        st.query_params.from_dict(dict(params))
