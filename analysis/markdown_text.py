"""Text as inert Markdown: the one escape for every place Streamlit renders Markdown.

Respondents', roster and uploaded-file text can reach a widget label, a heading, an alert or a
caption, which Streamlit renders as Markdown. :func:`md_escape` escapes every ASCII punctuation
character (CommonMark allows a backslash before any of them), so no link, image, HTML, emphasis,
directive (``:red[...]``), emoji shortcode or LaTeX can form, and folds line breaks into spaces
(a label is one line). GitHub-flavoured Markdown also turns bare ``http://…``, ``www.…`` and
``a@b.c`` into links *after* escapes are resolved, so a WORD JOINER (U+2060, invisible, no width)
is put after the scheme, ``www`` and ``@``: the text reads the same and is not a link.

It lives in ``analysis`` (no Streamlit import) because the verification module builds result
sentences with file names in them; pages use it through ``ui.people_text``.
"""

from __future__ import annotations

import re
import string

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
