"""``python -m analysis import/export/stats``: all-or-nothing import, canonical round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.models import SurveyResponse
from analysis.storage import open_store
from tests.conftest import make_response


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def stats(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    code, out, _ = run(capsys, "stats", "--format", "json")
    assert code == 0
    return json.loads(out)


def test_seed_file_imports(capsys: pytest.CaptureFixture[str], seed_path: Path) -> None:
    code, out, _ = run(capsys, "import", str(seed_path))
    assert code == 0 and "9 new" in out
    s = stats(capsys)
    assert s["responses"] == 9 and s["illustrative"] == 9 and s["distributors"] == 9
    code, out, _ = run(capsys, "import", str(seed_path))
    assert code == 0 and "9 unchanged" in out
    assert stats(capsys)["revisions"] == 9


def test_round_trip_import_export_import_is_identical(
    capsys: pytest.CaptureFixture[str], seed_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(capsys, "import", str(seed_path))[0] == 0
    first = tmp_path / "first.json"
    assert run(capsys, "export", "--format", "json", "--out", str(first), "--include-contacts")[0] == 0
    monkeypatch.setenv("SURVEY_DATA_DIR", str(tmp_path / "other"))
    assert run(capsys, "import", str(first))[0] == 0
    second = tmp_path / "second.json"
    assert run(capsys, "export", "--format", "json", "--out", str(second), "--include-contacts")[0] == 0
    assert first.read_bytes() == second.read_bytes()
    seed = {r["response_id"]: r for r in json.loads(seed_path.read_text())}
    for item in json.loads(first.read_text()):
        assert SurveyResponse.model_validate(item) == SurveyResponse.model_validate(seed[item["response_id"]])


def test_export_leaves_out_personal_data_unless_asked(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    open_store().import_responses([make_response(contact="me@example.org", respondent_role="maintainer")])
    code, out, _ = run(capsys, "export", "--format", "json", "--out", "-")
    assert code == 0 and "me@example.org" not in out and "respondent_role" not in out
    code, out, _ = run(capsys, "export", "--format", "json", "--out", "-", "--include-contacts")
    assert "me@example.org" in out


def test_jsonl_is_accepted(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    lines = [make_response(distributor=n).model_dump_json(exclude={"submitted_at"}) for n in ("A", "B")]
    path.write_text("\n".join(lines) + "\n\n")
    code, out, _ = run(capsys, "import", str(path))
    assert code == 0 and "2 new" in out
    latest = open_store().latest()
    assert all(s.response.submitted_at is not None for s in latest)  # set on import when absent


BAD_INPUTS = {
    "malformed JSON": ("bad.json", '[{"distributor": "x",', "malformed JSON"),
    "bad line in JSONL": (
        "bad.jsonl",
        make_response(distributor="Fine").model_dump_json() + "\n{not json}\n",
        "line 2: malformed JSON",
    ),
    "missing distributor": (
        "missing.json",
        json.dumps([{"distributor_kind": "bsd", "prerelease_start": "rc", "sigstore_status": "evaluating"}]),
        "item 1: distributor: Field required",
    ),
    "unknown enum": (
        "enum.json",
        json.dumps([{**make_response().canonical_json(), "prerelease_start": "gamma"}]),
        "item 1: prerelease_start: not one of the allowed values",
    ),
    "dates out of order": (
        "dates.json",
        json.dumps(
            [{**make_response().canonical_json(), "ready_by": {"earliest": "2026-01-01", "likely": "2025-01-01"}}]
        ),
        "item 1: ready_by: earliest date (2026-01-01) must not be after the likely date (2025-01-01)",
    ),
    "unknown key": (
        "key.json",
        json.dumps([{**make_response().canonical_json(), "extra": 1}]),
        "item 1: extra: unknown key",
    ),
    "1 MB of text": (
        "big.json",
        json.dumps([{**make_response().canonical_json(), "blockers_text": "y" * 1_000_000}]),
        "item 1: blockers_text: text is too long",
    ),
    "not an object": ("list.json", "[1, 2]", "item 1: expected a JSON object"),
    "empty file": ("empty.json", "", "the file is empty"),
    "same response twice": (
        "twice.jsonl",
        "\n".join(make_response(distributor=n, response_id="ab" * 16).model_dump_json() for n in ("First", "Second")),
        "line 2: response_id: abababababababababababababababab appears twice (also line 1)",
    ),
    "deep nesting": ("deep.json", "[" * 100_000 + "]" * 100_000, "malformed JSON"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_reported_and_nothing_is_stored(
    case: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    store = open_store()
    store.import_responses([make_response(distributor="Existing")])
    before = store.stats()
    name, content, expected = BAD_INPUTS[case]
    path = tmp_path / name
    path.write_text(content)
    code, _, err = run(capsys, "import", str(path))
    assert code == 2
    assert "nothing imported" in err and expected in err
    assert store.stats() == before


def test_unreadable_file_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "import", str(tmp_path / "absent.json"))
    assert code == 2 and "cannot read" in err


def test_database_url_flag_selects_the_store(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, seed_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}"
    assert main(["--database-url", url, "import", str(seed_path)]) == 0
    capsys.readouterr()
    assert open_store(url).stats()["responses"] == 9
    assert stats(capsys)["responses"] == 0


def test_a_single_pretty_printed_object_is_accepted(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps(make_response(distributor="Solo").canonical_json(), indent=2))
    code, out, _ = run(capsys, "import", str(path))
    assert code == 0 and "1 new" in out


def test_a_file_answering_a_draft_only_response_imports(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The id of a response that holds only a draft: its first revision, not an IntegrityError."""
    rid = open_store().save_draft({"distributor": "Half done"}).response_id
    path = tmp_path / "answers.jsonl"
    path.write_text(make_response(distributor="Half done", response_id=rid).model_dump_json() + "\n")
    code, out, err = run(capsys, "import", str(path))
    assert (code, err) == (0, "") and "1 new" in out
    s = stats(capsys)
    assert (s["responses"], s["revisions"], s["drafts_only"]) == (1, 1, 0)
