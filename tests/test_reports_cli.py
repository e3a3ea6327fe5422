"""``python -m analysis export``: every format, exit codes, the JSON round trip, personal data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.storage import ResponseStore
from tests.reports_support import CONTACT, freeze_store_clock, load_payloads


@pytest.fixture
def filled(store: ResponseStore, monkeypatch: pytest.MonkeyPatch) -> ResponseStore:
    freeze_store_clock(monkeypatch)
    load_payloads(store)
    return store


@pytest.mark.parametrize("fmt", ["html", "md", "csv", "xlsx", "json"])
def test_export_writes_each_format(filled: ResponseStore, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"report.{fmt}"
    assert main(["export", "--format", fmt, "--out", str(out), "--draws", "200", "--policy", "3.14.0b1"]) == 0
    data = out.read_bytes()
    assert data
    if fmt == "xlsx":
        assert data[:2] == b"PK"
    else:
        assert CONTACT not in data.decode("utf-8")


def test_json_round_trips_through_import(
    filled: ResponseStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = tmp_path / "answers.json"
    assert main(["export", "--format", "json", "--out", str(first), "--include-contacts"]) == 0
    assert CONTACT in first.read_text(encoding="utf-8")
    monkeypatch.setenv("SURVEY_DATA_DIR", str(tmp_path / "other-store"))
    assert main(["import", str(first)]) == 0
    second = tmp_path / "again.json"
    assert main(["export", "--format", "json", "--out", str(second), "--include-contacts"]) == 0
    assert first.read_bytes() == second.read_bytes()
    assert len(json.loads(second.read_text(encoding="utf-8"))) == 3


def test_json_to_stdout_keeps_the_old_behaviour(filled: ResponseStore, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--format", "json", "--out", "-"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert len(items) == 3 and all("contact" not in item for item in items)


def test_markdown_links_the_html_report(filled: ResponseStore, capsys: pytest.CaptureFixture[str]) -> None:
    url = "https://example.org/report.html"
    assert main(["export", "--format", "md", "--out", "-", "--draws", "200", "--html-url", url]) == 0
    assert f"[HTML report]({url})" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--policy", "3.99.0"], "not a release"),
        (["--draws", "1"], "--draws"),
        (["--html-url", "javascript:alert(1)"], "http"),
    ],
)
def test_bad_usage_exits_2(
    filled: ResponseStore, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    out = tmp_path / "r.md"
    assert main(["export", "--format", "md", "--out", str(out), *args]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_unknown_format_and_missing_directory_exit_2(filled: ResponseStore, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["export", "--format", "docx", "--out", str(tmp_path / "x")])
    assert exc.value.code == 2
    assert main(["export", "--format", "md", "--out", str(tmp_path / "missing" / "r.md")]) == 2


def test_pdf_without_chromium_exits_1(
    filled: ResponseStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("analysis.reports.pdf.chromium_path", lambda: None)
    assert main(["export", "--format", "pdf", "--out", str(tmp_path / "r.pdf"), "--draws", "200"]) == 1
    assert "Chromium" in capsys.readouterr().err
    assert not (tmp_path / "r.pdf").exists()


def test_empty_store_exports_an_empty_report(store: ResponseStore, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    assert main(["export", "--format", "html", "--out", str(out)]) == 0
    assert "No answers have been submitted yet." in out.read_text(encoding="utf-8")


@pytest.mark.slow
def test_exports_from_two_processes_differ_only_in_the_generated_line(tmp_path: Path) -> None:
    """Separate interpreters with different hash seeds: no set or dict order leaks into a report."""
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT
    from tests.reports_support import SEED_FILE, without_generated_line

    env = {**os.environ, "SURVEY_DATA_DIR": str(tmp_path / "var")}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "analysis", "import", str(SEED_FILE)], env=env, cwd=ROOT, check=True)
    outputs: dict[str, list[bytes]] = {}
    for run, hash_seed in enumerate(("1", "2")):
        for fmt in ("html", "md", "csv", "xlsx"):
            out = tmp_path / f"run{run}.{fmt}"
            subprocess.run(
                [sys.executable, "-m", "analysis", "export", "--format", fmt, "--out", str(out), "--draws", "200"],
                env={**env, "PYTHONHASHSEED": hash_seed},
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
            outputs.setdefault(fmt, []).append(out.read_bytes())
    for fmt, (first, second) in outputs.items():
        if fmt == "xlsx" or fmt == "csv":
            assert first == second, fmt
        else:
            assert without_generated_line(first.decode()) == without_generated_line(second.decode()), fmt
