"""File names and other untrusted text made safe to print on a terminal, one line each.

A mirror directory is written by whoever fills the mirror. A file named ``x\\x1b]0;pwned\\x07.tgz``
would retitle (or worse) the terminal of the person running ``verify --dir``, and a name holding a
newline followed by ``OK   Python-3.14.0.tgz: Verified`` would forge a line of the report. Every
name we print therefore goes through :func:`printable`: control characters (C0, C1, DEL), format
characters (bidi overrides, zero-width), line and paragraph separators, and undecodable bytes
(``surrogateescape`` file names) are shown as Python-style escapes, so the output is one line per
file and reads the same on any terminal.
"""

from __future__ import annotations

import unicodedata

_ESCAPED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def _escape(ch: str) -> str:
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (os.fsdecode's surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def printable(text: str) -> str:
    """``text`` with every non-printing character escaped (a backslash itself is doubled only when
    something else was escaped, so ordinary names print unchanged)."""
    if all(ch == " " or unicodedata.category(ch) not in _ESCAPED_CATEGORIES for ch in text):
        return text
    return "".join(
        _escape(ch) if unicodedata.category(ch) in _ESCAPED_CATEGORIES else ("\\\\" if ch == "\\" else ch)
        for ch in text
    )


#: Not ``analysis.markdown_text.md_escape``: a verification result names identities and issuers
#: (``hugo@python.org``, ``https://accounts.google.com``) that people copy from the page, and
#: md_escape's word joiners against autolinks would travel with the copy. The app writes these
#: sentences itself; only the file name in them is the uploader's, and it is made printable first.
#: Characters that can start Markdown markup or HTML in Streamlit (links and images need ``[``,
#: emphasis ``*``/``_``/``~``, code ``\```, LaTeX ``$``, tables ``|``, HTML and autolinks ``<``).
_MARKDOWN_SPECIAL = set("\\`*_[]<>~$|#")


def markdown_literal(text: str) -> str:
    """``text`` with every Markdown/HTML-significant character backslash-escaped.

    Streamlit renders ``st.success``/``st.error`` bodies as Markdown, and a result sentence carries
    the uploaded file's name: ``![x](http://host/p.png).tgz`` must read as that name, not fetch an
    image, and ``:red[...]`` stays literal because its ``[`` is escaped.
    """
    return "".join(f"\\{ch}" if ch in _MARKDOWN_SPECIAL else ch for ch in printable(text))
