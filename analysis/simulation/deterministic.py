"""The deterministic core: one date per release, one ready date per distributor.

Rules (issue #5), applied per distributor for a policy that stops PGP at release R of line L:

* ``fetch_start`` = date of the first release of the distributor's ``prerelease_start`` stage in
  line L + ``prerelease_lag_days`` (``post-final``: the L.0 final + lag). Only line L matters:
  older lines keep PGP until end of life, and a distributor meets L before any later line.
* ``first_affected_date`` = max(R's date, ``fetch_start``).
* ``ready_date`` = ``ready_by.likely``. ``in-production`` means already verifying Sigstore: never
  exposed (``exposed_days`` 0, ``ready_date`` ``None``: the survey describes today, and today it
  verifies). A missing likely date is "unknown" (``None``), never a silent zero; unknowns are
  counted apart (``n_unknown``) and left out of the day totals.
* A distributor that does **not verify PGP today** (``verifies_pgp_today`` "no") loses nothing
  when PGP stops: status "unverified today", not exposed (0 days), not unknown. It ships CPython
  unverified already, which the Steering Council should see, so it is listed apart
  (``unverified_today``). Left unanswered (``None``), whether PGP matters to it is unknown: status
  "unknown". "Unsure" is simulated like "yes": it may verify, so it may lose something.
* ``exposed_days`` = max(0, ready_date - first_affected_date); exposed when it is positive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from analysis.schedule import STAGE_WORDS, Policy, Schedule, load_schedule, resolve_policy
from analysis.simulation.inputs import Distributor

Status = Literal["exposed", "not exposed", "unknown", "in production", "unverified today"]


@dataclass(frozen=True)
class DistributorResult:
    """One distributor under one policy, with the sentence that explains it."""

    distributor: str
    prerelease_start: str
    lag_days: int
    fetch_release: str
    fetch_start: date
    first_affected_date: date
    ready_date: date | None
    exposed_days: int | None
    status: Status
    severity: str
    weight: float
    explanation: str

    @property
    def exposed(self) -> bool | None:
        """True/False, or None when the ready date is unknown."""
        return None if self.status == "unknown" else self.status == "exposed"

    @property
    def weighted_days(self) -> float | None:
        return None if self.exposed_days is None else self.exposed_days * self.weight

    @property
    def shown_severity(self) -> str | None:
        """The severity a reader sees: only when exposed (a harmless status has no severity)."""
        return self.severity if self.status == "exposed" else None

    def as_json(self) -> dict[str, Any]:
        """The CLI's JSON keys (issue #5) plus ``exposed``, ``status`` and ``explanation``."""
        return {
            "distributor": self.distributor,
            "fetch_start": self.fetch_start.isoformat(),
            "first_affected_date": self.first_affected_date.isoformat(),
            "ready_date": self.ready_date.isoformat() if self.ready_date else None,
            "exposed_days": self.exposed_days,
            "severity": self.severity,
            "exposed": self.exposed,
            "status": self.status,
            "prerelease_start": self.prerelease_start,
            "lag_days": self.lag_days,
            "weighted_days": self.weighted_days,
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class PolicyResult:
    """Everything the deterministic model says about one policy."""

    policy: Policy
    extra_lag_days: int
    distributors: list[DistributorResult] = field(default_factory=list)

    @property
    def exposed(self) -> list[DistributorResult]:
        return [r for r in self.distributors if r.status == "exposed"]

    @property
    def unknown(self) -> list[DistributorResult]:
        return [r for r in self.distributors if r.status == "unknown"]

    @property
    def unverified_today(self) -> list[DistributorResult]:
        """Distributors that do not verify PGP today: not exposed, listed apart."""
        return [r for r in self.distributors if r.status == "unverified today"]

    @property
    def n_exposed(self) -> int:
        return len(self.exposed)

    @property
    def n_unknown(self) -> int:
        return len(self.unknown)

    @property
    def total_exposed_days(self) -> int:
        return sum(r.exposed_days or 0 for r in self.distributors)

    @property
    def weighted_exposed_days(self) -> float:
        return float(sum(r.weighted_days or 0.0 for r in self.distributors))

    def summary(self) -> dict[str, Any]:
        return {
            "policy": self.policy.name,
            "policy_date": self.policy.date.isoformat(),
            "description": self.policy.description,
            "distributors": len(self.distributors),
            "exposed": self.n_exposed,
            "unknown": self.n_unknown,
            "unverified_today": len(self.unverified_today),
            "total_exposed_days": self.total_exposed_days,
            "weighted_exposed_days": round(self.weighted_exposed_days, 1),
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "policy": self.policy.name,
            "policy_date": self.policy.date.isoformat(),
            "policy_line": self.policy.line,
            "extra_lag_days": self.extra_lag_days,
            "summary": self.summary(),
            "distributors": [r.as_json() for r in self.distributors],
        }


def _start_words(stage: str, lag: int) -> str:
    if stage == "post-final":
        return f"starts {lag} days after the final release"
    return f"starts at {STAGE_WORDS.get(stage, stage)} +{lag} days"


def explain(d: Distributor, policy: Policy, fetch_start: date, first_affected: date, lag: int, extra: int) -> str:
    """The "why" sentence; ``Status`` follows from the same numbers."""
    assumed = f" (answer +{d.lag_days}, {extra:+d} assumed)" if extra else ""
    start = f"{d.name} {_start_words(d.prerelease_start, lag)}{assumed}"
    if d.in_production:
        return f"{d.name} already verifies Sigstore in production: not exposed."
    if d.ships_unverified:
        return (
            f"{d.name} does not verify CPython's PGP signatures today: it already ships unverified, so PGP "
            f"stopping at {policy.name} takes nothing from it (not exposed, listed apart)."
        )
    if first_affected == policy.date:
        meets = f"meets {policy.name} on {first_affected.isoformat()}"
    else:
        meets = (
            f"fetches its first {policy.line} release on {first_affected.isoformat()}, "
            f"after PGP stopped at {policy.name} ({policy.date.isoformat()})"
        )
    if d.pgp_unanswered:
        return f"{start}, {meets}, but did not say whether it verifies PGP today: exposure unknown."
    ready = d.ready_likely
    if ready is None:
        return f"{start}, {meets}, but gave no likely date for verifying Sigstore: exposure unknown."
    days = max(0, (ready - first_affected).days)
    if days > 0:
        return f"{start}, {meets}, expects to verify Sigstore on {ready.isoformat()}: {days} days exposed."
    return f"{start}, {meets}, expects to verify Sigstore on {ready.isoformat()}, in time: not exposed."


def simulate_distributor(
    d: Distributor, policy: Policy, schedule: Schedule | None = None, extra_lag_days: int = 0
) -> DistributorResult:
    """Apply the rules to one distributor."""
    schedule = schedule or load_schedule()
    lag = max(0, d.lag_days + extra_lag_days)
    fetch_release = schedule.first_of_stage(policy.line, d.prerelease_start)
    fetch_start = fetch_release.date + timedelta(days=lag)
    first_affected = max(policy.date, fetch_start)
    ready: date | None
    days: int | None
    status: Status
    if d.in_production:
        ready, days, status = None, 0, "in production"
    elif d.ships_unverified:
        ready, days, status = None, 0, "unverified today"
    elif d.pgp_unanswered or d.ready_likely is None:
        ready, days, status = None, None, "unknown"
    else:
        ready = d.ready_likely
        days = max(0, (ready - first_affected).days)
        status = "exposed" if days > 0 else "not exposed"
    return DistributorResult(
        distributor=d.name,
        prerelease_start=d.prerelease_start,
        lag_days=lag,
        fetch_release=fetch_release.name,
        fetch_start=fetch_start,
        first_affected_date=first_affected,
        ready_date=ready,
        exposed_days=days,
        status=status,
        severity=d.severity,
        weight=d.weight,
        explanation=explain(d, policy, fetch_start, first_affected, lag, extra_lag_days),
    )


def simulate_policy(
    distributors: Sequence[Distributor],
    policy: Policy | str,
    schedule: Schedule | None = None,
    extra_lag_days: int = 0,
) -> PolicyResult:
    """Every distributor under one policy (a :class:`Policy` or a release name)."""
    schedule = schedule or load_schedule()
    if isinstance(policy, str):
        policy = resolve_policy(policy, schedule)
    results = [simulate_distributor(d, policy, schedule, extra_lag_days) for d in distributors]
    return PolicyResult(policy=policy, extra_lag_days=extra_lag_days, distributors=results)


def compare_policies(
    distributors: Sequence[Distributor],
    policies: Sequence[Policy | str],
    schedule: Schedule | None = None,
    extra_lag_days: int = 0,
) -> list[PolicyResult]:
    """:func:`simulate_policy` for each policy, in the order given."""
    schedule = schedule or load_schedule()
    return [simulate_policy(distributors, p, schedule, extra_lag_days) for p in policies]
