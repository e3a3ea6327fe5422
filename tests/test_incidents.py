"""Unexpected errors on a page: an incident id for the person, a scrubbed traceback for the log.

The log keeps exception types, files, lines and code (and SQL without parameters), never an
exception's message (it may quote an answer or a contact) nor local variables.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from streamlit.testing.v1 import AppTest

from analysis.storage import ResponseStore, open_store
from tests.conftest import make_response, running_app

SECRET_CONTACT = "secret-contact@example.org"
SECRET_WORDS = "SECRET-WORDS-IN-AN-ANSWER"


@pytest.fixture
def incident_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """The incident logger's records (it does not propagate in the app; here it must)."""
    from ui.incidents import LOGGER_NAME

    logger = logging.getLogger(LOGGER_NAME)
    logger.propagate = True
    try:
        with caplog.at_level(logging.ERROR, logger=LOGGER_NAME):
            yield caplog
    finally:
        logger.propagate = False


def test_scrubbed_traceback_keeps_sql_but_no_parameters(
    sqlite_store: ResponseStore, incident_log: pytest.LogCaptureFixture
) -> None:
    from ui.incidents import report_incident

    first = sqlite_store.submit(make_response(contact=SECRET_CONTACT))
    try:
        with sqlite_store.engine.begin() as conn:  # a duplicate primary key, carrying the contact
            conn.execute(
                text(
                    "INSERT INTO responses (id, created_at, updated_at, latest_revision, distributor_key) "
                    "VALUES (:id, :now, :now, 0, :key)"
                ),
                {"id": first.response_id, "now": "2025-01-01", "key": SECRET_CONTACT},
            )
    except IntegrityError as exc:
        assert SECRET_CONTACT not in str(exc)  # hide_parameters=True on every engine
        incident = report_incident(exc, "survey")
    else:
        pytest.fail("the duplicate insert did not fail")
    (record,) = incident_log.records
    message = record.getMessage()
    assert f"incident {incident} on page 'survey'" in message
    assert "sqlalchemy.exc.IntegrityError: <message withheld" in message
    assert "driver error: sqlite3.IntegrityError" in message
    assert "SQL (parameters never logged): INSERT INTO responses" in message
    assert 'File "' in message and "test_incidents.py" in message
    assert SECRET_CONTACT not in message


def _failing_app() -> None:
    from ui.incidents import run_page

    class Broken:
        url_path = "broken"

        def run(self) -> None:
            secret = "SECRET-WORDS-IN-AN-ANSWER"
            raise ValueError(f"cannot parse {secret}")

    run_page(Broken())


def test_run_page_shows_a_short_message_with_an_incident_id(incident_log: pytest.LogCaptureFixture) -> None:
    at = AppTest.from_function(_failing_app, default_timeout=30).run()
    assert not at.exception
    (error,) = at.error
    match = re.search(r"incident ([0-9A-F]{8})", error.value)
    assert match, error.value
    assert SECRET_WORDS not in error.value and "ValueError" not in error.value
    log = "\n".join(r.getMessage() for r in incident_log.records)
    assert f"incident {match.group(1)} on page 'broken'" in log
    assert "builtins.ValueError: <message withheld: 38 chars" in log
    assert SECRET_WORDS not in log


@pytest.mark.browser
def test_forced_error_in_a_real_browser_shows_only_an_incident_id(page: Page, tmp_path: Path) -> None:
    """A store row no code path can read (an unknown code, as a botched manual edit would leave)
    makes the Reports page fail: the browser shows an id, the log the scrubbed details."""
    from tests.conftest import require_chromium

    require_chromium()
    store = open_store(f"sqlite:///{tmp_path / 'survey.sqlite3'}")
    store.submit(make_response(contact=SECRET_CONTACT, comments=SECRET_WORDS))
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE response_revisions SET distributor_kind = 'SECRET-KIND'"))
    store.engine.dispose()
    with running_app(tmp_path, seed=False) as base:
        page.goto(f"{base}/reports")
        alert = page.get_by_text(re.compile(r"Something went wrong on this page\. The error was logged as incident"))
        expect(alert).to_be_visible(timeout=60_000)
        body = page.locator("body").inner_text()
        incident = re.search(r"incident ([0-9A-F]{8})", body)
        assert incident, body
        for leak in ("Traceback", "ValidationError", "SECRET-KIND", SECRET_WORDS, SECRET_CONTACT, 'File "'):
            assert leak not in body
    log = (tmp_path / "streamlit.log").read_text(encoding="utf-8")
    assert f"incident {incident.group(1)} on page 'reports'" in log
    assert "pydantic_core._pydantic_core.ValidationError: <message withheld" in log
    for leak in ("SECRET-KIND", SECRET_WORDS, SECRET_CONTACT):
        assert leak not in log
