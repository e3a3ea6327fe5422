"""Invitations: a private survey link per distributor, stored hashed, revocable, one live at a time.

The invitation token is 192 random bits, shown once and stored as its SHA-256 (``hash_token``, the
edit tokens' scheme). When the invited distributor saves a draft or submits, the response is created
with the invitation token as its edit token, in the same transaction that links the invitation to
it: so re-opening the invitation link later leads to that response's edit flow, never to a second
response, and the answer is known to have come through an invitation (``invited_response_ids``).

A new invitation for a distributor revokes the previous unused one; a used invitation stays linked
to its response (revoking it does not take the respondent's edit link away).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from analysis.models import RosterEntry, SurveyResponse, check_email, normalise_distributor, now_utc
from analysis.storage.records import aware
from analysis.storage.roster_tables import InvitationRow, RosterRow
from analysis.storage.store import (
    MAX_DRAFT_BYTES,
    ResponseStore,
    SubmitResult,
    hash_token,
    new_response_id,
    new_token,
)
from analysis.storage.tables import DraftRow, ResponseRow


class InvitationNotFound(LookupError):
    """Unknown, mistyped or revoked invitation link. Says nothing about which."""


@dataclass(frozen=True)
class NewInvitation:
    token: str
    distributor: str
    contact: str | None
    revoked_previous: int


@dataclass(frozen=True)
class InvitationRecord:
    """An invitation as reviewers see it (never the token)."""

    id: int
    key: str
    distributor: str
    contact: str | None
    created_at: datetime
    revoked_at: datetime | None
    response_id: str | None
    used_at: datetime | None
    mailed_at: datetime | None

    @property
    def live(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class OpenedInvitation:
    """What the survey page needs from an invitation link."""

    distributor: str
    kind: str | None
    #: Set once a draft or an answer was saved through the link: the page goes to the edit flow.
    response_id: str | None


def _record(row: InvitationRow) -> InvitationRecord:
    def maybe(value: datetime | None) -> datetime | None:
        return aware(value) if value else None

    return InvitationRecord(
        id=row.id,
        key=row.distributor_key,
        distributor=row.distributor,
        contact=row.contact,
        created_at=aware(row.created_at),
        revoked_at=maybe(row.revoked_at),
        response_id=row.response_id,
        used_at=maybe(row.used_at),
        mailed_at=maybe(row.mailed_at),
    )


def create_invitation(store: ResponseStore, distributor: str, contact: str | None = None) -> NewInvitation:
    """A new invitation (the token is returned once); earlier unused ones for the distributor are revoked.

    The distributor is added to the roster when it is not on it (an invited distributor is one
    the council wants to hear from); a roster entry's contact is used when none is given.
    """
    entry = RosterEntry(distributor=distributor, contact=check_email(contact) if contact else None)
    token = new_token()
    now = now_utc()
    with store._write() as s:
        roster = s.get(RosterRow, entry.key)
        if roster is None:
            roster = RosterRow(
                distributor_key=entry.key,
                distributor=entry.distributor,
                contact=entry.contact,
                added_at=now,
                updated_at=now,
            )
            s.add(roster)
        name = roster.distributor
        mail_to = entry.contact or _email_or_none(roster.contact)
        revoked = s.execute(
            update(InvitationRow)
            .where(
                InvitationRow.distributor_key == entry.key,
                InvitationRow.revoked_at.is_(None),
                InvitationRow.response_id.is_(None),
            )
            .values(revoked_at=now)
        )
        s.add(
            InvitationRow(
                distributor_key=entry.key,
                distributor=name,
                token_hash=hash_token(token),
                contact=mail_to,
                created_at=now,
            )
        )
    return NewInvitation(
        token=token, distributor=name, contact=mail_to, revoked_previous=int(getattr(revoked, "rowcount", 0) or 0)
    )


def _email_or_none(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return check_email(value)
    except ValueError:
        return None


def revoke_invitations(store: ResponseStore, distributor: str) -> int:
    """Revoke the distributor's unused invitations; returns how many."""
    key = normalise_distributor(distributor)
    with store._write() as s:
        result = s.execute(
            update(InvitationRow)
            .where(
                InvitationRow.distributor_key == key,
                InvitationRow.revoked_at.is_(None),
                InvitationRow.response_id.is_(None),
            )
            .values(revoked_at=now_utc())
        )
        return int(getattr(result, "rowcount", 0) or 0)


def _live(s: Session, token: str, *, for_update: bool = False) -> InvitationRow:
    if not token or len(token) > 200:
        raise InvitationNotFound
    stmt = select(InvitationRow).where(InvitationRow.token_hash == hash_token(token))
    if for_update:
        stmt = stmt.with_for_update()
    row = s.scalars(stmt).one_or_none()
    if row is None or (row.revoked_at is not None and row.response_id is None):
        raise InvitationNotFound
    return row


def open_invitation(store: ResponseStore, token: str) -> OpenedInvitation:
    with store._read() as s:
        row = _live(s, token)
        roster = s.get(RosterRow, row.distributor_key)
        return OpenedInvitation(
            distributor=row.distributor, kind=roster.distributor_kind if roster else None, response_id=row.response_id
        )


@contextmanager
def _claimed(store: ResponseStore, token: str) -> Iterator[tuple[Session, str, bool]]:
    """One write transaction holding the invitation; yields (session, response_id, created).

    The first save through an invitation creates its response (edit token = invitation token); a
    concurrent second save waits on the row lock (PostgreSQL) or the write lock (SQLite) and then
    finds the response already linked, so two tabs never make two responses.
    """
    now = now_utc()
    with store._write() as s:
        row = _live(s, token, for_update=True)
        created = row.response_id is None
        if created:
            response_id = new_response_id()
            s.add(
                ResponseRow(
                    id=response_id, edit_token_hash=hash_token(token), created_at=now, updated_at=now, latest_revision=0
                )
            )
            s.flush()
            row.response_id = response_id
        else:
            response_id = str(row.response_id)
        yield s, response_id, created
        if row.used_at is None:
            latest = s.scalar(select(ResponseRow.latest_revision).where(ResponseRow.id == response_id)) or 0
            if latest > 0:
                row.used_at = now


def submit_invited(store: ResponseStore, token: str, response: SurveyResponse) -> SubmitResult:
    """Store an answer given through an invitation link: one transaction, never a second response."""
    now = now_utc()
    response = response.model_copy(update={"submitted_at": response.submitted_at or now})
    with _claimed(store, token) as (s, response_id, _created):
        revision = ResponseStore._append_revision(s, response_id, response, now)
        s.execute(delete(DraftRow).where(DraftRow.response_id == response_id))
    return SubmitResult(response_id=response_id, revision=revision, token=None)


def save_invited_draft(store: ResponseStore, token: str, payload: dict[str, Any]) -> SubmitResult:
    """Save a half-filled form reached through an invitation (the invitation link resumes it)."""
    text = json.dumps(payload, default=str)
    if len(text.encode("utf-8")) > MAX_DRAFT_BYTES:
        raise ValueError(f"The draft is too large to save (limit {MAX_DRAFT_BYTES // 1024} KB).")
    now = now_utc()
    with _claimed(store, token) as (s, response_id, _created):
        existing = s.get(DraftRow, response_id)
        if existing is None:
            s.add(DraftRow(response_id=response_id, payload=text, saved_at=now))
        else:
            existing.payload, existing.saved_at = text, now
    return SubmitResult(response_id=response_id, revision=0, token=None)


def invitations(store: ResponseStore) -> list[InvitationRecord]:
    """Every invitation, newest first."""
    with store._read() as s:
        rows = s.scalars(select(InvitationRow).order_by(InvitationRow.created_at.desc(), InvitationRow.id.desc())).all()
        return [_record(r) for r in rows]


def invited_response_ids(store: ResponseStore) -> set[str]:
    """Responses that came through an invitation (the rest are self-declared)."""
    with store._read() as s:
        return {
            str(r) for r in s.scalars(select(InvitationRow.response_id).where(InvitationRow.response_id.is_not(None)))
        }


def mark_mailed(store: ResponseStore, invitation_ids: list[int]) -> None:
    if not invitation_ids:
        return
    with store._write() as s:
        s.execute(update(InvitationRow).where(InvitationRow.id.in_(invitation_ids)).values(mailed_at=now_utc()))
