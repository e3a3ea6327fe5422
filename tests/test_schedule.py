"""The release calendar as the simulator reads it: dates, special cases, policies, slips."""

from __future__ import annotations

from datetime import date

import pytest

from analysis.schedule import (
    UnknownPolicyError,
    builtin_policies,
    builtin_policy_descriptions,
    load_schedule,
    load_support_windows,
    resolve_policy,
    slip_samples,
)
from analysis.severity import load_severity, parse_severity


def test_date_is_actual_when_known_else_planned() -> None:
    s = load_schedule()
    b1 = s.get("3.14.0b1")
    assert b1 is not None and b1.planned == date(2025, 5, 6) and b1.actual == date(2025, 5, 7)
    assert b1.date == date(2025, 5, 7)  # slipped one day: the actual date wins
    final = s.get("3.15.0")  # planned 2026-10-01, released 2026-10-09 (after the extra rc3)
    assert final is not None and final.planned == date(2026, 10, 1) and final.date == date(2026, 10, 9)
    future = s.get("3.16.0")
    assert future is not None and future.actual is None and future.date == date(2027, 10, 5)


def test_extra_release_candidate_is_a_policy_without_a_plan() -> None:
    rc3 = resolve_policy("3.15.0rc3")
    assert rc3.release.planned is None and rc3.date == date(2026, 10, 2) and not rc3.builtin
    assert load_schedule().newest_released_line() == "3.15"


def test_unscheduled_alpha_has_no_plan_but_a_date() -> None:
    a5 = load_schedule().get("3.15.0a5")
    assert a5 is not None and a5.planned is None
    assert a5.date == date(2026, 1, 14)


def test_dropped_release_is_absent_and_rc3_present() -> None:
    s = load_schedule()
    assert s.get("3.13.0a7") is None
    assert s.get("3.13.0rc3") is not None and s.get("3.14.0rc3") is not None


def test_releases_sorted_by_date() -> None:
    dates = [r.date for r in load_schedule().releases]
    assert dates == sorted(dates)


def test_first_of_stage_and_post_final() -> None:
    s = load_schedule()
    assert s.first_of_stage("3.14", "beta").name == "3.14.0b1"
    assert s.first_of_stage("3.15", "rc").name == "3.15.0rc1"
    assert s.first_of_stage("3.14", "post-final").name == "3.14.0"


def test_indexed_lookups_equal_a_scan_of_every_release() -> None:
    """``first_of_stage`` and ``line_releases`` are dict lookups built once; they must answer
    exactly what scanning the releases answers, for every line and stage in the file."""
    s = load_schedule()
    stages = {r.stage for r in s.releases} | {"post-final"}
    for line in s.lines():
        assert s.line_releases(line) == [r for r in s.releases if r.line == line]
        for stage in stages:
            wanted = "final" if stage == "post-final" else stage
            candidates = [r for r in s.releases if r.line == line and r.stage == wanted]
            if candidates:
                assert s.first_of_stage(line, stage) == min(candidates, key=lambda r: r.date)
            else:
                with pytest.raises(LookupError, match=f"no .* release of {line}"):
                    s.first_of_stage(line, stage)
    got = s.line_releases("3.14")
    got.clear()  # a caller's list is its own: the index is not changed through it
    assert s.line_releases("3.14")


def test_builtin_policies_from_data_file() -> None:
    names = [p.name for p in builtin_policies()]
    assert names == ["3.14.0a1", "3.14.0b1", "3.14.0rc1", "3.14.0", "3.15.0a1", "3.15.0b1", "3.15.0"]
    assert all(builtin_policy_descriptions()[n] for n in names)
    assert all(p.builtin for p in builtin_policies())


def test_any_release_is_a_policy_and_others_are_errors() -> None:
    p = resolve_policy("3.13.0rc2")
    assert p.line == "3.13" and not p.builtin and p.date == date(2024, 9, 6)
    with pytest.raises(UnknownPolicyError, match=r"'3\.14\.7' is not a release.*3\.14\.0b1"):
        resolve_policy("3.14.7")


def test_slips_from_last_announced_date() -> None:
    slips = slip_samples("last")
    assert set(slips) == {"alpha", "beta", "rc", "final"}
    assert 29 in slips["alpha"]  # 3.13.0a3: announced 2023-12-19, made 2024-01-17
    assert 2 in slips["rc"]  # 3.14.0rc3: 2025-09-16 -> 2025-09-18
    made = [r for r in load_schedule().releases if r.actual and r.planned]
    assert sum(len(v) for v in slips.values()) == len(made)


def test_slips_from_original_plan_skip_renumbered_alphas() -> None:
    slips = slip_samples("first")
    # 3.13.0 and 3.14.0 both moved from 10-01 to 10-07; 3.15.0 from 10-01 to 10-09 (rc3 inserted).
    assert slips["final"] == (6, 6, 8)
    assert slip_samples("last")["final"] == (0, 0, 8)
    # 3.15.0a6-a8 were renamed slots (a fake -28 days); 3.15.0a5 had no plan at all.
    assert -28 not in slips["alpha"] and -27 not in slips["alpha"]


def test_support_windows_month_precision_eol() -> None:
    windows = load_support_windows()
    assert windows["3.13"].end_of_life == date(2029, 10, 1)
    assert windows["3.16"].first_release == date(2027, 10, 6)
    assert windows["3.15"].first_release == date(2026, 10, 9)  # the final's actual date


def test_severity_mapping_highest_wins_and_default() -> None:
    sev = load_severity()
    assert sev.level_of(["delay-upgrades", "ship-unverified"]) == "high"
    assert sev.level_of(["no-impact"]) == "none"
    assert sev.level_of([]) == sev.default == "medium"
    assert sev.weight("high") == 1.0 and sev.weight("none") == 0.0


def test_severity_mapping_errors_name_the_problem() -> None:
    good = {"levels": {"high": 1, "medium": 0.5, "low": 0.2, "none": 0}, "default": "medium"}
    with pytest.raises(ValueError, match="misses answer codes"):
        parse_severity({**good, "worst_case": {"ship-unverified": "high"}})
    with pytest.raises(ValueError, match="unknown answer codes"):
        parse_severity({**good, "worst_case": {"made-up": "high"}})


def test_newest_released_line_is_the_newest_line_with_an_actual_final() -> None:
    from analysis.schedule import load_schedule

    # 3.15.0 was released (actual date); 3.16.0 only has a planned date in the reference data.
    assert load_schedule().newest_released_line() == "3.15"
