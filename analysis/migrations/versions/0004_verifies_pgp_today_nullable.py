"""``verifies_pgp_today`` may be NULL: an unanswered question is stored as "no answer".

Until now an unanswered "Do you verify PGP signatures today?" was stored as "unsure", the same as
a respondent who answered "Unsure". From this revision on the model stores ``None`` (NULL) for
"not answered". Rows already stored keep their value: which "unsure" answers were really
unanswered cannot be told apart afterwards, so none is rewritten.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = ("response_revisions", "response_latest")


def upgrade() -> None:
    for table in TABLES:
        # batch mode: SQLite cannot ALTER a column's nullability in place, so the table is copied.
        with op.batch_alter_table(table) as batch:
            batch.alter_column("verifies_pgp_today", existing_type=sa.String(10), nullable=True)


def downgrade() -> None:
    # Unanswered becomes "unsure" again, which is what the schema before this revision stored.
    for table in TABLES:
        rows = sa.table(table, sa.column("verifies_pgp_today"))
        op.execute(sa.update(rows).where(rows.c.verifies_pgp_today.is_(None)).values(verifies_pgp_today="unsure"))
        with op.batch_alter_table(table) as batch:
            batch.alter_column("verifies_pgp_today", existing_type=sa.String(10), nullable=False)
