"""The cross-tab view in the URL and chart clicks mapped to cells (pure functions, no Streamlit)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analysis import charts
from analysis.crosstab import crosstab, field_choices
from analysis.crosstab_select import selectable_bars, selectable_heatmap, selected_cells
from analysis.crosstab_view import Choices, CrosstabView, view_from_query, view_to_query
from tests.conftest import make_response

CHOICES = Choices(
    fields=field_choices(include_themes=False),
    kinds=["linux-distribution", "bsd"],
    versions=["3.13", "3.14"],
    statuses=["evaluating", "in-production"],
)


def test_default_view_has_a_plain_url() -> None:
    assert view_to_query(CrosstabView()) == {}
    assert view_from_query({}, CHOICES).view == CrosstabView()


def test_a_view_round_trips_through_its_url() -> None:
    view = CrosstabView(
        row="blockers",
        col="worst_case",
        normalize="row",
        unit="response",
        margins=False,
        chart="bars",
        kinds=("bsd", "linux-distribution"),
        versions=("3.14",),
        statuses=("evaluating",),
        date_from=date(2025, 1, 1),
        date_to=date(2025, 12, 31),
        include_illustrative=False,
    )
    query = view_to_query(view)
    assert query["show"] == "row" and query["kind"] == ["bsd", "linux-distribution"] and query["totals"] == "no"
    as_url = {k: v if isinstance(v, list) else [v] for k, v in query.items()}
    parsed = view_from_query(as_url, CHOICES)
    assert parsed.view == view and parsed.note() == ""


@pytest.mark.parametrize(
    ("query", "ignored"),
    [
        ({"row": ["no_such_field"]}, ("row",)),
        ({"row": ["a" * 10_000]}, ("row",)),
        ({"row": ["blockers", "worst_case"]}, ("row",)),  # a single choice given twice
        ({"show": ["<script>"]}, ("show",)),
        ({"kind": ["bsd", "../../etc/passwd"]}, ("kind",)),
        ({"kind": ["bsd"] * 51}, ("kind",)),
        ({"from": ["2025-13-01"]}, ("from",)),
        ({"from": ["99999-01-01"]}, ("from",)),
        ({"from": ["2026-01-01"], "to": ["2025-01-01"]}, ("from", "to")),
        ({"totals": ["maybe"]}, ("totals",)),
        ({"chart": ["pie"]}, ("chart",)),
    ],
)
def test_a_bad_link_value_is_ignored_with_a_note(query: dict[str, list[str]], ignored: tuple[str, ...]) -> None:
    parsed = view_from_query(query, CHOICES)
    assert parsed.ignored == ignored
    assert parsed.view == CrosstabView()  # every other part keeps its default
    note = parsed.note()
    assert all(f"“{name}”" in note for name in ignored)
    assert "script" not in note and "passwd" not in note  # the link's values are never echoed


def test_unknown_parameters_are_counted_not_echoed() -> None:
    parsed = view_from_query({"row": ["blockers"], "evil": ["x"], "*bold*": ["y"]}, CHOICES)
    assert parsed.view.row == "blockers"
    assert "2 parameter(s)" in parsed.note() and "bold" not in parsed.note()


@pytest.fixture
def frame() -> pd.DataFrame:
    rows = [
        make_response(distributor="Debian", sigstore_status="evaluating"),
        make_response(distributor="FreeBSD", distributor_kind="bsd", sigstore_status="in-production"),
        make_response(distributor="Gentoo", sigstore_status="in-production"),
    ]
    return pd.DataFrame(
        [
            {**r.model_dump(mode="json"), "response_id": f"{i:032x}", "distributor_key": r.distributor.lower()}
            for i, r in enumerate(rows)
        ]
    )


def test_every_heatmap_cell_gets_one_clickable_point_carrying_its_codes(frame: pd.DataFrame) -> None:
    table = crosstab(frame, "distributor_kind", "sigstore_status", margins=True, unit="response")
    fig = selectable_heatmap(charts.crosstab_heatmap(table), table)
    heat, points = fig.data
    assert heat.hoverinfo == "skip" and fig.layout.hoverdistance == -1
    body = table.drop(index="Total", columns="Total")
    assert len(points.x) == body.size
    # Each point sits on its cell's axis labels and names the cell by its codes.
    first = list(points.customdata[0][:2])
    assert first == [str(body.index[0]), str(body.columns[0])]
    assert (points.y[0], points.x[0]) == (heat.y[0], heat.x[0])
    cells = selected_cells([{"customdata": list(points.customdata[-1])}], table)
    assert cells == [(str(body.index[-1]), str(body.columns[-1]))]


def test_bar_segments_carry_their_cell(frame: pd.DataFrame) -> None:
    table = crosstab(frame, "distributor_kind", "sigstore_status", margins=True, unit="response")
    fig = selectable_bars(charts.crosstab_bars(table), table)
    body = table.drop(index="Total", columns="Total")
    by_status = {trace.customdata[0][1]: trace for trace in fig.data}
    assert set(by_status) == {str(c) for c in body.columns}
    assert [list(c) for c in by_status["in-production"].customdata] == [[str(r), "in-production"] for r in body.index]


def test_a_stale_or_foreign_selection_selects_nothing(frame: pd.DataFrame) -> None:
    table = crosstab(frame, "distributor_kind", "sigstore_status", unit="response")
    assert selected_cells([{"x": 1, "y": 2}], table) == []
    assert selected_cells([{"customdata": ["no-such-kind", "evaluating"]}], table) == []
    assert selected_cells([{"customdata": "bsd"}], table) == []
