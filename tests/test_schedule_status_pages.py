"""Every page that simulates or summarises, and every report, says "release schedule as of DATE
(source)" and warns when a planned date is already past (the data is older than the world)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from analysis.reports import render
from analysis.schedule import schedule_status
from analysis.storage import ResponseStore
from tests.conftest import APP_PATH
from tests.reports_support import freeze_store_clock, load_seed, snapshot

AS_OF = (
    "Release schedule as of 2026-12-01 (python/peps@ba4deeb + Python Insider posts: "
    "data/sources/python-releases-2026-12-01.toml)."
)
OVERDUE = "3.16.0a1 (planned 2026-10-13) and 3.16.0a2 (planned 2026-11-10) should have happened by"


def test_status_sentence_and_no_warning_before_the_planned_dates() -> None:
    status = schedule_status(date(2026, 10, 12))
    assert status.as_of_line == AS_OF and status.warning is None and status.lines == (AS_OF,)
    late = schedule_status(date(2026, 11, 11))
    assert late.warning is not None and late.warning.startswith(OVERDUE + " 2026-11-11")
    assert [r.name for r in late.overdue] == ["3.16.0a1", "3.16.0a2"]


@pytest.mark.parametrize("page", ["pages/home.py", "pages/overview.py", "pages/simulator.py"])
def test_pages_show_as_of_line_and_stale_warning(store: ResponseStore, page: str) -> None:
    load_seed(store)
    at = AppTest.from_file(APP_PATH, default_timeout=60)
    at.run()
    if page != "pages/home.py":
        at.switch_page(page).run()
    assert not at.exception, at.exception
    expected = schedule_status(date.today())
    assert expected.as_of_line in [c.value for c in at.caption]
    # Today is after 2026-11-10 and the shipped data has no actual date for 3.16.0a1/a2.
    assert expected.warning is not None and OVERDUE in expected.warning
    assert expected.warning in [w.value for w in at.warning]


@pytest.fixture
def seeded(store: ResponseStore, monkeypatch: pytest.MonkeyPatch) -> ResponseStore:
    freeze_store_clock(monkeypatch)
    load_seed(store)
    return store


def test_reports_say_as_of_and_warn(seeded: ResponseStore) -> None:
    data = snapshot(seeded, now=datetime(2026, 11, 21, 9, 30, tzinfo=UTC))
    assert data.schedule_status[0] == AS_OF
    assert data.schedule_status[1].startswith("Warning: " + OVERDUE + " 2026-11-21")

    html = str(render(data, "html"))
    line = html.split('id="schedule-status">', 1)[1].split("</p>", 1)[0]
    assert line.startswith(AS_OF + " Warning: 3.16.0a1 (planned 2026-10-13)")
    assert 'class="meta stale" id="schedule-status"' in html  # shown as a warning, not as small print

    markdown = str(render(data, "md")).splitlines()
    assert any(
        row.startswith("_Release schedule as of 2026-12-01") and "older than the world" in row for row in markdown
    )

    wb = load_workbook(io.BytesIO(render(data, "xlsx")))  # type: ignore[arg-type]
    items = {row[0]: row[1] for row in wb["Provenance"].iter_rows(min_row=2, values_only=True) if row[0]}
    assert items["Release schedule status"].startswith(AS_OF + " Warning: 3.16.0a1")

    before = snapshot(seeded, now=datetime(2026, 10, 1, tzinfo=UTC))
    assert before.schedule_status == (AS_OF,)
    assert 'class="meta" id="schedule-status">' + AS_OF + "</p>" in str(render(before, "html"))
