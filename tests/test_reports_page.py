"""AppTest of the Reports page: with the seed data, with an empty store, behind sign-in."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from analysis.access import PASSPHRASE_HASH_ENV, hash_passphrase
from analysis.storage import ResponseStore
from tests.conftest import APP_PATH, require_chromium
from tests.reports_support import CONTACT, load_payloads, load_seed

PASSPHRASE = "correct horse battery staple"


def open_reports() -> AppTest:
    at = AppTest.from_file(APP_PATH, default_timeout=60)
    at.run()
    at.switch_page("pages/reports.py").run()
    assert not at.exception, at.exception
    return at


def downloads(at: AppTest) -> list[str]:
    return [el.proto.label for el in at.get("download_button")]


def test_reports_page_with_seed_data(store: ResponseStore) -> None:
    load_seed(store)
    at = open_reports()
    assert at.title[0].value == "Reports for Steering Council review"
    assert downloads(at) == ["HTML", "Markdown", "CSV", "XLSX", "JSON"]
    assert at.button(key="prepare_pdf").label == "Prepare PDF"
    preview = at.code[0].value
    assert preview.startswith("## PEP 761 downstream survey") and "9 distributors" in preview
    assert any("excluded" in c.value for c in at.caption)
    # An app without configured reviewers is open, so personal data cannot be ticked.
    assert at.checkbox(key="report_contacts").disabled


def test_changing_options_rebuilds_the_report(store: ResponseStore) -> None:
    load_seed(store)
    at = open_reports()
    at.multiselect(key="report_policies").set_value(["3.15.0b1"]).run()
    assert not at.exception
    assert "| 3\\.15\\.0b1 |" in at.code[0].value or "| 3.15.0b1 |" in at.code[0].value
    assert "| 3.14.0a1 |" not in at.code[0].value
    at.text_input(key="report_html_url").input("javascript:alert(1)").run()
    assert at.error and "http" in at.error[0].value


def test_reports_page_with_empty_store(store: ResponseStore) -> None:
    at = open_reports()
    assert at.info and "No answers" in at.info[0].value
    assert downloads(at) == []


def test_reports_page_requires_sign_in(store: ResponseStore, monkeypatch: pytest.MonkeyPatch) -> None:
    load_payloads(store)
    monkeypatch.setenv(PASSPHRASE_HASH_ENV, hash_passphrase(PASSPHRASE, n=2**4, r=1, p=1))
    at = open_reports()
    assert at.title[0].value == "Reviewers only"
    assert downloads(at) == [] and not at.code
    at.text_input[0].input(PASSPHRASE)
    at.button[0].click().run()
    at.switch_page("pages/reports.py").run()
    assert not at.exception
    assert downloads(at)
    contacts = at.checkbox(key="report_contacts")
    assert not contacts.disabled
    assert CONTACT not in at.code[0].value
    contacts.check().run()
    assert at.warning and "INCLUDES personal data" in at.warning[0].value
    assert "INCLUDES personal data" in at.code[0].value


@pytest.mark.browser
def test_pdf_is_prepared_on_click(store: ResponseStore) -> None:
    require_chromium()
    load_seed(store)
    at = open_reports()
    at.number_input(key="report_draws").set_value(200).run()
    assert not any("PDF is ready" in s.value for s in at.success)
    at.button(key="prepare_pdf").click().run()
    assert not at.exception and not at.error
    assert downloads(at) == ["HTML", "Markdown", "CSV", "XLSX", "JSON", "PDF"]
    ready = [s.value for s in at.success if "PDF is ready" in s.value]
    assert len(ready) == 1 and re.search(r"The PDF is ready: \d+ pages, [\d,]+ KiB", ready[0]), ready
