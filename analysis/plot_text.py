"""Respondents' words as Plotly shows them: literally.

Plotly renders a subset of HTML in every text it draws (axis ticks, hover boxes, annotations):
``<b>``, ``<i>``, ``<br>`` and ``<a href>`` links. A distributor named ``<b>Foo</b>`` or an answer
containing a link must appear as typed, not as formatting or a clickable link, on the dashboard
and in the exported HTML/PDF reports. Every free text that reaches a figure goes through here.
"""

from __future__ import annotations

import html

ELLIPSIS = "…"


def plot_text(text: str, limit: int | None = None) -> str:
    """Escape ``text`` for Plotly; with ``limit``, shorten it (axis labels must not eat the chart)."""
    if limit is not None and len(text) > limit:
        text = text[: max(1, limit - 1)].rstrip() + ELLIPSIS
    return html.escape(text, quote=False)
