"""The HTML report in headless Chromium with the network cut off, and the PDF it prints to.

Skipped locally without /usr/bin/chromium; with CI=true a missing Chromium fails
(``tests.conftest.require_chromium``). Screenshots land in test-results/screenshots/.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Route
from pypdf import PdfReader

from analysis.reports import render
from analysis.reports.pdf import WINDOW_SIZE, html_to_pdf
from analysis.storage import ResponseStore
from tests.chart_boxes import measure, wait_for_figures
from tests.conftest import require_chromium
from tests.reports_support import FROZEN, SCRIPT, freeze_store_clock, load_payloads, load_seed, snapshot

pytestmark = pytest.mark.browser


@pytest.fixture
def report_file(store: ResponseStore, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[Path, int]:
    """The seed data plus the injection payloads, as an HTML file; returns (path, number of figures)."""
    freeze_store_clock(monkeypatch)
    load_seed(store)
    load_payloads(store)
    data = snapshot(store)
    path = tmp_path / "report.html"
    path.write_text(str(render(data, "html")), encoding="utf-8")
    return path, len(data.figures)


def test_html_report_renders_offline(browser: Browser, report_file: tuple[Path, int], screenshot_dir: Path) -> None:
    path, n_figures = report_file
    attempted: list[str] = []
    console_errors: list[str] = []
    dialogs: list[str] = []

    def guard(route: Route) -> None:
        url = route.request.url
        if url.startswith("file://"):
            route.continue_()
        else:
            attempted.append(url)
            route.abort()

    context = browser.new_context(viewport={"width": 1400, "height": 3000})
    context.route("**/*", guard)
    page = context.new_page()
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: console_errors.append(str(exc)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(path.as_uri())
    page.wait_for_function(
        f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {max(1, n_figures)}", timeout=30_000
    )
    assert n_figures >= 1
    populated = page.evaluate(
        "Array.from(document.querySelectorAll('.plotly-graph-div')).filter(d => d.querySelector('.main-svg')).length"
    )
    assert populated == n_figures
    assert attempted == [], f"the report tried to fetch {attempted}"
    assert console_errors == []
    assert dialogs == [], "an injected script ran"
    assert page.get_by_text(SCRIPT, exact=False).count() >= 1  # shown as text
    assert page.locator("a[href^='javascript']").count() == 0
    page.screenshot(path=str(screenshot_dir / "report-top.png"))
    page.locator("#simulation").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "report-simulation.png"))
    context.close()


def test_pdf_has_pages_text_and_vector_charts(store: ResponseStore, monkeypatch: pytest.MonkeyPatch) -> None:
    require_chromium()
    freeze_store_clock(monkeypatch)
    load_seed(store)
    data = snapshot(store)
    pdf = html_to_pdf(str(render(data, "html")))
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    assert 4 <= len(reader.pages) <= 40
    text = "\n".join(p.extract_text() or "" for p in reader.pages)
    for expected in ("Steering Council", "Policy comparison", "Provenance", "Methodology", data.answers_sha256[:16]):
        assert expected in text, expected
    assert "Gentoo" in text
    # Charts are drawn by plotly.js as SVG, so they print as vector paths, not a raster image.
    assert "Distributors exposed" in text
    images = sum(len(page.images) for page in reader.pages)
    assert images == 0


#: A printed page with fewer words than this is "near-empty" (a stray table row or legend line).
MIN_WORDS_PER_PAGE = 50
_TOC_ENTRY = re.compile(r"(\d+(?:\.\d+)?)  (.+?) (\d+)(?= \d+(?:\.\d+)?  | *$)")


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_pdf_has_page_numbers_contents_and_no_near_empty_pages(
    store: ResponseStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a reader of the printed report meets: numbered pages, a contents page whose numbers
    are the pages the sections are on, and no page that is nearly blank (but the last)."""
    require_chromium()
    freeze_store_clock(monkeypatch)
    load_seed(store)
    data = snapshot(store)
    pdf = render(data, "pdf")
    assert isinstance(pdf, bytes)
    reader = PdfReader(io.BytesIO(pdf))
    pages = [p.extract_text() or "" for p in reader.pages]
    n = len(pages)
    for i, text in enumerate(pages, start=1):
        assert f"Page {i} of {n}" in text, f"page {i} has no page number"
    # Page 1 is the cover: title, the three numbers and the contents.
    cover = pages[0].replace("\n", " ")  # an entry's number and title are two spaces apart
    assert "Contents" in cover and "illustrative answers" in cover
    entries = _TOC_ENTRY.findall(cover[cover.index("Contents") + len("Contents") :].strip())
    numbers = [num for num, _, _ in entries]
    for expected in ("1", "1.1", "1.5", "2", "3", "3.1", "4", "5", "6", "7"):
        assert expected in numbers, (expected, entries)
    titles = {title for _, title, _ in entries}
    assert {"Summary of the three questions", "Policy comparison and timeline", "Provenance"} <= titles
    assert "Timeline if PGP stops at 3.14.0b1" in titles
    last = 1
    for num, title, page in entries:
        page_no = int(page)
        assert last <= page_no <= n, (num, title, page_no)
        # The section's numbered heading is on the page the contents give.
        assert _squash(f"{num} {title}") in _squash(pages[page_no - 1]), (num, title, page_no)
        last = page_no
    # No near-empty pages (page 1 held only the title and three numbers; others one table row).
    sparse = [(i, _words(t)) for i, t in enumerate(pages[:-1], start=1) if _words(t) < MIN_WORDS_PER_PAGE]
    assert sparse == [], f"pages with fewer than {MIN_WORDS_PER_PAGE} words: {sparse}"
    # A short table is kept on one page: every row of the policy comparison is on its page.
    comparison = next(i for i, t in enumerate(pages) if "Policies compared" in t and i > 0)
    for policy in ("3.14.0a1", "3.14.0b1", "3.15.0"):
        assert policy in pages[comparison]


def test_pdf_bytes_are_reproducible(store: ResponseStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """Chromium stamps the print time; the report replaces it with the data snapshot time."""
    require_chromium()
    freeze_store_clock(monkeypatch)
    load_payloads(store)
    data = snapshot(store)
    first, second = render(data, "pdf"), render(data, "pdf")
    assert first == second
    assert PdfReader(io.BytesIO(first)).metadata.creation_date.replace(tzinfo=None) == FROZEN.replace(tzinfo=None)


# -- every label of every chart inside its figure, whichever process built the report -------------

#: The CLI as a plain process, and the same CLI in a process that imported Streamlit first (as the
#: Reports page does): importing Streamlit changes plotly's default template.
_BUILDERS = {
    "plain": "import runpy, sys; sys.argv[0] = 'analysis'; runpy.run_module('analysis', run_name='__main__')",
    "streamlit": "import streamlit, runpy, sys; sys.argv[0] = 'analysis'; runpy.run_module('analysis', run_name='__main__')",
}


@pytest.fixture(scope="module")
def built_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The seed data's HTML report, exported once by each kind of process."""
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    require_chromium()
    data_dir = tmp_path_factory.mktemp("report-var")
    env = {**os.environ, "SURVEY_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "analysis", "import", str(ROOT / "data" / "seed_responses.json")],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    out = {}
    # The variant the PDF prints (charts sized for the page), built the way the Reports page does.
    print_path = data_dir / "report-print.html"
    code = (
        "import sys, streamlit; from analysis.storage import open_store; "
        "from analysis.reports import ReportOptions, build_snapshot; "
        "from analysis.reports.html import render_html; "
        "data = build_snapshot(open_store(), ReportOptions(draws=300)); "
        "open(sys.argv[1], 'w', encoding='utf-8').write(render_html(data, for_print=True))"
    )
    subprocess.run([sys.executable, "-c", code, str(print_path)], env=env, cwd=ROOT, check=True, capture_output=True)
    out["print"] = print_path
    for name, code in _BUILDERS.items():
        path = data_dir / f"report-{name}.html"
        cmd = [sys.executable, "-c", code, "export", "--format", "html", "--out", str(path), "--draws", "300"]
        subprocess.run(cmd, env=env, cwd=ROOT, check=True, capture_output=True)
        out[name] = path
    return out


#: (builder, window width): the screen report at laptop to projector widths, and the print
#: variant at the width the PDF is laid out in (``analysis.reports.pdf.WINDOW_SIZE``).
_VIEWS = [(b, w) for b in _BUILDERS for w in (1024, 1440, 1920)] + [("print", int(WINDOW_SIZE.split(",")[0]))]


@pytest.mark.parametrize(("builder", "width"), _VIEWS)
def test_report_chart_labels_inside_their_figures(
    browser: Browser, built_reports: dict[str, Path], builder: str, width: int, screenshot_dir: Path
) -> None:
    """Every tick label, title, legend entry and annotation lies inside its figure, none overlap."""
    html = built_reports[builder].read_text(encoding="utf-8")
    expected = html.count('class="plotly-graph-div"')
    assert expected == 13  # five question charts, the comparison, seven policy timelines
    context = browser.new_context(viewport={"width": width, "height": 1000})
    page = context.new_page()
    page.goto(built_reports[builder].as_uri())
    wait_for_figures(page, expected)
    figures = measure(page)
    assert len(figures) == expected
    # Each figure shows its words (ticks, titles, legend), so an empty measurement cannot pass.
    assert all(f["labels"] >= 10 for f in figures), [(f["chart"], f["labels"]) for f in figures]
    problems = [f"{fig['chart']}: {p}" for fig in figures for p in fig["problems"]]
    if problems:
        page.screenshot(path=str(screenshot_dir / f"report-labels-{builder}-{width}.png"), full_page=True)
    assert problems == [], "\n".join(problems[:40])
    # The timeline's distributor names are drawn whole, left of the bars (the bug: only "t)", "o").
    names = page.locator("#fig-timeline-3-14-0b1 .ytick text").all_text_contents()
    assert "Debian" in names and "Python 3.14" in names
    context.close()
