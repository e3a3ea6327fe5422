"""CSV and XLSX: the answers and the report's tables for people who work in spreadsheets.

Formula injection: a spreadsheet program treats a cell starting with ``=``, ``+``, ``-`` or ``@``
(and, in some programs, a leading tab or carriage return) as a formula, so a respondent could
plant ``=HYPERLINK("http://evil", "click")`` in a reviewer's spreadsheet. Every text cell that
starts with one of those characters is prefixed with a single quote ``'`` (the OWASP
recommendation): the value then reads as text everywhere, and the quote shows that it was
neutralised. Numbers are written as numbers and never prefixed. The CSV is the same data as the
JSON export, so anyone who needs the exact text takes the JSON.

Types in the XLSX: a spreadsheet sorts and filters by type, so dates are date cells, the
submission time a date-time (UTC), yes/no answers booleans, shares and probabilities numbers with a
percent format, and every table has its own filter buttons (an Excel table per block). The CSV
stays text (ISO dates, ``true``/``false``), as the JSON export is.

What the rows are: the responses sheet and the CSV hold each distributor's latest answer (the
answers every count uses), never every response; the ``counted_as`` column and the sheet's table
name say so, so a file found later still tells its reader.

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
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table as SheetTable
from openpyxl.worksheet.table import TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from analysis.models import MULTI_FIELDS, PERSONAL_FIELDS, SurveyResponse, visible_text
from analysis.reports.model import Cell, ReportData, Share, Table

#: First characters a spreadsheet may interpret as the start of a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_RESPONSE_FIELDS = [f for f in SurveyResponse.model_fields if f not in ("ready_by", "verification_evidence")]
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
_TITLE_FONT = Font(bold=True, size=12)
MAX_COLUMN_WIDTH = 60
#: The last column of the CSV and the responses sheet, and its value on every row.
COUNTED_AS_COLUMN = "counted_as"
COUNTED_AS = "latest answer of this distributor"
#: Spreadsheet number formats.
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
PERCENT_FORMAT = "0%"
#: Report-table columns holding a probability (0..1) or a yes/no flag.
_PROBABILITY_COLUMNS = {"P(exposed)"}
_FLAG_COLUMNS = {"Illustrative"}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TABLE_STYLE = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)


def neutralise(value: Cell) -> Cell:
    """Prefix a text cell that a spreadsheet would run as a formula with ``'``.

    Characters the text rule refuses (an older store may still hold them; XML, so XLSX, cannot
    hold most control characters at all) are replaced with a visible U+FFFD first, by the model's
    :func:`~analysis.models.visible_text`: the one sanitising function every writer uses.
    """
    if isinstance(value, str):
        value = visible_text(value)
        if value.startswith(FORMULA_TRIGGERS):
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
    cols.append(COUNTED_AS_COLUMN)
    return cols


def _column_value(data: dict[str, Any], col: str) -> Any:
    """A response column's value from the model's dump (either mode): the one place that knows
    which columns are not plain keys (the counting note, the ready-by dates, the evidence count)."""
    if col == COUNTED_AS_COLUMN:
        return COUNTED_AS
    if col.startswith("ready_"):
        return data["ready_by"][col.removeprefix("ready_")]
    if col == "verification_evidence_count":
        return len(data["verification_evidence"])
    return data[col]


def response_row(resp: SurveyResponse, columns: Sequence[str]) -> list[Cell]:
    """One answer as flat cells: multi-selects ``;``-joined, dates ISO 8601, codes not labels."""
    data = resp.model_dump(mode="json")
    row: list[Cell] = []
    for col in columns:
        value = _column_value(data, col)
        if col in MULTI_FIELDS:
            value = ";".join(value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        row.append(value)
    return row


def response_cells(resp: SurveyResponse, columns: Sequence[str]) -> list[Any]:
    """One answer as typed spreadsheet values: dates as ``date``, the submission time as a naive
    UTC ``datetime`` (spreadsheets have no time zones), yes/no as ``bool``, multi-selects joined."""
    data = resp.model_dump(mode="python")
    row: list[Any] = []
    for col in columns:
        value = _column_value(data, col)
        if col in MULTI_FIELDS:
            value = ";".join(v.value if isinstance(v, Enum) else str(v) for v in value)
        elif isinstance(value, Enum):
            value = value.value
        elif isinstance(value, datetime):
            value = value.astimezone(UTC).replace(tzinfo=None)
        elif value is not None and not isinstance(value, bool | int | float | str | date):
            value = str(value)
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


def typed_cell(column: str, value: Any) -> tuple[Any, str | None]:
    """A report-table cell as the spreadsheet value it stands for, plus its number format.

    The report's tables carry display text (``Table`` cells are what every format prints); here
    an ISO date becomes a date, a ``Share`` ("44 %") its exact fraction, a probability a percentage and the
    "Illustrative" flag a boolean. Anything else is written as it is.
    """
    if isinstance(value, bool):
        return value, None
    if isinstance(value, Share):  # the exact fraction, not the rounded text read back
        return (value.fraction, PERCENT_FORMAT) if value.fraction is not None else (str(value), None)
    if isinstance(value, date | datetime):
        return value, DATETIME_FORMAT if isinstance(value, datetime) else DATE_FORMAT
    if column in _PROBABILITY_COLUMNS and isinstance(value, int | float):
        return float(value), PERCENT_FORMAT
    if column in _FLAG_COLUMNS and isinstance(value, str | None):
        return value == "yes", None
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value), DATE_FORMAT
        except ValueError:
            return value, None
    return value, None


def _write_rows(ws: Worksheet, start_row: int, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write a header + typed rows at ``start_row``; returns the next free row."""
    for j, col in enumerate(columns, start=1):
        cell = ws.cell(row=start_row, column=j, value=neutralise(col))
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    r = start_row
    for r, row in enumerate(rows, start=start_row + 1):
        for j, raw in enumerate(row, start=1):
            value, number_format = typed_cell(columns[j - 1], raw)
            cell = ws.cell(row=r, column=j, value=neutralise(value))
            if number_format:
                cell.number_format = number_format
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever openpyxl would guess
                if len(value) > MAX_COLUMN_WIDTH:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    return r + 1


def _filter(ws: Worksheet, top: int, columns: Sequence[str], n_rows: int, name: str) -> None:
    """Filter buttons on one block (header at row ``top``): an Excel table, so several blocks on
    one sheet each get their own (a sheet has only one plain auto-filter)."""
    ref = f"A{top}:{get_column_letter(max(1, len(columns)))}{top + max(1, n_rows)}"
    headers = [str(neutralise(c)) for c in columns]
    if n_rows == 0 or len(set(headers)) != len(headers):
        # An Excel table needs a data row and distinct headers; a plain filter still sorts.
        if ws.auto_filter.ref is None:
            ws.auto_filter.ref = ref
        return
    display = re.sub(r"\W", "_", name)
    if not display[:1].isalpha():
        display = "T_" + display
    table = SheetTable(displayName=display[:250], ref=ref)
    table.tableStyleInfo = _TABLE_STYLE
    ws.add_table(table)


def _table_sheet(
    wb: Workbook, used: set[str], title: str, table: Table, rows: Sequence[Sequence[Any]] | None = None
) -> Worksheet:
    ws = wb.create_sheet(_sheet_name(title, used))
    body = table.rows if rows is None else rows
    _write_rows(ws, 1, table.columns, body)
    _filter(ws, 1, table.columns, len(body), f"{table.title}_{len(wb.sheetnames)}")
    ws.freeze_panes = "A2"
    if table.note:
        ws.cell(row=len(table.rows) + 3, column=1, value=neutralise(table.note)).font = Font(italic=True)
    _fit_columns(ws)
    return ws


def _stacked_sheet(wb: Workbook, used: set[str], title: str, tables: Sequence[Table]) -> Worksheet:
    """Several small tables on one sheet, each under a bold title."""
    ws = wb.create_sheet(_sheet_name(title, used))
    row = 1
    for i, t in enumerate(tables):
        ws.cell(row=row, column=1, value=neutralise(t.title)).font = _TITLE_FONT
        _filter(ws, row + 1, t.columns, len(t.rows), f"{t.title}_{len(wb.sheetnames)}_{i}")
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
    table = responses_table(data)
    _table_sheet(wb, used, "Responses", table, [response_cells(r, table.columns) for r in data.answers])
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
    about = [
        ("Responses sheet and CSV hold", f"the {COUNTED_AS} ({len(data.answers)} rows), not every response"),
        *data.provenance,
        ("Personal data note", data.personal_data_note),
        *data.methodology,
    ]
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
