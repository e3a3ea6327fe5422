"""CSV and XLSX: the answers and the report's tables for people who work in spreadsheets.

Formula injection: a spreadsheet program treats a cell starting with ``=``, ``+``, ``-`` or ``@``
(and, in some programs, a leading tab or carriage return) as a formula, so a respondent could
plant ``=HYPERLINK("http://evil", "click")`` in a reviewer's spreadsheet. Every text cell that
starts with one of those characters is prefixed with a single quote ``'`` (the OWASP
recommendation): the value then reads as text everywhere, and the quote shows that it was
neutralised. Numbers are written as numbers and never prefixed. The CSV is the same data as the
JSON export, so anyone who needs the exact text takes the JSON.

Determinism: columns have a fixed order (the canonical JSON key order), rows are sorted by
distributor, and the XLSX is written with fixed zip timestamps and document dates (the data
snapshot time), so the same data gives byte-identical files.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from analysis.models import MULTI_FIELDS, PERSONAL_FIELDS, SurveyResponse
from analysis.reports.model import Cell, ReportData, Table

#: First characters a spreadsheet may interpret as the start of a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_RESPONSE_FIELDS = [f for f in SurveyResponse.model_fields if f not in ("ready_by", "verification_evidence")]
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
_TITLE_FONT = Font(bold=True, size=12)
MAX_COLUMN_WIDTH = 60


def neutralise(value: Cell) -> Cell:
    """Prefix a text cell that a spreadsheet would run as a formula with ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def response_columns(include_contacts: bool) -> list[str]:
    """The CSV/XLSX response columns, in the canonical JSON key order (``ready_by`` flattened)."""
    cols: list[str] = []
    for name in _RESPONSE_FIELDS:
        if name in PERSONAL_FIELDS and not include_contacts:
            continue
        cols.append(name)
    index = cols.index("worst_case")
    cols[index:index] = ["ready_earliest", "ready_likely", "ready_latest"]
    cols.insert(cols.index("submitted_at"), "verification_evidence_count")
    return cols


def response_row(resp: SurveyResponse, columns: Sequence[str]) -> list[Cell]:
    """One answer as flat cells: multi-selects ``;``-joined, dates ISO 8601, codes not labels."""
    data = resp.model_dump(mode="json")
    row: list[Cell] = []
    for col in columns:
        if col.startswith("ready_"):
            value: Any = data["ready_by"][col.removeprefix("ready_")]
        elif col == "verification_evidence_count":
            value = len(data["verification_evidence"])
        else:
            value = data[col]
        if col in MULTI_FIELDS:
            value = ";".join(value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        row.append(value)
    return row


def responses_table(data: ReportData) -> Table:
    """The latest answer of every distributor (the counted answers), machine-readable."""
    columns = response_columns(data.options.include_contacts)
    rows = tuple(tuple(response_row(r, columns)) for r in data.answers)
    return Table("responses", "Responses (latest answer per distributor)", tuple(columns), rows)


def render_csv(data: ReportData) -> str:
    """CSV of the latest answer per distributor (UTF-8, header row, ``\\r\\n`` line ends)."""
    table = responses_table(data)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return buf.getvalue()


# -- XLSX -----------------------------------------------------------------------------------------


def _sheet_name(title: str, used: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", " ", title)[:31].strip()
    base, n = name, 2
    while name in used:
        suffix = f" {n}"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name)
    return name


def _write_rows(ws: Worksheet, start_row: int, columns: Sequence[str], rows: Iterable[Sequence[Cell]]) -> int:
    """Write a header + rows at ``start_row``; returns the next free row."""
    for j, col in enumerate(columns, start=1):
        cell = ws.cell(row=start_row, column=j, value=neutralise(col))
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    r = start_row
    for r, row in enumerate(rows, start=start_row + 1):
        for j, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=j, value=neutralise(value))
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever openpyxl would guess
                if len(value) > MAX_COLUMN_WIDTH:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    return r + 1


def _table_sheet(wb: Workbook, used: set[str], title: str, table: Table) -> Worksheet:
    ws = wb.create_sheet(_sheet_name(title, used))
    _write_rows(ws, 1, table.columns, table.rows)
    ws.freeze_panes = "A2"
    if table.note:
        ws.cell(row=len(table.rows) + 3, column=1, value=neutralise(table.note)).font = Font(italic=True)
    _fit_columns(ws)
    return ws


def _stacked_sheet(wb: Workbook, used: set[str], title: str, tables: Sequence[Table]) -> Worksheet:
    """Several small tables on one sheet, each under a bold title."""
    ws = wb.create_sheet(_sheet_name(title, used))
    row = 1
    for t in tables:
        ws.cell(row=row, column=1, value=neutralise(t.title)).font = _TITLE_FONT
        row = _write_rows(ws, row + 1, t.columns, t.rows) + 1
    ws.freeze_panes = "A2"
    _fit_columns(ws)
    return ws


def _fit_columns(ws: Worksheet) -> None:
    widths: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None:
                longest = max(len(line) for line in str(cell.value).splitlines() or [""])
                widths[cell.column] = max(widths.get(cell.column, 0), longest)
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 8), MAX_COLUMN_WIDTH)


CROSSTAB_SHEETS = {
    "crosstab-prerelease_start": "Cross-tab Q1 start",
    "crosstab-sigstore_status": "Cross-tab Sigstore status",
    "crosstab-blockers": "Cross-tab Q2 blockers",
    "crosstab-worst_case": "Cross-tab Q3 worst case",
}


def build_workbook(data: ReportData) -> Workbook:
    """One sheet per section: responses, summary, cross-tabs, simulation, themes, provenance."""
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    _table_sheet(wb, used, "Responses", responses_table(data))
    _stacked_sheet(wb, used, "Summary", [s.table for s in data.summaries])
    for t in data.crosstabs:
        _table_sheet(wb, used, CROSSTAB_SHEETS.get(t.key, "Cross-tab " + t.key.removeprefix("crosstab-")), t)
    if data.simulation:
        _table_sheet(wb, used, "Simulation", data.simulation.comparison)
        if data.simulation.exposures:
            _stacked_sheet(wb, used, "Exposure", data.simulation.exposures)
    else:
        _table_sheet(wb, used, "Simulation", Table("simulation", "Simulation", ("Note",), (("not available",),)))
    _table_sheet(wb, used, "Distributors", data.distributor_table)
    theme_rows: list[tuple[str, int, str | None, str | None, str | None]] = []
    for theme in data.themes:
        if not theme.quotes:
            theme_rows.append((theme.label, theme.distributors, None, None, None))
        for q in theme.quotes:
            theme_rows.append((theme.label, theme.distributors, q.text, q.distributor, q.field))
    columns = ("Theme", "Distributors", "Quote", "Quote from", "Field")
    _table_sheet(wb, used, "Themes", Table("themes", "Themes", columns, tuple(theme_rows)))
    for x in data.extra_sections:
        if x.tables:
            _stacked_sheet(wb, used, x.title, x.tables)
    about = [*data.provenance, ("Personal data note", data.personal_data_note), *data.methodology]
    _table_sheet(wb, used, "Provenance", Table("provenance", "Provenance", ("Item", "Value"), tuple(about)))
    stamp = (data.snapshot_at or datetime(1980, 1, 1, tzinfo=UTC)).astimezone(UTC).replace(tzinfo=None)
    wb.properties.created = stamp
    wb.properties.creator = "pep761-downstream-survey"
    return wb


def render_xlsx(data: ReportData) -> bytes:
    """The workbook as bytes, byte-identical for the same data (see module docstring)."""
    wb = build_workbook(data)
    buf = io.BytesIO()
    wb.save(buf)
    stamp = (data.snapshot_at or datetime(1980, 1, 1, tzinfo=UTC)).astimezone(UTC)
    return _normalise_zip(buf.getvalue(), stamp.strftime("%Y-%m-%dT%H:%M:%SZ"))


def _normalise_zip(content: bytes, modified: str) -> bytes:
    """Rewrite the archive with fixed entry times and openpyxl's save time replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            payload = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                payload = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + modified.encode() + rb"\g<2>",
                    payload,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            dst.writestr(entry, payload)
    return out.getvalue()
