"""Monte Carlo around the deterministic core: uncertain release dates and ready dates.

Per draw, every release not yet made gets ``date + slip`` with the slip drawn from the empirical
per-stage distribution (:func:`analysis.schedule.slip_samples`); releases already made keep their
actual date unless ``redraw_past`` asks for the "as seen at decision time" view. Every distributor
gets a ready date drawn from a triangular(earliest, likely, latest) distribution. When only
``likely`` is given, the defaults are ``likely - 30`` and ``likely + 90`` days: skewed late,
because adoption plans slip far more often than they finish early. A distributor without a likely
date stays "unknown" (excluded from the counts, reported separately), as in the deterministic core;
so does one that left "do you verify PGP today?" unanswered. One that does not verify PGP today is
never exposed (P 0) and counted apart (``n_unverified``).

Vectorised: distributors x draws arrays of float32 day numbers (the draws axis is contiguous so
the per-distributor percentiles are one ``np.partition`` each), one pass per policy. 10,000 draws
x 1,000 distributors x 7 policies takes well under a second (``bench/bench_simulate.py``).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from analysis.schedule import STAGES, Policy, Schedule, SlipBasis, load_schedule, resolve_policy, slip_samples
from analysis.simulation.inputs import Distributor

#: Day 0 of the integer time axis.
EPOCH = date(2020, 1, 1)
#: z for a two-sided 90% interval.
_Z90 = 1.6448536269514722


@dataclass(frozen=True)
class MonteCarloConfig:
    """The uncertainty knobs; every one of them is shown on the page."""

    draws: int = 2000
    seed: int = 761
    spread_before_days: int = 30
    spread_after_days: int = 90
    slip_basis: SlipBasis = "last"
    redraw_past: bool = False


@dataclass(frozen=True)
class PolicyDistribution:
    """One policy's Monte Carlo summary plus per-distributor statistics (aligned with ``names``)."""

    policy: Policy
    draws: int
    n_distributors: int
    n_unknown: int
    n_in_production: int
    #: Distributors that do not verify PGP today (never exposed, not unknown).
    n_unverified: int
    expected_exposed: float
    #: 5th-95th percentile of the number exposed across draws: the spread of plausible outcomes.
    exposed_interval: tuple[float, float]
    #: 90% Monte Carlo confidence interval of ``expected_exposed``: narrows as draws grow (1/sqrt(N)).
    expected_exposed_ci: tuple[float, float]
    expected_total_days: float
    expected_weighted_days: float
    weighted_interval: tuple[float, float]
    expected_weighted_ci: tuple[float, float]
    names: tuple[str, ...]
    #: P(exposed) per distributor; NaN when unknown, 0 when in production or unverified today.
    p_exposed: np.ndarray
    p50_days: np.ndarray
    p90_days: np.ndarray
    mean_days: np.ndarray

    def summary(self) -> dict[str, Any]:
        def r(x: float) -> float:
            return round(float(x), 2)

        return {
            "policy": self.policy.name,
            "policy_date": self.policy.date.isoformat(),
            "description": self.policy.description,
            "draws": self.draws,
            "distributors": self.n_distributors,
            "unknown": self.n_unknown,
            "unverified_today": self.n_unverified,
            "expected_exposed": r(self.expected_exposed),
            "exposed_interval_90": [r(v) for v in self.exposed_interval],
            "expected_exposed_ci_90": [r(v) for v in self.expected_exposed_ci],
            "expected_total_days": r(self.expected_total_days),
            "expected_weighted_days": r(self.expected_weighted_days),
            "weighted_interval_90": [r(v) for v in self.weighted_interval],
        }

    def distributor_frame(self) -> pd.DataFrame:
        """One row per distributor: P(exposed), p50/p90/mean exposed days (NaN when unknown)."""
        return pd.DataFrame(
            {
                "distributor": list(self.names),
                "p_exposed": self.p_exposed,
                "p50_days": self.p50_days,
                "p90_days": self.p90_days,
                "mean_days": self.mean_days,
            }
        )


@dataclass(frozen=True)
class MonteCarloResult:
    config: MonteCarloConfig
    extra_lag_days: int
    policies: list[PolicyDistribution]

    def by_name(self, name: str) -> PolicyDistribution:
        for p in self.policies:
            if p.policy.name == name:
                return p
        raise KeyError(name)

    def summary_frame(self) -> pd.DataFrame:
        return pd.DataFrame([p.summary() for p in self.policies])


def ready_bounds(
    distributors: Sequence[Distributor], spread_before: int, spread_after: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(earliest, likely, latest) day numbers for distributors with a likely date; the documented
    default spread fills a missing earliest/latest."""
    lo, mode, hi = [], [], []
    for d in distributors:
        assert d.ready_likely is not None
        m = (d.ready_likely - EPOCH).days
        e = (d.ready_earliest - EPOCH).days if d.ready_earliest else m - spread_before
        u = (d.ready_latest - EPOCH).days if d.ready_latest else m + spread_after
        lo.append(min(e, m))
        mode.append(m)
        hi.append(max(u, m))
    return (np.asarray(lo, np.float32), np.asarray(mode, np.float32), np.asarray(hi, np.float32))


def triangular(rng: np.random.Generator, lo: np.ndarray, mode: np.ndarray, hi: np.ndarray, draws: int) -> np.ndarray:
    """(n, draws) int32 day numbers drawn from triangular(lo, mode, hi), rounded to whole days.

    Inverse CDF with in-place arithmetic (one float32 buffer, one bool mask), because this is the
    largest array of the simulation; tolerates ``lo == hi`` (a point mass), which
    ``Generator.triangular`` refuses.
    """
    u = rng.random((lo.shape[0], draws), dtype=np.float32)
    lo_, mode_, hi_ = lo[:, None], mode[:, None], hi[:, None]
    width = hi_ - lo_
    below = width * (mode_ - lo_)  # F^-1(u) = lo + sqrt(u * below)        for u < cut
    above = width * (hi_ - mode_)  # F^-1(u) = hi - sqrt((1 - u) * above)  otherwise
    cut = np.divide(mode_ - lo_, width, out=np.zeros_like(width), where=width > 0)
    left = u < cut
    x = np.subtract(np.float32(1.0), u)
    x *= above
    u *= below
    np.copyto(x, u, where=left)
    del u
    np.sqrt(x, out=x)
    np.negative(x, out=x, where=~left)  # right branch: hi - sqrt(...)
    x += hi_
    np.subtract(x, width, out=x, where=left)  # left branch: hi - width + sqrt(...) = lo + sqrt(...)
    return np.rint(x, out=x).astype(np.int32)


def release_date_draws(
    schedule: Schedule, names: Sequence[str], config: MonteCarloConfig, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Release name -> (draws,) int32 day numbers with slips applied."""
    samples = slip_samples(config.slip_basis)
    out: dict[str, np.ndarray] = {}
    for name in sorted(set(names), key=schedule.names().index):
        release = schedule.get(name)
        assert release is not None
        if release.actual is not None and not (config.redraw_past and release.planned is not None):
            out[name] = np.full(config.draws, (release.actual - EPOCH).days, np.int32)
            continue
        base = (release.planned or release.date) - EPOCH
        pool = np.asarray(samples.get(release.stage) or (0,), np.int32)
        out[name] = base.days + rng.choice(pool, size=config.draws)
    return out


def _interval(values: np.ndarray) -> tuple[float, float]:
    lo, hi = np.quantile(values, [0.05, 0.95])
    return float(lo), float(hi)


def _ci(values: np.ndarray) -> tuple[float, float]:
    mean = float(values.mean())
    half = _Z90 * float(values.std(ddof=1)) / np.sqrt(values.size) if values.size > 1 else 0.0
    return mean - half, mean + half


@dataclass(frozen=True)
class _Blocks:
    """Active distributors sorted so that each (stage, weight) group is a contiguous row block:
    fetch starts are then a broadcast add per block (no gather) and weighted sums a few row sums
    (no float copy of the big array)."""

    order: np.ndarray  # row -> index into the caller's distributor list
    stage_blocks: list[tuple[int, int, int]]  # (stage index, start row, end row)
    weight_blocks: list[tuple[float, int, int]]  # (weight, start row, end row)
    lag: np.ndarray  # (rows, 1) int32


def _blocks(active: Sequence[Distributor], active_idx: np.ndarray, extra_lag_days: int) -> _Blocks:
    stage = np.array(
        [STAGES.index("final" if d.prerelease_start == "post-final" else d.prerelease_start) for d in active]
    )
    weight = np.array([d.weight for d in active], np.float64)
    perm = np.lexsort((weight, stage)) if len(active) else np.zeros(0, np.intp)
    stage, weight = stage[perm], weight[perm]
    lag = np.array([max(0, active[i].lag_days + extra_lag_days) for i in perm], np.int32).reshape(-1, 1)

    def runs(values: np.ndarray) -> list[tuple[object, int, int]]:
        if values.size == 0:
            return []
        cuts = np.flatnonzero(values[1:] != values[:-1]) + 1
        bounds = [0, *cuts.tolist(), values.size]
        return [(values[a].item(), a, b) for a, b in itertools.pairwise(bounds)]

    stage_runs = [(int(v), a, b) for v, a, b in runs(stage)]  # type: ignore[call-overload]
    weight_runs = [(float(v), a, b) for v, a, b in runs(weight)]  # type: ignore[arg-type]
    return _Blocks(order=active_idx[perm], stage_blocks=stage_runs, weight_blocks=weight_runs, lag=lag)


def _quantiles_from_counts(exposed: np.ndarray, draws: int) -> tuple[np.ndarray, ...]:
    """P(exposed), p50, p90 and mean per row of a non-negative int32 array, from one bincount.

    Exposed days are whole days in a bounded range, so a per-row histogram gives exact order
    statistics faster than partitioning 10 million values. Destroys ``exposed``.
    """
    rows = exposed.shape[0]
    width = int(exposed.max()) + 1 if exposed.size else 1
    exposed += (np.arange(rows, dtype=np.int32) * width)[:, None]
    hist = np.bincount(exposed.ravel(), minlength=rows * width).reshape(rows, width)
    cum = np.cumsum(hist, axis=1)
    k50, k90 = int(0.5 * (draws - 1)), int(0.9 * (draws - 1))
    p50 = (cum > k50).argmax(axis=1).astype(np.float64)
    p90 = (cum > k90).argmax(axis=1).astype(np.float64)
    p_exposed = 1.0 - hist[:, 0] / draws
    mean = hist @ np.arange(width, dtype=np.float64) / draws
    return p_exposed, p50, p90, mean


@dataclass(frozen=True)
class _ReadyHistogram:
    """Per-distributor histogram of the drawn ready dates, built once per run.

    When a policy's release dates do not vary across draws (every release involved already
    happened, the usual case), first_affected is one date per distributor and exposure is the
    monotone map max(0, ready - first_affected): its quantiles, P(exposed) and mean follow from
    this histogram exactly, without another pass over the draws.
    """

    low: np.ndarray  # (rows,) smallest drawn day per row
    hist: np.ndarray  # (rows, width) counts of low + k
    cum: np.ndarray
    q50: np.ndarray  # ready-date quantiles (day numbers)
    q90: np.ndarray
    draws: int

    @classmethod
    def build(cls, ready: np.ndarray, draws: int) -> _ReadyHistogram:
        rows = ready.shape[0]
        if rows == 0:
            empty = np.zeros((0, 1), np.int64)
            return cls(np.zeros(0, np.int64), empty, empty, np.zeros(0), np.zeros(0), draws)
        low = ready.min(axis=1).astype(np.int64)
        offset = ready - low[:, None].astype(np.int32)
        width = int(offset.max()) + 1
        offset += (np.arange(rows, dtype=np.int32) * width)[:, None]
        hist = np.bincount(offset.ravel(), minlength=rows * width).reshape(rows, width)
        cum = np.cumsum(hist, axis=1)
        k50, k90 = int(0.5 * (draws - 1)), int(0.9 * (draws - 1))
        q50 = low + (cum > k50).argmax(axis=1)
        q90 = low + (cum > k90).argmax(axis=1)
        return cls(low, hist, cum, q50.astype(np.float64), q90.astype(np.float64), draws)

    def exposure_stats(self, first_affected: np.ndarray) -> tuple[np.ndarray, ...]:
        """P(exposed), p50, p90, mean exposed days per row for a fixed first-affected day per row."""
        fa = first_affected.astype(np.int64)
        width = self.hist.shape[1]
        shift = fa - self.low  # histogram bin of the first-affected day
        not_exposed = np.where(
            shift < 0, 0, self.cum[np.arange(fa.size), np.clip(shift, 0, width - 1)]
        )  # draws with ready <= first affected
        p_exposed = 1.0 - not_exposed / self.draws
        p50 = np.maximum(0.0, self.q50 - fa)
        p90 = np.maximum(0.0, self.q90 - fa)
        days = np.maximum(0, self.low[:, None] + np.arange(width)[None, :] - fa[:, None])
        mean = (self.hist * days).sum(axis=1) / self.draws
        return p_exposed, p50, p90, mean


def run_monte_carlo(
    distributors: Sequence[Distributor],
    policies: Sequence[Policy | str],
    config: MonteCarloConfig | None = None,
    schedule: Schedule | None = None,
    extra_lag_days: int = 0,
) -> MonteCarloResult:
    """Simulate ``config.draws`` futures for every policy. Same seed, same numbers."""
    config = config or MonteCarloConfig()
    if config.draws < 2:
        raise ValueError("draws must be at least 2")
    schedule = schedule or load_schedule()
    resolved = [resolve_policy(p, schedule) if isinstance(p, str) else p for p in policies]
    rng = np.random.default_rng(config.seed)
    draws = config.draws

    names = tuple(d.name for d in distributors)
    in_prod = np.array([d.in_production for d in distributors], bool)
    unverified = np.array([d.ships_unverified for d in distributors], bool)
    not_exposed = in_prod | unverified
    known = np.array([d.ready_likely is not None and not d.pgp_unanswered for d in distributors], bool)
    active_idx = np.flatnonzero(known & ~not_exposed)
    active = [distributors[i] for i in active_idx.tolist()]

    # Needed release dates: each policy's release and the first release of each stage of its line.
    stage_release: dict[tuple[str, str], str] = {}
    for p in resolved:
        for stage in STAGES:
            stage_release[(p.line, stage)] = schedule.first_of_stage(p.line, stage).name
    dates = release_date_draws(schedule, [*(p.name for p in resolved), *stage_release.values()], config, rng)

    blocks = _blocks(active, active_idx, extra_lag_days)
    lo, mode, hi = ready_bounds(
        [distributors[i] for i in blocks.order], config.spread_before_days, config.spread_after_days
    )
    ready = triangular(rng, lo, mode, hi, draws)  # (rows, draws) int32, rows in block order
    ready_hist = _ReadyHistogram.build(ready, draws)
    buf = np.empty_like(ready)

    n = len(distributors)
    n_unknown = int((~known & ~not_exposed).sum())
    results = []
    for p in resolved:
        needed = [dates[p.name], *(dates[stage_release[(p.line, s)]] for s in STAGES)]
        fixed = all(int(d.min()) == int(d.max()) for d in needed)
        # first affected = max(policy date, first release of the stage + lag), block by block
        for stage_no, a, b in blocks.stage_blocks:
            np.add(dates[stage_release[(p.line, STAGES[stage_no])]][None, :], blocks.lag[a:b], out=buf[a:b])
        np.maximum(buf, dates[p.name][None, :], out=buf)
        first_affected = buf[:, 0].copy() if fixed else None
        np.subtract(ready, buf, out=buf)
        np.maximum(buf, 0, out=buf)  # exposed days

        count = np.count_nonzero(buf, axis=0).astype(np.float64)
        weighted = np.zeros(draws, np.float64)
        for weight, a, b in blocks.weight_blocks:
            if weight:
                weighted += weight * buf[a:b].sum(axis=0, dtype=np.int64)

        p_exp = np.full(n, np.nan)
        p50, p90, mean = p_exp.copy(), p_exp.copy(), p_exp.copy()
        for arr in (p_exp, p50, p90, mean):
            arr[not_exposed] = 0.0
        if blocks.order.size:
            if first_affected is not None:
                stats = ready_hist.exposure_stats(first_affected)
            else:
                stats = _quantiles_from_counts(buf, draws)
            for arr, values in zip((p_exp, p50, p90, mean), stats, strict=True):
                arr[blocks.order] = values
        results.append(
            PolicyDistribution(
                policy=p,
                draws=draws,
                n_distributors=n,
                n_unknown=n_unknown,
                n_in_production=int(in_prod.sum()),
                n_unverified=int(unverified.sum()),
                expected_exposed=float(count.mean()),
                exposed_interval=_interval(count),
                expected_exposed_ci=_ci(count),
                expected_total_days=float(np.nansum(mean)),
                expected_weighted_days=float(weighted.mean()),
                weighted_interval=_interval(weighted),
                expected_weighted_ci=_ci(weighted),
                names=names,
                p_exposed=p_exp,
                p50_days=p50,
                p90_days=p90,
                mean_days=mean,
            )
        )
    return MonteCarloResult(config=config, extra_lag_days=extra_lag_days, policies=results)
