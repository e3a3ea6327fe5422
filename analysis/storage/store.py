"""The response store: every write is one transaction, and no accepted answer is ever overwritten.

Respondents are identified only by a secret edit token that is shown once and stored as a SHA-256
hash (the token carries 192 random bits, so a fast hash is enough; there is nothing to brute-force).
Each save appends a revision; drafts are kept apart and never counted.

This module holds the respondents' writes (submit, draft, edit, verification evidence) and the
one revision writer every answer goes through. The store's other parts: ``store_base``
(transactions and the change counter), ``analysis_reads`` (every answer for analysis and
export), ``codebook`` (reviewers' themes and tags), ``bulk_import`` (the importer's batches) and
``records`` (revision rows read back as models).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from analysis.models import (
    SurveyResponse,
    VerificationEvidence,
    now_utc,
)
from analysis.storage.analysis_reads import AnalysisReads
from analysis.storage.codebook import Codebook
from analysis.storage.db import make_engine, migrate
from analysis.storage.records import StoredResponse, aware, stored_response
from analysis.storage.rows import (
    AnswerColumns,
    BindMemos,
    answer_columns,
    chunks,
    copy_latest_rows,
    core_table,
    distributor_key,
    insert_columns,
    last_revision_id,
    latest_columns,
    revision_columns,
)
from analysis.storage.tables import (
    DraftRow,
    LatestRow,
    ResponseRow,
    RevisionRow,
)

#: Largest draft accepted (JSON bytes). Drafts are unvalidated, so they get a hard size cap.
MAX_DRAFT_BYTES = 256 * 1024


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


class ResponseStore(AnalysisReads, Codebook):
    """The store: respondents' writes here; transactions, analysis reads and the codebook in
    ``store_base``, ``analysis_reads`` and ``codebook``."""

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
        if row is None or not stored_response(row).response.answers_equal(response):
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
                latest = stored_response(row)
            draft = s.get(DraftRow, response_id)
            return EditSession(
                response_id=response_id,
                latest=latest,
                draft=json.loads(draft.payload) if draft else None,
                draft_saved_at=aware(draft.saved_at) if draft else None,
            )

    def history(self, response_id: str) -> list[StoredResponse]:
        """Every revision of one response, oldest first."""
        with self._read() as s:
            rows = s.scalars(
                select(RevisionRow).where(RevisionRow.response_id == response_id).order_by(RevisionRow.revision)
            ).all()
            return [stored_response(r) for r in rows]

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
            current = stored_response(row).response
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
                distributor_key=distributor_key(response.distributor),
            )
        )
        return revision

    @staticmethod
    def _store_revisions(
        s: Session, revisions: dict[str, list[Any]], keys: list[str] | None = None, memos: BindMemos | None = None
    ) -> None:
        """Insert revisions (columns), each becoming its response's latest: the one place revisions are written.

        ``response_latest`` gets the same rows (analysis columns only) in the same transaction, so the
        two tables cannot disagree. The caller keeps ``responses.latest_revision`` in step.
        ``keys``: the revisions' distributor keys, if the caller computed them already and stored
        them in the responses' rows (a first import: then SQLite copies a bulk of latest rows from
        the revisions just written, ``rows.copy_latest_rows``); ``memos``: an import's bind
        conversions, kept across its batches (``rows.BindMemos``).
        """
        count = len(revisions["response_id"])
        after = last_revision_id(s, count) if keys is not None else None
        # Core inserts on the tables, not ORM bulk inserts: the ORM leaves out None values and so
        # splits rows with different NULL columns into separate statements (one per row, nearly).
        insert_columns(s, core_table(RevisionRow), revisions, memos)
        replaced = [rid for rid, n in zip(revisions["response_id"], revisions["revision"], strict=True) if n > 1]
        for chunk in chunks(replaced, 500):
            s.execute(delete(LatestRow).where(LatestRow.response_id.in_(chunk)))
        if after is None or not copy_latest_rows(s, after, count):
            insert_columns(s, core_table(LatestRow), latest_columns(revisions, keys), memos)

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


def open_store(url: str | None = None) -> ResponseStore:
    """Engine + migrations + store: what the app, the CLI and the tests all start from."""
    engine = make_engine(url)
    migrate(engine)
    return ResponseStore(engine)
