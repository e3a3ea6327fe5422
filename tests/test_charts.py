"""Chart builders: the right figure, words not codes, palette colours, projector fonts, empty data."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
import pytest

from analysis import charts
from analysis.crosstab import crosstab
from analysis.palette import color_map
from analysis.plain_figure import Chart
from analysis.storage import ResponseStore
from bench.synthetic import generate_responses
from tests.conftest import make_response

#: The five question charts (the report's, in its order); other chart tests draw them too.
BUILDERS: list[Chart[...]] = [
    charts.prerelease_start_chart,
    charts.sigstore_status_chart,
    charts.blockers_chart,
    charts.worst_case_chart,
    charts.readiness_chart,
]


@pytest.fixture
def frame(store: ResponseStore) -> pd.DataFrame:
    store.import_responses(generate_responses(120, 30, seed=3))
    return store.latest_frame()


def _texts(fig: go.Figure) -> str:
    """Everything a viewer reads: trace names, categorical ticks, titles."""
    parts = [str(fig.layout.title.text or "")]
    for trace in fig.data:
        parts.append(str(trace.name or ""))
        for axis in ("x", "y"):
            values = getattr(trace, axis, None)
            if values is not None and len(values) and isinstance(values[0], str):
                parts.extend(values)
    return " | ".join(parts)


@pytest.mark.parametrize("builder", BUILDERS)
@pytest.mark.parametrize("by_kind", [False, True])
def test_builders_render_with_words_and_large_fonts(
    frame: pd.DataFrame, builder: Callable[..., go.Figure], by_kind: bool
) -> None:
    fig = builder(frame, by_kind=by_kind)
    assert fig.layout.meta["chart"] == builder.__name__
    assert fig.data, builder.__name__
    assert fig.layout.font.size >= 16
    assert fig.layout.xaxis.tickfont.size >= 16 and fig.layout.yaxis.tickfont.size >= 16
    text = _texts(fig)
    for code in ("linux-distribution", "not-started", "tooling-support", "ship-unverified", "post-final"):
        assert code not in text
    fig.to_json()  # serialisable for the report


def test_status_colours_come_from_palette(frame: pd.DataFrame) -> None:
    fig = charts.sigstore_status_chart(frame)
    palette = color_map("sigstore_status")
    by_name = {t.name: t.marker.color for t in fig.data}
    assert by_name["Not started"] == palette["not-started"]
    assert by_name["In production"] == palette["in-production"]


def test_kind_split_uses_kind_colours(frame: pd.DataFrame) -> None:
    fig = charts.blockers_chart(frame, by_kind=True)
    kinds = color_map("distributor_kind")
    linux = next(t for t in fig.data if t.name == "Linux distribution")
    assert linux.marker.color == kinds["linux-distribution"]


def test_start_chart_shares_add_to_100(store: ResponseStore) -> None:
    store.import_responses(
        [
            make_response(distributor="A", prerelease_start="alpha", prerelease_lag_days=3),
            make_response(distributor="B", prerelease_start="beta"),
            make_response(distributor="C", prerelease_start="beta"),
            make_response(distributor="D", prerelease_start="rc"),
        ]
    )
    fig = charts.prerelease_start_chart(store.latest_frame())
    shares = {t.name: float(t.x[0]) for t in fig.data}
    assert shares == {"Alpha": 25.0, "Beta": 50.0, "Release candidate": 25.0}
    alpha = next(t for t in fig.data if t.name == "Alpha")
    assert "median 3 days after" in alpha.customdata[0][1]


def test_crosstab_views(frame: pd.DataFrame) -> None:
    table = crosstab(frame, "blockers", "distributor_kind", normalize="col", margins=True)
    heat = charts.crosstab_heatmap(table)
    assert "Total" not in list(heat.data[0].y) and "Total" not in list(heat.data[0].x)
    assert "Offline verification" in list(heat.data[0].y)
    bars = charts.crosstab_bars(crosstab(frame, "distributor_kind", "sigstore_status"))
    assert {t.name for t in bars.data} >= {"Not started", "In production"}


def test_empty_store_gives_message_figures(store: ResponseStore) -> None:
    empty = store.latest_frame()
    for builder in [*BUILDERS, charts.prerelease_lag_chart]:
        fig = builder(empty)
        assert fig.layout.meta["chart"] == "empty_figure"
        assert fig.layout.annotations[0].text
    assert charts.crosstab_heatmap(crosstab(empty, "distributor", "blockers")).layout.meta["chart"] == "empty_figure"


def test_people_typed_values_are_drawn_as_text_not_plotly_markup() -> None:
    import pandas as pd

    from analysis.charts import crosstab_bars, crosstab_heatmap

    table = pd.DataFrame(
        {"linux-distribution": [1, 2]},
        index=pd.Index(['<a href="https://evil.example">x</a>', "<b>bold</b>"], name="distributor"),
    )
    table.columns.name = "distributor_kind"
    for fig in (crosstab_heatmap(table), crosstab_bars(table)):
        drawn = " ".join(str(v) for trace in fig.data for v in list(trace.y or []))
        assert "<a href" not in drawn and "<b>" not in drawn
        assert "&lt;a href" in drawn and "&lt;b&gt;bold" in drawn


def test_chart_figures_do_not_depend_on_the_process_template(frame: pd.DataFrame) -> None:
    """Built under another default template (Streamlit sets its own), every figure is the same."""
    import plotly.io as pio

    def build() -> list[str]:
        figs = [builder(frame, by_kind=True) for builder in BUILDERS] + [charts.prerelease_lag_chart(frame)]
        figs.append(charts.crosstab_heatmap(crosstab(frame, "blockers", "sigstore_status")))
        figs.append(charts.crosstab_bars(crosstab(frame, "blockers", "sigstore_status")))
        return [f.to_json() for f in figs]

    before = pio.templates.default
    try:
        plain = build()
        pio.templates.default = "ggplot2"
        assert build() == plain
    finally:
        pio.templates.default = before


def test_count_axes_have_whole_number_ticks(frame: pd.DataFrame) -> None:
    lag = charts.prerelease_lag_chart(frame)
    bars = charts.crosstab_bars(crosstab(frame, "blockers", "sigstore_status"))
    heat = charts.crosstab_heatmap(crosstab(frame, "blockers", "sigstore_status"))
    for axis in (lag.layout.yaxis, bars.layout.xaxis, heat.data[0].colorbar):
        assert axis.tickformat == ",d" and axis.tick0 == 0
        assert float(axis.dtick).is_integer() and axis.dtick >= 1
    # Percent views keep their percent axis.
    share = charts.crosstab_bars(crosstab(frame, "blockers", "sigstore_status", normalize="row"))
    assert share.layout.xaxis.ticksuffix == " %" and share.layout.xaxis.dtick is None


def test_template_set_without_validation_is_the_validated_template() -> None:
    """``set_template`` skips plotly's re-validation: the figure must still carry exactly what
    assigning the template object gives, and each figure its own copy."""
    import plotly.graph_objects as go

    from analysis.figure_layout import own_template, set_template

    validated = go.Figure().update_layout(template=own_template())
    quick = set_template(go.Figure())
    assert quick.to_plotly_json() == validated.to_plotly_json()
    assert quick.layout.template.layout.paper_bgcolor == "white"
    other = set_template(go.Figure())
    quick.layout.template.layout.paper_bgcolor = "black"
    assert other.layout.template.layout.paper_bgcolor == "white"
    assert set_template(go.Figure()).layout.template.layout.paper_bgcolor == "white"


def test_template_read_from_plotly_package_data_is_the_validated_template() -> None:
    """``template_json`` reads plotly's template file itself (no Template object built): it must be
    the data of the validated template, for every trace type the app draws."""
    from analysis.figure_layout import TRACE_TYPES, own_template, template_json

    assert template_json() == own_template().to_plotly_json()
    assert set(template_json()["data"]) == set(TRACE_TYPES)
