"""A report stays a report at scale: 10,000 answers give a PDF of a few dozen pages, not hundreds."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from analysis.reports import ReportOptions, build_snapshot, render
from analysis.reports.snapshot import MAX_DISTRIBUTOR_ROWS
from analysis.storage import ResponseStore, open_store
from bench.synthetic import generate_responses
from tests.conftest import require_chromium

#: "A few dozen": most pages are the charts and tables every report has, whatever its size.
MAX_PAGES = 60
#: What 10,000 answers may add to the pages of a report on 200: the capped tables, nothing more.
MAX_EXTRA_PAGES = 12


@pytest.fixture
def big_store(sqlite_store: ResponseStore) -> ResponseStore:
    sqlite_store.import_responses(generate_responses(10_000, 4_000, seed=14))
    return sqlite_store


def test_pdf_of_10000_answers_stays_within_a_few_dozen_pages(big_store: ResponseStore, tmp_path: Path) -> None:
    require_chromium()
    data = build_snapshot(big_store, ReportOptions(draws=200))
    assert data.responses == 10_000 and data.distributors > 1_000
    table = data.distributor_table
    assert len(table.rows) == MAX_DISTRIBUTOR_ROWS
    assert f"The first {MAX_DISTRIBUTOR_ROWS} of {data.distributors:,} rows" in table.note
    # Most urgent first: nobody shown is further along than anybody left out.
    statuses = [row[4] for row in table.rows]
    assert statuses[0] == "Not started" or statuses == sorted(statuses)
    pdf = render(data, "pdf")
    assert isinstance(pdf, bytes)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) <= MAX_PAGES, f"{len(reader.pages)} pages"
    small = open_store(f"sqlite:///{tmp_path / 'small.sqlite3'}")
    small.import_responses(generate_responses(200, 60, seed=14))
    small_pdf = render(build_snapshot(small, ReportOptions(draws=200)), "pdf")
    assert isinstance(small_pdf, bytes)
    small_pages = len(PdfReader(io.BytesIO(small_pdf)).pages)
    assert len(reader.pages) - small_pages <= MAX_EXTRA_PAGES, (len(reader.pages), small_pages)
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    assert "Every distributor's answers are in the CSV" in " ".join(text.split())
    # The CSV still has every counted answer.
    csv_text = render(data, "csv")
    assert isinstance(csv_text, str) and csv_text.count("\r\n") == data.distributors + 1
