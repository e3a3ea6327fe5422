"""Tables of the outreach side: the roster of distributors the council wants to hear from, invitations.

Kept apart from ``tables.py`` (the answers): nothing here is an answer, and no answer row refers to
them. An invitation points at the response submitted through it, which is how an answer is known to
have come through an invitation (not a column of the revision: the respondent did not say it).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from analysis.storage.tables import Base


class RosterRow(Base):
    __tablename__ = "roster"

    #: ``normalise_distributor`` of the name: the same key answers are counted under.
    distributor_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    distributor: Mapped[str] = mapped_column(String(200))
    distributor_kind: Mapped[str | None] = mapped_column(String(40), nullable=True)
    contact: Mapped[str | None] = mapped_column(String(320), nullable=True)
    channel: Mapped[str | None] = mapped_column(String(500), nullable=True)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class InvitationRow(Base):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    distributor_key: Mapped[str] = mapped_column(String(200), index=True)
    distributor: Mapped[str] = mapped_column(String(200))
    #: SHA-256 of the invitation token (like edit tokens); the token is shown once.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    contact: Mapped[str | None] = mapped_column(String(320), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    #: The response submitted through this invitation (at most one).
    response_id: Mapped[str | None] = mapped_column(ForeignKey("responses.id"), nullable=True, unique=True)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    #: When the last e-mail (invitation or reminder) was handed to the SMTP server.
    mailed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
