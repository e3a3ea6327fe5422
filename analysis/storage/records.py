"""Stored answers read back: a revision row as the model it was validated as, with its bookkeeping.

Every read that gives models out (the edit page, a report's counted answers, the import's
comparison with what is stored) goes through :func:`stored_response`, so an answer reads back the
same way wherever it is read.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from analysis.models import STORED, SurveyResponse
from analysis.storage.tables import JSON_COLUMNS, RevisionRow


@dataclass(frozen=True)
class StoredResponse:
    """A response's revision as stored, with the bookkeeping the JSON format leaves out."""

    response: SurveyResponse
    revision: int
    stored_at: datetime


def stored_response(row: RevisionRow) -> StoredResponse:
    """A revision row as its model, with the revision number and when it was stored (UTC)."""
    return StoredResponse(
        response=answer_from_values(lambda c: getattr(row, c), row.response_id),
        revision=row.revision,
        stored_at=aware(row.stored_at),
    )


def answer_from_values(value: Callable[[str], Any], response_id: str) -> SurveyResponse:
    """The answer of stored column values (``value(column)``), as read back from a revision row."""
    data: dict[str, Any] = {c: value(c) for c in SurveyResponse.model_fields if c not in _NOT_PLAIN}
    for col in JSON_COLUMNS:
        data[col] = json.loads(value(col))
    data["ready_by"] = {
        "earliest": value("ready_earliest"),
        "likely": value("ready_likely"),
        "latest": value("ready_latest"),
    }
    data["response_id"] = response_id
    # STORED: text written before the text rule is shown with U+FFFD marks instead of failing.
    return SurveyResponse.model_validate(data, context=STORED)


_NOT_PLAIN = frozenset(("response_id", "ready_by", *JSON_COLUMNS))


def aware(value: datetime) -> datetime:
    """A stored instant as UTC-aware (SQLite hands datetimes back without their zone)."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
