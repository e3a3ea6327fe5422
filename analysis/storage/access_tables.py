"""Tables of reviewer access: the sign-in failure budgets and the signed-in reviewer sessions.

Both live in the shared store so that every session, process and replica sees the same budget and
the same revocations. Neither holds a secret: budgets are keyed on digests of the credential and
of the client address, sessions on the SHA-256 of their random id (the id itself is only in the
reviewer's cookie).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from analysis.storage.tables import Base


class SignInBudgetRow(Base):
    __tablename__ = "sign_in_budget"

    #: ``cred:<credential digest>`` or ``client:<credential digest>:<address digest>``.
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    blocked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ReviewerSessionRow(Base):
    __tablename__ = "reviewer_sessions"

    #: SHA-256 (hex) of the session id carried by the cookie.
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: Digest of the credential in force at sign-in: rotating the passphrase hash ends the session.
    credential: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
