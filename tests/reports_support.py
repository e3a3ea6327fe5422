"""Shared helpers of the report tests: stores with fixed clocks, injection payloads, builders.

The store stamps ``stored_at`` with the wall clock and the report's snapshot time is the newest
``stored_at``; tests freeze that clock so their reports (and the golden file) are reproducible.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from analysis.importer import read_responses_file
from analysis.reports import ReportData, ReportOptions, build_snapshot
from analysis.storage import ResponseStore
from tests.conftest import ROOT, make_response

FROZEN = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
GENERATED = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
SEED_FILE = ROOT / "data" / "seed_responses.json"
GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
#: Small and fast, still enough to exercise every section (the default 2,000 is for reviewers).
TEST_OPTIONS = ReportOptions(seed=761, draws=300)

SCRIPT = "<script>alert(1)</script>"
LINK = "[x](javascript:alert(1))"
HYPERLINK = '=HYPERLINK("http://evil.example/","click")'
FORMULA_PAYLOADS = (HYPERLINK, "+1", "-1", "@SUM(A1:A2)")
#: Strings a spreadsheet could run; tab and CR are stripped by the model, so they are tested directly.
SPREADSHEET_TRIGGERS = (*FORMULA_PAYLOADS, "\tTAB", "\rCR")
CONTACT = "alice@example.org"
ROLE = "Release engineer (personal)"


def freeze_store_clock(monkeypatch: pytest.MonkeyPatch, when: datetime = FROZEN) -> None:
    monkeypatch.setattr("analysis.storage.store.now_utc", lambda: when)


def load_seed(store: ResponseStore) -> None:
    outcome = read_responses_file(SEED_FILE)
    assert outcome.ok, outcome.errors
    store.import_responses(outcome.responses)


def load_payloads(store: ResponseStore) -> None:
    """Responses whose every free-text field (and a distributor name) carries an attack, tagged."""
    responses = [
        make_response(
            distributor=HYPERLINK,
            blockers_text=SCRIPT,
            worst_case_text=LINK,
            comments="+1 from us",
            verification_tooling="@SUM(A1:A2)",
            source="-1",
            contact=CONTACT,
            respondent_role=ROLE,
        ),
        make_response(
            distributor="Gentoo <b>bold</b> | pipe `tick`",
            distributor_kind="bsd",
            prerelease_start="alpha",
            blockers=["offline-verification", "air-gapped-builders"],
            blockers_text=f"{LINK} and {SCRIPT}",
            worst_case=["ship-unverified"],
            worst_case_text="-1 day @channel",
            sigstore_status="not-started",
        ),
        make_response(distributor="Homebrew", distributor_kind="package-manager", sigstore_status="in-production"),
    ]
    result = store.import_responses(responses)
    store.upsert_theme("injection", "Injection <i>theme</i>", "desc [y](javascript:alert(2))", ["script"])
    for rid in result.response_ids[:2]:
        store.set_tags(rid, "blockers_text", ["injection"])
        store.set_tags(rid, "worst_case_text", ["injection"])


def snapshot(store: ResponseStore, options: ReportOptions = TEST_OPTIONS, now: datetime = GENERATED) -> ReportData:
    return build_snapshot(store, options, now=now)


def without_generated_line(text: str) -> str:
    """Drop the one line allowed to differ between two exports of the same data."""
    return "\n".join(line for line in text.splitlines() if not re.search(r"[Rr]eport generated", line))
