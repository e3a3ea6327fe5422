"""The response store: every write is one transaction, and no accepted answer is ever overwritten.

Respondents are identified only by a secret edit token that is shown once and stored as a SHA-256
hash (the token carries 192 random bits, so a fast hash is enough; there is nothing to brute-force).
Each save appends a revision; drafts are kept apart and never counted.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    import pandas as pd

from analysis.models import (
    STORED,
    SurveyResponse,
    VerificationEvidence,
    normalise_distributor,
    now_utc,
    text_problem,
)
from analysis.storage.db import make_engine, migrate
from analysis.storage.raw_rows import fetch_frame, fetch_rows, stream_rows
from analysis.storage.rows import (
    AnswerColumns,
    answer_columns,
    chunks,
    core_table,
    insert_columns,
    latest_columns,
    revision_columns,
)
from analysis.storage.tables import (
    JSON_COLUMNS,
    LATEST_REVISION_COLUMNS,
    DraftRow,
    ExportDigestRow,
    LatestRow,
    ResponseRow,
    RevisionRow,
    StoreMetaRow,
    ThemeRow,
    ThemeTagRow,
)

#: Largest draft accepted (JSON bytes). Drafts are unvalidated, so they get a hard size cap.
MAX_DRAFT_BYTES = 256 * 1024
#: Always part of ``latest_frame``: identity and bookkeeping, needed to count and deduplicate.
_FRAME_KEYS = frozenset({"response_id", "revision", "stored_at", "submitted_at", "distributor"})
#: One writer per SQLite database per process (datasette's model); other processes wait on the
#: busy timeout. PostgreSQL needs no such lock.
_SQLITE_WRITE_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


class TokenNotFound(LookupError):
    """The edit link is wrong or was never issued. Says nothing about which."""


class DraftNotFound(LookupError):
    pass


def new_token() -> str:
    return secrets.token_urlsafe(24)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_response_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class StoredResponse:
    """A response's revision as stored, with the bookkeeping the JSON format leaves out."""

    response: SurveyResponse
    revision: int
    stored_at: datetime


@dataclass(frozen=True)
class SubmitResult:
    response_id: str
    revision: int
    #: Only set when a new edit token was issued: the one time it can be shown.
    token: str | None = None
    #: True when the answers equal the latest revision: nothing was appended (``revision`` is that one).
    unchanged: bool = False


@dataclass(frozen=True)
class EditSession:
    response_id: str
    latest: StoredResponse | None
    draft: dict[str, Any] | None
    draft_saved_at: datetime | None


@dataclass(frozen=True)
class ImportResult:
    created: int = 0
    revised: int = 0
    unchanged: int = 0
    response_ids: list[str] = field(default_factory=list)


def _from_row(row: RevisionRow) -> StoredResponse:
    return StoredResponse(
        response=_from_values(lambda c: getattr(row, c), row.response_id),
        revision=row.revision,
        stored_at=_aware(row.stored_at),
    )


def _from_values(value: Callable[[str], Any], response_id: str) -> SurveyResponse:
    """The answer of stored column values (``value(column)``), as read back from a revision row."""
    data: dict[str, Any] = {c: value(c) for c in SurveyResponse.model_fields if c not in _NOT_PLAIN}
    for col in JSON_COLUMNS:
        data[col] = json.loads(value(col))
    data["ready_by"] = {
        "earliest": value("ready_earliest"),
        "likely": value("ready_likely"),
        "latest": value("ready_latest"),
    }
    data["response_id"] = response_id
    # STORED: text written before the text rule is shown with U+FFFD marks instead of failing.
    return SurveyResponse.model_validate(data, context=STORED)


_NOT_PLAIN = frozenset(("response_id", "ready_by", *JSON_COLUMNS))


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)


class ResponseStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._write_lock: threading.Lock | None
        if engine.dialect.name == "sqlite":
            with _LOCKS_GUARD:
                self._write_lock = _SQLITE_WRITE_LOCKS.setdefault(str(engine.url), threading.Lock())
        else:
            self._write_lock = None

    # -- transactions -------------------------------------------------------------------------

    @contextmanager
    def _write(self, *, bump: bool = True) -> Iterator[Session]:
        """One write transaction; bumps the change counter that caches key on.

        ``bump=False`` only for bookkeeping about the answers (a remembered export digest),
        which must not itself count as a change of the answers.
        """
        lock = self._write_lock
        if lock is not None:
            lock.acquire()
        try:
            with self.engine.connect().execution_options(sqlite_write=True) as conn:
                with Session(bind=conn) as session, session.begin():
                    yield session
                    if bump:
                        session.execute(
                            update(StoreMetaRow)
                            .where(StoreMetaRow.key == "generation")
                            .values(value=StoreMetaRow.value + 1)
                        )
                conn.commit()
        finally:
            if lock is not None:
                lock.release()

    def _read(self) -> Session:
        return Session(self.engine)

    def generation(self) -> int:
        """Changes whenever anything is written, by any process: the cache key for analyses."""
        with self._read() as s:
            return int(s.scalar(select(StoreMetaRow.value).where(StoreMetaRow.key == "generation")) or 0)

    # -- respondents --------------------------------------------------------------------------

    def submit(self, response: SurveyResponse, token: str | None = None) -> SubmitResult:
        """Store a validated answer. Without a token a new response and token are created."""
        now = now_utc()
        response = response.model_copy(update={"submitted_at": response.submitted_at or now})
        with self._write() as s:
            if token is None:
                token = new_token()
                response_id = new_response_id()
                s.add(
                    ResponseRow(
                        id=response_id,
                        edit_token_hash=hash_token(token),
                        created_at=now,
                        updated_at=now,
                        latest_revision=0,
                    )
                )
                s.flush()
                issued: str | None = token
            else:
                response_id = self._response_id_for_token(s, token)
                issued = None
                same = self._latest_if_same(s, response_id, response)
                if same is not None:
                    # Re-submitting the same answers is not a new revision: the history would
                    # otherwise fill with entries that change nothing. A pending draft is done with.
                    s.execute(delete(DraftRow).where(DraftRow.response_id == response_id))
                    return SubmitResult(response_id=response_id, revision=same, unchanged=True)
            revision = self._append_revision(s, response_id, response, now)
            s.execute(delete(DraftRow).where(DraftRow.response_id == response_id))
        return SubmitResult(response_id=response_id, revision=revision, token=issued)

    @staticmethod
    def _latest_if_same(s: Session, response_id: str, response: SurveyResponse) -> int | None:
        """The latest revision number if its answers equal ``response`` (``answers_equal``), else None."""
        row = s.scalars(
            select(RevisionRow)
            .join(ResponseRow, ResponseRow.id == RevisionRow.response_id)
            .where(RevisionRow.response_id == response_id, RevisionRow.revision == ResponseRow.latest_revision)
        ).one_or_none()
        if row is None or not _from_row(row).response.answers_equal(response):
            return None
        return row.revision

    def save_draft(self, payload: dict[str, Any], token: str | None = None) -> SubmitResult:
        """Keep a partly filled form. The payload is not validated, only size-capped and JSON-safe."""
        text = json.dumps(payload, default=str, sort_keys=True)
        if len(text.encode("utf-8")) > MAX_DRAFT_BYTES:
            raise ValueError(f"The draft is too large to save (limit {MAX_DRAFT_BYTES // 1024} KB).")
        now = now_utc()
        with self._write() as s:
            issued: str | None = None
            if token is None:
                token = issued = new_token()
                response_id = new_response_id()
                s.add(ResponseRow(id=response_id, edit_token_hash=hash_token(token), created_at=now, updated_at=now))
                s.flush()
            else:
                response_id = self._response_id_for_token(s, token)
            existing = s.get(DraftRow, response_id)
            if existing is None:
                s.add(DraftRow(response_id=response_id, payload=text, saved_at=now))
            else:
                existing.payload, existing.saved_at = text, now
        return SubmitResult(response_id=response_id, revision=0, token=issued)

    def open_for_edit(self, token: str) -> EditSession:
        with self._read() as s:
            response_id = self._response_id_for_token(s, token)
            latest_no = s.scalar(select(ResponseRow.latest_revision).where(ResponseRow.id == response_id)) or 0
            latest = None
            if latest_no:
                row = s.scalars(
                    select(RevisionRow).where(RevisionRow.response_id == response_id, RevisionRow.revision == latest_no)
                ).one()
                latest = _from_row(row)
            draft = s.get(DraftRow, response_id)
            return EditSession(
                response_id=response_id,
                latest=latest,
                draft=json.loads(draft.payload) if draft else None,
                draft_saved_at=_aware(draft.saved_at) if draft else None,
            )

    def history(self, response_id: str) -> list[StoredResponse]:
        """Every revision of one response, oldest first."""
        with self._read() as s:
            rows = s.scalars(
                select(RevisionRow).where(RevisionRow.response_id == response_id).order_by(RevisionRow.revision)
            ).all()
            return [_from_row(r) for r in rows]

    def history_for_token(self, token: str) -> list[StoredResponse]:
        with self._read() as s:
            response_id = self._response_id_for_token(s, token)
        return self.history(response_id)

    def attach_verification(self, token: str, evidence: VerificationEvidence) -> SubmitResult:
        """Record a successful verification on the respondent's answer, as a new revision.

        Read, change and write happen in one transaction with the response locked, so evidence
        attached at the same time as an edit (or another attachment) is never lost.
        """
        now = now_utc()
        with self._write() as s:
            response_id = self._response_id_for_token(s, token)
            latest_no = self._lock_latest_revision(s, response_id)
            if not latest_no:
                raise ValueError("Submit the survey first; evidence is attached to a submitted answer.")
            row = s.scalars(
                select(RevisionRow).where(RevisionRow.response_id == response_id, RevisionRow.revision == latest_no)
            ).one()
            current = _from_row(row).response
            updated = SurveyResponse.model_validate(
                current.model_dump()
                | {"verification_evidence": [*current.verification_evidence, evidence], "submitted_at": now}
            )
            revision = self._append_revision(s, response_id, updated, now)
        return SubmitResult(response_id=response_id, revision=revision)

    def _response_id_for_token(self, s: Session, token: str) -> str:
        if not token or len(token) > 200:
            raise TokenNotFound
        # The lookup compares SHA-256 hashes of a 192-bit secret, never the secret itself, so the
        # index lookup's timing reveals nothing usable; no second, constant-time pass is needed.
        response_id = s.scalar(select(ResponseRow.id).where(ResponseRow.edit_token_hash == hash_token(token)))
        if response_id is None:
            raise TokenNotFound
        return response_id

    @staticmethod
    def _lock_latest_revision(s: Session, response_id: str) -> int:
        """The response's latest revision number, with its ``responses`` row locked until commit.

        Revisions are numbered read-then-insert. Under PostgreSQL's READ COMMITTED two edits of
        one response would both read N and both insert N + 1 (``uq_revision`` fails for one), so
        the row is read ``FOR UPDATE``: a second edit waits for the first to commit, then reads
        N + 1. SQLite needs no row lock: ``BEGIN IMMEDIATE`` already serialises writers (SQLAlchemy
        leaves ``FOR UPDATE`` out there).
        """
        stmt = select(ResponseRow.latest_revision).where(ResponseRow.id == response_id).with_for_update()
        return s.scalar(stmt) or 0

    @staticmethod
    def _append_revision(s: Session, response_id: str, response: SurveyResponse, now: datetime) -> int:
        revision = ResponseStore._lock_latest_revision(s, response_id) + 1
        revisions = revision_columns(answer_columns([response]).values, [response_id], [revision], now)
        ResponseStore._store_revisions(s, revisions)
        s.execute(
            update(ResponseRow)
            .where(ResponseRow.id == response_id)
            .values(
                latest_revision=revision,
                updated_at=now,
                distributor_key=normalise_distributor(response.distributor),
            )
        )
        return revision

    @staticmethod
    def _store_revisions(s: Session, revisions: dict[str, list[Any]]) -> None:
        """Insert revisions (columns), each becoming its response's latest: the one place revisions are written.

        ``response_latest`` gets the same rows (analysis columns only) in the same transaction, so the
        two tables cannot disagree. The caller keeps ``responses.latest_revision`` in step.
        """
        # Core inserts on the tables, not ORM bulk inserts: the ORM leaves out None values and so
        # splits rows with different NULL columns into separate statements (one per row, nearly).
        insert_columns(s, core_table(RevisionRow), revisions)
        replaced = [rid for rid, n in zip(revisions["response_id"], revisions["revision"], strict=True) if n > 1]
        for chunk in chunks(replaced, 500):
            s.execute(delete(LatestRow).where(LatestRow.response_id.in_(chunk)))
        insert_columns(s, core_table(LatestRow), latest_columns(revisions))

    # -- bulk import ---------------------------------------------------------------------------

    def import_responses(self, responses: Sequence[SurveyResponse]) -> ImportResult:
        """All or nothing. A response carrying a known ``response_id`` gets a new revision only if
        its answers changed, so importing the same export twice changes nothing."""
        return self.import_batches([responses])

    def import_batches(self, batches: Iterable[Sequence[SurveyResponse]], *, keep_ids: bool = True) -> ImportResult:
        """Like :meth:`import_responses` for a stream: every batch is written in ONE transaction."""
        return self.import_columns(map(answer_columns, batches), keep_ids=keep_ids)

    def import_columns(
        self, batches: Iterable[AnswerColumns], *, keep_ids: bool = True, ids_unique: bool = False
    ) -> ImportResult:
        """:meth:`import_batches` of answers already turned into columns (by a parser process, say);
        see :func:`analysis.storage.bulk_import.import_columns`."""
        from analysis.storage.bulk_import import import_columns

        # The store's one clock (``now_utc`` here, which tests freeze) stamps the whole import.
        return import_columns(self, batches, now=now_utc(), keep_ids=keep_ids, ids_unique=ids_unique)

    # -- reading for analysis ------------------------------------------------------------------

    def latest(self) -> list[StoredResponse]:
        """The current revision of every submitted response, in a stable order."""
        with self._read() as s:
            rows = s.scalars(
                select(RevisionRow)
                .join(ResponseRow, ResponseRow.id == RevisionRow.response_id)
                .where(RevisionRow.revision == ResponseRow.latest_revision)
                .order_by(RevisionRow.response_id)
            ).all()
            return [_from_row(r) for r in rows]

    def _latest_stmt(self, include_contacts: bool) -> Any:
        from analysis.storage import export_rows

        table = RevisionRow.__table__
        wanted = export_rows.stored_columns(include_contacts)
        return (
            select(*(table.c[n] for n in wanted))
            .join(ResponseRow, ResponseRow.id == RevisionRow.response_id)
            .where(RevisionRow.revision == ResponseRow.latest_revision)
        )

    def export_latest_json(self, *, include_contacts: bool = True) -> str:
        """The canonical JSON export (``python -m analysis export --format json``).

        Straight from the rows, no model on the way out (answers were validated on the way in):
        see ``export_rows``.
        """
        from analysis.storage import export_rows

        names, rows = fetch_rows(self.engine, self._latest_stmt(include_contacts))
        return export_rows.rows_text(names, rows, include_contacts)

    def iter_latest_json(self, *, include_contacts: bool = True, chunk: int = 5000) -> Iterator[str]:
        """:meth:`export_latest_json` in pieces, reading ``chunk`` rows at a time: the CLI writes
        the export of 1,000,000 answers in the memory of one chunk. Same text, byte for byte."""
        from analysis.storage import export_rows

        stmt = self._latest_stmt(include_contacts).order_by(RevisionRow.response_id)
        writer: export_rows.RowWriter | None = None
        first = True
        for names, rows in stream_rows(self.engine, stmt, chunk):
            writer = writer or export_rows.RowWriter(names, include_contacts)
            for text in writer.lines(rows):
                yield ("[\n" if first else ",\n") + text
                first = False
        yield "[]\n" if first else "\n]\n"

    def answers_digest(self, *, include_contacts: bool = True) -> str:
        """SHA-256 of :meth:`export_latest_json`'s UTF-8 text, remembered per store generation.

        The first call after a change streams the export through the hash (memory of one chunk);
        later calls at the same generation read the remembered digest (``export_digests``).
        """
        generation = self.generation()
        with self._read() as s:
            known = s.scalar(
                select(ExportDigestRow.sha256).where(
                    ExportDigestRow.include_contacts == include_contacts, ExportDigestRow.generation == generation
                )
            )
        if known:
            return known
        from analysis.storage.export_rows import hashed_utf8

        digest = hashlib.sha256()
        for _ in hashed_utf8(self.iter_latest_json(include_contacts=include_contacts), digest):
            pass
        sha256 = digest.hexdigest()
        self.remember_digest(sha256, include_contacts=include_contacts, generation=generation)
        return sha256

    def remember_digest(self, sha256: str, *, include_contacts: bool, generation: int) -> bool:
        """Keep ``sha256`` as the export's digest at ``generation``, unless the answers changed since
        (then it describes a past state and is dropped). Does not count as a change itself.

        Only a cache: when the store cannot take the write (a read-only database role, SQLite
        locked by a long import beyond the busy timeout) nothing is kept and False is returned;
        the export or report that computed the digest goes on.
        """
        try:
            with self._write(bump=False) as s:
                current = s.scalar(select(StoreMetaRow.value).where(StoreMetaRow.key == "generation"))
                if int(current or 0) != generation:
                    return False
                s.execute(delete(ExportDigestRow).where(ExportDigestRow.include_contacts == include_contacts))
                s.add(ExportDigestRow(include_contacts=include_contacts, generation=generation, sha256=sha256))
        except DBAPIError:
            return False
        return True

    def stored_responses(self, response_ids: Iterable[str]) -> list[StoredResponse]:
        """The latest revision of the given responses, as models (for the few a report shows)."""
        found: list[StoredResponse] = []
        with self._read() as s:
            for chunk in chunks(sorted(set(response_ids)), 500):
                rows = s.scalars(
                    select(RevisionRow)
                    .join(ResponseRow, ResponseRow.id == RevisionRow.response_id)
                    .where(RevisionRow.response_id.in_(chunk), RevisionRow.revision == ResponseRow.latest_revision)
                ).all()
                found.extend(_from_row(r) for r in rows)
        return sorted(found, key=lambda item: item.response.response_id or "")

    def latest_frame(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """Latest revision per response as a DataFrame (the analysis input; fast at 100k rows).

        Columns are the JSON keys, with ``ready_by`` flattened to ``ready_earliest``/``ready_likely``/
        ``ready_latest``, list fields as Python lists, plus ``response_id``, ``revision``,
        ``stored_at`` and ``distributor_key``. ``columns`` limits the answer columns read (the
        bookkeeping columns always come): counting charts need no free text, and skipping it is
        most of the cost at 100,000 responses.
        """
        table = RevisionRow.__table__
        wanted = [
            c.name
            for c in table.columns
            if c.name != "id" and (columns is None or c.name in columns or c.name in _FRAME_KEYS)
        ]
        if set(wanted) <= set(LATEST_REVISION_COLUMNS):
            # Analysis columns only: one narrow table, no join, no free text to step over.
            latest = LatestRow.__table__
            stmt = select(*(latest.c[n] for n in wanted), latest.c.distributor_key)
        else:
            stmt = (
                select(*(table.c[n] for n in wanted), ResponseRow.distributor_key)
                .join(ResponseRow, ResponseRow.id == RevisionRow.response_id)
                .where(RevisionRow.revision == ResponseRow.latest_revision)
            )
        # No ORDER BY: SQLite then scans the table sequentially; rows are sorted below.
        return fetch_frame(self.engine, stmt, json_columns=JSON_COLUMNS)

    def stats(self) -> dict[str, Any]:
        with self._read() as s:
            responses = s.scalar(select(func.count()).select_from(ResponseRow).where(ResponseRow.latest_revision > 0))
            revisions = s.scalar(select(func.count()).select_from(RevisionRow))
            distributors = s.scalar(
                select(func.count(func.distinct(ResponseRow.distributor_key))).where(ResponseRow.latest_revision > 0)
            )
            drafts = s.scalar(select(func.count()).select_from(ResponseRow).where(ResponseRow.latest_revision == 0))
            last = s.scalar(select(func.max(ResponseRow.updated_at)).where(ResponseRow.latest_revision > 0))
            illustrative = s.scalar(
                select(func.count())
                .select_from(RevisionRow)
                .join(ResponseRow, ResponseRow.id == RevisionRow.response_id)
                .where(RevisionRow.revision == ResponseRow.latest_revision, RevisionRow.illustrative.is_(True))
            )
        return {
            "responses": int(responses or 0),
            "distributors": int(distributors or 0),
            "revisions": int(revisions or 0),
            "drafts_only": int(drafts or 0),
            "illustrative": int(illustrative or 0),
            "last_update": _aware(last).isoformat() if last else None,
        }

    # -- codebook and tags (reviewers) ---------------------------------------------------------

    def themes(self) -> list[dict[str, Any]]:
        with self._read() as s:
            rows = s.scalars(select(ThemeRow).order_by(ThemeRow.name)).all()
            return [
                {"name": r.name, "label": r.label, "description": r.description, "keywords": json.loads(r.keywords)}
                for r in rows
            ]

    def upsert_theme(self, name: str, label: str, description: str = "", keywords: Iterable[str] = ()) -> None:
        name, keywords = name.strip(), list(keywords)
        if not name or len(name) > 80:
            raise ValueError("A theme needs a name of 1 to 80 characters.")
        # Reviewers' text follows the respondents' rule (a NUL must never reach PostgreSQL).
        for what, value, single in (("name", name, True), ("label", label, True), ("description", description, False)):
            problem = text_problem(value, single_line=single)
            if problem:
                raise ValueError(f"The theme {what} {problem}.")
        for keyword in keywords:
            problem = text_problem(keyword, single_line=True)
            if problem:
                raise ValueError(f"A keyword {problem}.")
        with self._write() as s:
            row = s.get(ThemeRow, name)
            kw = json.dumps(sorted({k.strip().lower() for k in keywords if k.strip()}))
            if row is None:
                s.add(
                    ThemeRow(
                        name=name,
                        label=label.strip() or name,
                        description=description,
                        keywords=kw,
                        created_at=now_utc(),
                    )
                )
            else:
                row.label, row.description, row.keywords = label.strip() or name, description, kw

    def set_tags(self, response_id: str, field_name: str, themes: Iterable[str], tagged_by: str = "") -> None:
        """Replace the reviewer tags of one free-text field of one response."""
        wanted = set(themes)
        with self._write() as s:
            s.execute(
                delete(ThemeTagRow).where(ThemeTagRow.response_id == response_id, ThemeTagRow.field == field_name)
            )
            now = now_utc()
            for theme in sorted(wanted):
                s.add(
                    ThemeTagRow(
                        response_id=response_id, field=field_name, theme=theme, tagged_by=tagged_by, tagged_at=now
                    )
                )

    def tags_frame(self) -> pd.DataFrame:
        import pandas as pd

        with self.engine.connect() as conn:
            result = conn.execute(select(ThemeTagRow.response_id, ThemeTagRow.field, ThemeTagRow.theme))
            return pd.DataFrame(result.fetchall(), columns=["response_id", "field", "theme"])


def open_store(url: str | None = None) -> ResponseStore:
    """Engine + migrations + store: what the app, the CLI and the tests all start from."""
    engine = make_engine(url)
    migrate(engine)
    return ResponseStore(engine)
