"""Narrow "latest answers" table: the analysis columns of each response's current revision.

The dashboards load every response's latest revision; reading it through the wide revisions table
(free text included) joined on ``responses.latest_revision`` dominated the load at 100,000
responses. ``response_latest`` holds one row per submitted response, without free text, and is
written by the store in the same transaction as each revision. This migration creates it and fills
it from the existing revisions in one ``INSERT ... SELECT``.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)

#: Copied from the revision; ``distributor_key`` comes from ``responses``.
COPIED = (
    "response_id",
    "revision",
    "stored_at",
    "submitted_at",
    "distributor",
    "distributor_kind",
    "python_versions",
    "prerelease_start",
    "prerelease_lag_days",
    "verifies_pgp_today",
    "sigstore_status",
    "blockers",
    "ready_earliest",
    "ready_likely",
    "ready_latest",
    "worst_case",
    "dual_signing_until",
    "illustrative",
    "verification_evidence",
)


def upgrade() -> None:
    op.create_table(
        "response_latest",
        sa.Column("response_id", sa.String(32), sa.ForeignKey("responses.id"), primary_key=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("stored_at", TZ, nullable=False),
        sa.Column("submitted_at", TZ, nullable=False),
        sa.Column("distributor", sa.String(200), nullable=False),
        sa.Column("distributor_kind", sa.String(40), nullable=False),
        sa.Column("python_versions", sa.Text, nullable=False),
        sa.Column("prerelease_start", sa.String(20), nullable=False),
        sa.Column("prerelease_lag_days", sa.Integer, nullable=False),
        sa.Column("verifies_pgp_today", sa.String(10), nullable=False),
        sa.Column("sigstore_status", sa.String(20), nullable=False),
        sa.Column("blockers", sa.Text, nullable=False),
        sa.Column("ready_earliest", sa.Date, nullable=True),
        sa.Column("ready_likely", sa.Date, nullable=True),
        sa.Column("ready_latest", sa.Date, nullable=True),
        sa.Column("worst_case", sa.Text, nullable=False),
        sa.Column("dual_signing_until", sa.String(10), nullable=True),
        sa.Column("illustrative", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("verification_evidence", sa.Text, nullable=False),
        sa.Column("distributor_key", sa.String(200), nullable=True),
    )
    revisions = sa.table("response_revisions", *(sa.column(c) for c in COPIED))
    responses = sa.table("responses", sa.column("id"), sa.column("latest_revision"), sa.column("distributor_key"))
    latest = sa.table("response_latest", *(sa.column(c) for c in (*COPIED, "distributor_key")))
    current = (
        sa.select(*(revisions.c[c] for c in COPIED), responses.c.distributor_key)
        .select_from(revisions)
        .join(responses, responses.c.id == revisions.c.response_id)
        .where(revisions.c.revision == responses.c.latest_revision)
    )
    op.execute(latest.insert().from_select([*COPIED, "distributor_key"], current))


def downgrade() -> None:
    op.drop_table("response_latest")
