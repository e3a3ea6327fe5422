"""The simulator's view of a distributor: only the answers that decide its exposure.

Built from the latest response per distributor (several responses naming the same distributor,
after name normalisation, count once: the most recently submitted wins, so a corrected answer
replaces the old one instead of double-counting the distributor).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import pandas as pd

from analysis.crosstab import ANALYSIS_COLUMNS, select_unit
from analysis.models import SurveyResponse, normalise_distributor
from analysis.severity import SeverityMapping, load_severity

#: The answer fields a "what if" may change.
WHAT_IF_FIELDS: tuple[str, ...] = (
    "prerelease_start",
    "prerelease_lag_days",
    "sigstore_status",
    "ready_earliest",
    "ready_likely",
    "ready_latest",
    "worst_case",
    "verifies_pgp_today",
)


@dataclass(frozen=True)
class Distributor:
    """One distributor's exposure-relevant answers plus its derived severity."""

    name: str
    key: str
    prerelease_start: str
    lag_days: int
    sigstore_status: str
    ready_earliest: date | None
    ready_likely: date | None
    ready_latest: date | None
    worst_case: tuple[str, ...]
    severity: str
    weight: float
    illustrative: bool = False
    #: "yes", "no", "unsure", or ``None`` when the question was left unanswered.
    verifies_pgp_today: str | None = "yes"

    @property
    def in_production(self) -> bool:
        return self.sigstore_status == "in-production"

    @property
    def ships_unverified(self) -> bool:
        """Does not verify PGP today (and does not verify Sigstore either): PGP stopping takes nothing
        from it. Not exposed, and not unknown: the Steering Council sees these apart."""
        return self.verifies_pgp_today == "no" and not self.in_production

    @property
    def pgp_unanswered(self) -> bool:
        """Whether it verifies PGP today was not answered: whether losing PGP costs it anything is unknown."""
        return self.verifies_pgp_today is None

    def with_answers(self, severity: SeverityMapping | None = None, **changes: Any) -> Distributor:
        """A copy with some answers changed (the "what if"); severity is re-derived."""
        unknown = set(changes) - set(WHAT_IF_FIELDS)
        if unknown:
            raise ValueError(f"cannot change {', '.join(sorted(unknown))}; allowed: {', '.join(WHAT_IF_FIELDS)}")
        if "prerelease_lag_days" in changes:
            changes["lag_days"] = int(changes.pop("prerelease_lag_days"))
        if "worst_case" in changes:
            changes["worst_case"] = tuple(str(c) for c in changes["worst_case"])
        for key in ("ready_earliest", "ready_likely", "ready_latest"):
            if key in changes:
                changes[key] = _as_date(changes[key])
        if "verifies_pgp_today" in changes:
            changes["verifies_pgp_today"] = _answer_or_none(changes["verifies_pgp_today"])
        updated = replace(self, **changes)
        mapping = severity or load_severity()
        level = mapping.level_of(updated.worst_case)
        return replace(updated, severity=level, weight=mapping.weight(level))


def _as_date(value: Any) -> date | None:
    """``date``/``datetime``/``Timestamp``/ISO string -> ``date``; NaT, NaN, None, "" -> None."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    return date.fromisoformat(text[:10]) if text else None


def make_distributor(
    *,
    name: str,
    prerelease_start: str,
    lag_days: int = 0,
    sigstore_status: str = "not-started",
    ready_earliest: Any = None,
    ready_likely: Any = None,
    ready_latest: Any = None,
    worst_case: Iterable[str] = (),
    illustrative: bool = False,
    severity: SeverityMapping | None = None,
    verifies_pgp_today: Any = "yes",
) -> Distributor:
    """Build a distributor from plain values (tests, the bench and the "what if" use this)."""
    mapping = severity or load_severity()
    cases = tuple(str(getattr(c, "value", c)) for c in worst_case)
    level = mapping.level_of(cases)
    return Distributor(
        name=name,
        key=normalise_distributor(name),
        prerelease_start=str(getattr(prerelease_start, "value", prerelease_start)),
        lag_days=int(lag_days),
        sigstore_status=str(getattr(sigstore_status, "value", sigstore_status)),
        ready_earliest=_as_date(ready_earliest),
        ready_likely=_as_date(ready_likely),
        ready_latest=_as_date(ready_latest),
        worst_case=cases,
        severity=level,
        weight=mapping.weight(level),
        illustrative=illustrative,
        verifies_pgp_today=_answer_or_none(verifies_pgp_today),
    )


def _answer_or_none(value: Any) -> str | None:
    """An enum answer as its code; ``None``, NaN and "" (unanswered, whichever store it came from) -> None."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(getattr(value, "value", value)).strip()
    return text or None


def from_response(response: SurveyResponse, severity: SeverityMapping | None = None) -> Distributor:
    return make_distributor(
        name=response.distributor,
        prerelease_start=response.prerelease_start,
        lag_days=response.prerelease_lag_days,
        sigstore_status=response.sigstore_status,
        ready_earliest=response.ready_by.earliest,
        ready_likely=response.ready_by.likely,
        ready_latest=response.ready_by.latest,
        worst_case=response.worst_case,
        illustrative=response.illustrative,
        severity=severity,
        verifies_pgp_today=response.verifies_pgp_today,
    )


def _latest_per_key(items: list[tuple[str, Any, Distributor]]) -> list[Distributor]:
    """Keep the most recently submitted entry per distributor key; sort by name for stable output."""
    best: dict[str, tuple[Any, Distributor]] = {}
    for key, stamp, dist in items:
        current = best.get(key)
        if current is None or (stamp is not None and (current[0] is None or stamp >= current[0])):
            best[key] = (stamp, dist)
    return sorted((d for _, d in best.values()), key=lambda d: (d.name.casefold(), d.key))


def distributors_from_responses(
    responses: Iterable[SurveyResponse], severity: SeverityMapping | None = None
) -> list[Distributor]:
    """One :class:`Distributor` per normalised distributor name, latest submission wins."""
    mapping = severity or load_severity()
    items = [(normalise_distributor(r.distributor), r.submitted_at, from_response(r, mapping)) for r in responses]
    return _latest_per_key(items)


def distributors_from_frame(frame: pd.DataFrame, severity: SeverityMapping | None = None) -> list[Distributor]:
    """One :class:`Distributor` per distributor from ``ResponseStore.latest_frame()``.

    Which response speaks for a distributor is decided by the cross-tab engine's counting rule
    (``select_unit``), so the simulator, the dashboard and the reports count the same answers.
    """
    if frame.empty:
        return []
    mapping = severity or load_severity()
    dists = [
        make_distributor(
            name=row["distributor"],
            prerelease_start=row["prerelease_start"],
            lag_days=int(row.get("prerelease_lag_days") or 0),
            sigstore_status=row["sigstore_status"],
            ready_earliest=row.get("ready_earliest"),
            ready_likely=row.get("ready_likely"),
            ready_latest=row.get("ready_latest"),
            worst_case=row.get("worst_case") or (),
            illustrative=bool(row.get("illustrative", False)),
            severity=mapping,
            verifies_pgp_today=row.get("verifies_pgp_today"),
        )
        for row in select_unit(frame, "distributor").to_dict("records")
    ]
    return sorted(dists, key=lambda d: (d.name.casefold(), d.key))


def load_distributors(store: Any, as_of: date | None = None) -> list[Distributor]:
    """The distributors of a :class:`~analysis.storage.ResponseStore` (latest answer each, at the
    end of ``as_of`` when given: the rule of ``analysis.crosstab.asof``)."""
    from analysis.storage.history import frame_as_of

    return distributors_from_frame(frame_as_of(store, as_of, columns=ANALYSIS_COLUMNS))
