"""Reviewer access in the shared store: sign-in failure budgets and revocable reviewer sessions.

The sign-in lockout was kept in each process's memory and keyed on a client address Streamlit does
not know behind a local reverse proxy, so new sessions and other replicas started from zero.
``sign_in_budget`` holds one row per credential (all clients) and per (credential, client).
``reviewer_sessions`` holds the hashed ids of passphrase sign-ins so that a reload keeps a reviewer
signed in and signing out revokes the session everywhere.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sign_in_budget",
        sa.Column("key", sa.String(120), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_failure_at", TZ, nullable=True),
        sa.Column("blocked_until", TZ, nullable=True),
    )
    op.create_table(
        "reviewer_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("credential", sa.String(64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("revoked_at", TZ, nullable=True),
    )
    op.create_index("ix_reviewer_sessions_expires_at", "reviewer_sessions", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_reviewer_sessions_expires_at", table_name="reviewer_sessions")
    op.drop_table("reviewer_sessions")
    op.drop_table("sign_in_budget")
