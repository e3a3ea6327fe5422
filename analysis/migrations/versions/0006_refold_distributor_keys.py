"""Re-fold every stored counting key with the text rule's ``normalise_distributor``.

Before the text rule, ``Debian\\u200b``, ``Deb\\u200dian``, ``\\u202eDebian`` and ``Debian\\ufeff``
could be stored, and their counting keys kept the invisible characters: each counted as a
distributor of its own, escaping duplicate detection. The key is now computed with format
characters dropped; this migration recomputes the key of every response (``responses`` and
``response_latest``) from its latest revision's name, so what an older store holds counts right.
Only keys that change are written. Downgrading leaves the (better) keys as they are.

It imports the app's ``normalise_distributor`` on purpose: the key must be exactly the one new
writes get. A later change of the counting rule needs a migration of its own, like this one.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from analysis.models import normalise_distributor

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT r.id, r.distributor_key, v.distributor FROM responses r "
            "JOIN response_revisions v ON v.response_id = r.id AND v.revision = r.latest_revision"
        )
    ).all()
    changed = [
        {"id": rid, "key": normalise_distributor(name)} for rid, key, name in rows if normalise_distributor(name) != key
    ]
    if not changed:
        return
    conn.execute(sa.text("UPDATE responses SET distributor_key = :key WHERE id = :id"), changed)
    conn.execute(sa.text("UPDATE response_latest SET distributor_key = :key WHERE response_id = :id"), changed)


def downgrade() -> None:
    pass
