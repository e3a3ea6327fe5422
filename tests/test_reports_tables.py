"""Spreadsheet cells from report cells: shares keep their exact fraction, people's text stays text."""

from __future__ import annotations

import copy
import io
import pickle
from datetime import date

from openpyxl import Workbook, load_workbook

from analysis.reports.model import Share
from analysis.reports.tables import DATE_FORMAT, PERCENT_FORMAT, _write_rows, typed_cell


def test_a_share_prints_rounded_and_keeps_its_exact_fraction_through_copies() -> None:
    share = Share(4, 9)
    assert share == "44 %" and f"{share}" == "44 %" and share.fraction == 4 / 9
    # Streamlit's caches pickle what they keep; our own bytes, so loading them is safe here.
    for again in (pickle.loads(pickle.dumps(share)), copy.deepcopy(share), copy.copy(share)):  # noqa: S301
        assert isinstance(again, Share) and again == "44 %" and again.fraction == 4 / 9
    nothing = Share(0, 0)
    assert nothing == "–" and nothing.fraction is None


def test_typed_cells_turn_shares_into_numbers_and_leave_lookalike_text_alone() -> None:
    assert typed_cell("Share", Share(1, 3)) == (1 / 3, PERCENT_FORMAT)
    assert typed_cell("Share", Share(0, 0)) == ("–", None)
    # A respondent may write "50 %": it is their text, not a number the report computed.
    assert typed_cell("comment", "50 %") == ("50 %", None)
    assert typed_cell("ready_likely", "2026-02-30") == ("2026-02-30", None)  # not a date: kept as text
    assert typed_cell("ready_likely", "2026-02-03") == (date(2026, 2, 3), DATE_FORMAT)


def test_the_written_sheet_holds_the_fraction_as_a_number_and_the_text_as_text() -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    _write_rows(ws, 1, ("Answer", "Distributors", "Share"), [("Alpha", 2, Share(2, 7)), ("50 %", 5, Share(5, 7))])
    buffer = io.BytesIO()
    wb.save(buffer)
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
    assert sheet is not None
    (alpha, count, share), (lookalike, _, _) = sheet.iter_rows(min_row=2, max_row=3)
    assert (share.value, share.data_type, share.number_format) == (2 / 7, "n", "0%")
    assert (lookalike.value, lookalike.data_type) == ("50 %", "s")
    assert (alpha.value, count.value) == ("Alpha", 2)
