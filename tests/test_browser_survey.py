"""The survey in a real browser (headless Chromium): fill, submit, follow the edit link."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.survey_browser_support import fill_required_in_browser

pytestmark = pytest.mark.browser


def test_landing_page_shows_counts(page: Page, app_server: str, screenshot_dir: Path) -> None:
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(app_server)
    expect(page.get_by_text("Distributors that answered")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stMetricValue").first).to_have_text("9")
    page.screenshot(path=str(screenshot_dir / "home.png"))


def test_survey_submit_and_edit_in_browser(page: Page, app_server: str, screenshot_dir: Path) -> None:
    page.set_viewport_size({"width": 1400, "height": 2600})
    page.goto(f"{app_server}/survey")
    expect(page.get_by_role("heading", name="Answer the survey")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("button", name="Save draft")).to_be_visible()
    for label in ("Release candidate", "Latest", "Anything else", "Python versions you redistribute"):
        expect(page.get_by_text(label, exact=True)).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "survey.png"))

    fill_required_in_browser(page, "Browser Linux")
    page.get_by_role("textbox", name="Blockers in your words").fill("Needs <b>offline</b> verification")
    page.get_by_role("button", name="Submit answers").click()

    expect(page.get_by_text("your answers for Browser Linux are saved")).to_be_visible(timeout=30_000)
    link = page.get_by_test_id("stCode").first.inner_text().strip()
    assert "?edit=" in link
    page.screenshot(path=str(screenshot_dir / "survey-submitted.png"))

    page.goto(link)
    expect(page.get_by_text("You are editing the answers for")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("textbox", name="Blockers in your words")).to_have_value(
        "Needs <b>offline</b> verification"
    )


def test_wrong_edit_link_shows_no_data(page: Page, app_server: str) -> None:
    page.goto(f"{app_server}/survey?edit=wrong")
    expect(page.get_by_text("This edit link is not valid")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("combobox", name="Distributor or project *")).to_have_count(0)


def test_first_deep_link_after_start_goes_through_app_navigation(page: Page, tmp_path: Path) -> None:
    """Streamlit's legacy pages/ mode would run the page without app.py for the first session."""
    from tests.conftest import running_app

    with running_app(tmp_path, seed=False) as base:
        page.goto(f"{base}/survey")
        expect(page.get_by_role("heading", name="Answer the survey")).to_be_visible(timeout=30_000)
        nav = page.get_by_test_id("stSidebarNav")
        expect(nav.get_by_text("Review")).to_be_visible()
        expect(nav.get_by_text("Answer the survey")).to_be_visible()
        expect(nav.get_by_text("survey", exact=True)).to_have_count(0)
