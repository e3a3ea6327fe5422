"""Invitations: hashed, revocable, one live per distributor, one response however often it is used."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from analysis.cli import main
from analysis.storage import ResponseStore
from analysis.storage.invitations import (
    InvitationNotFound,
    create_invitation,
    invitations,
    invited_response_ids,
    open_invitation,
    revoke_invitations,
    save_invited_draft,
    submit_invited,
)
from analysis.storage.roster import roster_entries
from analysis.storage.roster_tables import InvitationRow
from analysis.storage.store import hash_token
from tests.conftest import make_response


def test_token_is_stored_only_as_its_hash(store: ResponseStore) -> None:
    inv = create_invitation(store, "Fedora", "python-devel@fedora.example")
    with store._read() as s:
        stored = s.scalars(select(InvitationRow.token_hash)).all()
    assert stored == [hash_token(inv.token)]
    assert inv.token not in stored[0]
    assert len(inv.token) >= 32


def test_new_invitation_revokes_the_old(store: ResponseStore) -> None:
    first = create_invitation(store, "Fedora")
    second = create_invitation(store, "fedora linux")  # same distributor once normalised
    assert second.revoked_previous == 1
    with pytest.raises(InvitationNotFound):
        open_invitation(store, first.token)
    assert open_invitation(store, second.token).distributor == "Fedora"
    assert revoke_invitations(store, "Fedora") == 1
    with pytest.raises(InvitationNotFound):
        open_invitation(store, second.token)


@pytest.mark.parametrize("token", ["", "x" * 500, "not-a-token"])
def test_unknown_tokens(store: ResponseStore, token: str) -> None:
    with pytest.raises(InvitationNotFound):
        open_invitation(store, token)


def test_invited_distributor_joins_the_roster(store: ResponseStore) -> None:
    create_invitation(store, "Slackware", "maint@slackware.example")
    entry = {r.key: r for r in roster_entries(store)}["slackware"]
    assert entry.distributor == "Slackware" and entry.contact == "maint@slackware.example"


def test_submitting_twice_through_an_invitation_makes_one_response_with_two_revisions(store: ResponseStore) -> None:
    inv = create_invitation(store, "Fedora")
    first = submit_invited(store, inv.token, make_response(distributor="Fedora"))
    assert open_invitation(store, inv.token).response_id == first.response_id
    second = submit_invited(store, inv.token, make_response(distributor="Fedora", sigstore_status="packaged"))
    assert (second.response_id, second.revision) == (first.response_id, 2)
    assert store.stats()["responses"] == 1
    # The invitation token is the response's edit token: the edit flow opens it.
    session = store.open_for_edit(inv.token)
    assert session.latest is not None and session.latest.response.sigstore_status.value == "packaged"
    assert invited_response_ids(store) == {first.response_id}
    assert invitations(store)[0].used_at is not None


def test_draft_through_an_invitation_is_resumed_by_the_edit_flow(store: ResponseStore) -> None:
    inv = create_invitation(store, "Fedora")
    save_invited_draft(store, inv.token, {"distributor": "Fedora", "comments": "half done"})
    session = store.open_for_edit(inv.token)
    assert session.latest is None and session.draft == {"distributor": "Fedora", "comments": "half done"}
    assert invitations(store)[0].used_at is None
    submit_invited(store, inv.token, make_response(distributor="Fedora"))
    assert store.open_for_edit(inv.token).draft is None
    assert store.stats()["responses"] == 1


def test_two_tabs_submitting_at_once_make_one_response(store: ResponseStore) -> None:
    inv = create_invitation(store, "Fedora")
    errors: list[BaseException] = []

    def go() -> None:
        try:
            submit_invited(store, inv.token, make_response(distributor="Fedora"))
        except BaseException as exc:  # noqa: BLE001 (collected and asserted below)
            errors.append(exc)

    threads = [threading.Thread(target=go) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    stats = store.stats()
    assert (stats["responses"], stats["revisions"]) == (1, 4)


def test_cli_invite_prints_a_link_and_refuses_a_bad_address(
    store: ResponseStore, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["invite", "Fedora", "--base-url", "https://survey.example.org"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "invitation for Fedora (shown once, keep it private):"
    assert out[1].startswith("https://survey.example.org/survey?invite=")
    token = out[1].split("invite=", 1)[1]
    assert open_invitation(store, token).distributor == "Fedora"
    assert main(["invite", "Fedora", "--contact", "Eve <eve@example.org>\r\nBcc: x@y.z"]) == 2
    assert "not an e-mail address" in capsys.readouterr().err
    assert main(["invite", "Fedora", "--base-url", "javascript:alert(1)"]) == 2
    assert main(["invite", "Fedora", "--revoke"]) == 0
    assert "revoked 1 unused invitation(s)" in capsys.readouterr().out
