"""The recommendation: the earliest policy whose expected severity-weighted exposure is under a
threshold the reviewer sets. Earliest, because every policy after it costs CPython another
stretch of dual signing for no required reduction in harm; the threshold is the reviewer's call,
so the sentence states the numbers behind the choice rather than hiding them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from analysis.simulation.montecarlo import PolicyDistribution


@dataclass(frozen=True)
class Recommendation:
    policy: str | None
    threshold: float
    sentence: str


def _days(x: float) -> str:
    return f"{x:,.0f}"


def recommend(policies: Sequence[PolicyDistribution], threshold: float) -> Recommendation:
    """Pick among ``policies`` (any order; compared by date) and explain the pick in one sentence."""
    if not policies:
        return Recommendation(None, threshold, "No policies were simulated.")
    ordered = sorted(policies, key=lambda p: p.policy.date)
    draws = ordered[0].draws
    for i, p in enumerate(ordered):
        if p.expected_weighted_days < threshold:
            lo, hi = p.weighted_interval
            earlier = ""
            if i > 0:
                prev = ordered[i - 1]
                earlier = (
                    f"; the one before it, {prev.policy.name}, would mean {_days(prev.expected_weighted_days)} "
                    f"days with {prev.expected_exposed:.1f} distributors exposed"
                )
            unknown = f" ({p.n_unknown} distributors with unknown exposure are not counted)" if p.n_unknown else ""
            return Recommendation(
                p.policy.name,
                threshold,
                f"Stop PGP at {p.policy.name} ({p.policy.date.isoformat()}): the earliest policy whose expected "
                f"severity-weighted exposure, {_days(p.expected_weighted_days)} days (90% of {draws:,} draws: "
                f"{_days(lo)}–{_days(hi)}), is under the threshold of {_days(threshold)} days, with "
                f"{p.expected_exposed:.1f} distributors exposed on average{earlier}{unknown}.",
            )
    best = min(ordered, key=lambda p: p.expected_weighted_days)
    return Recommendation(
        None,
        threshold,
        f"No simulated policy keeps the expected severity-weighted exposure under {_days(threshold)} days; "
        f"the lowest is {best.policy.name} with {_days(best.expected_weighted_days)} days and "
        f"{best.expected_exposed:.1f} distributors exposed on average.",
    )
