"""The "what if" for one distributor: change its answers, see its exposure change.

Pure: takes a :class:`Distributor` value and returns new values; it never reads or writes the
store, so a reviewer playing with answers cannot alter what a respondent submitted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from analysis.schedule import Policy, Schedule, load_schedule, resolve_policy
from analysis.simulation.deterministic import DistributorResult, simulate_distributor
from analysis.simulation.inputs import Distributor
from analysis.simulation.montecarlo import MonteCarloConfig, run_monte_carlo


@dataclass(frozen=True)
class Outcome:
    deterministic: DistributorResult
    p_exposed: float | None
    p50_days: float | None
    p90_days: float | None


@dataclass(frozen=True)
class WhatIf:
    original: Distributor
    modified: Distributor
    before: Outcome
    after: Outcome

    @property
    def delta_days(self) -> int | None:
        a, b = self.after.deterministic.exposed_days, self.before.deterministic.exposed_days
        return None if a is None or b is None else a - b


def _outcome(
    d: Distributor, policy: Policy, schedule: Schedule, config: MonteCarloConfig | None, extra_lag_days: int
) -> Outcome:
    det = simulate_distributor(d, policy, schedule, extra_lag_days)
    if config is None:
        return Outcome(det, None, None, None)
    mc = run_monte_carlo([d], [policy], config, schedule, extra_lag_days).policies[0]

    def first(values: Any) -> float | None:
        v = float(values[0])
        return None if math.isnan(v) else v

    return Outcome(det, first(mc.p_exposed), first(mc.p50_days), first(mc.p90_days))


def what_if(
    distributor: Distributor,
    changes: dict[str, Any],
    policy: Policy | str,
    schedule: Schedule | None = None,
    config: MonteCarloConfig | None = None,
    extra_lag_days: int = 0,
) -> WhatIf:
    """Before/after for one distributor under one policy; Monte Carlo too when ``config`` is given."""
    schedule = schedule or load_schedule()
    if isinstance(policy, str):
        policy = resolve_policy(policy, schedule)
    modified = distributor.with_answers(**changes)
    return WhatIf(
        original=distributor,
        modified=modified,
        before=_outcome(distributor, policy, schedule, config, extra_lag_days),
        after=_outcome(modified, policy, schedule, config, extra_lag_days),
    )
