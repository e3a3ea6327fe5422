"""Monte Carlo: reproducibility, agreement with the deterministic core, the statistics, the
recommendation and the what-if."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.schedule import builtin_policies, resolve_policy
from analysis.simulation import MonteCarloConfig, make_distributor, recommend, run_monte_carlo, simulate_policy, what_if
from analysis.simulation.montecarlo import EPOCH, _quantiles_from_counts, _ReadyHistogram, ready_bounds, triangular


def dist(name: str = "Gentoo", stage: str = "beta", lag: int = 0, **ready: object):
    status = str(ready.pop("status", "evaluating"))
    return make_distributor(
        name=name,
        prerelease_start=stage,
        lag_days=lag,
        sigstore_status=status,
        worst_case=("ship-unverified",),
        **{f"ready_{k}": v for k, v in ready.items()},  # type: ignore[arg-type]
    )


PEOPLE = [
    dist("A", "alpha", 7, likely="2025-10-07"),
    dist("B", "beta", 14, earliest="2025-01-15", likely="2025-09-01", latest="2026-06-30"),
    dist("C", "rc", 7),  # unknown
    dist("D", "final", 0, likely="2025-10-27", status="in-production"),
    dist("E", "post-final", 30, likely="2026-03-01", latest="2026-09-01"),
]


def test_same_seed_same_numbers_other_seed_other_numbers() -> None:
    cfg = MonteCarloConfig(draws=500, seed=11)
    a = run_monte_carlo(PEOPLE, builtin_policies(), cfg)
    b = run_monte_carlo(PEOPLE, builtin_policies(), cfg)
    c = run_monte_carlo(PEOPLE, builtin_policies(), MonteCarloConfig(draws=500, seed=12))
    assert a.summary_frame().equals(b.summary_frame())
    for x, y in zip(a.policies, b.policies, strict=True):
        np.testing.assert_array_equal(x.p90_days, y.p90_days)
    assert not a.summary_frame().equals(c.summary_frame())


def test_unknown_and_in_production() -> None:
    mc = run_monte_carlo(PEOPLE, ["3.14.0b1"], MonteCarloConfig(draws=300)).policies[0]
    frame = mc.distributor_frame().set_index("distributor")
    assert np.isnan(frame.loc["C", "p_exposed"])
    assert frame.loc["D", "p_exposed"] == 0 and frame.loc["D", "p90_days"] == 0
    assert mc.n_unknown == 1 and mc.n_in_production == 1 and mc.n_distributors == 5


def test_point_estimates_reproduce_the_deterministic_core() -> None:
    # earliest == likely == latest and releases already made: no uncertainty left at all.
    fixed = [dist("G", "beta", 0, earliest="2025-07-01", likely="2025-07-01", latest="2025-07-01")]
    det = simulate_policy(fixed, "3.14.0b1")
    mc = run_monte_carlo(fixed, ["3.14.0b1"], MonteCarloConfig(draws=200)).policies[0]
    assert det.distributors[0].exposed_days == 55
    assert mc.p_exposed[0] == 1.0 and mc.p50_days[0] == mc.p90_days[0] == mc.mean_days[0] == 55
    assert mc.expected_exposed == 1.0 and mc.exposed_interval == (1.0, 1.0)


def test_slips_apply_to_releases_not_yet_made() -> None:
    # 3.16.0 final is planned only (2027-10-05): with the original-plan basis its date slips by what
    # the finals slipped in the history: +6 (3.13), +6 (3.14), +8 (3.15, learnt from `schedule update`).
    fixed = [dist("P", "final", 0, earliest="2027-11-01", likely="2027-11-01", latest="2027-11-01")]
    cfg = MonteCarloConfig(draws=300, slip_basis="first")
    mc = run_monte_carlo(fixed, ["3.16.0"], cfg).policies[0]
    assert mc.p50_days[0] == (date(2027, 11, 1) - date(2027, 10, 11)).days  # two of three slips were +6
    assert mc.p90_days[0] == mc.p50_days[0] and 19 <= mc.mean_days[0] < 21  # a third of the draws slip +8
    # ...while releases that happened keep their date unless asked to re-draw them
    beta = [dist("G", "beta", 0, earliest="2025-07-01", likely="2025-07-01", latest="2025-07-01")]
    made = run_monte_carlo(beta, ["3.14.0b1"], MonteCarloConfig(draws=400, slip_basis="first")).policies[0]
    assert made.p50_days[0] == made.p90_days[0] == 55
    redrawn = MonteCarloConfig(draws=400, slip_basis="first", redraw_past=True)
    past = run_monte_carlo(beta, ["3.14.0b1"], redrawn).policies[0]
    assert past.p90_days[0] > past.p50_days[0] or past.mean_days[0] != 55  # planned 05-06 + drawn slips


def test_default_spread_when_only_likely_is_given() -> None:
    lo, mode, hi = ready_bounds([dist(likely="2025-07-01")], 30, 90)
    day = (date(2025, 7, 1) - EPOCH).days
    assert (lo[0], mode[0], hi[0]) == (day - 30, day, day + 90)


def test_triangular_bounds_and_mean() -> None:
    rng = np.random.default_rng(0)
    lo, mode, hi = (np.array([v, 5.0], np.float32) for v in (0.0, 30.0, 120.0))
    x = triangular(rng, lo, mode, hi, 20_000)
    assert x.dtype == np.int32 and x[0].min() >= 0 and x[0].max() <= 120
    assert abs(x[0].mean() - 50) < 1.5
    assert (x[1] == 5).all()  # lo == hi: a point mass, no error


def test_histogram_statistics_match_numpy() -> None:
    rng = np.random.default_rng(1)
    exposed = rng.integers(0, 300, size=(20, 1001)).astype(np.int32)
    exposed[exposed < 100] = 0
    expect_p50 = np.quantile(exposed, 0.5, axis=1, method="lower")
    expect_p90 = np.quantile(exposed, 0.9, axis=1, method="lower")
    expect_p = (exposed > 0).mean(axis=1)
    expect_mean = exposed.mean(axis=1)
    p, p50, p90, mean = _quantiles_from_counts(exposed.copy(), 1001)
    np.testing.assert_array_equal(p50, expect_p50)
    np.testing.assert_array_equal(p90, expect_p90)
    np.testing.assert_allclose(p, expect_p)
    np.testing.assert_allclose(mean, expect_mean)
    # the fixed-date fast path gives the same numbers as the generic one
    ready = rng.integers(1000, 1400, size=(20, 1001)).astype(np.int32)
    fa = rng.integers(900, 1500, size=20)
    fast = _ReadyHistogram.build(ready, 1001).exposure_stats(fa)
    slow = _quantiles_from_counts(np.maximum(ready - fa[:, None], 0).astype(np.int32), 1001)
    for f, s in zip(fast, slow, strict=True):
        np.testing.assert_allclose(f, s)


@settings(max_examples=15, deadline=None)
@given(
    spreads=st.lists(st.tuples(st.integers(1, 200), st.integers(1, 300)), min_size=1, max_size=5),
    seed=st.integers(0, 2**16),
)
def test_more_draws_narrow_the_interval(spreads: list[tuple[int, int]], seed: int) -> None:
    people = [
        dist(
            f"D{i}",
            "beta",
            0,
            likely=date(2025, 6, 1).isoformat(),
            earliest=f"2025-{1 + b % 5:02d}-01",
            latest=f"2026-{1 + a % 12:02d}-01",
        )
        for i, (a, b) in enumerate(spreads)
    ]
    few = run_monte_carlo(people, ["3.14.0b1"], MonteCarloConfig(draws=200, seed=seed)).policies[0]
    many = run_monte_carlo(people, ["3.14.0b1"], MonteCarloConfig(draws=5000, seed=seed)).policies[0]
    few_width = few.expected_weighted_ci[1] - few.expected_weighted_ci[0]
    many_width = many.expected_weighted_ci[1] - many.expected_weighted_ci[0]
    # 25x the draws: the Monte Carlo interval shrinks about 5x (1/sqrt(N)); the spread of outcomes does not.
    if few_width > 0:
        assert many_width < few_width


def test_recommendation_picks_the_earliest_policy_under_the_threshold() -> None:
    mc = run_monte_carlo(PEOPLE, builtin_policies(), MonteCarloConfig(draws=400, seed=3))
    weighted = {p.policy.name: p.expected_weighted_days for p in mc.policies}
    threshold = weighted["3.14.0rc1"] + 0.5
    rec = recommend(list(reversed(mc.policies)), threshold)
    first_under = next(p.policy.name for p in mc.policies if p.expected_weighted_days < threshold)
    assert rec.policy == first_under
    assert rec.sentence.startswith(f"Stop PGP at {first_under}")
    assert f"{threshold:,.0f} days" in rec.sentence and "400 draws" in rec.sentence
    none = recommend(mc.policies, -1)
    assert none.policy is None and "No simulated policy" in none.sentence


def test_what_if_is_pure_and_changes_exposure() -> None:
    base = dist("Gentoo", "beta", 0, likely="2025-07-01")
    before = (base.prerelease_start, base.ready_likely)
    scenario = what_if(
        base,
        {"ready_likely": "2025-06-01", "worst_case": ["delay-upgrades"]},
        "3.14.0b1",
        config=MonteCarloConfig(draws=200),
    )
    assert scenario.before.deterministic.exposed_days == 55
    assert scenario.after.deterministic.exposed_days == 25
    assert scenario.delta_days == -30
    assert scenario.after.deterministic.severity == "low"
    assert scenario.after.p_exposed is not None and scenario.before.p_exposed is not None
    assert (base.prerelease_start, base.ready_likely) == before  # the original value is untouched
    with pytest.raises(ValueError, match="cannot change"):
        what_if(base, {"distributor": "x"}, resolve_policy("3.14.0b1"))


def test_what_if_in_production_removes_exposure() -> None:
    scenario = what_if(dist(likely="2025-07-01"), {"sigstore_status": "in-production"}, "3.14.0b1")
    assert scenario.after.deterministic.status == "in production" and scenario.after.p_exposed is None
