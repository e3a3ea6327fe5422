"""``python -m analysis backup --out FILE``: a consistent copy of the SQLite store, made online.

Uses SQLite's online backup API, so the app may keep taking answers meanwhile; the copy is checked
(``PRAGMA integrity_check``) before it gets the name asked for. PostgreSQL: ``pg_dump`` (README).
Exit codes: 0 written, 2 bad usage (not SQLite, file exists, unwritable place).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("backup", help="online, consistent backup of the SQLite store to FILE")
    p.add_argument("--out", type=Path, required=True, help="the backup file to write (a SQLite database)")
    p.add_argument("--overwrite", action="store_true", help="replace --out if it exists")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from analysis.storage.backup import BackupError, backup
    from analysis.storage.db import resolve_database_url

    try:
        info = backup(resolve_database_url(args.database_url), args.out, overwrite=args.overwrite)
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"backed up {info.responses:,} response(s), {info.revisions:,} revision(s) "
        f"(schema {info.schema}) to {info.path}"
    )
    return 0
