"""A write that meets another process's open write transaction (a long import, say).

SQLite has one writer: a submit waits the busy timeout, then fails with "database is locked", and
the page says the store is busy, that nothing was saved, and keeps what was typed, so submitting
again once the lock is gone stores exactly that. PostgreSQL locks rows, not the database: the
same submit is stored at once.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import insert
from sqlalchemy.exc import OperationalError
from streamlit.testing.v1 import AppTest

from analysis.storage import ResponseStore, db, open_store
from analysis.storage.tables import ResponseRow
from tests.conftest import make_response
from tests.survey_browser_support import fill_required_in_browser
from ui.incidents import _store_busy

#: The busy timeout while these tests run (ms): long enough to be a wait, short enough for a test.
SHORT_WAIT_MS = 300


@pytest.fixture(autouse=True)
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", SHORT_WAIT_MS)


@contextmanager
def another_writer(store: ResponseStore) -> Iterator[None]:
    """Another process's write transaction, open and uncommitted, as an import's is for minutes."""
    if store.engine.dialect.name == "sqlite":
        locker = sqlite3.connect(str(store.engine.url.database), isolation_level=None)
        locker.execute("BEGIN IMMEDIATE")
        locker.execute("INSERT INTO store_meta (key, value) VALUES ('held by the test', 1)")
        try:
            yield
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        return
    other = store.engine.connect()  # its own connection and transaction
    trans = other.begin()
    now = datetime.now(UTC)
    other.execute(insert(ResponseRow).values(id="f" * 32, created_at=now, updated_at=now, latest_revision=0))
    try:
        yield
    finally:
        trans.rollback()
        other.close()


def test_a_submit_meets_another_writer(store: ResponseStore) -> None:
    store.engine.dispose()  # new connections, with the short busy timeout
    with another_writer(store):
        if store.engine.dialect.name == "sqlite":
            with pytest.raises(OperationalError) as raised:
                store.submit(make_response(distributor="During the import"))
            assert _store_busy(raised.value)
            assert store.stats()["responses"] == 0  # nothing half-written; reading is not blocked
        else:
            store.submit(make_response(distributor="During the import"))
            assert store.stats()["responses"] == 1
    saved = store.submit(make_response(distributor="After the import"))
    assert saved.revision == 1
    assert {r.response.distributor for r in store.latest()} >= {"After the import"}


def test_other_store_errors_are_not_called_busy() -> None:
    unavailable = OperationalError("SELECT 1", {}, sqlite3.OperationalError("unable to open database file"))
    assert not _store_busy(unavailable)
    assert not _store_busy(ValueError("database is locked"))


def _busy_app() -> None:
    """A page whose write meets SQLite's lock held past the busy timeout."""
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from ui.incidents import run_page

    class Locked:
        url_path = "survey"

        def run(self) -> None:
            locked = sqlite3.OperationalError("database is locked")
            locked.sqlite_errorcode = 5  # SQLITE_BUSY, as the driver sets it
            raise OperationalError("BEGIN IMMEDIATE", {}, locked)

    run_page(Locked())


def test_run_page_calls_a_locked_store_busy_not_unavailable() -> None:
    at = AppTest.from_function(_busy_app, default_timeout=30).run()
    assert not at.exception
    (error,) = at.error
    assert error.value.startswith("The answer store is busy with another write")
    assert "nothing was saved" in error.value and "submit it again in a minute" in error.value
    assert re.search(r"Incident [0-9A-F]{8}\.", error.value)
    assert "unavailable" not in error.value and "Traceback" not in error.value


@pytest.mark.browser
def test_the_survey_in_a_browser_says_busy_keeps_the_answers_and_saves_them_next_time(
    page: Page, tmp_path: Path, screenshot_dir: Path
) -> None:
    """A real server, whose submit waits its full busy timeout (10 s) while another process holds
    SQLite's write lock, as ``python -m analysis import`` of a large file does."""
    from tests.conftest import require_chromium, running_app

    require_chromium()
    store = open_store(f"sqlite:///{tmp_path / 'survey.sqlite3'}")
    with running_app(tmp_path, seed=False) as base:
        page.set_viewport_size({"width": 1400, "height": 2600})
        page.goto(f"{base}/survey")
        expect(page.get_by_role("heading", name="Answer the survey")).to_be_visible(timeout=30_000)
        fill_required_in_browser(page, "Busy Linux")
        words = page.get_by_role("textbox", name="Blockers in your words")
        words.fill("Typed while an import ran")
        with another_writer(store):
            page.get_by_role("button", name="Submit answers").click()
            busy = page.get_by_text("The answer store is busy with another write")
            expect(busy).to_be_visible(timeout=60_000)
            busy.scroll_into_view_if_needed()
            page.screenshot(path=str(screenshot_dir / "survey-store-busy.png"))
            assert store.stats()["responses"] == 0
        body = page.locator("body").inner_text()
        assert "Traceback" not in body and "database is locked" not in body
        expect(words).to_have_value("Typed while an import ran")  # still on the page
        page.get_by_role("button", name="Submit answers").click()
        expect(page.get_by_text("your answers for Busy Linux are saved")).to_be_visible(timeout=30_000)
    (stored,) = store.latest()
    assert stored.response.distributor == "Busy Linux"
    assert stored.response.blockers_text == "Typed while an import ran"
    store.engine.dispose()
