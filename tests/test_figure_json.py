"""``analysis.figure_json`` writes the JSON plotly's own encoder writes, and JSON safe in ``<script>``.

The report embeds its charts with this encoder instead of plotly's ``to_html`` (issue 14). Each
chart the report draws, and every other chart builder, is encoded both ways here and compared
value for value, plotly's base64 typed arrays decoded to the numbers they hold.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from analysis import charts
from analysis.crosstab import crosstab
from analysis.figure_json import to_json
from analysis.plain_figure import Chart, PlainFigure
from analysis.reports.html import figure_html, figure_id
from analysis.schedule import builtin_policies
from analysis.simulation import MonteCarloConfig, compare_policies, make_distributor, run_monte_carlo
from analysis.storage import ResponseStore
from analysis.timeline_chart import policy_comparison_figure, timeline_figure
from bench.synthetic import generate_responses
from tests.conftest import ROOT, make_response
from tests.test_charts import BUILDERS

HOSTILE = "</script><script>alert(1)</script> \u2028\u2029 <!--"


def _typed_arrays_decoded(value: Any) -> Any:
    """plotly's JSON with each ``{"dtype", "bdata"}`` typed array replaced by its numbers."""
    if isinstance(value, dict):
        if {"dtype", "bdata"} <= value.keys():
            numbers = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
            if "shape" in value:
                numbers = numbers.reshape([int(n) for n in str(value["shape"]).split(",")])
            return numbers.tolist()
        return {key: _typed_arrays_decoded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_typed_arrays_decoded(item) for item in value]
    return value


def assert_encoded_as_plotly_does(builder: Chart[Any], *args: Any, **kwargs: Any) -> None:
    plain = builder.plain(*args, **kwargs)
    ours = json.loads(to_json(plain.to_plotly_dict()))
    theirs = json.loads(pio.to_json(builder(*args, **kwargs), validate=False))
    assert ours == _typed_arrays_decoded(theirs)


@pytest.fixture
def frame(store: ResponseStore) -> pd.DataFrame:
    store.import_responses(generate_responses(150, 40, seed=5))
    store.import_responses([make_response(distributor=HOSTILE), make_response(distributor="Dÿströ 東京")])
    return store.latest_frame()


@pytest.mark.parametrize("unit", ["distributor", "response"])
def test_every_chart_is_encoded_as_plotly_encodes_it(frame: pd.DataFrame, unit: str) -> None:
    for builder in BUILDERS:
        for by_kind in (False, True):
            assert_encoded_as_plotly_does(builder, frame, by_kind=by_kind, unit=unit)
    assert_encoded_as_plotly_does(charts.prerelease_lag_chart, frame, unit=unit)
    for normalize in ("none", "row"):
        table = crosstab(frame, "blockers", "distributor_kind", normalize=normalize)
        assert_encoded_as_plotly_does(charts.crosstab_heatmap, table)
        assert_encoded_as_plotly_does(charts.crosstab_bars, table)
    assert_encoded_as_plotly_does(charts.empty_figure, "nothing <b>here</b>")
    assert_encoded_as_plotly_does(charts.blockers_chart, frame.iloc[:0])


def test_simulator_charts_are_encoded_as_plotly_encodes_them() -> None:
    people = [
        make_distributor(name="Gentoo", prerelease_start="beta", ready_likely="2025-07-01"),
        make_distributor(name=HOSTILE, prerelease_start="alpha", ready_likely="2025-01-01"),
        make_distributor(name="Heroku", prerelease_start="final", sigstore_status="in-production"),
    ]
    policies = builtin_policies()
    det = compare_policies(people, policies)
    mc = run_monte_carlo(people, policies, MonteCarloConfig(draws=50))
    for result in det:
        assert_encoded_as_plotly_does(timeline_figure, result, today=None)
    assert_encoded_as_plotly_does(policy_comparison_figure, det, mc, 100.0, policies[1].name)


def test_values_json_lacks_are_written_as_plotlys_encoder_writes_them() -> None:
    values = {
        "nan": [float("nan"), np.float64("inf"), -np.inf, 1.5],
        "ints": np.array([1, 2, 3], dtype=np.int64),
        "scalars": [np.int64(4), np.float32(0.5), np.bool_(True)],
        "dates": [date(2025, 5, 7), datetime(2025, 5, 7, 12, 30, tzinfo=UTC), pd.Timestamp("2025-05-07"), pd.NaT],
        "text": np.array(["a", "b"]),
        "deep": [[{"x": float("nan")}]],
    }
    ours = json.loads(to_json(values))
    theirs = json.loads(pio.to_json(values, validate=False))
    assert ours == theirs
    assert ours["nan"] == [None, None, None, 1.5] and ours["dates"][3] is None
    # numpy datetimes are written as the instants they are (plotly would write their integers).
    assert json.loads(to_json(np.array(["2025-05-07T01:02:03"], dtype="datetime64[ns]"))) == ["2025-05-07T01:02:03"]
    assert json.loads(to_json(np.datetime64("2025-05-07"))) == "2025-05-07T00:00:00"


def test_text_named_nan_is_left_as_it_is() -> None:
    assert json.loads(to_json({"name": "NaN Infinity", "y": float("nan")})) == {"name": "NaN Infinity", "y": None}


def test_a_value_with_no_json_form_is_refused_by_name() -> None:
    with pytest.raises(TypeError, match="a chart holds a Decimal"):
        to_json({"x": [Decimal("1.5")]})
    with pytest.raises(TypeError, match="a chart holds a object"):
        to_json(object())


def test_people_s_words_cannot_end_the_script_they_sit_in() -> None:
    fig = PlainFigure().add_bar(x=[HOSTILE], y=[1], name=HOSTILE).update_layout(title={"text": HOSTILE})
    snippet = figure_html(fig, "blockers")
    script = snippet.split("<script>", 1)[1].rsplit("</script>", 1)[0]
    for unsafe in ("<", ">", "/", "\u2028", "\u2029"):
        assert unsafe not in script.replace("</", "").split("Plotly.newPlot", 1)[1]
    assert snippet.count("</script>") == 1 and snippet.count("<script>") == 1
    assert json.loads(to_json(fig.to_plotly_dict()))["data"][0]["x"] == [HOSTILE]  # drawn as it was typed


def test_figure_ids_keep_to_safe_characters() -> None:
    assert figure_id("timeline-3-14-0b1") == "fig-timeline-3-14-0b1"
    assert figure_id('x" onload="alert(1)') == "fig-x--onload--alert-1-"
    snippet = figure_html(PlainFigure(), 'x"><img src=x>')
    assert '"><img' not in snippet and 'id="fig-x---img-src-x-"' in snippet


def test_the_snippet_is_plotlys_and_keeps_the_figure_height() -> None:
    plain = charts.empty_figure.plain("nothing yet")
    snippet = figure_html(plain.resized(333), "k")
    assert snippet.startswith('<div style="height:333px; width:100%;"><div id="fig-k" class="plotly-graph-div"')
    assert plain.height == 240 and plain.resized(333).layout["height"] == 333  # the original is unchanged
    official = go.Figure(plain.figure()).to_html(
        full_html=False, include_plotlyjs=False, div_id="fig-k", default_height="440px", validate=False
    )
    assert 'class="plotly-graph-div"' in official and "Plotly.newPlot(" in official


def test_exporting_a_report_imports_no_plotly_python_package(tmp_path: Any) -> None:
    """The HTML report draws its charts without plotly's Python package (its import alone is a
    tenth of a 100,000-answer export): guard that no import creeps back in."""
    code = (
        "import sys\n"
        "from analysis.storage import open_store\n"
        "from analysis.reports import ReportOptions, build_snapshot, render\n"
        "from bench.synthetic import generate_responses\n"
        f"store = open_store('sqlite:///{tmp_path / 's.db'}')\n"
        "store.import_responses(generate_responses(60, 20, seed=3))\n"
        "html = str(render(build_snapshot(store, ReportOptions()), 'html'))\n"
        "assert html.count('class=\"plotly-graph-div\"') >= 6, html.count('plotly-graph-div')\n"
        "print(sorted(m for m in sys.modules if m.startswith(('plotly.', 'narwhals'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
