"""Roster of distributors and invitations.

``roster`` starts from ``known_distributors`` in ``data/survey.toml`` (names only: kinds, contacts
and channels are the reviewers' to fill in). ``invitations`` holds hashed invitation tokens and the
response each one led to.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    roster = op.create_table(
        "roster",
        sa.Column("distributor_key", sa.String(200), primary_key=True),
        sa.Column("distributor", sa.String(200), nullable=False),
        sa.Column("distributor_kind", sa.String(40), nullable=True),
        sa.Column("contact", sa.String(320), nullable=True),
        sa.Column("channel", sa.String(500), nullable=True),
        sa.Column("added_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("distributor_key", sa.String(200), nullable=False, index=True),
        sa.Column("distributor", sa.String(200), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("contact", sa.String(320), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("revoked_at", TZ, nullable=True),
        sa.Column("response_id", sa.String(32), sa.ForeignKey("responses.id"), nullable=True, unique=True),
        sa.Column("used_at", TZ, nullable=True),
        sa.Column("mailed_at", TZ, nullable=True),
    )
    from analysis.models import normalise_distributor
    from analysis.reference_data import survey_definition

    now = datetime.now(UTC).replace(microsecond=0)
    seen: dict[str, str] = {}
    for name in survey_definition().get("known_distributors", []):
        seen.setdefault(normalise_distributor(name), name)
    if seen:
        op.bulk_insert(
            roster,
            [{"distributor_key": k, "distributor": n, "added_at": now, "updated_at": now} for k, n in seen.items()],
        )


def downgrade() -> None:
    op.drop_table("invitations")
    op.drop_table("roster")
