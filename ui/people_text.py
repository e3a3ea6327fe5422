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

import re
import string

import streamlit as st

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_LINE_BREAKS = re.compile(r"[\r\n\t\u2028\u2029\x0b\x0c\x85]+")
_AUTOLINK_STARTS = re.compile(r"(?i)([a-z][a-z0-9+.-]*(?=:)|www(?=\.)|@)")
_WORD_JOINER = "\u2060"


def md_escape(text: object, *, limit: int | None = None) -> str:
    """``text`` as inert Markdown: shows literally wherever Streamlit renders Markdown.

    ``limit`` shortens it first (with "…"), for labels and options.
    """
    value = "" if text is None else str(text)
    value = _LINE_BREAKS.sub(" ", value)
    if limit is not None and len(value) > limit:
        value = value[:limit].rstrip() + "…"
    value = _AUTOLINK_STARTS.sub(lambda m: m.group(1) + _WORD_JOINER, value)
    return _PUNCTUATION.sub(r"\\\1", value)


def show_words(text: object, *, label: str | None = None) -> None:
    """Show ``text`` exactly as typed (``st.text``: no Markdown, no HTML, no links fetched).

    ``label`` is the app's own wording (never respondents' text) and may use Markdown.
    """
    if label:
        st.markdown(f"**{label}**")
    st.text("" if text is None else str(text))
