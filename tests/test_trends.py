"""Trend chart data on a known history: status over time equals the as-of tables; readiness drift."""

from __future__ import annotations

from datetime import date

from analysis.crosstab import crosstab
from analysis.progress.trend_charts import drift_chart, status_trend_chart
from analysis.progress.trends import date_grid, progress_over_time, release_milestones
from analysis.schedule import load_schedule
from analysis.storage import ResponseStore
from analysis.storage.history import frame_as_of, revisions_frame
from tests.history_support import fill_history


def test_date_grid_is_capped_and_ends_on_the_last_day() -> None:
    assert date_grid(date(2026, 1, 1), date(2026, 1, 3)) == [date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3)]
    long = date_grid(date(2020, 1, 1), date(2026, 1, 1))
    assert len(long) <= 61 and long[0] == date(2020, 1, 1) and long[-1] == date(2026, 1, 1)
    assert date_grid(date(2026, 1, 2), date(2026, 1, 1)) == []


def test_status_over_time_on_the_known_history(store: ResponseStore) -> None:
    fill_history(store)
    progress = progress_over_time(revisions_frame(store), date(2026, 3, 10))
    status = progress.status.set_index("day")
    assert status.index[0] == date(2026, 1, 10) and status.index[-1] == date(2026, 3, 10)
    nonzero = {day: {k: v for k, v in status.loc[day].items() if v} for day in status.index}
    assert nonzero[date(2026, 1, 15)] == {"evaluating": 1}
    assert nonzero[date(2026, 1, 20)] == {"packaged": 1}
    assert nonzero[date(2026, 2, 1)] == {"not-started": 1, "packaged": 1}
    assert nonzero[date(2026, 2, 15)] == {"not-started": 1, "in-production": 1}
    assert nonzero[date(2026, 3, 5)] == {"evaluating": 1, "in-production": 1}
    # Every point is the overview's number at that as-of date.
    for day in (date(2026, 1, 19), date(2026, 2, 14), date(2026, 3, 4)):
        table = crosstab(frame_as_of(store, day), "sigstore_status", "distributor_kind", margins=True)
        assert status.loc[day].to_dict() == table["Total"].drop("Total").to_dict()


def test_readiness_drift_on_the_known_history(store: ResponseStore) -> None:
    fill_history(store)
    drift = {r.distributor: r for r in progress_over_time(revisions_frame(store), date(2026, 3, 10)).drift}
    fedora, debian = drift["Fedora"], drift["Debian"]
    assert (fedora.first_likely, fedora.last_likely, fedora.days, fedora.drift) == (
        date(2026, 9, 1),
        date(2026, 12, 1),
        91,
        "slipping",
    )
    assert (debian.first_likely, debian.last_likely, debian.drift, debian.moves) == (
        date(2026, 6, 1),
        date(2026, 3, 1),
        "earlier",
        2,
    )
    # As of mid-January only Debian had answered: holding, nothing moved yet.
    early = progress_over_time(revisions_frame(store), date(2026, 1, 15)).drift
    assert [(r.distributor, r.drift) for r in early] == [("Debian", "holding")]


def test_trend_charts_carry_the_data(store: ResponseStore) -> None:
    fill_history(store)
    progress = progress_over_time(revisions_frame(store), date(2026, 3, 10))
    schedule = load_schedule()
    milestones = release_milestones(schedule, date(2025, 1, 1), date(2025, 12, 31))
    beta = schedule.first_of_stage("3.14", "beta")
    assert (beta.date, beta.name, "beta") in [(m.day, m.label, m.stage) for m in milestones]
    fig = status_trend_chart(progress, milestones)
    traces = {t.name: list(t.y) for t in fig.data}
    assert list(traces) == ["Not started", "Evaluating", "Client packaged", "Verifying in CI", "In production"]
    assert traces["In production"][-1] == 1 and traces["Evaluating"][-1] == 1
    assert all(t.stackgroup == "status" for t in fig.data)
    assert len(fig.layout.shapes) == len(milestones)
    assert {a.text for a in fig.layout.annotations} == {m.label for m in milestones}
    drift = drift_chart(progress.drift)
    assert [t.name for t in drift.data] == ["slipping (later) (1)", "earlier (1)"]
    assert drift.data[0].x[:2] == ("2026-09-01", "2026-12-01")
    assert drift.data[0].y[0] == "Fedora"
