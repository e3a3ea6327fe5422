"""The report's answers to the survey's questions: a summary table per question, the distributor table.

Built from the counted answers (each distributor's latest, as models), in words rather than
codes. Shares are ``Share`` values: every format prints the rounded percentage, the spreadsheet
gets the exact fraction.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Any

from analysis.models import ENUM_FIELDS, MULTI_FIELDS, SigstoreStatus, SurveyResponse
from analysis.reference_data import field_label, option_label
from analysis.reports.model import Cell, QuestionSummary, Share, Table

#: The cross-tab engine's label for an empty multi-select (kept identical so tables match).
NO_ANSWER = "(no answer)"
#: The three survey questions (plus the two answers they depend on), in report order.
SUMMARY_FIELDS: tuple[str, ...] = ("prerelease_start", "sigstore_status", "blockers", "worst_case")


# -- the three questions --------------------------------------------------------------------------


def question_summaries(responses: list[SurveyResponse]) -> Iterable[QuestionSummary]:
    """A table per question (answer, distributors, share), then the readiness quarters."""
    total = len(responses)
    for name in SUMMARY_FIELDS:
        counts: Counter[str] = Counter()
        for r in responses:
            value = getattr(r, name)
            counts.update(v.value for v in value) if name in MULTI_FIELDS else counts.update([value.value])
        rows = tuple((option_label(name, code), counts[code], Share(counts[code], total)) for code in _codes(name))
        unanswered = sum(1 for r in responses if name in MULTI_FIELDS and not getattr(r, name))
        if unanswered:  # the engine's explicit category: no distributor silently drops out
            rows += ((NO_ANSWER, unanswered, Share(unanswered, total)),)
        note = "Several answers possible: shares add up to more than 100 %." if name in MULTI_FIELDS else ""
        if name == "prerelease_start" and responses:
            lag = statistics.median(r.prerelease_lag_days for r in responses)
            note = f"Median lag after that release appears: {lag:g} day{'' if lag == 1 else 's'}."
        yield QuestionSummary(
            key=name,
            title=field_label(name),
            table=Table(name, field_label(name), ("Answer", "Distributors", "Share"), rows),
            note=note,
        )
    yield _readiness(responses)


def _readiness(responses: list[SurveyResponse]) -> QuestionSummary:
    """When distributors expect to verify Sigstore, by quarter of their most likely date."""
    buckets: Counter[str] = Counter()
    for r in responses:
        buckets[_ready_bucket(r)] += 1
    order = sorted(k for k in buckets if k[0].isdigit())
    order += [k for k in ("already in production", "unknown") if k in buckets]
    rows = tuple((k, buckets[k], Share(buckets[k], len(responses))) for k in order)
    title = field_label("ready_by")
    note = "Quarter of the most likely date; “unknown” means no date was given."
    return QuestionSummary(
        "readiness", title, Table("readiness", title, ("When", "Distributors", "Share"), rows), note=note
    )


def _ready_bucket(r: SurveyResponse) -> str:
    if r.sigstore_status is SigstoreStatus.IN_PRODUCTION:
        return "already in production"
    if r.ready_by.likely is None:
        return "unknown"
    return f"{r.ready_by.likely.year} Q{(r.ready_by.likely.month - 1) // 3 + 1}"


def _codes(name: str) -> list[str]:
    return [m.value for m in ENUM_FIELDS[name]]


# -- the distributor table ------------------------------------------------------------------------


def _labels(name: str, values: Iterable[Any]) -> str:
    return ", ".join(option_label(name, getattr(v, "value", v)) for v in values)


def _date(value: date | None) -> str:
    return value.isoformat() if value else ""


def distributor_table(responses: list[SurveyResponse], *, include_contacts: bool) -> Table:
    """One row per distributor (its latest answer), in words rather than codes."""
    columns = [
        "Distributor",
        "Kind",
        "Python lines",
        "Starts at",
        "Sigstore",
        "Blockers",
        "Ready (likely)",
        "Worst case",
        "Illustrative",
    ]
    if include_contacts:
        columns += ["Role", "Contact"]
    rows: list[tuple[Cell, ...]] = []
    for r in responses:
        row: list[Cell] = [
            r.distributor,
            option_label("distributor_kind", r.distributor_kind.value),
            ", ".join(r.python_versions),
            f"{option_label('prerelease_start', r.prerelease_start.value)} +{r.prerelease_lag_days} d",
            option_label("sigstore_status", r.sigstore_status.value),
            _labels("blockers", r.blockers),
            _date(r.ready_by.likely) or "unknown",
            _labels("worst_case", r.worst_case),
            "yes" if r.illustrative else "",
        ]
        if include_contacts:
            row += [r.respondent_role or "", r.contact or ""]
        rows.append(tuple(row))
    return Table("distributors", "Distributors (latest answer of each)", tuple(columns), tuple(rows))
