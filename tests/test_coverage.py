"""Coverage on a hand-made roster: counts and per-distributor statuses computed by hand."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from analysis.cli import main
from analysis.outreach.coverage import load_coverage
from analysis.storage import ResponseStore
from analysis.storage.invitations import create_invitation, revoke_invitations, submit_invited
from analysis.storage.roster import parse_roster_csv, remove_from_roster, roster_entries, save_roster
from tests.conftest import make_response

ROSTER = (
    "distributor,kind,contact,channel\n"
    "Debian,linux-distribution,,\n"
    "Fedora,linux-distribution,python-devel@fedora.example,\n"
    "Gentoo,linux-distribution,,\n"
    "Alpine,linux-distribution,,\n"
    "Arch Linux,linux-distribution,,\n"
)


def hand_made(store: ResponseStore) -> None:
    """Roster of five; Debian answered on its own, Fedora through its invitation, Arch invited and
    silent, Gentoo's invitation revoked, Alpine never invited; Heroku answered, not on the roster."""
    remove_from_roster(store, [r.distributor for r in roster_entries(store)])
    save_roster(store, parse_roster_csv(ROSTER.encode()).entries)
    store.submit(make_response(distributor="debian gnu/linux", submitted_at=datetime(2026, 3, 1, tzinfo=UTC)))
    fedora = create_invitation(store, "Fedora")
    submit_invited(store, fedora.token, make_response(distributor="Fedora"))
    create_invitation(store, "arch")
    create_invitation(store, "Gentoo")
    revoke_invitations(store, "Gentoo")
    store.import_responses([make_response(distributor="Heroku", distributor_kind="cloud-platform")])


def test_coverage_counts_and_statuses(store: ResponseStore, capsys: pytest.CaptureFixture[str]) -> None:
    hand_made(store)
    assert main(["coverage", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {k: data[k] for k in ("roster", "answered", "invited", "not_invited", "off_roster")} == {
        "roster": 5,
        "answered": 2,
        "invited": 1,
        "not_invited": 2,
        "off_roster": 1,
    }
    today = datetime.now(UTC).date().isoformat()
    by_name = {d["distributor"]: d for d in data["distributors"]}
    assert by_name["Debian"] == {
        "distributor": "Debian",
        "status": "answered",
        "on_roster": True,
        "last_answer": "2026-03-01",
        "invited_at": None,
        "answered_via": "self-declared",
    }
    assert by_name["Fedora"]["status"] == "answered"
    assert by_name["Fedora"]["answered_via"] == "invitation"
    assert by_name["Fedora"]["invited_at"] == today
    assert by_name["Arch Linux"] == {
        "distributor": "Arch Linux",
        "status": "invited",
        "on_roster": True,
        "last_answer": None,
        "invited_at": today,
        "answered_via": None,
    }
    assert by_name["Gentoo"]["status"] == "not-invited" and by_name["Gentoo"]["invited_at"] is None
    assert by_name["Alpine"]["status"] == "not-invited"
    assert by_name["Heroku"]["on_roster"] is False and by_name["Heroku"]["status"] == "answered"
    # Roster entries first (by name), then the off-roster answers.
    assert [d["distributor"] for d in data["distributors"]] == [
        "Alpine",
        "Arch Linux",
        "Debian",
        "Fedora",
        "Gentoo",
        "Heroku",
    ]


def test_coverage_as_of_yesterday_ignores_todays_answers_and_invitations(store: ResponseStore) -> None:
    hand_made(store)
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    data = load_coverage(store, yesterday).as_json()
    assert (data["answered"], data["invited"], data["not_invited"], data["off_roster"]) == (1, 0, 4, 0)
    assert data["as_of"] == yesterday.isoformat()


def test_coverage_table_format(store: ResponseStore, capsys: pytest.CaptureFixture[str]) -> None:
    hand_made(store)
    assert main(["coverage"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        "roster 5: 2 answered, 1 invited (no answer yet), 2 never invited; "
        "1 answer(s) from distributors not on the roster"
    )
    assert any(line.split()[:3] == ["Arch", "Linux", "invited"] for line in out.splitlines())


def test_bad_as_of_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["coverage", "--as-of", "yesterday"])
    assert exc.value.code == 2
    assert "expected a date as YYYY-MM-DD" in capsys.readouterr().err


def test_coverage_from_the_counted_rows_equals_coverage_from_every_answer(store: ResponseStore) -> None:
    """A report hands coverage its counted rows (one per distributor), not every answer."""
    from analysis.crosstab import select_unit
    from bench.synthetic import generate_responses

    hand_made(store)
    store.import_responses(generate_responses(90, 20, seed=5))  # several answers per distributor
    frame = store.latest_frame()
    counted = select_unit(frame, "distributor")
    assert len(counted) < len(frame)
    assert load_coverage(store, None, counted) == load_coverage(store, None, frame) == load_coverage(store)
