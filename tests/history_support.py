"""A store with a known, dated history (hand-written), shared by the as-of, trend and changes tests.

Timeline (all UTC):

* 2026-01-10 Debian (response A, rev 1): evaluating, likely ready 2026-06-01
* 2026-01-20 "Debian GNU/Linux" (response C, rev 1): packaged, likely 2026-05-01
* 2026-02-01 Fedora (response B, rev 1): not-started, likely 2026-09-01
* 2026-02-15 Debian (response A, rev 2): in-production, likely 2026-03-01
* 2026-03-05 23:59:59 Fedora (response B, rev 2): evaluating, likely 2026-12-01
"""

from __future__ import annotations

from datetime import UTC, datetime

from analysis.storage import ResponseStore
from tests.conftest import make_response

A, B, C = "a" * 32, "b" * 32, "c" * 32


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


HISTORY: list[tuple[str, str, str, str, str]] = [
    # (response_id, distributor, submitted_at, sigstore_status, likely)
    (A, "Debian", "2026-01-10T09:00:00", "evaluating", "2026-06-01"),
    (C, "Debian GNU/Linux", "2026-01-20T12:00:00", "packaged", "2026-05-01"),
    (B, "Fedora", "2026-02-01T08:00:00", "not-started", "2026-09-01"),
    (A, "Debian", "2026-02-15T10:00:00", "in-production", "2026-03-01"),
    (B, "Fedora", "2026-03-05T23:59:59", "evaluating", "2026-12-01"),
]


def fill_history(store: ResponseStore) -> None:
    """Import the history in order: each import of a known response_id appends a revision."""
    for rid, name, when, status, likely in HISTORY:
        store.import_responses(
            [
                make_response(
                    response_id=rid,
                    distributor=name,
                    submitted_at=_at(when),
                    sigstore_status=status,
                    ready_by={"earliest": "2026-01-01", "likely": likely, "latest": "2027-01-01"},
                )
            ]
        )
