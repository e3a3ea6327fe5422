"""Initial schema: responses, immutable revisions, drafts, codebook themes and tags.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "responses",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("edit_token_hash", sa.String(64), nullable=True, unique=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("latest_revision", sa.Integer, nullable=False, server_default="0"),
        sa.Column("distributor_key", sa.String(200), nullable=True),
    )
    op.create_index("ix_responses_updated_at", "responses", ["updated_at"])
    op.create_index("ix_responses_distributor_key", "responses", ["distributor_key"])
    op.create_table(
        "response_revisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("response_id", sa.String(32), sa.ForeignKey("responses.id"), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("stored_at", TZ, nullable=False),
        sa.Column("submitted_at", TZ, nullable=False),
        sa.Column("distributor", sa.String(200), nullable=False),
        sa.Column("distributor_kind", sa.String(40), nullable=False),
        sa.Column("respondent_role", sa.String(200), nullable=True),
        sa.Column("contact", sa.String(320), nullable=True),
        sa.Column("python_versions", sa.Text, nullable=False),
        sa.Column("prerelease_start", sa.String(20), nullable=False),
        sa.Column("prerelease_lag_days", sa.Integer, nullable=False),
        sa.Column("verifies_pgp_today", sa.String(10), nullable=False),
        sa.Column("verification_tooling", sa.Text, nullable=False),
        sa.Column("sigstore_status", sa.String(20), nullable=False),
        sa.Column("blockers", sa.Text, nullable=False),
        sa.Column("blockers_text", sa.Text, nullable=False),
        sa.Column("ready_earliest", sa.Date, nullable=True),
        sa.Column("ready_likely", sa.Date, nullable=True),
        sa.Column("ready_latest", sa.Date, nullable=True),
        sa.Column("worst_case", sa.Text, nullable=False),
        sa.Column("worst_case_text", sa.Text, nullable=False),
        sa.Column("dual_signing_until", sa.String(10), nullable=True),
        sa.Column("comments", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("illustrative", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("verification_evidence", sa.Text, nullable=False),
        sa.UniqueConstraint("response_id", "revision", name="uq_revision"),
    )
    op.create_index("ix_response_revisions_response_id", "response_revisions", ["response_id"])
    op.create_table(
        "drafts",
        sa.Column("response_id", sa.String(32), sa.ForeignKey("responses.id"), primary_key=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("saved_at", TZ, nullable=False),
    )
    op.create_table(
        "themes",
        sa.Column("name", sa.String(80), primary_key=True),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("keywords", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "theme_tags",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("response_id", sa.String(32), sa.ForeignKey("responses.id"), nullable=False),
        sa.Column("field", sa.String(40), nullable=False),
        sa.Column("theme", sa.String(80), sa.ForeignKey("themes.name"), nullable=False),
        sa.Column("tagged_by", sa.String(200), nullable=False),
        sa.Column("tagged_at", TZ, nullable=False),
        sa.UniqueConstraint("response_id", "field", "theme", name="uq_theme_tag"),
    )
    op.create_index("ix_theme_tags_response_id", "theme_tags", ["response_id"])
    op.create_index("ix_theme_tags_theme", "theme_tags", ["theme"])
    op.create_table(
        "store_meta",
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("value", sa.Integer, nullable=False),
    )
    op.bulk_insert(
        sa.table("store_meta", sa.column("key", sa.String), sa.column("value", sa.Integer)),
        [{"key": "generation", "value": 0}],
    )


def downgrade() -> None:
    for table in ("store_meta", "theme_tags", "themes", "drafts", "response_revisions", "responses"):
        op.drop_table(table)
