"""Review pages at an as-of date (AppTest): the numbers are the hand-computed ones and the page says its date."""

from __future__ import annotations

from datetime import date

from analysis.storage import ResponseStore
from tests.history_support import fill_history
from tests.review_support import all_text, open_page


def test_overview_as_of_a_date_then_crosstab_keeps_it(store: ResponseStore) -> None:
    fill_history(store)
    at = open_page("pages/overview.py")
    assert not at.exception, at.exception
    assert any("Answers as of now" in c.value for c in at.caption)
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Distributors"], metrics["Responses"]) == ("2", "3")

    at.sidebar.date_input[0].set_value(date(2026, 1, 15)).run()
    assert not at.exception, at.exception
    assert any("Answers as of the end of 2026-01-15 (UTC)" in i.value for i in at.info)
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Distributors"], metrics["Responses"]) == ("1", "1")
    assert metrics["Answered"] == "1"  # coverage is as of the date too (Debian only)

    at.switch_page("pages/crosstab.py").run()
    assert not at.exception, at.exception
    assert any("2026-01-15" in i.value for i in at.info)
    table = at.dataframe[0].value
    assert table.iloc[-1, -1] == 1  # grand total: one distributor (Debian) as of that day
    assert table.loc["Linux distribution", "Evaluating"] == 1


def test_distributors_and_simulator_pages_follow_the_date(store: ResponseStore) -> None:
    fill_history(store)
    at = open_page("pages/distributors.py")
    at.sidebar.date_input[0].set_value(date(2026, 2, 10)).run()
    assert not at.exception, at.exception
    text = all_text(at)
    assert "Debian GNU/Linux" in text and "Fedora" in text
    at.switch_page("pages/simulator.py").run()
    assert not at.exception, at.exception
    assert any("2026-02-10" in i.value for i in at.info)


def test_overview_shows_the_trend_charts(store: ResponseStore) -> None:
    import json

    fill_history(store)
    at = open_page("pages/overview.py")
    assert not at.exception, at.exception
    assert "Are they getting ready? Answers over time" in [h.value for h in at.header]
    charts = {json.loads(c.proto.spec)["layout"]["meta"]["chart"]: c for c in at.get("plotly_chart")}
    assert {"status_trend_chart", "drift_chart"} <= set(charts)
    drift = json.loads(charts["drift_chart"].proto.spec)
    assert [t["name"] for t in drift["data"]] == ["slipping (later) (1)", "earlier (1)"]
    assert any("1 slipping, 0 holding, 1 earlier" in c.value for c in at.caption)
