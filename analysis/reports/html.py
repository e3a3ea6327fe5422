"""The HTML report: one self-contained file that opens offline and prints well.

Why it looks like this:

* plotly.js is inlined once in a ``<script>``; each figure is a ``<div>`` with a fixed id
  (``fig-<key>``) and a ``Plotly.newPlot`` call, as plotly's ``to_html`` writes them with
  ``include_plotlyjs=False``/``include_mathjax=False``, so the file makes no request at all (no
  CDN, no web fonts, no MathJax). The figures' JSON is written by ``analysis.figure_json``, not by
  plotly's Python package, which an export then never imports (issue 14). A Content-Security-Policy with
  ``default-src 'none'`` makes that a guarantee rather than a hope: a browser refuses any fetch.
* Jinja2 with autoescaping renders every value: a response containing ``<script>`` is shown as
  text. Only plotly.js and the figure snippets (script-safe JSON, ``analysis.figure_json``) are marked safe.
* Deterministic: figure ids are derived from section keys and nothing but the "Report generated"
  line depends on the clock, so two exports can be diffed.
* Print CSS (A4, no page breaks inside charts or table rows, repeated table headers) so the PDF is
  the same document.
"""

from __future__ import annotations

import functools
import html as html_lib
import json
import pkgutil
import re

import jinja2

from analysis.figure_json import to_json
from analysis.plain_figure import PlainFigure
from analysis.reports.model import ReportData, format_cell, is_number

#: The one line that differs between two exports of the same data (tests strip it).
GENERATED_MARKER = 'class="generated"'
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
CHART_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["sendDataToCloud"]}
#: Where the table of contents goes; filled from the rendered headings (see ``_contents``).
TOC_MARKER = "<!--table-of-contents-->"
#: Height (px) of the ``<div>`` of a figure that names none.
DEFAULT_FIGURE_HEIGHT = 440
#: A table with at most this many rows is kept on one printed page.
KEEP_ROWS = 15
#: Tallest a chart may be in the PDF: an A4 landscape page has about 695 CSS px between its
#: margins, and the chart's heading needs room too.
PRINT_MAX_FIGURE_HEIGHT = 600
_HEADING = re.compile(r'<h([23]) id="([^"]+)">(.*?)</h\1>', re.DOTALL)
CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'"
)

_TEMPLATE = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{ csp }}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>PEP 761 downstream survey: report for the Steering Council</title>
<style>
:root { --fg: #1d1d1f; --muted: #5f6368; --rule: #d0d4da; --accent: #306998; --warn: #8a1c1c; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", "Liberation Sans", sans-serif;
  color: var(--fg); margin: 0 auto; max-width: 1100px; padding: 24px 32px 64px; line-height: 1.45; font-size: 15px; }
h1 { font-size: 1.7rem; margin: 0 0 .2rem; color: var(--accent); }
h2 { font-size: 1.3rem; margin: 2.2rem 0 .6rem; padding-bottom: .2rem; border-bottom: 2px solid var(--accent); }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
h4 { font-size: .95rem; margin: 1rem 0 .3rem; }
p.meta, p.generated, .note { color: var(--muted); font-size: .9rem; margin: .2rem 0; }
p.meta.stale { color: #8a4b00; font-weight: 600; }
.personal { border-left: 4px solid var(--accent); background: #eef3f8; padding: .4rem .8rem; margin: .8rem 0; }
.personal.included { border-color: var(--warn); background: #fbeaea; color: var(--warn); font-weight: 600; }
.unavailable { border-left: 4px solid #c77c02; background: #fff6e5; padding: .4rem .8rem; margin: .8rem 0; }
nav.toc { margin: 1rem 0; }
nav.toc h2 { margin-top: 1rem; }
nav.toc ol { columns: 2; column-gap: 2.5rem; list-style: none; padding-left: 0; margin: .4rem 0; font-size: .92rem; }
nav.toc li { display: flex; gap: .4rem; break-inside: avoid; }
nav.toc li.l2 { font-weight: 600; margin-top: .35rem; }
nav.toc li.l3 { padding-left: 1.6rem; }
nav.toc li a { color: inherit; text-decoration: none; flex: 0 1 auto; }
nav.toc li .dots { flex: 1 1 auto; border-bottom: 1px dotted var(--rule); margin-bottom: .3rem; }
nav.toc li .page { flex: 0 0 auto; min-width: 1.5rem; text-align: right; font-variant-numeric: tabular-nums; }
span.num { color: var(--muted); margin-right: .35rem; font-variant-numeric: tabular-nums; }
@media screen { nav.toc li .dots, nav.toc li .page { display: none; } }
.kpis { display: flex; gap: 1rem; flex-wrap: wrap; margin: 1rem 0; }
.kpi { border: 1px solid var(--rule); border-radius: 6px; padding: .5rem 1rem; min-width: 9rem; }
.kpi b { display: block; font-size: 1.6rem; color: var(--accent); }
table { border-collapse: collapse; margin: .4rem 0 .8rem; font-size: .86rem; min-width: 45%; }
th, td { border: 1px solid var(--rule); padding: .25rem .45rem; text-align: left; vertical-align: top; }
th { background: #f3f5f8; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.nowrap { white-space: nowrap; }
table.full { width: 100%; }
tr.total td { font-weight: 600; background: #fafbfc; }
#table-simulation td:nth-child(3) { min-width: 16rem; }  /* the policy's description reads as a sentence */
.wide { overflow-x: auto; }
.chart { margin: .4rem 0 1rem; break-inside: avoid; page-break-inside: avoid; }
.question { display: flex; gap: 1.2rem; align-items: flex-start; break-inside: avoid; page-break-inside: avoid; }
.question .chart { flex: 0 0 62%; width: 62%; min-width: 0; }  /* fixed: plotly sizes itself before the table exists */
.question .counts { flex: 1 1 0; min-width: 0; }
.question .counts table { width: 100%; }
blockquote { margin: .3rem 0 .6rem; padding: .2rem .8rem; border-left: 3px solid var(--rule); color: #333; }
blockquote cite { display: block; color: var(--muted); font-size: .85rem; font-style: normal; }
dl.prov { display: grid; grid-template-columns: 13rem 1fr; gap: .2rem 1rem; font-size: .88rem; }
dl.prov dt { font-weight: 600; }
dl.prov dd { margin: 0; overflow-wrap: anywhere; }
code { font-size: .85rem; }
ul.why { font-size: .88rem; margin: .2rem 0 .8rem; }
@page {
  size: A4 landscape; margin: 12mm 12mm 14mm;
  @bottom-left { content: "PEP 761 downstream survey: report for the Steering Council"; font: 8pt "DejaVu Sans", sans-serif; color: #5f6368; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8pt "DejaVu Sans", sans-serif; color: #5f6368; }
}
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  /* The cover (title, numbers, contents) is page 1; the report starts on page 2. */
  header.cover + section, header.cover ~ .unavailable + section { break-before: page; }
  h2, h3, h4, h3 + .note { break-after: avoid; page-break-after: avoid; }
  nav.toc ol { font-size: 9.5pt; line-height: 1.3; }
  nav.toc li.l2 { margin-top: .2rem; }
  header.cover h1 { font-size: 20pt; }
  thead { display: table-header-group; }
  tr, blockquote, .kpi, li { break-inside: avoid; page-break-inside: avoid; }
  /* A short table is read as one: never leave one row (or only its header) on a page. */
  table.keep, .keep-together { break-inside: avoid; page-break-inside: avoid; }
  p.note { orphans: 3; widows: 3; }
  .wide { overflow: visible; }
  .modebar-container { display: none !important; }
  a { color: inherit; text-decoration: none; }
}
</style>
<script>{{ plotly_js }}</script>
</head>
<body>
<header class="cover">
<h1>PEP 761 downstream survey: report for the Steering Council</h1>
<p class="meta">{% if data.options.as_of %}As of the end of {{ data.options.as_of }} (UTC) · {% endif %}Data snapshot: {{ snapshot }} · {{ data.distributors }} distributors · {{ data.responses }} responses · app {{ version }}</p>
<p class="generated">Report generated {{ generated }}</p>
<p class="meta{% if data.schedule_status|length > 1 %} stale{% endif %}" id="schedule-status">{{ data.schedule_status|join(" ") }}</p>
<p class="personal{% if data.options.include_contacts %} included{% endif %}">{{ data.personal_data_note }}</p>
{% if not data.is_empty %}<div class="kpis">
<div class="kpi"><b>{{ data.distributors }}</b>distributors</div>
<div class="kpi"><b>{{ data.responses }}</b>responses</div>
<div class="kpi"><b>{{ data.illustrative }}</b>illustrative answers</div>
</div>{% endif %}
<nav class="toc" aria-label="Contents"><h2 class="toc-title">Contents</h2>
{{ toc_marker }}
</nav>
</header>
{% for section, reason in data.unavailable %}
<p class="unavailable"><b>{{ section }}</b> could not be included: {{ reason }}.</p>
{% endfor %}
{% macro table(t, numeric_from=1) -%}
{% if t.rows %}<div class="wide"><table id="table-{{ t.key }}" class="{% if t.columns|length > 5 %}full{% endif %}{% if t.rows|length <= keep_rows %} keep{% endif %}">
<thead><tr>{% for c in t.columns %}<th scope="col">{{ c }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in t.rows %}<tr{% if row[0] == "Total" %} class="total"{% endif %}>{% for cell in row %}{% if loop.index0 >= numeric_from and is_number(cell) %}<td class="num">{{ fmt(cell) }}</td>{% elif is_date(cell) %}<td class="nowrap">{{ cell }}</td>{% else %}<td>{{ fmt(cell) }}</td>{% endif %}{% endfor %}</tr>
{% endfor %}</tbody>
</table></div>{% else %}<p class="note">No data.</p>{% endif %}
{% if t.note %}<p class="note">{{ t.note }}</p>{% endif %}
{%- endmacro %}
<section id="summary">
<h2 id="h-summary">Summary of the three questions</h2>
{% if data.is_empty %}<p>No answers have been submitted yet.</p>{% else %}
{% for s in data.summaries %}
<h3 id="q-{{ s.key }}">{{ s.title }}</h3>
<div class="question">
{% if s.figure_key %}<div class="chart">{{ charts[s.figure_key] }}</div>{% endif %}
<div class="counts">{{ table(s.table) }}
{% if s.note %}<p class="note">{{ s.note }}</p>{% endif %}</div>
</div>
{% endfor %}{% endif %}
</section>
<section id="crosstabs">
<h2 id="h-crosstabs">Cross-tabs by distributor kind</h2>
{% for t in data.crosstabs %}<div class="keep-together"><h3 id="h-{{ t.key }}">{{ t.title }}</h3>
{{ table(t) }}</div>
{% else %}<p class="note">No cross-tabs (no answers, or the cross-tab engine is unavailable).</p>{% endfor %}
</section>
<section id="simulation">
<h2 id="h-simulation">Policy comparison and timeline</h2>
{% if data.simulation %}{% set sim = data.simulation %}
<p><b>{{ sim.recommendation }}</b></p>
<div class="keep-together"><h3 id="h-comparison">{{ sim.comparison.title }}</h3>
{{ table(sim.comparison) }}</div>
{% for title, key in sim_charts %}{% if title %}<h3 id="h-{{ key }}">{{ title }}</h3>{% endif %}
<div class="chart">{{ charts[key] }}</div>
{% endfor %}
{% if sim.exposed %}<div{% if sim.exposed|length <= keep_rows %} class="keep-together"{% endif %}><h3 id="h-why">Who is exposed, and why</h3>
<ul class="why">{% for e in sim.exposed %}<li>{{ e.sentence }}</li>{% endfor %}</ul></div>{% endif %}
{% if sim.exposures %}<h3 id="h-exposure">Exposure per policy</h3>
{% for t in sim.exposures %}<div class="keep-together"><h4>{{ t.title }}</h4>
{{ table(t) }}</div>
{% endfor %}{% endif %}
{% else %}<p class="note">The simulator's comparison is not part of this report.</p>{% endif %}
</section>
<section id="distributors">
<h2 id="h-distributors">Distributors</h2>
{{ table(data.distributor_table, 99) }}
{% if data.duplicates.rows %}<h3>{{ data.duplicates.title }}</h3>
{{ table(data.duplicates) }}{% endif %}
</section>
<section id="themes">
<h2 id="h-themes">Coded themes</h2>
{% for theme in data.themes %}
<h3>{{ theme.label }} <span class="note">({{ theme.distributors }} distributor{{ "" if theme.distributors == 1 else "s" }})</span></h3>
{% if theme.description %}<p class="note">{{ theme.description }}</p>{% endif %}
{% for q in theme.quotes %}<blockquote>{{ q.text }}<cite>{{ q.distributor }}, {{ q.field }}</cite></blockquote>
{% endfor %}
{% else %}<p class="note">No free-text answers have been coded yet.</p>{% endfor %}
</section>
{% for x in data.extra_sections %}<section id="{{ x.key }}">
<h2 id="h-{{ x.key }}">{{ x.title }}</h2>
{% for p in x.paragraphs %}<p>{{ p }}</p>
{% endfor %}{% for t in x.tables %}<h3>{{ t.title }}</h3>
{{ table(t, 99) }}
{% endfor %}</section>
{% endfor %}<section id="methodology">
<h2 id="h-methodology">Methodology</h2>
{% for title, text in data.methodology %}<h3>{{ title }}</h3>
<p>{{ text }}</p>
{% endfor %}
</section>
<section id="provenance">
<h2 id="h-provenance">Provenance</h2>
<dl class="prov">
{% for key, value in data.provenance %}<dt>{{ key }}</dt><dd>{% if key in ("Answers SHA-256", "Reproduce") %}<code>{{ value }}</code>{% else %}{{ value }}{% endif %}</dd>
{% endfor %}</dl>
</section>
</body>
</html>
"""


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.globals.update(
        fmt=format_cell,
        is_number=is_number,
        is_date=lambda v: isinstance(v, str) and _ISO_DATE.fullmatch(v) is not None,
    )
    return env


@functools.cache
def plotly_js() -> str:
    """plotly.js as plotly's Python package ships it (what its ``get_plotlyjs`` returns)."""
    code = pkgutil.get_data("plotly", "package_data/plotly.min.js")
    if code is None:  # pragma: no cover - the package ships it
        raise FileNotFoundError("plotly's package data holds no plotly.min.js")
    return code.decode("utf-8")


def figure_id(key: str) -> str:
    """The ``id`` of a figure's ``<div>``: ``fig-`` and its key, anything but ``[A-Za-z0-9_-]`` made ``-``
    (a key comes from section and policy names and lands inside an attribute and a script)."""
    return "fig-" + _UNSAFE_ID.sub("-", key)


_UNSAFE_ID = re.compile(r"[^A-Za-z0-9_-]")


def figure_html(figure: PlainFigure, key: str) -> str:
    """One figure as a ``<div>`` + call to the already-loaded plotly.js, with a stable id.

    The markup is plotly's ``to_html(full_html=False, include_plotlyjs=False)``'s; the JSON is
    script-safe (:func:`analysis.figure_json.to_json`).
    """
    height = figure.height or DEFAULT_FIGURE_HEIGHT
    fig = figure.to_plotly_dict()
    div_id = figure_id(key)
    call = f'Plotly.newPlot("{div_id}", {to_json(fig["data"])}, {to_json(fig["layout"])}, {_CONFIG_JSON})'
    return (
        f'<div style="height:{height}px; width:100%;">'
        f'<div id="{div_id}" class="plotly-graph-div" style="height:100%; width:100%;"></div>'
        f"<script>window.PLOTLYENV=window.PLOTLYENV || {{}};"
        f'if (document.getElementById("{div_id}")) {{{call}}};</script></div>'
    )


_CONFIG_JSON = json.dumps(CHART_CONFIG)


def _print_sized(figure: PlainFigure, limit: int) -> PlainFigure:
    """A copy of ``figure`` no taller than ``limit`` px (the screen keeps its size)."""
    height = figure.height or DEFAULT_FIGURE_HEIGHT
    if height <= limit:
        return figure
    return figure.resized(limit)


def _print_figures(data: ReportData) -> dict[str, PlainFigure]:
    """The figures sized for A4 landscape: none taller than a page leaves room for."""
    return {key: _print_sized(fig, PRINT_MAX_FIGURE_HEIGHT) for key, fig in data.figures.items()}


def _simulation_charts(data: ReportData) -> list[tuple[str | None, str]]:
    """(heading, figure key) of the simulation's charts: the comparison sits under the comparison
    table's heading; each timeline gets its own, named after its policy."""
    if data.simulation is None:
        return []
    names = [str(row[0]) for row in data.simulation.comparison.rows]
    out: list[tuple[str | None, str]] = []
    timelines = iter(names)
    for key in data.simulation.figure_keys:
        if key.startswith("timeline-"):
            out.append((f"Timeline if PGP stops at {next(timelines, key.removeprefix('timeline-'))}", key))
        else:
            out.append((None, key))
    return out


def _contents(document: str) -> str:
    """Number every ``<h2 id>``/``<h3 id>`` (1, 1.1, ...) and put a table of contents at
    ``TOC_MARKER``, built from the headings themselves, so a section added to the template is
    listed without touching a list. Each entry has an empty ``<span class="page" data-num>``
    that the PDF fills with its page number (``analysis.reports.pdf``)."""
    entries: list[str] = []
    major = minor = 0

    def number(match: re.Match[str]) -> str:
        nonlocal major, minor
        level, anchor, inner = match.group(1), match.group(2), match.group(3)
        if level == "2":
            major, minor = major + 1, 0
            num = str(major)
        else:
            minor += 1
            num = f"{major}.{minor}"
        text = html_lib.escape(html_lib.unescape(re.sub(r"<[^>]+>", "", inner)).strip(), quote=False)
        entries.append(
            f'<li class="l{level}"><a href="#{anchor}"><span class="num">{num}</span> {text}</a>'
            f'<span class="dots"></span><span class="page" data-num="{num}"></span></li>'
        )
        return f'<h{level} id="{anchor}"><span class="num">{num}</span> {inner}</h{level}>'

    numbered = _HEADING.sub(number, document)
    return numbered.replace(TOC_MARKER, "<ol>\n" + "\n".join(entries) + "\n</ol>", 1)


def render_html(data: ReportData, *, for_print: bool = False) -> str:
    """The complete report as one HTML document (UTF-8 text).

    ``for_print``: the variant the PDF prints (charts no taller than a page); the text is the same.
    """
    figures = _print_figures(data) if for_print else data.figures
    charts = {key: jinja2.utils.markupsafe.Markup(figure_html(fig, key)) for key, fig in figures.items()}
    template = _environment().from_string(_TEMPLATE)
    document = template.render(
        data=data,
        csp=CSP,
        plotly_js=jinja2.utils.markupsafe.Markup(plotly_js()),
        charts=charts,
        sim_charts=_simulation_charts(data),
        keep_rows=KEEP_ROWS,
        toc_marker=jinja2.utils.markupsafe.Markup(TOC_MARKER),
        snapshot=data.snapshot_at.isoformat() if data.snapshot_at else "no answers stored",
        generated=data.generated_at.isoformat(),
        version=_version(),
    )
    return _contents(document)


def _version() -> str:
    import analysis

    return analysis.__version__
