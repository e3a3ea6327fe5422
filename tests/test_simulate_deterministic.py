"""Hand-computed cases for each rule of the deterministic core, and the monotonicity property."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.schedule import load_schedule, resolve_policy
from analysis.simulation import (
    compare_policies,
    distributors_from_responses,
    make_distributor,
    simulate_distributor,
    simulate_policy,
)
from analysis.storage import ResponseStore
from tests.conftest import make_response


def dist(
    stage: str = "beta", lag: int = 0, likely: str | None = "2025-07-01", status: str = "evaluating", **kw: object
):
    return make_distributor(
        name=str(kw.pop("name", "Gentoo")),
        prerelease_start=stage,
        lag_days=lag,
        sigstore_status=status,
        ready_likely=likely,
        worst_case=kw.pop("worst_case", ("ship-unverified",)),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


def test_gentoo_example_and_slipped_release_uses_actual_date() -> None:
    # 3.14.0b1 was planned for 2025-05-06 and made on 2025-05-07: the actual date counts.
    r = simulate_distributor(dist(), resolve_policy("3.14.0b1"))
    assert r.fetch_start == date(2025, 5, 7)
    assert r.first_affected_date == date(2025, 5, 7)
    assert r.ready_date == date(2025, 7, 1)
    assert r.exposed_days == 55 and r.status == "exposed" and r.exposed
    assert r.explanation == (
        "Gentoo starts at beta +0 days, meets 3.14.0b1 on 2025-05-07, expects to verify Sigstore on 2025-07-01: "
        "55 days exposed."
    )


def test_lag_before_the_policy_date_waits_for_the_policy() -> None:
    # alpha 3.14.0a1 (2024-10-15) + 200 days = 2025-05-03, before 3.14.0b1 (2025-05-07)
    r = simulate_distributor(dist("alpha", 200), resolve_policy("3.14.0b1"))
    assert r.fetch_start == date(2025, 5, 3)
    assert r.first_affected_date == date(2025, 5, 7)
    assert r.exposed_days == 55


def test_lag_crossing_the_policy_date_starts_later() -> None:
    # alpha + 220 days = 2025-05-23, after the policy: first unsigned artifact is the fetch start
    r = simulate_distributor(dist("alpha", 220), resolve_policy("3.14.0b1"))
    assert r.fetch_start == date(2025, 5, 23)
    assert r.first_affected_date == date(2025, 5, 23)
    assert r.exposed_days == 39  # 2025-05-23 -> 2025-07-01
    assert "fetches its first 3.14 release on 2025-05-23" in r.explanation


def test_post_final_counts_from_the_final_release() -> None:
    # 3.14.0 final 2025-10-07 + 30 days = 2025-11-06; ready 2025-12-01 -> 25 days
    r = simulate_distributor(dist("post-final", 30, "2025-12-01"), resolve_policy("3.14.0rc1"))
    assert r.fetch_release == "3.14.0"
    assert r.fetch_start == date(2025, 11, 6)
    assert r.first_affected_date == date(2025, 11, 6)
    assert r.exposed_days == 25
    assert "starts 30 days after the final release" in r.explanation


def test_ready_before_the_policy_is_not_exposed() -> None:
    r = simulate_distributor(dist("alpha", 0, "2025-04-01"), resolve_policy("3.14.0b1"))
    assert r.exposed_days == 0 and r.status == "not exposed" and r.exposed is False
    assert r.explanation.endswith("in time: not exposed.")


def test_in_production_is_never_exposed() -> None:
    r = simulate_distributor(dist("alpha", 0, "2027-01-01", status="in-production"), resolve_policy("3.14.0a1"))
    assert r.status == "in production" and r.exposed_days == 0 and r.ready_date is None
    assert r.exposed is False


def test_missing_ready_date_is_unknown_never_zero() -> None:
    r = simulate_distributor(dist(likely=None), resolve_policy("3.14.0b1"))
    assert r.status == "unknown" and r.exposed_days is None and r.ready_date is None and r.exposed is None
    result = simulate_policy([dist(likely=None), dist(name="Debian")], "3.14.0b1")
    assert result.n_unknown == 1 and result.n_exposed == 1 and result.total_exposed_days == 55
    as_json = result.as_json()["distributors"][0]
    assert as_json["ready_date"] is None and as_json["exposed_days"] is None


def test_unscheduled_release_without_a_planned_date_is_a_valid_policy() -> None:
    # 3.15.0a5 (2026-01-14) has no planned date; alpha starters of 3.15 began at 3.15.0a1 (2025-10-14)
    r = simulate_distributor(dist("alpha", 0, "2026-02-01"), resolve_policy("3.15.0a5"))
    assert r.fetch_start == date(2025, 10, 14)
    assert r.first_affected_date == date(2026, 1, 14)
    assert r.exposed_days == 18


def test_policy_affects_its_own_line_only() -> None:
    # Stopping at 3.15.0b1 keeps 3.14 signed: a beta starter meets the 3.15 beta, not the 3.14 one.
    r = simulate_distributor(dist("beta", 0, "2026-06-01"), resolve_policy("3.15.0b1"))
    assert r.fetch_release == "3.15.0b1" and r.first_affected_date == date(2026, 5, 7)
    assert r.exposed_days == 25


def test_extra_lag_is_added_and_explained() -> None:
    r = simulate_distributor(dist("beta", 0), resolve_policy("3.14.0b1"), extra_lag_days=14)
    assert r.fetch_start == date(2025, 5, 21) and r.exposed_days == 41
    assert "(answer +0, +14 assumed)" in r.explanation


def test_severity_weighting_in_totals() -> None:
    result = simulate_policy(
        [dist(name="A", worst_case=("ship-unverified",)), dist(name="B", worst_case=("delay-upgrades",))], "3.14.0b1"
    )
    assert result.total_exposed_days == 110
    assert result.weighted_exposed_days == 55 * 1.0 + 55 * 0.2


def test_latest_answer_per_distributor_counts_once() -> None:
    old = make_response(distributor="Debian", submitted_at="2026-01-01T00:00:00Z")
    new = make_response(distributor=" debian ", submitted_at="2026-02-01T00:00:00Z", prerelease_start="rc")
    people = distributors_from_responses([old, new])
    assert len(people) == 1 and people[0].prerelease_start == "rc"


RELEASES = [r.name for r in load_schedule().releases]


@settings(max_examples=150, deadline=None)
@given(
    stage=st.sampled_from(["alpha", "beta", "rc", "final", "post-final"]),
    lag=st.integers(0, 400),
    ready=st.dates(date(2023, 1, 1), date(2029, 12, 31)),
    pair=st.lists(st.sampled_from(RELEASES), min_size=2, max_size=2, unique=True),
    extra=st.integers(-30, 120),
)
def test_a_later_policy_never_increases_exposure(
    stage: str, lag: int, ready: date, pair: list[str], extra: int
) -> None:
    schedule = load_schedule()
    early, late = sorted((resolve_policy(n, schedule) for n in pair), key=lambda p: (p.date, p.line))
    d = dist(stage, lag, ready.isoformat())
    a, b = compare_policies([d], [early, late], schedule, extra_lag_days=extra)
    assert (b.distributors[0].exposed_days or 0) <= (a.distributors[0].exposed_days or 0)


@settings(max_examples=50, deadline=None)
@given(ready=st.dates(date(2024, 1, 1), date(2028, 1, 1)), lag=st.integers(0, 200))
def test_exposure_is_ready_minus_first_affected(ready: date, lag: int) -> None:
    r = simulate_distributor(dist("rc", lag, ready.isoformat()), resolve_policy("3.14.0a1"))
    assert r.first_affected_date == max(date(2024, 10, 15), date(2025, 7, 22) + timedelta(days=lag))
    assert r.exposed_days == max(0, (ready - r.first_affected_date).days)


def test_store_path_counts_one_distributor_by_the_cross_tab_rule(store: ResponseStore) -> None:
    """Aliases fold to one distributor, and the same response speaks for it as on the dashboard."""
    from analysis.crosstab import ANALYSIS_COLUMNS, select_unit
    from analysis.simulation import load_distributors

    store.import_responses(
        [
            make_response(distributor="RHEL", prerelease_start="alpha", submitted_at="2025-01-01T00:00:00Z"),
            make_response(
                distributor="Red Hat Enterprise Linux", prerelease_start="rc", submitted_at="2025-02-01T00:00:00Z"
            ),
        ]
    )
    [dist] = load_distributors(store)
    counted = select_unit(store.latest_frame(columns=ANALYSIS_COLUMNS), "distributor")
    assert dist.name == counted.iloc[0]["distributor"] == "Red Hat Enterprise Linux"
    assert dist.prerelease_start == "rc"
