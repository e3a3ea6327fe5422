"""Unexpected errors on a page: a short message with an incident id for the person, the details
for the operator's log, and nothing a respondent typed in either.

Streamlit's own handler shows the exception (type, message, traceback) in the browser; that
reveals code and, worse, data: a SQLAlchemy error carries the SQL and, by default, every bound
parameter, a pydantic error the offending input. ``.streamlit/config.toml`` sets
``client.showErrorDetails = "none"`` as the backstop; :func:`run_page` wraps every page so the
person sees one sentence with an id, and the log line with the same id has the traceback with
exception *types*, files, lines and code, but each exception's message withheld (its length and a
short hash are kept, so repeats can be matched). For SQLAlchemy errors the SQL statement is kept
(it is code; the engines are created with ``hide_parameters=True``) and the driver's error class.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import sys
import traceback
from types import TracebackType
from typing import Protocol

import streamlit as st
from sqlalchemy.exc import InterfaceError, OperationalError, StatementError

from analysis.storage import StoreUnavailable

LOGGER_NAME = "survey.incidents"
_log = logging.getLogger(LOGGER_NAME)
if not _log.handlers:  # Streamlit configures only its own loggers; ours must reach stderr too
    _handler = logging.StreamHandler(sys.stderr)
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    _log.addHandler(_handler)
    _log.setLevel(logging.INFO)
    _log.propagate = False


class _Page(Protocol):
    @property
    def url_path(self) -> str: ...

    def run(self) -> None: ...


def new_incident_id() -> str:
    """Short enough to read out over the phone, random enough never to repeat in practice."""
    return secrets.token_hex(4).upper()


def _withheld(message: str) -> str:
    digest = hashlib.sha256(message.encode("utf-8", "replace")).hexdigest()[:8]
    return f"<message withheld: {len(message)} chars, sha256 {digest}>"


def _frames(tb: TracebackType | None) -> list[str]:
    lines: list[str] = []
    for frame in traceback.extract_tb(tb):  # no locals: they hold answers and contacts
        lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
        if frame.line:
            lines.append(f"    {frame.line.strip()}")
    return lines


def _describe(exc: BaseException) -> list[str]:
    name = f"{type(exc).__module__}.{type(exc).__qualname__}"
    head = f"{name}: {_withheld(str(exc))}"
    lines = [head]
    if isinstance(exc, StatementError):
        orig = exc.orig
        if orig is not None:
            code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
            lines.append(f"  driver error: {type(orig).__module__}.{type(orig).__qualname__} (sqlstate {code})")
        if exc.statement:
            lines.append("  SQL (parameters never logged): " + " ".join(exc.statement.split())[:2000])
    return lines


def scrubbed_traceback(exc: BaseException) -> str:
    """The traceback of ``exc`` and its causes, with every exception message withheld."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    blocks: list[str] = []
    for i, item in enumerate(reversed(chain)):
        if i:
            blocks.append("The above exception led to:")
        blocks.append("Traceback (most recent call last):")
        blocks.extend(_frames(item.__traceback__))
        blocks.extend(_describe(item))
    return "\n".join(blocks)


def report_incident(exc: BaseException, where: str) -> str:
    """Log ``exc`` under a new incident id (scrubbed) and return the id."""
    incident = new_incident_id()
    _log.error("incident %s on page %r\n%s", incident, where, scrubbed_traceback(exc))
    return incident


def _store_trouble(exc: BaseException) -> bool:
    return isinstance(exc, StoreUnavailable | OperationalError | InterfaceError)


#: SQLite's "database is locked" codes: another process held the write lock past the busy timeout.
_SQLITE_BUSY_CODES = frozenset({5, 6})  # SQLITE_BUSY, SQLITE_LOCKED (primary result codes)


def _store_busy(exc: BaseException) -> bool:
    """Another process (an import of a large file, say) holds SQLite's one write lock.

    The store is fine and the next attempt will likely succeed: the person is told to submit again,
    not that the store is down. The primary result code is the low byte of the extended one.
    """
    code = getattr(getattr(exc, "orig", None), "sqlite_errorcode", None)
    return isinstance(exc, OperationalError) and isinstance(code, int) and code & 0xFF in _SQLITE_BUSY_CODES


def run_page(page: _Page) -> None:
    """Run ``page``; an unexpected exception becomes a short message with an incident id.

    ``st.stop``/``st.rerun``/``st.switch_page`` are ``BaseException`` subclasses and pass through.
    """
    try:
        page.run()
    except Exception as exc:  # noqa: BLE001 - this is the last line of defence for every page
        incident = report_incident(exc, page.url_path or "home")
        if _store_busy(exc):
            st.error(
                "The answer store is busy with another write (a large import, say), so nothing was saved "
                "by this attempt. What you entered is still on the page: submit it again in a minute. "
                f"Incident {incident}.",
                icon=":material/hourglass_top:",
            )
        elif _store_trouble(exc):
            st.error(
                "The answer store is unavailable right now. Nothing you typed was saved by this attempt; "
                f"please try again in a few minutes. Incident {incident}.",
                icon=":material/cloud_off:",
            )
        else:
            st.error(
                f"Something went wrong on this page. The error was logged as incident {incident}; "
                "please mention this id if you report it. Reloading the page usually helps.",
                icon=":material/error:",
            )
