"""SQLAlchemy table definitions.

Column names equal the canonical JSON keys so that the database, the form and the exports speak
one vocabulary. Answers are stored as immutable revisions; ``responses.latest_revision`` points at
the current one so that "latest answer per response" is a join on an indexed key, not a GROUP BY
over 100,000 revisions. ``response_latest`` repeats the analysis columns of each response's current
revision (no free text), written in the same transaction as the revision, so that the dashboards
read one narrow table instead of joining the wide revisions. Reviewer tags live in their own tables and never touch an answer.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


def all_tables() -> MetaData:
    """Every table of the store: those here and those the access and roster modules declare.

    They live in their own modules (and register on :class:`Base` when imported), so whatever needs
    the whole schema, Alembic's autogenerate and the test holding migrations equal to this
    declaration, asks here instead of relying on what happens to be imported.
    """
    from analysis.storage import access_tables, roster_tables  # noqa: F401 - registers their tables

    return Base.metadata


class ResponseRow(Base):
    __tablename__ = "responses"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: SHA-256 of the secret edit token; the token itself is never stored.
    edit_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    #: 0 while the response only exists as a draft.
    latest_revision: Mapped[int] = mapped_column(Integer, default=0)
    distributor_key: Mapped[str | None] = mapped_column(String(200), index=True, nullable=True)


class RevisionRow(Base):
    __tablename__ = "response_revisions"
    __table_args__ = (UniqueConstraint("response_id", "revision", name="uq_revision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    #: Indexed by ``uq_revision``, whose leading column it is (migration 0008 dropped its own index).
    response_id: Mapped[str] = mapped_column(ForeignKey("responses.id"))
    revision: Mapped[int] = mapped_column(Integer)
    stored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    distributor: Mapped[str] = mapped_column(String(200))
    distributor_kind: Mapped[str] = mapped_column(String(40))
    respondent_role: Mapped[str | None] = mapped_column(String(200), nullable=True)
    contact: Mapped[str | None] = mapped_column(String(320), nullable=True)
    python_versions: Mapped[str] = mapped_column(Text)  # JSON list
    prerelease_start: Mapped[str] = mapped_column(String(20))
    prerelease_lag_days: Mapped[int] = mapped_column(Integer)
    verifies_pgp_today: Mapped[str | None] = mapped_column(String(10), nullable=True)  # NULL: not answered
    verification_tooling: Mapped[str] = mapped_column(Text)
    sigstore_status: Mapped[str] = mapped_column(String(20))
    blockers: Mapped[str] = mapped_column(Text)  # JSON list
    blockers_text: Mapped[str] = mapped_column(Text)
    ready_earliest: Mapped[date | None] = mapped_column(Date, nullable=True)
    ready_likely: Mapped[date | None] = mapped_column(Date, nullable=True)
    ready_latest: Mapped[date | None] = mapped_column(Date, nullable=True)
    worst_case: Mapped[str] = mapped_column(Text)  # JSON list
    worst_case_text: Mapped[str] = mapped_column(Text)
    dual_signing_until: Mapped[str | None] = mapped_column(String(10), nullable=True)
    comments: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)
    verification_evidence: Mapped[str] = mapped_column(Text)  # JSON list


class LatestRow(Base):
    """The current revision of each submitted response, analysis columns only (a derived copy).

    Written by the store in the same transaction as every revision (see ``_store_revisions``), so it
    always equals ``response_revisions`` joined on ``responses.latest_revision`` for these columns.
    Free text, contact details and provenance are left out: they are read from the revisions.
    """

    __tablename__ = "response_latest"

    response_id: Mapped[str] = mapped_column(ForeignKey("responses.id"), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer)
    stored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    distributor: Mapped[str] = mapped_column(String(200))
    distributor_kind: Mapped[str] = mapped_column(String(40))
    python_versions: Mapped[str] = mapped_column(Text)  # JSON list
    prerelease_start: Mapped[str] = mapped_column(String(20))
    prerelease_lag_days: Mapped[int] = mapped_column(Integer)
    verifies_pgp_today: Mapped[str | None] = mapped_column(String(10), nullable=True)
    sigstore_status: Mapped[str] = mapped_column(String(20))
    blockers: Mapped[str] = mapped_column(Text)  # JSON list
    ready_earliest: Mapped[date | None] = mapped_column(Date, nullable=True)
    ready_likely: Mapped[date | None] = mapped_column(Date, nullable=True)
    ready_latest: Mapped[date | None] = mapped_column(Date, nullable=True)
    worst_case: Mapped[str] = mapped_column(Text)  # JSON list
    dual_signing_until: Mapped[str | None] = mapped_column(String(10), nullable=True)
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)
    verification_evidence: Mapped[str] = mapped_column(Text)  # JSON list
    distributor_key: Mapped[str | None] = mapped_column(String(200), nullable=True)


#: The revision columns copied into ``response_latest``, in the revisions table's order.
#: Text columns that hold a JSON list (the model's list fields).
JSON_COLUMNS: tuple[str, ...] = ("python_versions", "blockers", "worst_case", "verification_evidence")
#: Always part of an analysis frame: identity and bookkeeping, needed to count and deduplicate.
FRAME_KEYS = frozenset({"response_id", "revision", "stored_at", "submitted_at", "distributor"})
LATEST_REVISION_COLUMNS: tuple[str, ...] = tuple(
    c.name for c in RevisionRow.__table__.columns if c.name in LatestRow.__table__.columns
)


class DraftRow(Base):
    """An unvalidated, partly filled form, kept until the respondent submits."""

    __tablename__ = "drafts"

    response_id: Mapped[str] = mapped_column(ForeignKey("responses.id"), primary_key=True)
    payload: Mapped[str] = mapped_column(Text)
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ThemeRow(Base):
    """A codebook entry reviewers use to code free text."""

    __tablename__ = "themes"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of suggestion keywords
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ThemeTagRow(Base):
    """A reviewer's decision that a response's free-text field speaks to a theme."""

    __tablename__ = "theme_tags"
    __table_args__ = (
        UniqueConstraint("response_id", "field", "theme", name="uq_theme_tag"),
        Index("ix_theme_tags_theme", "theme"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    response_id: Mapped[str] = mapped_column(ForeignKey("responses.id"), index=True)
    field: Mapped[str] = mapped_column(String(40))
    theme: Mapped[str] = mapped_column(ForeignKey("themes.name"))
    tagged_by: Mapped[str] = mapped_column(String(200), default="")
    tagged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ExportDigestRow(Base):
    """The SHA-256 of the canonical JSON export at one store generation, per contacts setting.

    Every report prints it; computing it means encoding every answer (seconds at 100,000). The
    generation counter changes with every write, in the write's own transaction, so a digest
    recorded for the current generation is exactly the digest of the current answers.
    """

    __tablename__ = "export_digests"

    include_contacts: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    generation: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))


class StoreMetaRow(Base):
    """Monotonic change counter: caches key on it so every writer (any replica) invalidates them."""

    __tablename__ = "store_meta"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)
