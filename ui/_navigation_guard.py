"""Make sure every page is reached through ``app.py``'s ``st.navigation``.

Streamlit still honours its first multipage mechanism whenever a ``pages/`` folder sits next to
the main script: until some session of the process has called ``st.navigation``, a deep link such
as ``/simulator`` runs ``pages/simulator.py`` *directly*, without ``app.py`` (wrong sidebar, no page
config). Only the first session after a server start is affected, but that may well be a
reviewer's bookmarked link. Every page imports ``ui``, so the first such run lands here: we switch
the legacy mode off for the process and rerun, which now goes through ``app.py``.
"""

from __future__ import annotations


def route_through_app() -> None:
    import streamlit as st
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory and st.runtime.exists():
        PagesManager.uses_pages_directory = False
        st.rerun()
