"""Report formats: Markdown golden file, injection payloads, CSV/XLSX, determinism, personal data.

Regenerate the golden file after an intended change of the report, then review the diff:

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_reports_formats.py -k golden
"""

from __future__ import annotations

import csv
import io
import os
import re
from datetime import UTC, datetime

import pytest
from markdown_it import MarkdownIt
from openpyxl import load_workbook
from plotly.offline import get_plotlyjs

from analysis import crosstab
from analysis.models import SurveyResponse
from analysis.reports import ReportOptions, render
from analysis.reports.markdown import escape, safe_url
from analysis.reports.tables import CROSSTAB_SHEETS, neutralise, response_columns
from analysis.storage import ResponseStore
from tests.reports_support import (
    CONTACT,
    FORMULA_PAYLOADS,
    GOLDEN_DIR,
    HYPERLINK,
    LINK,
    ROLE,
    SCRIPT,
    SPREADSHEET_TRIGGERS,
    TEST_OPTIONS,
    freeze_store_clock,
    load_payloads,
    load_seed,
    snapshot,
    without_generated_line,
)


@pytest.fixture
def seeded(store: ResponseStore, monkeypatch: pytest.MonkeyPatch) -> ResponseStore:
    freeze_store_clock(monkeypatch)
    load_seed(store)
    return store


@pytest.fixture
def attacked(store: ResponseStore, monkeypatch: pytest.MonkeyPatch) -> ResponseStore:
    freeze_store_clock(monkeypatch)
    load_payloads(store)
    return store


# -- Markdown --------------------------------------------------------------------------------------


def test_markdown_golden_with_seed_data(seeded: ResponseStore) -> None:
    options = ReportOptions(seed=761, draws=300, html_url="https://example.org/pep761/report.html")
    # File digests are masked: a comment edited in data/severity.toml must not fail this test
    # (the answers' digest is checked exactly in test_reports_snapshot).
    text = re.sub(r"\b[0-9a-f]{64}\b", "<sha256>", str(render(snapshot(seeded, options), "md")))
    golden = GOLDEN_DIR / "report_seed.md"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), "run with UPDATE_GOLDEN=1 once to create the golden file"
    assert text == golden.read_text(encoding="utf-8"), "report changed: review, then UPDATE_GOLDEN=1"


def test_markdown_is_discourse_ready(seeded: ResponseStore) -> None:
    text = str(render(snapshot(seeded, ReportOptions(draws=300, html_url="https://example.org/r.html")), "md"))
    assert "<" not in text.replace("\\<", "")  # no HTML at all
    assert "[HTML report](https://example.org/r.html)" in text
    assert "| --- |" not in text and "|---|" in text.replace(":", "")
    assert len(text.splitlines()) < 400  # short enough to paste


def test_markdown_header_counts_illustrative_answers(seeded: ResponseStore) -> None:
    data = snapshot(seeded)
    text = str(render(data, "md"))
    header = text.split("### Summary")[0]
    assert data.illustrative > 0
    assert f"**{data.illustrative} of the {data.distributors} counted answers are illustrative**" in header
    assert "\\(" not in text  # no escaping noise in the seed report


def test_markdown_renders_payloads_as_text(attacked: ResponseStore) -> None:
    text = str(render(snapshot(attacked), "md"))
    assert SCRIPT not in text and LINK not in text and "<b>" not in text
    assert "\\@channel" in text  # no Discourse mention
    html = MarkdownIt("commonmark").enable("table").render(text)
    assert "<script" not in html
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert all(not h.lower().startswith("javascript") for h in hrefs)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "[x](javascript:alert(1))" in html  # visible text, not a link
    assert "<b>" not in html and "<i>" not in html


def test_markdown_escape_and_url_rules() -> None:
    assert escape("a|b") == "a\\|b"
    assert escape("`x`") == "\\`x\\`"
    assert escape("1. item", line_start=True) == "1\\. item"
    assert escape("- item", line_start=True) == "\\- item"
    assert escape("line\nbreak") == "line break"
    # Only what Discourse acts on: parentheses, dots and colons in dates stay as typed.
    assert escape("Final (x.y.0)") == "Final (x.y.0)"
    assert escape("2026-11-20T12:00:00+00:00") == "2026-11-20T12:00:00+00:00"
    assert escape("snake_case stays; _emphasis_ does not") == "snake_case stays; \\_emphasis\\_ does not"
    assert escape("@team #release :smile: &amp; & 3 < 4") == "\\@team \\#release \\:smile: \\&amp; & 3 \\< 4"
    assert escape("# heading", line_start=True) == "\\# heading"
    assert escape("python/peps@ba4deeb, me@example.org") == "python/peps@ba4deeb, me@example.org"
    assert escape("*bold* ~~gone~~ a|b") == "\\*bold\\* \\~\\~gone\\~\\~ a\\|b"
    with pytest.raises(ValueError, match="http"):
        safe_url("javascript:alert(1)")
    assert safe_url("https://x.org/a (b)") == "https://x.org/a%20%28b%29"


# -- HTML ------------------------------------------------------------------------------------------


def test_html_escapes_every_payload(attacked: ResponseStore) -> None:
    html = str(render(snapshot(attacked), "html"))
    assert SCRIPT not in html and "<b>bold</b>" not in html and "<i>theme</i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "[x](javascript:alert(1))" in html  # plain text; nothing in HTML makes it a link
    assert 'href="javascript' not in html.lower()


def test_html_is_self_contained(seeded: ResponseStore) -> None:
    data = snapshot(seeded)
    html = str(render(data, "html"))
    assert html.count(get_plotlyjs()[:500]) == 1  # plotly.js inlined exactly once
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", html)
    assert "@import" not in html and "url(" not in html.split("<script>")[0]
    assert "Content-Security-Policy" in html and "default-src &#39;none&#39;" in html
    for key in data.figures:
        assert f'id="fig-{key}"' in html
    for section in ("summary", "crosstabs", "simulation", "distributors", "themes", "methodology", "provenance"):
        assert f'<section id="{section}">' in html


def test_shares_are_right_aligned_like_the_counts_beside_them(seeded: ResponseStore) -> None:
    """A share is a number in words: HTML gives its cell the numeric class, Markdown its column ``---:``."""
    data = snapshot(seeded)
    html = str(render(data, "html"))
    assert re.search(r'<td class="num">4</td><td class="num">44 %</td>', html)
    md = str(render(data, "md"))
    header = next(line for line in md.splitlines() if line.startswith("| Answer | Distributors | Share |"))
    rule = md.splitlines()[md.splitlines().index(header) + 1]
    assert rule == "|---|---:|---:|"


# -- CSV and XLSX ----------------------------------------------------------------------------------


def test_neutralise_every_trigger() -> None:
    for payload in SPREADSHEET_TRIGGERS:
        assert neutralise(payload) == "'" + payload
    assert neutralise("fine =1") == "fine =1"
    assert neutralise(-1) == -1 and neutralise(None) is None


def test_csv_columns_rows_and_neutralisation(attacked: ResponseStore) -> None:
    text = str(render(snapshot(attacked), "csv"))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == response_columns(include_contacts=False)
    assert rows[0][:3] == ["response_id", "distributor", "distributor_kind"]
    assert "contact" not in rows[0] and "respondent_role" not in rows[0]
    cells = [c for row in rows[1:] for c in row]
    assert not [c for c in cells if c and c[0] in "=+-@\t\r"], "unneutralised cell"
    for payload in FORMULA_PAYLOADS:
        assert any(c.startswith("'" + payload) for c in cells), payload
    by_name = {row[1]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert by_name["Gentoo <b>bold</b> | pipe `tick`"]["blockers"] == "offline-verification;air-gapped-builders"


def test_xlsx_sheets_match_the_crosstab_engine(seeded: ResponseStore) -> None:
    data = snapshot(seeded)
    wb = load_workbook(io.BytesIO(render(data, "xlsx")))  # type: ignore[arg-type]
    assert wb.sheetnames[:2] == ["Responses", "Summary"]
    for name in ("Simulation", "Themes", "Distributors", "Provenance", *CROSSTAB_SHEETS.values()):
        assert name in wb.sheetnames
    frame = seeded.latest_frame()
    for key, sheet_name in CROSSTAB_SHEETS.items():
        ws = wb[sheet_name]
        assert ws.freeze_panes == "A2" and ws["A1"].font.b
        field = key.removeprefix("crosstab-")
        table = crosstab.with_labels(crosstab.crosstab(frame, field, "distributor_kind", margins=True))
        header = [c.value for c in ws[1]]
        checked = 0
        for row in ws.iter_rows(min_row=2, values_only=True):
            if row[0] is None:
                break
            for col_label, value in zip(header[1:], row[1:], strict=True):
                assert table.loc[row[0], col_label] == value, (field, row[0], col_label)
                checked += 1
        assert checked >= len(table.index)
    responses = wb["Responses"]
    assert [c.value for c in responses[1]] == response_columns(include_contacts=False)
    assert responses.max_row == data.distributors + 1
    assert wb["Responses"].column_dimensions["B"].width >= 8


def test_xlsx_neutralises_payloads(attacked: ResponseStore) -> None:
    wb = load_workbook(io.BytesIO(render(snapshot(attacked), "xlsx")))  # type: ignore[arg-type]
    values = [c.value for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [v for v in values if v[0] in "=+-@\t\r"], "unneutralised cell"
    assert "'" + HYPERLINK in values
    for ws in wb:
        for row in ws.iter_rows():
            assert all(c.data_type != "f" for c in row)


# -- determinism and personal data -----------------------------------------------------------------


def test_two_exports_differ_only_in_the_generated_line(attacked: ResponseStore) -> None:
    first = snapshot(attacked, now=datetime(2026, 1, 1, tzinfo=UTC))
    second = snapshot(attacked, now=datetime(2026, 2, 2, tzinfo=UTC))
    for fmt in ("html", "md", "csv", "json"):
        a, b = str(render(first, fmt)), str(render(second, fmt))
        if fmt in ("html", "md"):
            assert a != b
            assert len(a.splitlines()) == len(b.splitlines())
            assert sum(x != y for x, y in zip(a.splitlines(), b.splitlines(), strict=True)) == 1
        assert without_generated_line(a) == without_generated_line(b), fmt
    assert render(first, "xlsx") == render(second, "xlsx")


def test_personal_data_excluded_unless_requested(attacked: ResponseStore) -> None:
    without = snapshot(attacked)
    for fmt in ("html", "md", "csv", "json"):
        text = str(render(without, fmt))
        assert CONTACT not in text and ROLE not in text, fmt
    xlsx = load_workbook(io.BytesIO(render(without, "xlsx")))  # type: ignore[arg-type]
    cells = {str(c.value) for ws in xlsx for row in ws.iter_rows() for c in row}
    assert CONTACT not in cells
    included = snapshot(attacked, ReportOptions(include_contacts=True, draws=TEST_OPTIONS.draws))
    for fmt in ("html", "csv", "json"):
        assert CONTACT in str(render(included, fmt)), fmt
    assert "INCLUDES personal data" in str(render(included, "html"))
    assert "INCLUDES personal data" in str(render(included, "md"))


def test_json_format_is_the_canonical_export(attacked: ResponseStore) -> None:
    from analysis.importer import parse_responses

    text = str(render(snapshot(attacked), "json"))
    outcome = parse_responses(text)
    assert outcome.ok and len(outcome.responses) == 3
    assert all(isinstance(r, SurveyResponse) and r.contact is None for r in outcome.responses)


def test_markdown_stays_pasteable_with_many_distributors(store: ResponseStore) -> None:
    from bench.synthetic import generate_responses

    store.import_responses(generate_responses(600, 300, seed=3))
    text = str(render(snapshot(store, ReportOptions(draws=100, policies=("3.14.0b1",))), "md"))
    assert len(text) < 32_000, len(text)  # Discourse's default maximum post length
    # The distributor table is capped in the report itself (most urgent first), with a note.
    assert "Every distributor's answers are in the CSV" in text or "more rows: see the HTML report or the CSV" in text


def test_exposed_distributors_are_explained_once_with_their_policies(seeded: ResponseStore) -> None:
    """One line per distributor, naming every policy it is exposed under (not one copy per policy)."""
    data = snapshot(seeded)
    assert data.simulation is not None
    html = str(render(data, "html"))
    assert "Who is exposed under" not in html
    items = re.findall(r"<li>(.*?)</li>", html.split('<ul class="why">')[1].split("</ul>")[0])
    names = [item.split(" starts fetching")[0] for item in items]
    assert sorted(names) == ["Debian", "Fedora"] and len(names) == len(set(names))
    fedora = next(item for item in items if item.startswith("Fedora"))
    assert "Exposed under 3 policies (3.14.0a1: 350 days from 2024-10-22; 3.14.0b1: 153 days" in fedora
    md = str(render(data, "md"))
    why = md.split("**Who is exposed, and why**")[1].split("###")[0]
    assert [line[2:].split(" starts")[0] for line in why.splitlines() if line.startswith("- ")] == ["Fedora", "Debian"]


def test_xlsx_cells_have_the_types_a_spreadsheet_sorts_by(seeded: ResponseStore) -> None:
    """Dates are dates, yes/no are booleans, shares are percentages, every table can be filtered,
    and the file says its rows are each distributor's latest answer."""
    from datetime import datetime as dt

    from openpyxl.utils.cell import range_boundaries

    data = snapshot(seeded)
    wb = load_workbook(io.BytesIO(render(data, "xlsx")))  # type: ignore[arg-type]
    responses = wb["Responses"]
    header = [c.value for c in responses[1]]
    rows = [dict(zip(header, r, strict=True)) for r in responses.iter_rows(min_row=2)]
    debian = next(r for r in rows if r["distributor"].value == "Debian")
    assert debian["ready_likely"].is_date and debian["ready_likely"].number_format == "yyyy-mm-dd"
    assert debian["ready_likely"].value == dt(2025, 9, 1)
    assert debian["submitted_at"].is_date and isinstance(debian["submitted_at"].value, dt)
    assert all(r["illustrative"].data_type == "b" and r["illustrative"].value is True for r in rows)
    assert all(r["prerelease_lag_days"].data_type == "n" for r in rows)
    assert {r["counted_as"].value for r in rows} == {"latest answer of this distributor"}
    assert [t for t in responses.tables] == ["Responses__latest_answer_per_distributor__1"]
    provenance = [tuple(c.value for c in row) for row in wb["Provenance"].iter_rows(min_row=2, max_row=2)]
    assert provenance[0][0] == "Responses sheet and CSV hold" and "not every response" in provenance[0][1]

    summary = wb["Summary"]
    shares = [row[2] for row in summary.iter_rows() if row[2].number_format == "0%"]
    assert shares and all(c.data_type == "n" and 0 <= c.value <= 1 for c in shares)
    alpha = next(row for row in summary.iter_rows() if row[0].value == "Alpha")
    assert alpha[1].value == 4 and alpha[2].value == 4 / 9  # the exact share, not "44 %" read back
    assert alpha[2].data_type == "n" and alpha[2].number_format == "0%"

    exposure = wb["Exposure"]
    p_cells = [row[6] for row in exposure.iter_rows() if isinstance(row[6].value, int | float)]
    assert p_cells and all(c.number_format == "0%" for c in p_cells)
    first_unsigned = [row[2] for row in exposure.iter_rows() if row[0].value == "Fedora"]
    assert first_unsigned and all(c.is_date for c in first_unsigned)

    distributors = wb["Distributors"]
    flag = [c.value for c in distributors[1]].index("Illustrative")
    assert {row[flag].value for row in distributors.iter_rows(min_row=2)} == {True}

    # Every block of every sheet has filter buttons over its header row and all of its rows.
    for ws in wb:
        ranges = [ws.tables[name].ref for name in ws.tables] + ([ws.auto_filter.ref] if ws.auto_filter.ref else [])
        assert ranges, ws.title
        for ref in ranges:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
            assert max_row > min_row, (ws.title, ref)  # covers rows, not only the header
            assert ws.cell(min_row, min_col).font.b, (ws.title, ref)  # starts at a header
            assert max_col == len([c for c in ws[min_row] if c.value is not None]), (ws.title, ref)
    assert len(wb["Exposure"].tables) == len(data.simulation.exposures if data.simulation else ())


def test_csv_says_its_rows_are_latest_answers(seeded: ResponseStore) -> None:
    rows = list(csv.reader(io.StringIO(str(render(snapshot(seeded), "csv")))))
    assert rows[0][-1] == "counted_as"
    assert {row[-1] for row in rows[1:]} == {"latest answer of this distributor"}
    assert len(rows) - 1 == len({row[1] for row in rows[1:]})  # one row per distributor
