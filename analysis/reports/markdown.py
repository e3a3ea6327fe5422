"""The Markdown report: short, pasteable into a Discourse post, no HTML at all.

Discourse renders CommonMark plus its own extensions (BBCode such as ``[quote]``, ``@mentions``,
``#hashtags``, ``:emoji:``, linkified URLs). Respondents' free text must stay text there, so every
value goes through ``escape``, which backslash-escapes only what Discourse would act on, so the
post stays readable ("Final (x.y.0)", not "Final \\(x.y.0\\)"):

* always: ``\\`` (escapes), ``[``/``]`` (links, images and BBCode all need a bracket), ``<``/``>``
  (raw HTML, autolinks), `` ` `` (code spans), ``*`` (emphasis), ``|`` (table cells), ``~``
  (strike-through);
* in context: ``_`` at a word edge (emphasis; ``snake_case`` is inert), ``&`` before an entity
  (``&amp;``), ``@`` opening a name (a mention; not inside ``repo@commit`` or an e-mail address),
  ``#`` before a word (hashtag), ``:`` opening an ``:emoji:`` code;
* at a line start: a list, quote, heading or numbered-list marker.

Parentheses, ``!``, ``{}``, ``.`` and ``-`` elsewhere do nothing without a bracket and are left
alone. Newlines are folded to spaces so a value cannot start a block of its own.

Charts are left out (the HTML report has them); when the HTML report's URL is known it is linked
at the top.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote, urlsplit

from analysis.reports.model import Cell, ReportData, Table, format_cell, is_number

#: Markdown/Discourse punctuation escaped with a backslash wherever it appears.
_SPECIAL = re.compile(r"([\\`*\[\]<>|~])")
#: Punctuation that means something only next to certain characters (see the module docstring).
_CONTEXTUAL = re.compile(
    r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])|&(?=#?\w+;)|(?<![\w.])@(?=\w)|#(?=\w)|:(?=[A-Za-z_+-][\w+-]*:)"
)
#: Characters that start a block (list, heading, quote) when they open a line.
_LEADING = re.compile(r"^([-+=>#])|^(\d+)([.)])")
GENERATED_PREFIX = "_Report generated "
#: Discourse refuses posts over 32,000 characters by default: long tables are cut (the HTML and
#: CSV have every row), so the post stays pasteable with hundreds of distributors.
MAX_TABLE_ROWS = 40
#: Exposed distributors listed with their reasons (the longest exposures; the HTML has them all).
MAX_EXPOSED_LINES = 15
#: The Markdown leaves out these distributor-table columns to stay short (the HTML has them all).
_SHORT_COMPARISON_COLUMNS = (
    "Policy (first release without PGP)",
    "Date",
    "Exposed",
    "Exposure unknown",
    "Ship unverified today",
    "Severity-weighted days",
    "Expected exposed (Monte Carlo)",
    "90 % range exposed",
    "Expected weighted days",
)
_SHORT_DISTRIBUTOR_COLUMNS = ("Distributor", "Kind", "Starts at", "Sigstore", "Ready (likely)", "Worst case")


def escape(value: object, *, line_start: bool = False) -> str:
    """Make any value inert Markdown text (see the module docstring for why each character).

    ``line_start``: the value opens a line (e.g. a quote), so a leading ``-``, ``+``, ``>``, ``#``
    or ``1.`` that would start a list, quote or heading is escaped too.
    """
    text = _SPECIAL.sub(r"\\\1", " ".join(str(value).split()))
    text = _CONTEXTUAL.sub(lambda m: "\\" + m.group(0), text)
    return _LEADING.sub(_escape_leading, text) if line_start else text


def _escape_leading(match: re.Match[str]) -> str:
    if match.group(1):
        return "\\" + match.group(1)
    return f"{match.group(2)}\\{match.group(3)}"


def safe_url(url: str) -> str:
    """An http(s) URL with the characters that could end a Markdown link percent-encoded."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"the HTML report link must be an http(s) URL, got {url!r}")
    return quote(url.strip(), safe=":/?#=&%~.,;+-_!*'@")


def table(t: Table, columns: Iterable[str] | None = None, max_rows: int | None = None) -> list[str]:
    """A GitHub/Discourse pipe table; numbers right-aligned; at most ``max_rows`` rows."""
    wanted = list(columns) if columns is not None else list(t.columns)
    index = [t.columns.index(c) for c in wanted if c in t.columns]
    if not t.rows or not index:
        return ["_No data._", ""]
    numeric = [all(is_number(r[i]) for r in t.rows) for i in index]
    lines = ["| " + " | ".join(escape(t.columns[i]) for i in index) + " |"]
    lines.append("|" + "|".join("---:" if n else "---" for n in numeric) + "|")
    shown = t.rows if max_rows is None else t.rows[:max_rows]
    for row in shown:
        lines.append("| " + " | ".join(_cell(row[i]) for i in index) + " |")
    if len(shown) < len(t.rows):
        lines += ["", f"_… and {len(t.rows) - len(shown)} more rows: see the HTML report or the CSV._"]
    if t.note:
        lines += ["", f"_{escape(t.note)}_"]
    return [*lines, ""]


def _cell(value: Cell) -> str:
    return escape(format_cell(value)) if value not in (None, "") else " "


def render_markdown(data: ReportData, html_url: str | None = None) -> str:
    """The report as Discourse-ready Markdown (ends with a newline)."""
    url = html_url if html_url is not None else data.options.html_url
    snapshot = data.snapshot_at.isoformat() if data.snapshot_at else "no answers stored"
    out = ["## PEP 761 downstream survey: report for the Steering Council", ""]
    if data.options.as_of:
        out.append(f"As of the end of {data.options.as_of.isoformat()} (UTC).")
    out.append(f"Data snapshot {escape(snapshot)}: {data.distributors} distributors, {data.responses} responses.")
    if data.illustrative:
        out.append(
            f"**{data.illustrative} of the {data.distributors} counted answers are illustrative**: transcribed by "
            "the survey team from public statements, not submitted by the distributors themselves."
        )
    if url:
        out.append(f"Full report with charts: [HTML report]({safe_url(url)})")
    out.append(f"{GENERATED_PREFIX}{escape(data.generated_at.isoformat())}_")
    out.append(f"_{escape(' '.join(data.schedule_status))}_")
    out += ["", f"> {escape(data.personal_data_note)}", ""]
    for section, reason in data.unavailable:
        out += [f"> **{escape(section)}** could not be included: {escape(reason)}.", ""]

    out += ["### Summary of the three questions", ""]
    if data.is_empty:
        out += ["No answers have been submitted yet.", ""]
    for s in data.summaries if not data.is_empty else ():
        out += [f"**{escape(s.title)}**", "", *table(s.table)]
        if s.note:
            out += [f"_{escape(s.note)}_", ""]

    if data.crosstabs:
        out += ["### Cross-tabs by distributor kind", ""]
        for t in data.crosstabs:
            out += [f"**{escape(t.title)}**", "", *table(t)]

    out += ["### Policy comparison", ""]
    if data.simulation:
        out += [f"**{escape(data.simulation.recommendation)}**", ""]
        out += table(data.simulation.comparison, _SHORT_COMPARISON_COLUMNS)
        if data.simulation.exposed:
            # Longest exposure first, cut like the tables so the post stays under Discourse's limit.
            ranked = sorted(data.simulation.exposed, key=lambda e: -max(p.exposed_days for p in e.policies))
            shown = ranked[:MAX_EXPOSED_LINES]
            out += ["**Who is exposed, and why**", ""]
            out += [f"- {escape(e.sentence)}" for e in shown]
            if len(shown) < len(ranked):
                out += ["", f"_… and {len(ranked) - len(shown)} more distributors: see the HTML report._"]
            out += [""]
    else:
        out += ["_The simulator's comparison is not part of this report._", ""]

    out += ["### Distributors", "", *table(data.distributor_table, _SHORT_DISTRIBUTOR_COLUMNS, MAX_TABLE_ROWS)]
    if data.duplicates.rows:
        out += [f"**{escape(data.duplicates.title)}**", "", *table(data.duplicates, max_rows=MAX_TABLE_ROWS)]

    out += ["### Coded themes", ""]
    if not data.themes:
        out += ["_No free-text answers have been coded yet._", ""]
    for theme in data.themes:
        plural = "" if theme.distributors == 1 else "s"
        out += [f"**{escape(theme.label)}** ({theme.distributors} distributor{plural})", ""]
        for q in theme.quotes:
            out += [f"> {escape(q.text, line_start=True)}", f"> — {escape(q.distributor)}, {escape(q.field)}", ""]

    for x in data.extra_sections:
        out += [f"### {escape(x.title)}", ""]
        out += [line for p in x.paragraphs for line in (escape(p), "")]
        for t in x.tables:
            out += [f"**{escape(t.title)}**", "", *table(t, max_rows=MAX_TABLE_ROWS)]

    out += ["### Methodology", ""]
    out += [f"- **{escape(title)}.** {escape(text)}" for title, text in data.methodology]
    out += ["", "### Provenance", ""]
    out += [f"- **{escape(key)}:** {escape(value)}" for key, value in data.provenance]
    return "\n".join(out).rstrip("\n") + "\n"
