"""The survey's required answers, given in a real browser as a person gives them.

Shared by the browser tests that submit through the form (one server, the proxy, a busy store),
so a change to the form's labels is mended in one place.
"""

from __future__ import annotations

from playwright.sync_api import Page


def fill_required_in_browser(page: Page, distributor: str) -> None:
    """Name (typed into the free-entry select), kind, pre-release start and Sigstore status."""
    page.get_by_role("combobox", name="Distributor or project *").click()
    page.keyboard.type(distributor)
    page.keyboard.press("Enter")
    page.get_by_role("combobox", name="Kind of distributor *").click()
    page.get_by_role("option", name="Linux distribution").click()
    page.get_by_text("Release candidate", exact=True).click()
    page.get_by_role("combobox", name="Where are you with Sigstore? *").click()
    page.get_by_role("option", name="Verifying in CI").click()
