"""Reports page: build the Steering Council report from the current answers and download it.

Thin on purpose: everything is built by ``analysis.reports`` (the same code as
``python -m analysis export``). Builds are cached on the store's generation and the options, so
changing nothing costs nothing and any new answer invalidates the cache. The report reads the
review pages' cached answers frame, and only what the page shows is rendered up front (the
Markdown preview): each download is rendered when its button is clicked, and the PDF is printed
on request (headless Chromium takes seconds).
"""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

import streamlit as st

from ui.auth import is_reviewer, require_reviewer

require_reviewer()

from analysis.reports import MEDIA_TYPES, ReportData, ReportOptions, answers_json_text, build_snapshot, render_bytes
from analysis.reports.html import render_html
from analysis.reports.pdf import PdfError, html_to_pdf, page_count
from analysis.schedule import builtin_policy_descriptions, load_schedule
from analysis.storage.db import database_url
from ui.asof import as_of_control
from ui.review_data import counting_frame, store_stats
from ui.store import configured_database_url, get_store

#: Download buttons in order; each file is rendered when its button is clicked.
FORMATS = ("html", "md", "csv", "xlsx", "json")
LABELS = {"html": "HTML", "md": "Markdown", "csv": "CSV", "xlsx": "XLSX", "pdf": "PDF", "json": "JSON"}


@st.cache_resource(show_spinner="Building the report…", max_entries=8)
def build(url: str, generation: int, options: ReportOptions) -> dict[str, Any]:
    """The report's data and its Markdown (the preview), shared read-only by every session.

    ``url`` and ``generation`` are the cache key (any new answer bumps it). ``cache_resource``,
    not ``cache_data``: the snapshot holds plotly figures, and a pickled copy per rerun would cost
    more than the page. The JSON answers (80 MB at 100,000 answers) are not built here: the report
    prints their SHA-256, which the store remembers per generation.
    """
    frame = counting_frame(url, generation, options.as_of)
    # No charts: the page shows none; HTML and PDF get them from ``drawn`` when asked for.
    data = build_snapshot(get_store(), options, answers_json=False, frame=frame, figures=False)
    return {
        "data": data,
        "md": render_bytes(data, "md"),
        "stamp": data.snapshot_at.strftime("%Y%m%d-%H%M") if data.snapshot_at else "empty",
    }


@st.cache_resource(show_spinner="Drawing the report's charts…", max_entries=4)
def drawn(url: str, generation: int, options: ReportOptions) -> ReportData:
    """The same report with its charts, for HTML and PDF (built on the first such request)."""
    frame = counting_frame(url, generation, options.as_of)
    return build_snapshot(get_store(), options, answers_json=False, frame=frame)


def report_file(url: str, generation: int, options: ReportOptions, fmt: str) -> bytes:
    """One download, rendered when its button is clicked (the JSON answers encoded then too)."""
    if fmt == "json":
        return answers_json_text(get_store(), options).encode("utf-8")
    if fmt == "html":
        return render_bytes(drawn(url, generation, options), fmt)
    return render_bytes(build(url, generation, options)["data"], fmt)


st.title("Reports for Steering Council review")
st.write(
    "One report from the current answers, in every format: a self-contained **HTML** file (charts included, "
    "opens offline), **Markdown** to paste into a Discourse post, **CSV**/**XLSX** for spreadsheets, a **PDF** "
    "for the archive and the canonical **JSON** answers (whose SHA-256 the report prints)."
)

store = get_store()
generation = store.generation()
as_of = as_of_control()
if store_stats(database_url(configured_database_url()), generation)["responses"] == 0:
    st.info("No answers have been submitted yet, so there is nothing to report. Import answers or wait for the survey.")
    st.stop()

schedule = load_schedule()
releases = [r.name for r in schedule.releases]
builtin = [p for p in builtin_policy_descriptions() if p in releases]
reviewer = is_reviewer()

with st.container(border=True):
    left, right = st.columns([3, 2])
    policies = left.multiselect(
        "Policies to compare (first release without PGP signatures)",
        releases,
        default=builtin,
        key="report_policies",
        help="Empty means the built-in policies.",
    )
    html_url = left.text_input(
        "Where the HTML report will be published (optional)",
        key="report_html_url",
        help="The Markdown links to it; an http(s) address.",
    )
    seed = right.number_input("Simulation seed", min_value=0, max_value=2**32 - 1, value=761, step=1, key="report_seed")
    draws = right.number_input(
        "Monte Carlo draws", min_value=100, max_value=100_000, value=2000, step=500, key="report_draws"
    )
    threshold = right.number_input(
        "Recommendation threshold (severity-weighted days)",
        min_value=0.0,
        value=1000.0,
        step=100.0,
        key="report_threshold",
    )
    changes_since = left.date_input(
        "Add “Changes since” this date (optional)",
        value=None,
        max_value=as_of or date.today(),
        format="YYYY-MM-DD",
        key="report_changes_since",
        help="Which distributors answered, changed or went silent on or after that day (UTC).",
    )
    include_contacts = st.checkbox(
        "Include personal data (contacts and respondent roles)",
        value=False,
        disabled=not reviewer,
        key="report_contacts",
        help="Only signed-in reviewers may include it; the report states whether it is included.",
    )

url_ok = True
if html_url.strip():
    from analysis.reports.markdown import safe_url

    try:
        safe_url(html_url)
    except ValueError as exc:
        st.error(str(exc))
        url_ok = False

options = ReportOptions(
    policies=tuple(p for p in releases if p in set(policies)),
    include_contacts=bool(include_contacts and reviewer),
    seed=int(seed),
    draws=int(draws),
    threshold=float(threshold),
    html_url=html_url.strip() if url_ok and html_url.strip() else None,
    as_of=as_of,
    changes_since=changes_since if isinstance(changes_since, date) else None,
)
url = database_url(configured_database_url())
built = build(url, generation, options)
report: ReportData = built["data"]

if options.include_contacts:
    st.warning(report.personal_data_note)
else:
    st.caption(report.personal_data_note)
for section, reason in report.unavailable:
    st.warning(f"{section} could not be included: {reason}.")

st.subheader("Download")
columns = st.columns(len(FORMATS) + 1)
for column, fmt in zip(columns, FORMATS, strict=False):
    column.download_button(
        LABELS[fmt],
        data=built["md"] if fmt == "md" else functools.partial(report_file, url, generation, options, fmt),
        file_name=f"pep761-report-{built['stamp']}.{fmt}",
        mime=MEDIA_TYPES[fmt],
        key=f"download_{fmt}",
        use_container_width=True,
        # No rerun on click: a rerun racing the download can cancel it (Streamlit's docs), and
        # nothing on the page changes when a file is taken.
        on_click="ignore",
    )

pdf_key = (database_url(configured_database_url()), generation, options)
pdf_state = st.session_state.get("report_pdf")
pdf_bytes: bytes | None = pdf_state[1] if pdf_state and pdf_state[0] == pdf_key else None
with columns[-1]:
    if pdf_bytes is not None:
        st.download_button(
            LABELS["pdf"],
            data=pdf_bytes,
            file_name=f"pep761-report-{built['stamp']}.pdf",
            mime=MEDIA_TYPES["pdf"],
            key="download_pdf",
            use_container_width=True,
            on_click="ignore",
        )
    elif st.button("Prepare PDF", key="prepare_pdf", use_container_width=True, help="Prints the HTML with Chromium"):
        try:
            with st.spinner("Printing the report with headless Chromium (a few seconds)…"):
                # What the PDF prints: the same report with charts sized for the page.
                printed = drawn(url, generation, options)
                pdf = html_to_pdf(render_html(printed, for_print=True), timestamp=printed.snapshot_at)
        except PdfError as exc:
            st.error(str(exc))
        else:
            st.session_state["report_pdf"] = (pdf_key, pdf)
            st.rerun()

if pdf_bytes is not None:
    st.success(
        f"The PDF is ready: {page_count(pdf_bytes)} pages, {len(pdf_bytes) / 1024:,.0f} KiB. "
        "Download it with the PDF button above.",
        icon=":material/picture_as_pdf:",
    )
else:
    st.caption("The PDF is printed on request (Prepare PDF); the page says here when it is ready.")
st.caption(f"SHA-256 of the exported answers (JSON): `{report.answers_sha256}`")

st.subheader("Markdown preview")
rendered, source = st.tabs(["As it will look", "Source to paste"])
markdown = built["md"].decode("utf-8")
rendered.markdown(markdown)
source.code(markdown, language="markdown")
