"""``python -m analysis restore FILE``: replace the SQLite store with a backup, then migrate it.

The backup is checked first (an intact SQLite database of this app); a store that holds answers is
replaced only with ``--force``. PostgreSQL: ``pg_restore`` (README). Exit codes: 0 restored,
2 bad usage or a file that is not a usable backup.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("restore", help="replace the SQLite store with a backup made by `backup`")
    p.add_argument("file", type=Path, help="a backup file written by `python -m analysis backup`")
    p.add_argument("--force", action="store_true", help="replace a store that already holds answers")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from analysis.storage.backup import BackupError, restore
    from analysis.storage.db import resolve_database_url

    if not args.file.is_file():
        print(f"error: {args.file}: no such file", file=sys.stderr)
        return 2
    try:
        info = restore(args.file, resolve_database_url(args.database_url), force=args.force)
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"restored {info.responses:,} response(s), {info.revisions:,} revision(s) into {info.path} "
        f"(schema {info.schema})"
    )
    return 0
