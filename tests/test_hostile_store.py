"""A store holding every payload and, via SQL, every control character (as an older app stored
them): every export format and every page still works, and nothing in them is active.

Runs on SQLite and PostgreSQL (PostgreSQL cannot hold NUL, so there the controls start at U+0001).
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from streamlit.testing.v1 import AppTest

from analysis.cli import main
from analysis.importer import parse_responses
from analysis.models import normalise_distributor
from analysis.storage import ResponseStore
from tests.conftest import APP_PATH, require_chromium
from tests.hostile_support import INVISIBLE_NAMES, payloads, seed_hostile
from ui.people_text import md_escape

BEACON = "http://127.0.0.1:9"
REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: Active Markdown/HTML as it would appear in a Markdown source that was NOT escaped.
RAW_ACTIVE = ("![x](", "![y](", "<img", "<script", "<svg", "<iframe", "](javascript:", "\\href{")


def active(markdown: str) -> list[str]:
    """The raw active constructs in a Markdown source (a backslash before one makes it text)."""
    return [raw for raw in RAW_ACTIVE if re.search(r"(?<!\\)" + re.escape(raw), markdown)]


PAGES = [
    "pages/home.py",
    "pages/survey.py",
    "pages/verify.py",
    "pages/overview.py",
    "pages/crosstab.py",
    "pages/distributors.py",
    "pages/coding.py",
    "pages/simulator.py",
    "pages/reports.py",
]


@pytest.fixture
def hostile(store: ResponseStore) -> ResponseStore:
    seed_hostile(store, BEACON)
    return store


def export(fmt: str, out: Path, *extra: str) -> None:
    code = main(["export", "--format", fmt, "--out", str(out), "--draws", "200", *extra])
    assert code == 0, fmt


def test_every_export_format_survives_the_store(hostile: ResponseStore, tmp_path: Path) -> None:
    for fmt in ("json", "csv", "xlsx", "md", "html"):
        export(fmt, tmp_path / f"report.{fmt}", "--include-contacts")

    # JSON: the canonical answers, refused characters marked, and it imports again under the rule.
    answers = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert len(answers) == len(hostile.latest())

    # XLSX: opens, no illegal character, refused ones visibly replaced, formulas neutralised.
    wb = load_workbook(tmp_path / "report.xlsx")
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    strings = [c.value for c in cells if isinstance(c.value, str)]
    assert not any(ILLEGAL_CHARACTERS_RE.search(s) or REFUSED.search(s) for s in strings)
    assert any("\ufffd" in s for s in strings)
    assert all(c.data_type != "f" for c in cells)
    formula = payloads(BEACON)["formula"]
    assert "'" + formula in strings and formula not in strings
    assert any(s.startswith("'=cmd|") for s in strings)

    # CSV: same neutralisation, no control characters.
    rows = list(csv.reader(io.StringIO((tmp_path / "report.csv").read_text(encoding="utf-8"))))
    flat = [v for row in rows for v in row]
    assert "'" + formula in flat and formula not in flat
    assert not any(REFUSED.search(v) for v in flat)

    # Markdown and HTML: payloads are inert text.
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert active(md) == []
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<script>window.__pwned" not in html and f'<img src="{BEACON}' not in html
    assert "&lt;script&gt;window.__pwned" in html


def test_json_export_marks_refused_characters(hostile: ResponseStore, tmp_path: Path) -> None:
    export("json", tmp_path / "report.json", "--include-contacts")
    text_ = (tmp_path / "report.json").read_text(encoding="utf-8")
    assert not REFUSED.search(json.dumps(json.loads(text_), ensure_ascii=False))
    assert parse_responses(text_).ok


@pytest.mark.browser
def test_pdf_export_survives_the_store(hostile: ResponseStore, tmp_path: Path) -> None:
    from pypdf import PdfReader

    require_chromium()
    export("pdf", tmp_path / "report.pdf")
    reader = PdfReader(tmp_path / "report.pdf")
    assert "PEP 761" in reader.pages[0].extract_text()


def test_invisible_name_variants_count_as_one_distributor(hostile: ResponseStore) -> None:
    """The pre-rule rows hold four invisible variants of "Debian" (and the old counting key);
    after the 0006 migration re-folds the keys, they count as one with the real "Debian"."""
    from analysis.storage.db import migrate
    from tests.test_migrations import downgrade

    assert all(normalise_distributor(n) == "debian" for n in INVISIBLE_NAMES)
    before = hostile.latest_frame()
    assert len(set(before["distributor_key"]) & {n.casefold() for n in INVISIBLE_NAMES}) == 4  # the old keys
    downgrade(hostile.engine, "0005")
    migrate(hostile.engine)
    frame = hostile.latest_frame()
    legacy = frame[frame["distributor"].isin(INVISIBLE_NAMES)]
    assert len(legacy) == 4 and set(legacy["distributor_key"]) == {"debian"}
    assert hostile.stats()["distributors"] == before["distributor_key"].nunique() - 4
    # And the Distributors page flags them as one distributor claimed by several responses.
    at = AppTest.from_file(APP_PATH, default_timeout=120).run()
    at.switch_page("pages/distributors.py").run()
    assert not at.exception
    assert any(w.value.startswith("Claimed by 5 responses") for w in at.warning), [w.value for w in at.warning]


def _markdown_strings(at: AppTest) -> list[str]:
    """Every string on the page that Streamlit renders as Markdown (bodies, alerts, labels)."""
    out: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "success", "error"):
        out.extend(str(el.value) for el in getattr(at, kind))
    for kind in ("expander", "tabs"):
        out.extend(str(el.label) for el in getattr(at, kind))
    for kind in (
        "selectbox",
        "multiselect",
        "radio",
        "text_input",
        "text_area",
        "checkbox",
        "toggle",
        "button",
        "number_input",
        "slider",
        "date_input",
    ):
        for el in getattr(at, kind):
            out.append(str(el.label))
            if kind == "radio":  # radio options are Markdown too
                out.extend(str(o) for o in el.options)
    out.extend(str(m.label) for m in at.metric)
    return out


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_the_store_and_shows_payloads_as_text(hostile: ResponseStore, page: str) -> None:
    at = AppTest.from_file(APP_PATH, default_timeout=120).run()
    at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    for value in _markdown_strings(at):
        assert active(value) == [], (page, value)
    if page == "pages/distributors.py":
        texts = [t.value for t in at.text]
        assert any(f"![x]({BEACON}/md-image.png)" in t for t in texts)  # shown literally, as text


def test_distributor_page_shows_payload_names_escaped(hostile: ResponseStore) -> None:
    at = AppTest.from_file(APP_PATH, default_timeout=120).run()
    at.switch_page("pages/distributors.py").run()
    headings = [m.value for m in at.markdown if m.value.startswith("### ")]
    name = f"![x]({BEACON}/md-image.png) 0"
    assert "### \\!\\[x\\]\\(http\u2060\\:\\/\\/127\\.0\\.0\\.1\\:9\\/md\\-image\\.png\\) 0" in headings
    assert f"### {md_escape(name)}" in headings


def test_reports_page_downloads_with_the_store(hostile: ResponseStore) -> None:
    at = AppTest.from_file(APP_PATH, default_timeout=120).run()
    at.switch_page("pages/reports.py").run()
    assert not at.exception
    assert [el.proto.label for el in at.get("download_button")] == ["HTML", "Markdown", "CSV", "XLSX", "JSON"]
