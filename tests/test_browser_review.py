"""The review session and the survey in a real browser (headless Chromium): what a person sees.

Cross-tab views in the URL, a click on a heatmap cell or a bar listing who is behind it, links
that open one distributor, survey messages that keep the text, and no request leaving the app.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, Request, expect

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


def cell_point(page: Page, index: int) -> tuple[float, float]:
    """Centre of the n-th clickable cell (row-major) of the cross-tab heatmap, in page pixels."""
    points = page.get_by_test_id("stPlotlyChart").locator("g.scatterlayer path.point")
    expect(points.first).to_be_attached(timeout=30_000)
    box = points.nth(index).bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


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
    names = rows.evaluate_all("els => els.map(e => e.textContent)")
    assert "Fedora" in names
    n_cols = page.get_by_test_id("stPlotlyChart").locator(".xtick text").count()
    fedora = names.index("Fedora")
    # Try Fedora's cells left to right until one lists Fedora (its status column).
    cells = page.get_by_test_id("stPlotlyChart").locator("g.scatterlayer path.point")
    assert cells.count() == len(names) * n_cols
    clicked = False
    for j in range(n_cols):
        x, y = cell_point(page, fedora * n_cols + j)
        page.mouse.click(x, y)
        wait_for_app(page)
        heading = page.get_by_text(" in “Fedora × ")
        if heading.count() and page.get_by_text("Nobody in this cell.").count() == 0:
            clicked = True
            break
    assert clicked, "no cell of Fedora's row listed Fedora"
    expect(page.get_by_text(" in “Fedora × ").first).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "crosstab-cell-selected.png"), full_page=True)

    page.get_by_role("link", name="See Fedora's answers and history").click()
    expect(page.get_by_text("Showing the one distributor named in the link.")).to_be_visible(timeout=60_000)
    wait_for_app(page)
    assert parse_qs(urlsplit(page.url).query) == {"distributor": ["fedora"]}
    expect(page.get_by_role("heading", name="Fedora")).to_be_visible()
    expect(page.get_by_role("heading", name="Debian")).to_have_count(0)


def test_a_click_on_a_bar_lists_that_segment(page: Page, app_server: str) -> None:
    page.set_viewport_size({"width": 1400, "height": 1800})
    page.goto(f"{app_server}/crosstab?chart=bars")
    expect(page.get_by_role("heading", name="Cross-tab explorer")).to_be_visible(timeout=60_000)
    wait_for_app(page)
    bars = page.get_by_test_id("stPlotlyChart").locator("g.barlayer path")
    expect(bars.first).to_be_attached(timeout=30_000)
    box = next(b for b in (bars.nth(i).bounding_box() for i in range(bars.count())) if b and b["width"] > 4)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    wait_for_app(page)
    listed = page.get_by_text(" in “").first
    expect(listed).to_be_visible(timeout=30_000)
    assert "Total" not in listed.inner_text()  # a real cell, not the default "Total × Total"
