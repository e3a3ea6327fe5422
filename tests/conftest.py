"""Shared fixtures: an isolated store per test, the seed data, sample responses."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from analysis.models import SurveyResponse
from analysis.storage import ResponseStore, open_store

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own SQLite file and sigstore cache: no test sees another's data."""
    data_dir = tmp_path_factory.mktemp("var")
    monkeypatch.setenv("SURVEY_DATA_DIR", str(data_dir))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SURVEY_REVIEWER_PASSPHRASE_HASH", raising=False)
    return data_dir


@pytest.fixture
def store() -> Iterator[ResponseStore]:
    s = open_store()
    yield s
    s.engine.dispose()


def make_response(**overrides: object) -> SurveyResponse:
    """A valid response with sensible defaults; override any key."""
    data: dict[str, object] = {
        "distributor": "Debian",
        "distributor_kind": "linux-distribution",
        "python_versions": ["3.13", "3.14"],
        "prerelease_start": "beta",
        "prerelease_lag_days": 0,
        "verifies_pgp_today": "yes",
        "verification_tooling": "uscan",
        "sigstore_status": "evaluating",
        "blockers": ["tooling-support"],
        "blockers_text": "uscan has no Sigstore support",
        "ready_by": {"earliest": "2025-03-01", "likely": "2025-06-01", "latest": "2025-12-01"},
        "worst_case": ["delay-upgrades"],
        "worst_case_text": "",
    }
    data.update(overrides)
    return SurveyResponse.model_validate(data)


@pytest.fixture
def seed_path() -> Path:
    return ROOT / "data" / "seed_responses.json"
