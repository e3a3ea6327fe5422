"""Shared helpers for the AppTests of the review pages (test_pages_review.py, test_access.py)."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from analysis.coding import seed_codebook
from analysis.models import SurveyResponse
from analysis.storage import ResponseStore
from tests.conftest import ROOT, make_response

APP = str(ROOT / "app.py")
PAGES = ["pages/overview.py", "pages/crosstab.py", "pages/distributors.py", "pages/coding.py"]
PASSPHRASE = "steering council review"
CONTACT = "alice@example.org"


def open_page(page: str) -> AppTest:
    """Run the app like a browser does (through app.py's navigation), then switch to ``page``."""
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(page).run()
    return at


def all_text(at: AppTest) -> str:
    """Everything a viewer can read on the page (to assert that data is, or is not, shown)."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "success", "error"):
        parts.extend(str(el.value) for el in getattr(at, kind))
    parts.extend(str(m.label) + " " + str(m.value) for m in at.metric)
    parts.extend(df.value.to_string() for df in at.dataframe)
    return "\n".join(parts)


def seed_store(store: ResponseStore, seed_path: Path) -> ResponseStore:
    """The illustrative seed answers plus duplicates ("RHEL" / "Red Hat Enterprise Linux"), a
    contact, and the default codebook."""
    if seed_path.exists():
        store.import_responses([SurveyResponse.model_validate(r) for r in json.loads(seed_path.read_text())])
    store.import_responses(
        [
            make_response(distributor="RHEL", contact=CONTACT, submitted_at="2026-01-01T00:00:00Z"),
            make_response(
                distributor="Red Hat Enterprise Linux",
                sigstore_status="in-production",
                blockers=[],
                submitted_at="2026-02-01T00:00:00Z",
            ),
        ]
    )
    seed_codebook(store)
    return store
