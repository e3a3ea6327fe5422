"""Changes since a date on a known history (tests/history_support.py), CLI and report section."""

from __future__ import annotations

import json
import re
from datetime import date

import pandas as pd
import pytest

from analysis.cli import main
from analysis.progress.changes import compute_changes, load_changes
from analysis.storage import ResponseStore
from tests.history_support import fill_history


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def test_changes_since_february(store: ResponseStore, capsys: pytest.CaptureFixture[str]) -> None:
    fill_history(store)
    data = json.loads(_run(capsys, "changes", "--since", "2026-02-01", "--format", "json"))
    assert data["answered"] == [{"distributor": "Fedora", "submitted_at": "2026-03-05T23:59:59+00:00"}]
    # Before: Debian's counted answer was "Debian GNU/Linux" (packaged, 2026-05-01); now Debian rev 2.
    assert data["changed"] == [
        {
            "distributor": "Debian",
            "submitted_at": "2026-02-15T10:00:00+00:00",
            "changes": [
                {"field": "sigstore_status", "old": "packaged", "new": "in-production"},
                {"field": "ready_likely", "old": "2026-05-01", "new": "2026-03-01"},
            ],
        }
    ]
    assert data["confirmed"] == [] and data["silent"] == []


def test_changes_window_until_as_of_and_silence(store: ResponseStore, capsys: pytest.CaptureFixture[str]) -> None:
    fill_history(store)
    data = json.loads(_run(capsys, "changes", "--since", "2026-02-12", "--as-of", "2026-03-01", "--format", "json"))
    assert data["until"] == "2026-03-01"
    assert [c["distributor"] for c in data["changed"]] == ["Debian"]
    assert data["silent"] == [{"distributor": "Fedora", "last_answer": "2026-02-01T08:00:00+00:00"}]
    later = load_changes(store, date(2026, 3, 5))
    assert [c.distributor for c in later.changed] == ["Fedora"]
    assert [(f.field, f.old, f.new) for f in later.changed[0].changes] == [
        ("sigstore_status", "not-started", "evaluating"),
        ("ready_likely", "2026-09-01", "2026-12-01"),
    ]
    assert [c.distributor for c in later.silent] == ["Debian"]


def test_changes_markdown(store: ResponseStore, capsys: pytest.CaptureFixture[str]) -> None:
    fill_history(store)
    text = _run(capsys, "changes", "--since", "2026-02-01")
    assert text.startswith("### Changes since 2026-02-01\n")
    assert "  - Sigstore status: Client packaged -> In production" in text
    assert "**Answered for the first time** (1)\n\n- Fedora" in text


def test_since_after_as_of_is_a_usage_error(store: ResponseStore, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["changes", "--since", "2026-03-01", "--as-of", "2026-02-01"]) == 2
    assert "after --as-of" in capsys.readouterr().err


def test_confirmed_when_resubmitted_with_the_same_answers() -> None:
    base = {
        "response_id": "r1",
        "distributor": "Gentoo",
        "distributor_key": "gentoo",
        "sigstore_status": "evaluating",
        "blockers": [[]],
    }
    revisions = pd.DataFrame(
        [
            {**base, "revision": 1, "submitted_at": pd.Timestamp("2026-01-01", tz="UTC"), "blockers": []},
            {**base, "revision": 2, "submitted_at": pd.Timestamp("2026-02-02", tz="UTC"), "blockers": []},
        ]
    )
    changes = compute_changes(revisions, date(2026, 2, 1))
    assert [c.distributor for c in changes.confirmed] == ["Gentoo"]
    assert not changes.changed and not changes.silent and not changes.answered


def test_report_has_a_changes_section(store: ResponseStore, capsys: pytest.CaptureFixture[str]) -> None:
    fill_history(store)
    text = _run(capsys, "export", "--format", "md", "--out", "-", "--draws", "50", "--changes-since", "2026-02-01")
    assert "### Changes since 2026-02-01" in text
    assert "| Debian | changed | Sigstore status: Client packaged -\\> In production |" in text
    html = _run(capsys, "export", "--format", "html", "--out", "-", "--draws", "50", "--changes-since", "2026-02-01")
    assert '<section id="changes">' in html and re.search(r'<h2 id="h-changes">.*Changes since 2026-02-01</h2>', html)
    assert '<section id="coverage">' in html


def test_a_failing_changes_section_leaves_the_rest_of_the_report(
    store: ResponseStore, capsys: pytest.CaptureFixture[str]
) -> None:
    fill_history(store)
    argv = ["export", "--format", "md", "--out", "-", "--draws", "50"]
    text = _run(capsys, *argv, "--as-of", "2026-02-01", "--changes-since", "2026-03-01")
    assert "**Changes since 2026-03-01** could not be included: --since 2026-03-01 is after --as-of 2026-02-01" in text
    assert "### Coverage" in text
