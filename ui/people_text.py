"""People's words on a page: always as text, never as Markdown or HTML.

Respondents type into a public form. Anything they wrote that reaches ``st.markdown``/``st.write``
is interpreted: ``![x](http://host/p.png)`` makes every reviewer's browser fetch that URL, and
``**`` or ``<`` change what the council reads. Every page shows respondents' (and roster) text
through this module, so the rule lives in one place and a test can check every page for it.

Two tools, for two places:

- :func:`show_words` shows a block of someone's text as text (``st.text``).
- :func:`md_escape` is for the few places where Streamlit only takes Markdown: widget and
  expander labels, headings, alerts and captions that mention a distributor's name. It escapes
  every ASCII punctuation character (CommonMark allows a backslash before any of them), so no
  link, image, HTML, emphasis, directive (``:red[...]``), emoji shortcode or LaTeX can form, and
  folds line breaks into spaces (a label is one line). GitHub-flavoured Markdown also turns bare
  ``http://…``, ``www.…`` and ``a@b.c`` into links *after* escapes are resolved, so a WORD JOINER
  (U+2060, invisible, no width) is put after the scheme, ``www`` and ``@``: the text reads the
  same and is not a link.
"""

from __future__ import annotations

import streamlit as st

from analysis.markdown_text import md_escape

__all__ = ["md_escape", "show_words"]


def show_words(text: object, *, label: str | None = None) -> None:
    """Show ``text`` exactly as typed (``st.text``: no Markdown, no HTML, no links fetched).

    ``label`` is the app's own wording (never respondents' text) and may use Markdown.
    """
    if label:
        st.markdown(f"**{label}**")
    st.text("" if text is None else str(text))
