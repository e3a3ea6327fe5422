"""The question charts' legends stay clear of their titles at every width a reader meets.

A legend above the plot wraps into more rows as the figure narrows. Anchored to the plot it grew
upward into the title: the report at a 1,200 px window draws its charts 640 px wide, and with all
eight kinds of distributor "Linux distribution" was drawn over the subtitle. The charts are drawn
here, as the report embeds them, at report and page widths, and every label is measured.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Browser

from analysis.figure_json import to_json
from analysis.models import DistributorKind
from analysis.reports.html import plotly_js
from analysis.storage import ResponseStore
from bench.synthetic import generate_responses
from tests.chart_boxes import measure, wait_for_figures
from tests.test_charts import BUILDERS

pytestmark = pytest.mark.browser

#: The report's chart width at 1,024/1,200/1,440 px windows and a full-width page.
WIDTHS = (640, 800, 900, 1100)


@pytest.fixture
def every_kind(sqlite_store: ResponseStore) -> pd.DataFrame:
    sqlite_store.import_responses(generate_responses(400, 120, seed=14))
    frame = sqlite_store.latest_frame()
    assert set(frame["distributor_kind"]) == {k.value for k in DistributorKind}  # the widest legend there is
    return frame


def _page(frame: pd.DataFrame) -> str:
    parts = []
    for i, (builder, width) in enumerate((b, w) for b in BUILDERS for w in WIDTHS):
        figure = builder.plain(frame, by_kind=True).to_plotly_dict()
        height = figure["layout"]["height"]
        parts.append(
            f'<div style="width:{width}px;height:{height}px"><div id="f{i}" style="width:100%;height:100%"></div></div>'
            f'<script>Plotly.newPlot("f{i}", {to_json(figure["data"])}, {to_json(figure["layout"])}, {{}})</script>'
        )
    return f"<!DOCTYPE html><html><head><script>{plotly_js()}</script></head><body>{''.join(parts)}</body></html>"


def test_legends_above_the_plot_never_reach_the_title(
    browser: Browser, every_kind: pd.DataFrame, tmp_path: Path, screenshot_dir: Path
) -> None:
    path = tmp_path / "charts.html"
    path.write_text(_page(every_kind), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(path.as_uri())
    wait_for_figures(page, len(BUILDERS) * len(WIDTHS))
    figures = measure(page)
    assert len(figures) == len(BUILDERS) * len(WIDTHS)
    assert all(f["labels"] >= 10 for f in figures)
    views = [(b.__name__, w) for b in BUILDERS for w in WIDTHS]
    problems = [
        f"{name} at {width} px: {p}" for (name, width), f in zip(views, figures, strict=True) for p in f["problems"]
    ]
    if problems:
        page.screenshot(path=str(screenshot_dir / "chart-legends.png"), full_page=True)
    assert problems == [], "\n".join(problems[:20])
    page.close()
