"""Remember the SHA-256 of the canonical JSON export per store generation (issue 14).

Every report prints the digest of the answers' JSON export; at 100,000 answers computing it is
most of a report's cost. ``export_digests`` keeps the last digest per contacts setting with the
generation it was computed at; any write bumps the generation, so a stale digest is never used.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "export_digests",
        sa.Column("include_contacts", sa.Boolean(), primary_key=True),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("export_digests")
