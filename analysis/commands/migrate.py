"""``python -m analysis migrate``: apply the schema migrations and report the schema version.

The app and every command migrate on start as well (under a PostgreSQL advisory lock, so replicas
starting together apply a migration once); this command does it on its own, e.g. in a deployment
step before new replicas start. Exit codes: 0 migrated (or already current), 2 the store cannot
be reached.
"""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.exc import SQLAlchemyError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("migrate", help="apply schema migrations and report the schema version")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from alembic.script import ScriptDirectory

    from analysis.storage.db import make_engine, migrate, migrations_config, resolve_database_url, schema_revision

    try:
        engine = make_engine(resolve_database_url(args.database_url))
        try:
            before = schema_revision(engine)
            migrate(engine)
            after = schema_revision(engine)
        finally:
            engine.dispose()
    except (SQLAlchemyError, OSError) as exc:
        print(f"error: cannot migrate the store: {type(exc).__name__}: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    head = ScriptDirectory.from_config(migrations_config()).get_current_head()
    change = "already current" if before == after else f"migrated from {before or 'an empty database'}"
    print(f"schema version {after} ({change}; newest {head})")
    return 0
