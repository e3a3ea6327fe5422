"""Every chart of every app page, as a reviewer sees it in Chromium: labels inside, none overlapping.

A real ``streamlit run app.py`` with reviewers configured; the browser signs in with the
passphrase and looks at each page with charts (overview with its splits, cross-tab heatmap and
bars with long row labels, the simulator's timeline and comparison) at projector and laptop
widths. The boxes come from ``tests.chart_boxes`` (what the browser laid out).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from analysis.access import PASSPHRASE_HASH_ENV, hash_passphrase
from analysis.crosstab import short_label
from tests.chart_boxes import measure, wait_for_figures
from tests.conftest import require_chromium, running_app

pytestmark = pytest.mark.browser

PASSPHRASE = "steering council review"
WIDTHS = (1024, 1920)
TIMEOUT = 90_000


@pytest.fixture(scope="module")
def reviewed_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with the seed data and a reviewer passphrase (review pages require sign-in)."""
    require_chromium()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(PASSPHRASE_HASH_ENV, hash_passphrase(PASSPHRASE, n=2**4, r=1, p=1))
        with running_app(tmp_path_factory.mktemp("charts-var")) as base:
            yield base


def _settle(page: Page) -> None:
    """Wait until Streamlit has finished the current run (its status widget is gone)."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=TIMEOUT, polling=200
    )


def _open(page: Page, url: str) -> None:
    """Open a review page and sign in if it asks (it does after every typed URL today)."""
    page.goto(url)
    box = page.get_by_label("Reviewer passphrase")
    box.or_(page.locator(".js-plotly-plot")).first.wait_for(timeout=TIMEOUT)
    if box.count():
        box.fill(PASSPHRASE)
        page.get_by_role("button", name="Sign in").click()
    _settle(page)


def _check(page: Page, where: str, count: int, screenshot_dir: Path) -> list[str]:
    wait_for_figures(page, count, timeout=TIMEOUT)
    page.wait_for_timeout(800)  # plotly's responsive relayout after the first draw
    figures = measure(page)
    assert len(figures) >= count, f"{where}: {len(figures)} charts drawn, expected {count}"
    assert all(f["labels"] >= 5 for f in figures), [(f["chart"], f["labels"]) for f in figures]
    problems = [f"{where}: {f['chart']}: {p}" for f in figures for p in f["problems"]]
    if problems:
        page.screenshot(path=str(screenshot_dir / f"labels-{where.replace(' ', '-')}.png"), full_page=True)
    return problems


@pytest.mark.parametrize("width", WIDTHS)
def test_overview_chart_labels(browser: Browser, reviewed_app: str, width: int, screenshot_dir: Path) -> None:
    context = browser.new_context(viewport={"width": width, "height": 1100})
    page = context.new_page()
    _open(page, f"{reviewed_app}/overview")
    problems = _check(page, f"overview {width}", 6, screenshot_dir)
    lag_ticks = page.locator(".js-plotly-plot").nth(1).locator(".ytick text").all_text_contents()
    assert lag_ticks and all(re.fullmatch(r"[\d,]+", t) for t in lag_ticks), lag_ticks  # a count axis
    page.get_by_text("Split by kind of distributor").click()
    _settle(page)
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.ytick text')).some(t => t.textContent === 'Linux distribution')",
        timeout=TIMEOUT,
    )
    problems += _check(page, f"overview by kind {width}", 6, screenshot_dir)
    context.close()
    assert problems == [], "\n".join(problems[:40])


@pytest.mark.parametrize("width", WIDTHS)
def test_crosstab_chart_labels(browser: Browser, reviewed_app: str, width: int, screenshot_dir: Path) -> None:
    """Heatmap and stacked bars, with the longest row labels there are (the blockers)."""
    context = browser.new_context(viewport={"width": width, "height": 1100})
    page = context.new_page()
    _open(page, f"{reviewed_app}/crosstab")
    problems = _check(page, f"crosstab heatmap {width}", 1, screenshot_dir)
    rows = page.locator('[data-testid="stSelectbox"]').filter(has_text="Rows")
    rows.click()
    page.keyboard.type(short_label("blockers"))
    page.keyboard.press("Enter")
    _settle(page)
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.ytick text')).some(t => t.textContent.startsWith('Packaging'))",
        timeout=TIMEOUT,
    )
    problems += _check(page, f"crosstab heatmap blockers {width}", 1, screenshot_dir)
    labels = page.locator(".js-plotly-plot .ytick text").all_text_contents()
    assert "Packaging the client's dependencies" in labels  # drawn whole, not cut
    page.get_by_text("Stacked bars").click()
    _settle(page)
    page.wait_for_function("() => document.querySelector('.js-plotly-plot .barlayer .point')", timeout=TIMEOUT)
    problems += _check(page, f"crosstab bars blockers {width}", 1, screenshot_dir)
    counts = page.locator(".js-plotly-plot .xtick text").all_text_contents()
    assert counts and all(re.fullmatch(r"[\d,]+", t) for t in counts), counts  # whole numbers only
    context.close()
    assert problems == [], "\n".join(problems[:40])


@pytest.mark.parametrize("width", WIDTHS)
def test_simulator_chart_labels(browser: Browser, reviewed_app: str, width: int, screenshot_dir: Path) -> None:
    context = browser.new_context(viewport={"width": width, "height": 1100})
    page = context.new_page()
    _open(page, f"{reviewed_app}/simulator")
    problems = _check(page, f"simulator {width}", 2, screenshot_dir)
    names = page.locator(".js-plotly-plot .ytick text").all_text_contents()
    assert "Debian" in names
    context.close()
    assert problems == [], "\n".join(problems[:40])
