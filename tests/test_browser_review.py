"""The review session and the survey in a real browser (headless Chromium): what a person sees.

Cross-tab views in the URL, a click on a heatmap cell or a bar listing who is behind it, links
that open one distributor, survey messages that keep the text, and no request leaving the app.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, Request, expect

from analysis.storage import ResponseStore
from tests.conftest import require_chromium, running_app

pytestmark = pytest.mark.browser

PAGES = {
    "": "Distributors that answered",
    "survey": "Answer the survey",
    "verify": "Verify",
    "overview": "Survey overview",
    "crosstab": "Cross-tab explorer",
    "distributors": "Distributors",
    "coding": "Free-text coding",
    "simulator": "Timeline simulator",
    "reports": "Reports",
}


def wait_for_app(page: Page) -> None:
    """Until Streamlit has finished the script run (no "Running..." status widget)."""
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=60_000)


def test_no_request_leaves_the_app_on_any_page(page: Page, app_server: str) -> None:
    host = urlsplit(app_server).hostname
    outside: list[str] = []
    seen: list[str] = []

    def record(request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss"):
            seen.append(request.url)
            if parts.hostname != host:
                outside.append(request.url)

    page.on("request", record)
    page.on("websocket", lambda ws: record_ws(ws.url))

    def record_ws(url: str) -> None:
        if urlsplit(url).hostname != host:
            outside.append(url)

    page.set_viewport_size({"width": 1400, "height": 1000})
    for path, heading in PAGES.items():
        page.goto(f"{app_server}/{path}")
        expect(page.get_by_text(heading).first).to_be_visible(timeout=60_000)
        wait_for_app(page)
        page.wait_for_timeout(1500)  # favicon, fonts, chart bundles load after the first paint
    icon = page.locator("link[rel='shortcut icon']").get_attribute("href") or ""
    assert (icon and not icon.startswith("http")) or urlsplit(icon).hostname == host, icon
    assert any("/_stcore/" in u or "/media/" in u or "/static/" in u for u in seen)
    assert outside == []


CELL_CENTRES = """() => {
  const gd = document.querySelector('[data-testid=stPlotlyChart] .js-plotly-plot');
  const cells = gd.data.find(t => t.name === 'cells');
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
  const area = gd.querySelector('.nsewdrag').getBoundingClientRect();
  return cells.customdata.map((c, i) => ({
    row: c[0], col: c[1], x: area.left + xa.d2p(cells.x[i]), y: area.top + ya.d2p(cells.y[i]),
  }));
}"""


def click_cell(page: Page, row: str, col: str, *, then_visible: str | None = None) -> None:
    """Click the centre of the heatmap cell of (row code, column code), where plotly drew it.

    With ``then_visible``, wait for that text; on a loaded machine a click that lands while the
    app is still re-running can be lost, so it is retried (a lost click selected nothing, so the
    next one is a fresh select, not a toggle).
    """
    chart = page.get_by_test_id("stPlotlyChart")
    expect(chart.locator("g.scatterlayer path.point").first).to_be_attached(timeout=30_000)
    for attempt in range(3):
        wait_for_app(page)
        centre = next(c for c in page.evaluate(CELL_CENTRES) if (c["row"], c["col"]) == (row, col))
        page.mouse.click(centre["x"], centre["y"])
        if then_visible is None:
            return
        try:
            expect(page.get_by_text(then_visible).first).to_be_visible(timeout=20_000)
            return
        except AssertionError:
            if attempt == 2:
                raise


def test_crosstab_view_lives_in_the_url_and_a_click_lists_the_cell(
    page: Page, app_server: str, screenshot_dir: Path
) -> None:
    page.set_viewport_size({"width": 1400, "height": 1800})
    page.goto(f"{app_server}/crosstab?row=distributor&col=sigstore_status&show=bogus&kind=linux-distribution")
    expect(page.get_by_role("heading", name="Cross-tab explorer")).to_be_visible(timeout=60_000)
    wait_for_app(page)
    expect(page.get_by_text("ignored “show”")).to_be_visible()
    expect(page.get_by_role("combobox", name="Rows")).to_have_value("Distributor")
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"row": ["distributor"], "kind": ["linux-distribution"]}  # the bad value is gone

    page.get_by_text("% of row", exact=True).click()
    wait_for_app(page)
    page.wait_for_function("() => new URL(location.href).searchParams.get('show') === 'row'", timeout=30_000)
    page.get_by_text("Counts", exact=True).click()
    page.wait_for_function("() => !new URL(location.href).searchParams.has('show')", timeout=30_000)

    # Linux distributions in the seed: Debian, Fedora, Gentoo (rows), each with one status.
    rows = page.get_by_test_id("stPlotlyChart").locator(".ytick text")
    expect(rows).to_have_count(3, timeout=30_000)  # the chart redrawn once (no stale copy left)
    # the seed's Fedora has not started
    click_cell(page, "Fedora", "not-started", then_visible="1 in “Fedora × Not started”")
    listing = page.get_by_test_id("stDataFrame").last
    expect(listing).to_contain_text("Fedora")
    page.screenshot(path=str(screenshot_dir / "crosstab-cell-selected.png"), full_page=True)

    page.get_by_role("link", name="Fedora: answers and history").click()
    expect(page.get_by_text("Showing the one distributor named in the link.")).to_be_visible(timeout=60_000)
    wait_for_app(page)
    assert parse_qs(urlsplit(page.url).query) == {"distributor": ["fedora"]}
    expect(page.get_by_role("heading", name="Fedora")).to_be_visible()
    expect(page.get_by_role("heading", name="Debian")).to_have_count(0)


BAR_SEGMENTS = """() => {
  const gd = document.querySelector('[data-testid=stPlotlyChart] .js-plotly-plot');
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
  const area = gd.querySelector('.nsewdrag').getBoundingClientRect();
  const out = [];
  gd.calcdata.forEach((trace, t) => trace.forEach((bar, i) => {
    if (bar.s1 - bar.s0 > 0) out.push({
      row: gd.data[t].y[i], col: gd.data[t].name, code: gd.data[t].customdata[i],
      x: area.left + xa.c2p((bar.s0 + bar.s1) / 2), y: area.top + ya.c2p(bar.p),
    });
  }));
  return out;
}"""


def test_a_click_on_a_bar_lists_that_segment(page: Page, app_server: str) -> None:
    page.set_viewport_size({"width": 1400, "height": 1800})
    page.goto(f"{app_server}/crosstab?chart=bars")
    expect(page.get_by_role("heading", name="Cross-tab explorer")).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stPlotlyChart").locator("g.barlayer path").first).to_be_attached(timeout=30_000)
    wait_for_app(page)
    default = page.get_by_text(" in “").first.inner_text()  # the cell listed before any click
    segment = next(s for s in page.evaluate(BAR_SEGMENTS) if f"{s['row']} × {s['col']}" not in default)
    wanted = f"in “{segment['row']} × {segment['col']}”"
    for attempt in range(3):  # a click landing during a re-run can be lost on a loaded machine
        wait_for_app(page)
        page.mouse.click(segment["x"], segment["y"])
        try:
            expect(page.get_by_text(wanted)).to_be_visible(timeout=20_000)
            break
        except AssertionError:
            if attempt == 2:
                raise
    expect(page.get_by_role("combobox", name="Kind of distributor")).to_have_value(segment["row"])


@pytest.fixture
def survey_app(store: ResponseStore) -> Iterator[tuple[str, ResponseStore]]:
    """An app of its own on the ``store`` under test (SQLite, then PostgreSQL), empty."""
    require_chromium()
    data_dir = Path(os.environ["SURVEY_DATA_DIR"])  # the SQLite store's directory
    url = os.environ.get("DATABASE_URL")  # set by the ``store`` fixture for its PostgreSQL run
    with running_app(data_dir, seed=False, env={"DATABASE_URL": url} if url else None) as base:
        yield base, store


def choose(page: Page, box: str, option: str) -> None:
    combo = page.get_by_role("combobox", name=box)
    combo.click()
    page.get_by_role("option", name=option).first.click()
    expect(combo).to_have_value(option)


def type_date(page: Page, label: str, value: str) -> None:
    """Type a date into Streamlit's segmented date field (year, month, day spin buttons)."""
    field = page.get_by_role("group", name=label, exact=True)
    field.get_by_role("spinbutton").first.click()
    page.keyboard.type(value.replace("-", ""))
    page.keyboard.press("Tab")


def test_survey_keeps_a_long_paste_lists_every_problem_and_scrolls_to_the_first(
    page: Page, survey_app: tuple[str, ResponseStore], screenshot_dir: Path
) -> None:
    base, store = survey_app
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page.set_viewport_size({"width": 1280, "height": 2600})  # drop-downs open without scrolling
    page.goto(f"{base}/survey")
    expect(page.get_by_role("heading", name="Answer the survey")).to_be_visible(timeout=60_000)
    page.get_by_role("combobox", name="Distributor or project *").click()
    page.keyboard.type("Paste Linux")
    page.keyboard.press("Enter")
    choose(page, "Kind of distributor *", "Linux distribution")
    page.get_by_text("Beta", exact=True).click()
    choose(page, "Where are you with Sigstore? *", "Evaluating")
    type_date(page, "Earliest", "2027-01-01")
    type_date(page, "Most likely", "2026-01-01")
    type_date(page, "Latest", "2025-01-01")

    pasted = "Our builders are offline; the paste goes on. " * 250  # 11,250 characters
    page.evaluate("text => navigator.clipboard.writeText(text)", pasted)
    box = page.get_by_role("textbox", name="Worst case in your words")
    box.click()
    page.keyboard.press("Control+V")
    expect(box).to_have_value(pasted)  # nothing dropped by the browser
    page.set_viewport_size({"width": 1280, "height": 800})  # now the page is longer than the window
    page.get_by_role("button", name="Submit answers").click()

    summary = page.get_by_test_id("stAlert").filter(has_text="not saved yet")
    expect(summary).to_be_visible(timeout=60_000)
    expect(summary).to_contain_text("Most likely (2026-01-01) is before")
    expect(summary).to_contain_text("Latest (2025-01-01) is before")
    expect(summary).to_contain_text(f"{len(pasted.strip()):,} characters, at most 10,000 are accepted")
    # The first problem's field is marked and scrolled into view; the paste is still there.
    first = page.locator(".st-key-problem_ready_likely")
    expect(first).to_be_in_viewport(timeout=10_000)
    expect(page.locator(".st-key-problem_worst_case_text")).to_contain_text("Your text is kept in the box")
    expect(box).to_have_value(pasted)
    page.screenshot(path=str(screenshot_dir / "survey-problems.png"))
    assert store.stats()["revisions"] == 0

    box.fill(pasted[:9_000])
    type_date(page, "Earliest", "2025-01-01")
    type_date(page, "Latest", "2027-01-01")
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_text("your answers for Paste Linux are saved")).to_be_visible(timeout=60_000)
    stored = store.latest()[0].response
    assert stored.worst_case_text == pasted[:9_000].strip()
    assert (stored.ready_by.earliest, stored.ready_by.latest) == (date(2025, 1, 1), date(2027, 1, 1))
    expect(page.get_by_text("You are editing the answers for")).to_contain_text("revision 1")

    page.get_by_role("button", name="Submit answers").click()  # the same answers again
    expect(page.get_by_text("Nothing changed since revision 1")).to_be_visible(timeout=60_000)
    assert [h.revision for h in store.history(stored.response_id)] == [1]  # type: ignore[arg-type]
