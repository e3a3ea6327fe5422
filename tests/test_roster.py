"""The roster: seeded from survey.toml, CSV import (good and bad rows), list as JSON/CSV."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.reference_data import survey_definition
from analysis.storage import ResponseStore
from analysis.storage.roster import parse_roster_csv, remove_from_roster, roster_entries, save_roster

GOOD = (
    "distributor,kind,contact,channel\n"
    "RHEL,linux-distribution,python-maint@redhat.example,https://bugzilla.redhat.example\n"
    "Slackware,linux-distribution,,https://lists.slackware.example\n"
    "\n"
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_roster_starts_from_known_distributors(store: ResponseStore) -> None:
    names = [r.distributor for r in roster_entries(store)]
    assert sorted(names, key=str.casefold) == sorted(survey_definition()["known_distributors"], key=str.casefold)


def test_import_good_rows_adds_and_updates_by_normalised_name(
    store: ResponseStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = len(roster_entries(store))
    path = tmp_path / "roster.csv"
    path.write_text(GOOD, encoding="utf-8")
    code, out, _ = run(capsys, "roster", "import", str(path))
    assert code == 0
    assert "1 added, 1 updated" in out
    records = {r.key: r for r in roster_entries(store)}
    assert len(records) == before + 1
    rhel = records["rhel"]
    assert (rhel.kind, rhel.contact, rhel.channel) == (
        "linux-distribution",
        "python-maint@redhat.example",
        "https://bugzilla.redhat.example",
    )
    assert records["slackware"].contact is None
    # The same file again changes nothing.
    code, out, _ = run(capsys, "roster", "import", str(path))
    assert "0 added, 0 updated, 2 unchanged" in out


def test_import_bad_rows_are_listed_and_nothing_is_written(
    store: ResponseStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = roster_entries(store)
    path = tmp_path / "bad.csv"
    path.write_text(
        "distributor,kind,contact,channel\n"
        "Newdistro,linux-distribution,,\n"  # good, but the file has bad rows: not written
        "Red Hat Enterprise Linux,bsd,,\n"
        "rhel,bsd,,\n"  # same distributor as line 3 once normalised
        ",other,,\n"  # no name
        "Weird\u200bName,other,,\n"  # invisible character
        "Short,other,,,extra\n"
        "Kindless,spaceship,,\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "roster", "import", str(path))
    assert code == 2
    assert "nothing written, 5 bad row(s)" in err
    assert "line 4: 'rhel' is the same distributor as line 3" in err
    assert "line 5: distributor" in err
    assert "line 6: distributor" in err and "invisible" in err
    assert "line 7: expected 4 columns, got 5" in err
    assert "line 8: kind" in err
    assert roster_entries(store) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty file"),
        (b"name,kind\nX,other\n", "header must be distributor,kind,contact,channel"),
        (b"\xff\xfe", "not UTF-8"),
        (b'distributor,kind,contact,channel\n"unterminated,other,,\n', "line"),
        (b"x" * (1024 * 1024 + 1), "larger than"),
    ],
)
def test_unreadable_files_are_refused_with_a_message(data: bytes, message: str) -> None:
    parsed = parse_roster_csv(data)
    assert not parsed.ok and message in parsed.errors[0]


def test_list_formats_and_contacts_only_on_request(store: ResponseStore, capsys: pytest.CaptureFixture[str]) -> None:
    save_roster(store, parse_roster_csv(GOOD.encode()).entries)
    code, out, _ = run(capsys, "roster", "list", "--format", "json")
    assert code == 0
    rows = {r["distributor"]: r for r in json.loads(out)}
    assert rows["RHEL"] == {"distributor": "RHEL", "kind": "linux-distribution"}
    code, out, _ = run(capsys, "roster", "list", "--format", "json", "--include-contacts")
    assert json.loads(out)[0].keys() == {"distributor", "kind", "contact", "channel"}
    assert "python-maint@redhat.example" in out
    code, out, _ = run(capsys, "roster", "list", "--format", "csv")
    lines = out.splitlines()
    assert lines[0] == "distributor,kind,contact,channel"
    assert "RHEL,linux-distribution,," in lines
    assert "redhat.example" not in out
    code, out, _ = run(capsys, "roster", "list", "--format", "csv", "--include-contacts")
    assert "RHEL,linux-distribution,python-maint@redhat.example,https://bugzilla.redhat.example" in out.splitlines()
    # The CSV re-imports as it is.
    assert parse_roster_csv(out.encode()).ok


def test_csv_neutralises_formula_cells(store: ResponseStore, capsys: pytest.CaptureFixture[str]) -> None:
    save_roster(store, parse_roster_csv(b'distributor,kind,contact,channel\n"=HYPERLINK(1)",other,,\n').entries)
    _, out, _ = run(capsys, "roster", "list", "--format", "csv")
    assert "'=HYPERLINK(1)" in out


def test_remove(store: ResponseStore) -> None:
    assert remove_from_roster(store, ["  debian "]) == 1
    assert "debian" not in {r.key for r in roster_entries(store)}


def test_a_name_that_grows_past_the_limit_when_normalised_is_refused() -> None:
    parsed = parse_roster_csv(("distributor,kind,contact,channel\n" + "\ufdfa" * 20 + ",other,,\n").encode())
    assert not parsed.ok and "line 2: distributor" in parsed.errors[0] and "once normalised" in parsed.errors[0]


def test_missing_file_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["roster", "import", str(tmp_path / "absent.csv")]) == 2
    assert "cannot read" in capsys.readouterr().err
