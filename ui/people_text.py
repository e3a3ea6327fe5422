"""People's words on a page: always as text, never as Markdown or HTML.

Respondents type into a public form. Anything they wrote that reaches ``st.markdown``/``st.write``
is interpreted: ``![x](http://host/p.png)`` makes every reviewer's browser fetch that URL, and
``**`` or ``<`` change what the council reads. Every page shows respondents' (and roster) text
through this module, so the rule lives in one place and a test can check every page for it.
"""

from __future__ import annotations

import streamlit as st


def show_words(text: object, *, label: str | None = None) -> None:
    """Show ``text`` exactly as typed (``st.text``: no Markdown, no HTML, no links fetched).

    ``label`` is the app's own wording (never respondents' text) and may use Markdown.
    """
    if label:
        st.markdown(f"**{label}**")
    st.text("" if text is None else str(text))
