"""The roster page (AppTest): coverage per roster entry, entries saved, invitations created."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from analysis.access import PASSPHRASE_HASH_ENV, hash_passphrase
from analysis.storage import ResponseStore
from analysis.storage.invitations import invitations, open_invitation
from analysis.storage.roster import parse_roster_csv, roster_entries, save_roster
from tests.conftest import make_response
from tests.review_support import APP, all_text, open_page
from tests.smtp_support import Inbox, smtp_controller

PASSPHRASE = "steering council review"


def _table(at: object) -> dict[str, dict[str, object]]:
    frame = at.dataframe[0].value  # type: ignore[attr-defined]
    return {str(r["Distributor"]): dict(r) for r in frame.to_dict("records")}


def test_roster_page_shows_status_and_hides_contacts_when_open(store: ResponseStore) -> None:
    save_roster(store, parse_roster_csv(b"distributor,kind,contact,channel\nDebian,bsd,deb@example.org,\n").entries)
    store.submit(make_response(distributor="Debian GNU/Linux"))
    at = open_page("pages/roster.py")
    assert not at.exception, at.exception
    table = _table(at)
    assert table["Debian"]["Status"] == "Answered"
    assert table["Fedora"]["Status"] == "Never invited"
    assert "Contact" not in at.dataframe[0].value.columns
    assert "deb@example.org" not in all_text(at)
    assert "Contacts and channels are hidden" in all_text(at)


def test_saving_an_entry_validates_and_stores(store: ResponseStore) -> None:
    at = open_page("pages/roster.py")
    at.text_input(key="roster_name").input("Weird\u200bName")
    next(b for b in at.button if b.label == "Save entry").click().run()
    assert any("Not saved" in e.value and "invisible" in e.value for e in at.error)
    assert "weird\u200bname" not in {r.key for r in roster_entries(store)}
    assert at.text_input(key="roster_name").value == "Weird\u200bName"  # what was typed is kept
    at.text_input(key="roster_name").input("Slackware")
    at.selectbox(key="roster_kind").set_value("linux-distribution")
    next(b for b in at.button if b.label == "Save entry").click().run()
    entry = {r.key: r for r in roster_entries(store)}["slackware"]
    assert entry.kind == "linux-distribution"
    assert _table(at)["Slackware"]["Status"] == "Never invited"


def test_create_invitation_shows_the_link_once(store: ResponseStore) -> None:
    at = open_page("pages/roster.py")
    at.text_input(key="invite_name").input("Fedora")
    next(b for b in at.button if b.label == "Create invitation").click().run()
    assert not at.exception, at.exception
    link = at.code[0].value
    assert "/survey?invite=" in link
    assert open_invitation(store, link.split("invite=", 1)[1]).distributor == "Fedora"
    assert len(invitations(store)) == 1
    assert _table(at)["Fedora"]["Status"] == "Invited, no answer yet"


def test_signed_in_reviewer_sees_contacts(store: ResponseStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSPHRASE_HASH_ENV, hash_passphrase(PASSPHRASE, n=2**4, r=1, p=1))
    save_roster(store, parse_roster_csv(b"distributor,kind,contact,channel\nDebian,,deb@example.org,\n").entries)
    at = open_page("pages/roster.py")
    assert "Reviewers only" in all_text(at)
    at.text_input[0].input(PASSPHRASE)
    at.button[0].click().run()
    assert not at.exception
    assert _table(at)["Debian"]["Contact"] == "deb@example.org"


def test_overview_has_a_coverage_section(store: ResponseStore) -> None:
    store.submit(make_response(distributor="Debian"))
    store.import_responses([make_response(distributor="Somewhere Linux")])
    at = open_page("pages/overview.py")
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["On the roster"] == "27"
    assert metrics["Answered"] == "1"
    assert metrics["Never invited"] == "26"
    assert metrics["Answers from off the roster"] == "1"
    assert "Coverage: who has answered?" in [h.value for h in at.header]


def test_reminders_listed_with_mailto_links(store: ResponseStore) -> None:
    from analysis.storage.invitations import create_invitation

    create_invitation(store, "Arch Linux", "arch@arch.example")
    at = open_page("pages/roster.py")
    assert not at.exception, at.exception
    reminders = next(d.value for d in at.dataframe if "Why" in d.value.columns)
    row = reminders.iloc[0]
    assert (row["Distributor"], row["Why"]) == ("Arch Linux", "Invited, no answer yet")
    assert row["E-mail"].startswith("mailto:?subject=")  # open app: no address
    assert any(b.label == "Download reminders (CSV)" for b in at.get("download_button"))
    assert "Add an `[smtp]` section" in all_text(at)


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    with smtp_controller() as running:
        yield running


def test_reviewer_sends_reminders_from_the_page(
    store: ResponseStore, monkeypatch: pytest.MonkeyPatch, smtp_server: tuple[Inbox, int]
) -> None:
    from analysis.storage.invitations import create_invitation

    inbox, port = smtp_server
    monkeypatch.setenv(PASSPHRASE_HASH_ENV, hash_passphrase(PASSPHRASE, n=2**4, r=1, p=1))
    create_invitation(store, "Arch Linux", "arch@arch.example")
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["smtp"] = {"host": "127.0.0.1", "port": port, "from": "survey@example.org", "starttls": False}
    at.run()
    at.switch_page("pages/roster.py").run()
    at.text_input[0].input(PASSPHRASE)
    at.button[0].click().run()
    next(b for b in at.button if b.label == "E-mail the reminders").click().run()
    assert not at.exception, at.exception
    assert any("1 reminder(s) sent, 0 failed." in s.value for s in at.success)
    assert [m["To"] for m in inbox.messages] == ["arch@arch.example"]
    assert "/survey?invite=" in inbox.messages[0].get_content()
