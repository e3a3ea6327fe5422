"""``python -m analysis schedule update|status``: refreshing the release schedule from upstream.

Fixtures: the real python/peps ``release_management/python-releases.toml`` at ba4deeb
(``tests/fixtures/schedule/python-releases-ba4deeb.toml``, CC0) and small files written here in
the same format (``[metadata."X.Y"]``, ``[[release."X.Y"]]`` with stage/state/date).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.schedule import clear_caches, load_schedule, schedule_status, slip_samples
from analysis.schedule_sources import release_name
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "schedule"
FILES = ("release_schedule.csv", "release_schedule_revisions.csv", "support_windows.csv")

META_315 = """[metadata."3.15"]
pep = 790
status = "bugfix"
branch = "3.15"
release-manager = "Hugo van Kemenade"
start-of-development = 2025-05-07
feature-freeze = 2026-05-07
first-release = 2026-10-09
end-of-bugfix = 2028-10-01
end-of-life = 2031-10-01
"""
META_316 = """[metadata."3.16"]
pep = 826
status = "feature"
branch = "main"
release-manager = "Savannah Ostrowski"
start-of-development = 2026-05-07
feature-freeze = 2027-05-04
first-release = 2027-10-05
end-of-bugfix = 2029-10-06
end-of-life = 2032-10-01
"""
META_317 = """[metadata."3.17"]
pep = 9999
status = "feature"
branch = "main"
release-manager = "Someone"
start-of-development = 2027-05-04
feature-freeze = 2028-05-02
first-release = 2028-10-03
end-of-bugfix = 2030-10-03
end-of-life = 2033-10-01
"""
STAGES_316 = [
    ("3.16.0 alpha 1", "actual", "2026-10-14"),  # planned 2026-10-13: planned -> actual, +1 day
    ("3.16.0 alpha 2", "actual", "2026-11-10"),  # on its planned date
    ("3.16.0 alpha 3", "expected", "2026-12-16"),  # moved from 2026-12-15
    ("3.16.0 alpha 4", "expected", "2027-01-12"),
    ("3.16.0 alpha 5", "expected", "2027-02-09"),
    ("3.16.0 alpha 6", "expected", "2027-03-09"),
    ("3.16.0 alpha 7", "expected", "2027-04-13"),
    ("3.16.0 beta 1", "expected", "2027-05-04"),
    ("3.16.0 beta 2", "expected", "2027-05-25"),
    ("3.16.0 beta 3", "expected", "2027-06-15"),
    ("3.16.0 beta 4", "expected", "2027-07-13"),
    ("3.16.0 candidate 1", "expected", "2027-07-27"),
    ("3.16.0 candidate 2", "expected", "2027-08-31"),
    ("3.16.0 candidate 3", "expected", "2027-09-14"),  # an extra candidate, added upstream
    ("3.16.0 final", "expected", "2027-10-05"),
]


def release_tables(line: str, stages: list[tuple[str, str, str]]) -> str:
    return "".join(
        f'\n[[release."{line}"]]\nstage = "{stage}"\nstate = "{state}"\ndate = {when}\n'
        for stage, state, when in stages
    )


def upstream_toml(stages_316: list[tuple[str, str, str]] = STAGES_316, *, with_317: bool = True) -> str:
    text = "# A python-releases.toml in python/peps' format.\n\n" + META_315 + "\n" + META_316
    if with_317:
        text += "\n" + META_317
    text += release_tables(
        "3.15",
        [
            ("3.15.0 candidate 2", "actual", "2026-09-01"),
            ("3.15.0 candidate 3", "actual", "2026-10-02"),
            ("3.15.0 final", "actual", "2026-10-09"),
            ("3.15.1", "actual", "2026-12-02"),  # a bugfix release: read, and skipped
        ],
    )
    text += release_tables("3.16", stages_316)
    if with_317:
        text += release_tables("3.17", [("3.17.0 alpha 1", "expected", "2027-10-19")])
    return text


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped reference data that the app (this process and its children) reads."""
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target)
    monkeypatch.setenv("SURVEY_REFERENCE_DIR", str(target))
    clear_caches()
    yield target
    monkeypatch.delenv("SURVEY_REFERENCE_DIR")
    clear_caches()


def snapshot_files(data_dir: Path) -> dict[str, bytes]:
    return {name: (data_dir / name).read_bytes() for name in FILES}


def rows(data_dir: Path, name: str) -> list[dict[str, str]]:
    with (data_dir / name).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_stage_names_follow_the_upstream_spelling() -> None:
    assert release_name("3.15.0 alpha 1") == ("3.15", "3.15.0a1", "alpha")
    assert release_name("3.15.0 beta 4") == ("3.15", "3.15.0b4", "beta")
    assert release_name("3.15.0 candidate 3") == ("3.15", "3.15.0rc3", "rc")
    assert release_name("3.15.0 final") == ("3.15", "3.15.0", "final")
    assert release_name("3.13.5") is None  # bugfix releases are not simulated


def test_update_adds_moves_and_records_actual_dates(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "python-releases.toml"
    source.write_text(upstream_toml(), encoding="utf-8")
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    alpha_slips_before = slip_samples("last")["alpha"]
    code, out, err = run(capsys, "schedule", "update", str(source), "--read-on", "2026-12-03")
    assert code == 0, err
    # What changed, one line each, as a person reads it.
    assert "planned -> actual: 3.16.0a1 planned 2026-10-13, actual 2026-10-14, +1 day" in out
    assert "planned -> actual: 3.16.0a2 planned 2026-11-10, actual 2026-11-10, on its planned date" in out
    assert "moved: 3.16.0a3 planned 2026-12-15 -> 2026-12-16" in out
    assert "new release: 3.16.0rc3 planned 2027-09-14" in out
    assert "new release: 3.17.0a1 planned 2027-10-19" in out
    assert "new line: 3.17 first release 2028-10-03" in out
    assert "support window: 3.16 first release 2027-10-06 -> 2027-10-05" in out
    assert "3.15.1" not in out and "3.15.0rc3" not in out  # bugfix skipped; rc3 already known
    assert "note: 3.14.0 is not in python-releases.toml: kept unchanged" in out

    schedule = {r["release"]: r for r in rows(data_dir, "release_schedule.csv")}
    a1 = schedule["3.16.0a1"]
    assert (a1["planned_date"], a1["actual_date"]) == ("2026-10-13", "2026-10-14")
    assert (a1["source_file"], a1["source_sha256"], a1["read_on"]) == ("python-releases.toml", digest, "2026-12-03")
    assert schedule["3.16.0a3"]["planned_date"] == "2026-12-16" and not schedule["3.16.0a3"]["actual_date"]
    assert schedule["3.16.0rc3"]["source"] == "PEP 826" and schedule["3.17.0a1"]["source"] == "PEP 9999"
    # Rows the file does not list keep their old source columns.
    assert schedule["3.14.0"]["read_on"] == "2026-12-01" and schedule["3.14.0"]["source_sha256"] != digest
    appended = [r for r in rows(data_dir, "release_schedule_revisions.csv") if r["source_sha256"] == digest]
    assert {(r["release"], r["listed_as"], r["date"]) for r in appended} == {
        ("3.16.0a1", "actual", "2026-10-14"),
        ("3.16.0a2", "actual", "2026-11-10"),
        ("3.16.0a3", "expected", "2026-12-16"),
        ("3.16.0rc3", "expected", "2027-09-14"),
        ("3.17.0a1", "expected", "2027-10-19"),
    }
    windows = {r["python_version"]: r for r in rows(data_dir, "support_windows.csv")}
    assert windows["3.17"]["end_of_life"] == "2033-10-01" and windows["3.17"]["source_sha256"] == digest

    # The app reads it: the extra candidate is a policy, the slips learn from the new actual dates.
    clear_caches()
    assert load_schedule().get("3.16.0rc3") is not None
    assert sorted(slip_samples("last")["alpha"]) == sorted([*alpha_slips_before, 1, 0])  # a1 +1, a2 on time
    assert schedule_status(date(2026, 12, 3)).as_of_line == "Release schedule as of 2026-12-03 (python-releases.toml)."
    assert schedule_status(date(2026, 12, 3)).warning is None  # 3.16.0a1/a2 are made now
    env = {**os.environ, "SURVEY_REFERENCE_DIR": str(data_dir)}
    sim = subprocess.run(
        [sys.executable, "-m", "analysis", "simulate", "--policy", "3.16.0rc3", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert sim.returncode == 0, sim.stderr
    assert json.loads(sim.stdout)["policy_date"] == "2027-09-14"

    # Running it again changes nothing and appends nothing.
    before = snapshot_files(data_dir)
    code, out, _ = run(capsys, "schedule", "update", str(source), "--read-on", "2026-12-03")
    assert code == 0 and "no changes: the schedule already matches the file" in out
    assert snapshot_files(data_dir) == before


def test_dry_run_prints_the_same_and_writes_nothing(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "python-releases.toml"
    source.write_text(upstream_toml(), encoding="utf-8")
    before = snapshot_files(data_dir)
    code, out, _ = run(capsys, "schedule", "update", str(source), "--dry-run")
    assert code == 0
    assert "moved: 3.16.0a3 planned 2026-12-15 -> 2026-12-16" in out
    assert "dry run: nothing written (7 change(s) would be made" in out
    assert snapshot_files(data_dir) == before


MALFORMED = [
    ("candidat", 'stage = "3.16.0 candidat 3"', "stage '3.16.0 candidat 3' is not of the form"),
    ("state", 'state = "planned"', "state must be 'actual' or 'expected', not 'planned'"),
    ("quoted date", 'date = "2027-09-14"', "date must be a date (YYYY-MM-DD, unquoted)"),
    ("unknown key", 'notes = "typo"', "unknown key(s) notes in a release"),
    ("wrong line", 'stage = "3.15.0 candidate 9"', "is listed under release.'3.16'"),
]


@pytest.mark.parametrize(("case", "bad_line", "message"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_entry_is_refused_with_its_line(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, bad_line: str, message: str
) -> None:
    text = upstream_toml()
    lines = text.splitlines()
    header = lines.index('stage = "3.16.0 candidate 3"') - 1  # the [[release."3.16"]] of the extra rc
    key = {"candidat": 1, "wrong line": 1, "state": 2, "quoted date": 3}.get(case)
    if key is None:
        lines.insert(header + 1, bad_line)
        expected_line = header + 2
    else:
        lines[header + key] = bad_line
        expected_line = header + key + 1
    source = tmp_path / "python-releases.toml"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = snapshot_files(data_dir)
    code, out, err = run(capsys, "schedule", "update", str(source))
    assert code == 2 and out == ""
    assert f"line {expected_line}" in err and message in err and "Nothing written." in err
    assert snapshot_files(data_dir) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[metadata."3.16"\npep = 1\n', "not valid TOML"),
        ("title = 'not a calendar'\n", "top level must hold exactly 'metadata' and 'release'"),
        (META_316 + '\n[[release."3.17"]]\nstage = "3.17.0 alpha 1"\nstate = "expected"\ndate = 2027-10-19\n', "3.17"),
        (upstream_toml().replace("pep = 826", 'pep = "826"'), "line 15: pep must be a PEP number"),
        (upstream_toml().replace('status = "feature"', 'status = "alpha"', 1), "line 16: status 'alpha' is not one of"),
        ("[1, 2", "line 1: not valid JSON"),
        ('{"3.16": {"pep": 826, "first_release": "2027-10-05", "end_of_life": "soon"}}', "is not a date"),
        ('{"3.16": {"pep": 826, "first_release": "2027-10-05", "end_of_life": "2032-10", "x": 1}}', "unknown key(s) x"),
    ],
)
def test_unknown_or_malformed_files_are_refused(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    source = tmp_path / ("in.json" if content.startswith(("{", "[1")) else "in.toml")
    source.write_text(content, encoding="utf-8")
    before = snapshot_files(data_dir)
    code, _, err = run(capsys, "schedule", "update", str(source))
    assert code == 2 and message in err, err
    assert snapshot_files(data_dir) == before


def test_a_file_older_than_the_data_is_refused(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The real python/peps file of 2026-08-22 still lists 3.15.0rc2 as expected."""
    before = snapshot_files(data_dir)
    code, _, err = run(capsys, "schedule", "update", str(FIXTURES / "python-releases-ba4deeb.toml"))
    assert code == 2
    assert "3.15.0rc2 is listed as expected on 2026-09-01" in err and "the file is older than the data" in err
    assert "line 3633" in err  # its [[release."3.15"]] table in the upstream file
    assert snapshot_files(data_dir) == before


def test_shipped_schedule_is_the_documented_update(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """data/ is python/peps@ba4deeb plus the file in data/sources, applied by this command."""
    source = ROOT / "data" / "sources" / "python-releases-2026-12-01.toml"
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    code, out, _ = run(capsys, "schedule", "update", str(source), "--dry-run")
    assert code == 0 and "no changes" in out
    schedule = {r["release"]: r for r in rows(data_dir, "release_schedule.csv")}
    for name, planned, actual in (
        ("3.15.0rc2", "2026-09-01", "2026-09-01"),
        ("3.15.0rc3", "", "2026-10-02"),
        ("3.15.0", "2026-10-01", "2026-10-09"),
        ("3.16.0a1", "2026-10-13", ""),
        ("3.16.0a2", "2026-11-10", ""),
    ):
        row = schedule[name]
        assert (row["planned_date"], row["actual_date"]) == (planned, actual), name
        assert row["source_sha256"] == digest and row["read_on"] == "2026-12-01"
    windows = {r["python_version"]: r for r in rows(data_dir, "support_windows.csv")}
    assert windows["3.15"]["first_release"] == "2026-10-09"
    # Every row is confirmed by that file; the PEP history rows keep their peps commits.
    assert {r["source_sha256"] for r in schedule.values()} == {digest}
    revisions = rows(data_dir, "release_schedule_revisions.csv")
    assert all(len(r["pep_commit"]) == 40 for r in revisions if not r["source_sha256"])
    assert [r["release"] for r in revisions if r["source_sha256"] == digest] == ["3.15.0rc2", "3.15.0rc3", "3.15.0"]


def test_release_cycle_json_updates_support_windows_only(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """peps.python.org/api/release-cycle.json: metadata only, end of life as YYYY-MM when supported."""
    cycle = {
        "3.16": {
            "branch": "main",
            "pep": 826,
            "status": "feature",
            "first_release": "2027-10-05",
            "end_of_life": "2032-10",
            "release_manager": "Savannah Ostrowski",
        },
        "3.15": {
            "branch": "3.15",
            "pep": 790,
            "status": "bugfix",
            "first_release": "2026-10-09",
            "end_of_life": "2031-10",
            "release_manager": "Hugo van Kemenade",
        },
    }
    source = tmp_path / "release-cycle.json"
    source.write_text(json.dumps(cycle, indent=2), encoding="utf-8")
    schedule_before = (data_dir / "release_schedule.csv").read_bytes()
    code, out, err = run(capsys, "schedule", "update", str(source), "--read-on", "2026-12-02")
    assert code == 0, err
    assert "release-cycle.json carries no releases" in out
    assert "support window: 3.16 first release 2027-10-06 -> 2027-10-05" in out
    assert "end of life" not in out  # "2032-10" is 2032-10-01, what the data holds
    windows = {r["python_version"]: r for r in rows(data_dir, "support_windows.csv")}
    assert windows["3.16"]["end_of_bugfix"] == "2029-10-06"  # not in release-cycle.json: kept
    assert windows["3.16"]["source_file"] == "release-cycle.json" and windows["3.16"]["read_on"] == "2026-12-02"
    assert (data_dir / "release_schedule.csv").read_bytes() == schedule_before


def test_python_releases_json_is_read_like_the_toml(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """peps.python.org/api/python-releases.json: dataclasses.asdict of the TOML (keys with "_")."""
    import tomllib

    data = tomllib.loads(upstream_toml(with_317=False))
    as_json = {
        "metadata": {
            line: {k.replace("-", "_"): (v.isoformat() if isinstance(v, date) else v) for k, v in meta.items()}
            for line, meta in data["metadata"].items()
        },
        "releases": {
            line: [{**r, "date": r["date"].isoformat(), "note": ""} for r in items]
            for line, items in data["release"].items()
        },
    }
    source = tmp_path / "python-releases.json"
    source.write_text(json.dumps(as_json), encoding="utf-8")
    code, out, err = run(capsys, "schedule", "update", str(source), "--dry-run")
    assert code == 0, err
    assert "new release: 3.16.0rc3 planned 2027-09-14" in out and "moved: 3.16.0a3" in out


def test_writes_are_all_or_nothing(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure while the files are swapped in restores the ones already replaced."""
    source = tmp_path / "python-releases.toml"
    source.write_text(upstream_toml(), encoding="utf-8")
    before = snapshot_files(data_dir)
    real_replace = os.replace
    calls: list[str] = []

    def failing_replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        calls.append(str(dst))
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr("analysis.schedule_update.os.replace", failing_replace)
    code, _, err = run(capsys, "schedule", "update", str(source))
    assert code == 2 and "No space left on device" in err and "Nothing written." in err
    assert snapshot_files(data_dir) == before
    assert sorted(p.name for p in data_dir.iterdir() if p.name.startswith(".")) == []  # no temporaries left


def test_two_updates_at_once_apply_once(data_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "python-releases.toml"
    source.write_text(upstream_toml(), encoding="utf-8")
    env = {**os.environ, "SURVEY_REFERENCE_DIR": str(data_dir)}
    cmd = [sys.executable, "-m", "analysis", "schedule", "update", str(source), "--read-on", "2026-12-03"]
    procs = [subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    assert sum("no changes" in out for out in outputs) == 1  # the second one saw the first one's result
    revisions = rows(data_dir, "release_schedule_revisions.csv")
    assert sum(r["release"] == "3.16.0rc3" for r in revisions) == 1


def test_status_says_as_of_and_warns_about_past_planned_dates(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "schedule", "status", "--today", "2026-10-01")
    assert code == 0
    assert out.startswith("Release schedule as of 2026-12-01 (python/peps@ba4deeb + Python Insider posts: ")
    assert "Warning" not in out
    code, out, _ = run(capsys, "schedule", "status", "--today", "2026-12-01")
    assert code == 1
    assert "Warning: 3.16.0a1 (planned 2026-10-13) and 3.16.0a2 (planned 2026-11-10) should have happened" in out
    assert "older than the world" in out


def test_hostile_inputs_end_in_a_message(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot_files(data_dir)
    deep = tmp_path / "deep.toml"
    deep.write_text("x = " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    code, _, err = run(capsys, "schedule", "update", str(deep))
    assert code == 2 and ("nested too deeply" in err or "not valid TOML" in err) and "Traceback" not in err
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b'[metadata."3.16"]\npep = 826\n\xff\xfe\n')
    code, _, err = run(capsys, "schedule", "update", str(binary))
    assert code == 2 and "line 3: not UTF-8 text" in err
    source = tmp_path / "python-releases.toml"
    source.write_text(upstream_toml(), encoding="utf-8")
    code, _, err = run(capsys, "schedule", "update", str(source), "--source", "evil\nline")
    assert code == 2 and "--source must be one printable line" in err
    empty = tmp_path / "empty-dir"
    empty.mkdir()
    code, _, err = run(capsys, "schedule", "update", str(source), "--data-dir", str(empty))
    assert code == 2 and "not a reference data directory" in err and list(empty.iterdir()) == []
    code, _, err = run(capsys, "schedule", "update", str(tmp_path / "missing.toml"))
    assert code == 2 and "cannot read" in err
    assert snapshot_files(data_dir) == before
