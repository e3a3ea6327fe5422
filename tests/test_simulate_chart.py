"""The plotly figures: rows, cut line, colours by exposure, words in the legend and hover."""

from __future__ import annotations

from datetime import date

from analysis.palette import EXPOSURE_COLORS, RELEASE_STAGE_COLORS
from analysis.schedule import builtin_policies
from analysis.simulation import MonteCarloConfig, compare_policies, make_distributor, run_monte_carlo, simulate_policy
from analysis.timeline_chart import policy_comparison_figure, timeline_figure

PEOPLE = [
    make_distributor(name="Gentoo", prerelease_start="beta", ready_likely="2025-07-01", worst_case=["ship-unverified"]),
    make_distributor(name="Early", prerelease_start="alpha", ready_likely="2025-01-01"),
    make_distributor(name="pyenv", prerelease_start="alpha"),
    make_distributor(name="Heroku", prerelease_start="final", sigstore_status="in-production"),
]


def test_timeline_rows_cut_line_and_hover() -> None:
    fig = timeline_figure(simulate_policy(PEOPLE, "3.14.0b1"))
    categories = list(fig.layout.yaxis.categoryarray)
    assert categories[:2] == ["Python 3.14", "Python 3.15"]  # the policy's line and the next one on top
    assert set(categories[2:]) == {"Gentoo", "Early", "pyenv", "Heroku"}
    assert fig.layout.yaxis.range == (len(categories) - 0.5, -0.5)
    names = {t.name for t in fig.data}
    assert "Beta phase (highlighted)" in names
    assert any(n and n.startswith("Exposed:") for n in names)
    assert any(n and n.startswith("Exposure unknown") for n in names)
    exposed = next(t for t in fig.data if t.name and t.name.startswith("Exposed:"))
    assert exposed.marker.color == EXPOSURE_COLORS["exposed"]
    assert "55 days exposed" in exposed.hovertext[0]
    beta = next(t for t in fig.data if t.name == "Beta phase (highlighted)")
    assert beta.marker.color == RELEASE_STAGE_COLORS["beta"]
    assert any(s.x0 == "2025-05-07" for s in fig.layout.shapes)  # the policy cut
    assert any("PGP stops: 3.14.0b1" in a.text for a in fig.layout.annotations)


def test_timeline_keeps_the_exposed_when_there_are_too_many() -> None:
    many = [make_distributor(name=f"D{i:03d}", prerelease_start="alpha", ready_likely="2024-01-01") for i in range(80)]
    many.append(make_distributor(name="Late", prerelease_start="beta", ready_likely="2026-01-01"))
    fig = timeline_figure(simulate_policy(many, "3.14.0b1"), max_distributors=20)
    categories = list(fig.layout.yaxis.categoryarray)
    assert len(categories) == 2 + 20 and "Late" in categories


def test_comparison_figure_marks_the_recommendation() -> None:
    policies = builtin_policies()
    det = compare_policies(PEOPLE, policies)
    mc = run_monte_carlo(PEOPLE, policies, MonteCarloConfig(draws=200))
    fig = policy_comparison_figure(det, mc, threshold=10.0, recommended="3.14.0")
    bars = [t for t in fig.data if t.type == "bar"]
    assert len(bars) == 2 and len(bars[0].x) == 7
    assert list(bars[0].marker.line.width).count(4) == 1
    assert any("threshold" in (a.text or "") for a in fig.layout.annotations)
    # without Monte Carlo the deterministic diamonds still show
    assert len(policy_comparison_figure(det).data) == 2


def test_respondent_text_is_escaped_and_long_names_shortened_on_the_axis() -> None:
    from analysis.schedule import resolve_policy
    from analysis.simulation import make_distributor, simulate_policy
    from analysis.timeline_chart import AXIS_NAME_LIMIT, timeline_figure

    evil = make_distributor(
        name='<a href="https://evil.example">click</a> <b>bold</b>',
        prerelease_start="alpha",
        ready_likely=date(2026, 1, 1),
    )
    long = make_distributor(name="A" * 80, prerelease_start="beta", ready_likely=date(2026, 1, 1))
    fig = timeline_figure(simulate_policy([evil, long], resolve_policy("3.14.0b1")))
    texts = []
    for trace in fig.data:
        texts += [str(v) for v in (trace.y or [])] + [str(v) for v in (trace.hovertext or [])]
    assert not any("<a href" in t or "<b>bold" in t for t in texts)
    assert any("&lt;a href" in t for t in texts)
    axis = [str(v) for trace in fig.data for v in (trace.y or []) if str(v).startswith("AAA")]
    assert axis and all(len(v) <= AXIS_NAME_LIMIT for v in axis)


def test_simulator_figures_do_not_depend_on_the_process_template() -> None:
    """Importing Streamlit switches plotly's default template; the figures name their own, so the
    JSON a report embeds is the same in any process (the bug: labels drawn left of the figure)."""
    import plotly.io as pio

    policies = builtin_policies()
    det = compare_policies(PEOPLE, policies)
    mc = run_monte_carlo(PEOPLE, policies, MonteCarloConfig(draws=100))

    def build() -> list[str]:
        return [timeline_figure(det[1]).to_json(), policy_comparison_figure(det, mc, threshold=10.0).to_json()]

    before = pio.templates.default
    try:
        plain = build()
        pio.templates.default = "ggplot2"  # any other default, as Streamlit's is
        assert build() == plain
    finally:
        pio.templates.default = before
    fig = timeline_figure(det[1])
    assert fig.layout.template.layout.paper_bgcolor == "white"  # plotly_white, named explicitly
    assert fig.layout.yaxis.automargin and fig.layout.xaxis.automargin


def test_comparison_counts_have_whole_number_ticks() -> None:
    det = compare_policies(PEOPLE, builtin_policies())
    mc = run_monte_carlo(PEOPLE, builtin_policies(), MonteCarloConfig(draws=100))
    fig = policy_comparison_figure(det, mc)
    assert fig.layout.yaxis.tickformat == ",d" and fig.layout.yaxis.dtick >= 1
    assert float(fig.layout.yaxis.dtick).is_integer()
