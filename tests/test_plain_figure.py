"""Figures built as plain data (``analysis.plain_figure``) are exactly what plotly's validation makes.

Every figure the app draws is rebuilt here with plotly's validation on: a property name plotly
does not know, or a value it would refuse or coerce, fails the rebuild or changes its JSON.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from analysis import charts
from analysis.crosstab import crosstab
from analysis.figure_layout import own_layout
from analysis.plain_figure import PlainFigure, merge
from analysis.progress.trend_charts import drift_chart, status_trend_chart
from analysis.progress.trends import progress_over_time, release_milestones
from analysis.schedule import builtin_policies, load_schedule
from analysis.simulation import MonteCarloConfig, compare_policies, make_distributor, run_monte_carlo
from analysis.storage import ResponseStore
from analysis.storage.history import revisions_frame
from analysis.timeline_chart import policy_comparison_figure, timeline_figure
from bench.synthetic import generate_responses
from tests.conftest import make_response
from tests.test_charts import BUILDERS


def _json(fig: go.Figure) -> Any:
    return json.loads(pio.to_json(fig, validate=False))


def assert_valid(fig: go.Figure) -> None:
    """The figure equals its rebuild through plotly's validation, property for property."""
    validated = go.Figure(fig.to_dict())  # raises on any property plotly does not know
    assert _json(validated) == _json(fig)


def test_merge_is_plotlys_update_rule() -> None:
    base: dict[str, Any] = {"margin": {"t": 80, "l": 20}, "range": [0, 1], "title": {"text": "a"}}
    source = {"font": {"size": 3}}
    merge(base, {"margin": {"t": 120}, "range": [5, 6], "title": "b", "legend": source})
    assert base == {"margin": {"t": 120, "l": 20}, "range": [5, 6], "title": "b", "legend": {"font": {"size": 3}}}
    base["legend"]["font"]["size"] = 99  # a merged-in dict is a copy, not the caller's object
    assert source == {"font": {"size": 3}}


def test_lines_and_layout_rules_equal_plotlys_own() -> None:
    """``add_vline``/``add_hline`` and ``own_layout`` on plain data make what plotly's calls make."""
    plain = PlainFigure().add_bar(x=[1, 2], y=["a", "b"], orientation="h")
    plain.add_vline("2025-05-07", line={"color": "#111111", "width": 3, "dash": "dash"})
    plain.add_hline(1.5, line={"color": "#888888", "width": 1})
    plain.own_layout(margin={"l": 10, "r": 20, "t": 100, "b": 10}, layout={"height": 400}, xaxes={"side": "top"})

    fig = go.Figure(go.Bar(x=[1, 2], y=["a", "b"], orientation="h"))
    fig.add_vline(x="2025-05-07", line={"color": "#111111", "width": 3, "dash": "dash"})
    fig.add_hline(y=1.5, line={"color": "#888888", "width": 1})
    own_layout(fig, margin={"l": 10, "r": 20, "t": 100, "b": 10}, layout={"height": 400}, xaxes={"side": "top"})
    assert _json(plain.figure()) == _json(fig)


def test_axis_updates_reach_every_subplot_axis() -> None:
    plain = PlainFigure().update_layout(xaxis={"domain": [0, 1]}, xaxis2={"domain": [0, 1]}, yaxis={}, yaxis2={})
    plain.update_xaxes(tickfont={"size": 16}).update_yaxes(rangemode="tozero")
    layout = plain.layout
    assert layout["xaxis"]["tickfont"] == layout["xaxis2"]["tickfont"] == {"size": 16}
    assert layout["yaxis"]["rangemode"] == layout["yaxis2"]["rangemode"] == "tozero"
    assert "xaxis3" not in layout and "height" not in layout


def test_a_figure_gets_its_own_template_copy() -> None:
    one, two = PlainFigure().figure(), PlainFigure().figure()
    one.layout.template.layout.paper_bgcolor = "black"
    assert two.layout.template.layout.paper_bgcolor == "white"


@pytest.fixture
def frame(store: ResponseStore) -> pd.DataFrame:
    store.import_responses(generate_responses(150, 40, seed=11))
    # People's words in names: markup and non-ASCII text stay text in every figure.
    store.import_responses(
        [make_response(distributor="<b>Bold</b> & co"), make_response(distributor="Dÿströ «ünïcode» 東京")]
    )
    return store.latest_frame()


@pytest.mark.parametrize("unit", ["distributor", "response"])
def test_every_chart_is_what_plotly_validation_makes(frame: pd.DataFrame, unit: str) -> None:
    for builder in BUILDERS:
        for by_kind in (False, True):
            assert_valid(builder(frame, by_kind=by_kind, unit=unit))
    assert_valid(charts.prerelease_lag_chart(frame, unit=unit))
    for row, col in (("distributor_kind", "sigstore_status"), ("blockers", "distributor_kind")):
        for normalize in ("none", "row"):
            table = crosstab(frame, row, col, normalize=normalize)
            assert_valid(charts.crosstab_heatmap(table))
            assert_valid(charts.crosstab_bars(table, title="<i>given</i>"))
    assert_valid(charts.empty_figure("nothing <b>here</b>"))
    assert_valid(charts.blockers_chart(frame.iloc[:0]))


def test_trend_charts_are_what_plotly_validation_makes(store: ResponseStore) -> None:
    first = store.submit(make_response(distributor="Debian", ready_by={"likely": "2026-01-01"}))
    store.submit(make_response(distributor="Debian", ready_by={"likely": "2026-06-01"}), token=first.token)
    store.submit(make_response(distributor="Fedora", sigstore_status="in-production"))
    progress = progress_over_time(revisions_frame(store))
    milestones = release_milestones(load_schedule(), date(2024, 1, 1), date(2026, 12, 1))
    assert milestones
    assert_valid(status_trend_chart(progress, milestones))
    assert_valid(drift_chart(progress.drift))
    assert_valid(drift_chart([]))


PEOPLE = [
    make_distributor(name="Gentoo", prerelease_start="beta", ready_likely="2025-07-01", worst_case=["ship-unverified"]),
    make_distributor(name="Early <b>x</b>", prerelease_start="alpha", ready_likely="2025-01-01"),
    make_distributor(name="pyenv", prerelease_start="alpha"),
    make_distributor(name="Heroku", prerelease_start="final", sigstore_status="in-production"),
    make_distributor(name="Quiet", prerelease_start="rc", verifies_pgp_today="no"),
]


def test_simulator_figures_are_what_plotly_validation_makes() -> None:
    policies = builtin_policies()
    det = compare_policies(PEOPLE, policies)
    mc = run_monte_carlo(PEOPLE, policies, MonteCarloConfig(draws=100))
    for result in det:
        assert_valid(timeline_figure(result, today=date(2025, 6, 1)))
        assert_valid(timeline_figure(result, max_distributors=2))
    assert_valid(policy_comparison_figure(det, mc, threshold=100.0, recommended=policies[1].name))
    assert_valid(policy_comparison_figure(det))
