"""The export digest every report prints: the SHA-256 of the canonical JSON answers, remembered per
store generation so a report of 100,000 answers need not encode them all (issue 14).

What must hold: the remembered digest is always the digest of the current export (never of an
older state), a report built without the JSON text prints the same digest as one built with it,
and the JSON a person downloads from the Reports page is the text whose digest the page shows.
"""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser

from analysis.cli import main
from analysis.reports import ReportOptions, build_snapshot, render
from analysis.storage import ResponseStore
from tests.conftest import make_response, require_chromium, running_app


def sha(text: str | bytes) -> str:
    return hashlib.sha256(text.encode("utf-8") if isinstance(text, str) else text).hexdigest()


def test_digest_is_the_digest_of_the_export_and_follows_every_write(store: ResponseStore) -> None:
    assert store.answers_digest() == sha(store.export_latest_json()) == sha("[]\n")
    first = store.submit(make_response(contact="a@example.org"))
    assert store.answers_digest() == sha(store.export_latest_json())
    assert store.answers_digest(include_contacts=False) == sha(store.export_latest_json(include_contacts=False))
    assert store.answers_digest() != store.answers_digest(include_contacts=False)
    store.submit(make_response(prerelease_lag_days=9), token=first.token)
    assert store.answers_digest() == sha(store.export_latest_json())
    store.import_responses([make_response(distributor=f"Bulk {i}") for i in range(70)])
    assert store.answers_digest() == sha(store.export_latest_json())


def test_a_remembered_digest_is_used_until_the_next_write(
    store: ResponseStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.submit(make_response())
    expected = store.answers_digest()  # computed and remembered
    before = store.generation()

    def no_encoding(*args: object, **kwargs: object) -> None:
        raise AssertionError("the export was encoded again")

    with monkeypatch.context() as m:
        m.setattr(ResponseStore, "iter_latest_json", no_encoding)
        assert store.answers_digest() == expected
    assert store.generation() == before  # remembering is not a change of the answers
    store.submit(make_response(distributor="Gentoo"))
    assert store.answers_digest() == sha(store.export_latest_json()) != expected


def test_a_digest_of_a_past_generation_is_not_remembered(store: ResponseStore) -> None:
    store.submit(make_response())
    stale = store.generation()
    store.submit(make_response(distributor="Arch"))
    store.remember_digest("0" * 64, include_contacts=True, generation=stale)
    assert store.answers_digest() == sha(store.export_latest_json())


def test_a_store_that_cannot_take_the_digest_still_exports_and_reports(
    store: ResponseStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The digest is a cache: a locked or read-only store loses only the remembering."""
    from sqlalchemy.exc import OperationalError

    store.import_responses([make_response(distributor=f"D{i}") for i in range(3)])

    def locked(self: ResponseStore, **kwargs: object) -> None:
        raise OperationalError("UPDATE export_digests", {}, Exception("database is locked"))

    monkeypatch.setattr(ResponseStore, "_write", locked)
    out = tmp_path / "answers.json"
    assert main(["export", "--format", "json", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == store.export_latest_json(include_contacts=False)
    assert store.answers_digest() == sha(store.export_latest_json())  # computed, not remembered
    assert main(["export", "--format", "md", "--out", str(tmp_path / "r.md"), "--draws", "100"]) == 0
    assert sha(out.read_bytes()) in (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "Traceback" not in capsys.readouterr().err


def test_export_json_remembers_the_digest_of_the_file_it_wrote(
    store: ResponseStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.import_responses([make_response(distributor=f"D{i}") for i in range(80)])
    out = tmp_path / "answers.json"
    assert main(["export", "--format", "json", "--out", str(out)]) == 0
    monkeypatch.setattr(ResponseStore, "iter_latest_json", lambda *a, **k: iter(()))  # would hash as nothing
    assert store.answers_digest(include_contacts=False) == sha(out.read_bytes())  # the CLI default


def test_report_without_json_text_prints_the_same_digest(store: ResponseStore) -> None:
    store.import_responses([make_response(distributor=f"D{i}", contact="x@example.org") for i in range(5)])
    for include_contacts in (False, True):
        options = ReportOptions(include_contacts=include_contacts, draws=200)
        full = build_snapshot(store, options)
        lean = build_snapshot(store, options, answers_json=False)
        assert lean.answers_sha256 == full.answers_sha256 == sha(full.answers_json)
        assert lean.answers_json == ""
        assert full.answers_sha256 in str(render(lean, "html"))
        with pytest.raises(ValueError, match="without the JSON answers"):
            render(lean, "json")


def test_formats_without_charts_are_the_same_built_without_figures(store: ResponseStore) -> None:
    """Markdown, CSV and XLSX do not depend on whether the snapshot drew its charts (the CLI and the
    Reports page build them without), and the HTML of a drawn snapshot has every chart."""
    from datetime import UTC, datetime

    from tests.reports_support import load_seed

    load_seed(store)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    options = ReportOptions(draws=200)
    drawn = build_snapshot(store, options, now=now, answers_json=False)
    plain = build_snapshot(store, options, now=now, answers_json=False, figures=False)
    assert drawn.figures and not plain.figures
    for fmt in ("md", "csv", "xlsx"):
        assert render(plain, fmt) == render(drawn, fmt), fmt
    assert str(render(drawn, "html")).count('class="plotly-graph-div"') == len(drawn.figures)


@pytest.mark.browser
def test_reports_page_downloads_are_rendered_on_click(browser: Browser, tmp_path: Path) -> None:
    """Each download is rendered when clicked (deferred): what arrives is the report, and the JSON
    is the text whose digest the page and the HTML report show."""
    require_chromium()
    files: dict[str, bytes] = {}
    with running_app(tmp_path) as base:
        page = browser.new_page()
        page.goto(f"{base}/reports")
        caption = page.get_by_text(re.compile("SHA-256 of the exported answers"))
        caption.wait_for(timeout=120_000)
        shown = re.search(r"[0-9a-f]{64}", caption.inner_text())
        assert shown is not None
        for label in ("HTML", "Markdown", "CSV", "XLSX", "JSON"):
            with page.expect_download(timeout=60_000) as info:
                page.get_by_role("button", name=label, exact=True).click()
            files[label] = Path(info.value.path()).read_bytes()
        page.close()
    assert files["JSON"].startswith(b"[\n{") and sha(files["JSON"]) == shown.group(0)
    assert shown.group(0).encode() in files["HTML"] and files["HTML"].startswith(b"<!DOCTYPE html>")
    assert files["Markdown"].startswith(b"## PEP 761") and shown.group(0).encode() in files["Markdown"]
    assert files["CSV"].splitlines()[0].startswith(b"response_id,distributor,") and len(files["CSV"].splitlines()) > 9
    workbook = load_workbook(io.BytesIO(files["XLSX"]), read_only=True)
    assert "Responses" in workbook.sheetnames
