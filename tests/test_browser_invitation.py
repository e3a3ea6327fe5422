"""An invitation in a real browser: open the link, pre-filled, submit, re-open leads to the edit flow."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from analysis.storage import open_store
from analysis.storage.invitations import create_invitation, invited_response_ids
from analysis.storage.roster import parse_roster_csv, save_roster
from tests.conftest import require_chromium, running_app

pytestmark = pytest.mark.browser


def test_invitation_flow(page: Page, tmp_path: Path, screenshot_dir: Path) -> None:
    require_chromium()
    store = open_store(f"sqlite:///{tmp_path / 'survey.sqlite3'}")
    save_roster(store, parse_roster_csv(b"distributor,kind,contact,channel\nFedora,linux-distribution,,\n").entries)
    invitation = create_invitation(store, "Fedora")
    with running_app(tmp_path, seed=False) as base:
        link = f"{base}/survey?invite={invitation.token}"
        page.set_viewport_size({"width": 1400, "height": 2600})
        page.goto(link)
        expect(page.get_by_text("You opened this survey through a private invitation")).to_be_visible(timeout=60_000)
        # Pre-filled: the distributor and its kind from the roster.
        expect(page.get_by_test_id("stText").filter(has_text="Fedora")).to_be_visible()
        expect(page.get_by_role("combobox", name="Distributor or project *")).to_have_value("Fedora")
        expect(page.get_by_role("combobox", name="Kind of distributor *")).to_have_value("Linux distribution")
        page.screenshot(path=str(screenshot_dir / "survey-invited.png"))

        page.get_by_text("Release candidate", exact=True).click()
        page.get_by_role("combobox", name="Where are you with Sigstore? *").click()
        page.get_by_role("option", name="Evaluating").click()
        page.get_by_role("textbox", name="Blockers in your words").fill("waiting for rpm support")
        page.get_by_role("button", name="Submit answers").click()
        expect(page.get_by_text("Your invitation link is also your private edit link")).to_be_visible(timeout=60_000)

        stored = store.latest()
        assert [s.response.distributor for s in stored] == ["Fedora"]
        assert invited_response_ids(store) == {stored[0].response.response_id}

        # Re-opening the invitation (a new browser session) leads to the edit flow, not a new response.
        again = page.context.browser.new_page()  # type: ignore[union-attr]
        again.set_viewport_size({"width": 1400, "height": 2600})
        again.goto(link)
        expect(again.get_by_text("You already answered through this invitation")).to_be_visible(timeout=60_000)
        expect(again.get_by_text("You are editing the answers for")).to_be_visible()
        blockers = again.get_by_role("textbox", name="Blockers in your words")
        expect(blockers).to_have_value("waiting for rpm support")
        blockers.fill("rpm support landed")
        again.get_by_role("button", name="Submit answers").click()
        expect(again.get_by_text("Saved revision 2 of your answers")).to_be_visible(timeout=60_000)
        again.screenshot(path=str(screenshot_dir / "survey-invited-edit.png"))
        again.close()

    stats = store.stats()
    assert (stats["responses"], stats["revisions"]) == (1, 2)
    assert store.latest()[0].response.blockers_text == "rpm support landed"
    store.engine.dispose()


def test_revoked_invitation_shows_no_form(page: Page, tmp_path: Path) -> None:
    require_chromium()
    store = open_store(f"sqlite:///{tmp_path / 'survey.sqlite3'}")
    old = create_invitation(store, "Gentoo")
    create_invitation(store, "Gentoo")  # replaces the first
    with running_app(tmp_path, seed=False) as base:
        page.goto(f"{base}/survey?invite={old.token}")
        expect(page.get_by_text("This invitation link is not valid")).to_be_visible(timeout=60_000)
        expect(page.get_by_role("combobox", name="Distributor or project *")).to_have_count(0)
    store.engine.dispose()
