"""Online backup and restore of the embedded SQLite store (PostgreSQL: ``pg_dump``/``pg_restore``).

SQLite's online backup API (``sqlite3.Connection.backup``) copies the database page by page from a
read transaction, so the copy is one consistent state even while the app keeps writing (WAL mode:
writers are not blocked; the backup restarts only if the *same* connection writes). The copy is
written to a temporary file beside the target, checked with ``PRAGMA integrity_check`` and then
renamed into place, so an interrupted backup never leaves a half-written file under the name asked
for. A restore checks the file first (SQLite, intact, this app's schema), refuses to replace a store
that holds answers unless forced, copies it in with the same API and migrates it to the current
schema (a backup from an older version is brought up to date).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, in words."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    responses: int
    revisions: int
    schema: str | None


def sqlite_path(url: str) -> Path:
    """The database file of a SQLite URL; anything else is refused with the PostgreSQL recipe."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise BackupError(
            f"backup and restore handle the embedded SQLite store; this store is {parsed.get_backend_name()}: "
            "use pg_dump --format=custom and pg_restore (see the README, Deployment)"
        )
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(parsed.database)


def inspect(path: Path) -> BackupInfo:
    """What a SQLite file holds, after checking it is an intact database of this app."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"{path}: cannot open: {exc}") from exc
    try:
        try:
            check = conn.execute("PRAGMA integrity_check").fetchall()
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{path}: not a SQLite database ({exc})") from exc
        if check != [("ok",)]:
            raise BackupError(f"{path}: integrity check failed: {'; '.join(str(r[0]) for r in check[:3])}")
        if not {"alembic_version", "responses", "response_revisions"} <= tables:
            raise BackupError(f"{path}: not a survey store (its tables: {', '.join(sorted(tables)) or 'none'})")
        schema = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        responses = conn.execute("SELECT count(*) FROM responses WHERE latest_revision > 0").fetchone()[0]
        revisions = conn.execute("SELECT count(*) FROM response_revisions").fetchone()[0]
    finally:
        conn.close()
    return BackupInfo(path, int(responses), int(revisions), schema[0] if schema else None)


def backup(url: str, out: Path, *, overwrite: bool = False) -> BackupInfo:
    """A consistent copy of the SQLite store at ``url`` in ``out`` (checked before it is named)."""
    source = sqlite_path(url)
    if not source.is_file():
        raise BackupError(f"{source}: no such database")
    if out.exists() and not overwrite:
        raise BackupError(f"{out} exists; choose another name or pass --overwrite")
    if not out.parent.is_dir():
        raise BackupError(f"{out.parent} is not a directory")
    partial = out.with_name(f".{out.name}.partial-{os.getpid()}")
    try:
        src = sqlite3.connect(source, timeout=30)
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)  # all pages in one step: one read transaction, one consistent state
            dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
        finally:
            dst.close()
            src.close()
        info = inspect(partial)
        os.replace(partial, out)
    except sqlite3.Error as exc:
        raise BackupError(f"backup of {source} failed: {exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    return BackupInfo(out, info.responses, info.revisions, info.schema)


#: How long the restore waits for other connections to let the target leave WAL mode.
_MODE_SWITCH_WAIT_MS = 1000


def _copy_pages(src: sqlite3.Connection, dst: sqlite3.Connection, target: Path) -> None:
    """Every page of ``src`` into ``dst``, whatever the two page sizes.

    SQLite cannot back up into a WAL database of another page size ("attempt to write a readonly
    database"): a store made with 4 KiB pages (before ``db.SQLITE_PAGE_SIZE``) restored into a new
    one, or the other way round. Then the target leaves WAL for the copy and returns to it, which
    needs it closed everywhere else: if the app has it open, the restore says so and changes nothing.
    The restored store has the backup's page size, as a copy of it should.
    """
    (size,) = src.execute("PRAGMA page_size").fetchone()
    (target_size,) = dst.execute("PRAGMA page_size").fetchone()
    (mode,) = dst.execute("PRAGMA journal_mode").fetchone()
    leave_wal = mode == "wal" and size != target_size
    if leave_wal:
        # An app process keeps its connections open: waiting as long as the copy itself may wait
        # for a writer would not make it let go.
        (copy_wait_ms,) = dst.execute("PRAGMA busy_timeout").fetchone()
        dst.execute(f"PRAGMA busy_timeout = {_MODE_SWITCH_WAIT_MS}")
        try:
            dst.execute("PRAGMA journal_mode = DELETE")
        except sqlite3.OperationalError as exc:
            raise BackupError(
                f"restore into {target} failed: the backup's pages are {size:,} bytes and the store's "
                f"{target_size:,}, and copying between the two needs the store closed everywhere else; "
                f"stop the app (every process using {target}) and run the restore again ({exc})"
            ) from exc
        finally:
            dst.execute(f"PRAGMA busy_timeout = {int(copy_wait_ms)}")
    src.backup(dst)
    if leave_wal:
        dst.execute("PRAGMA journal_mode = WAL")


def restore(backup_file: Path, url: str, *, force: bool = False) -> BackupInfo:
    """Replace the SQLite store at ``url`` with ``backup_file`` (checked first), then migrate it."""
    target = sqlite_path(url)
    info = inspect(backup_file)
    if target.exists() and target.stat().st_size:
        try:
            current = inspect(target)
        except BackupError:
            current = None
        if current is not None and current.responses and not force:
            raise BackupError(
                f"{target} holds {current.responses:,} response(s); restoring replaces them. "
                "Back it up first, then pass --force"
            )
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        src = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
        dst = sqlite3.connect(target, timeout=30)
        try:
            _copy_pages(src, dst, target)
        finally:
            dst.close()
            src.close()
    except sqlite3.Error as exc:
        raise BackupError(f"restore into {target} failed: {exc}") from exc
    from analysis.storage.db import make_engine, migrate, schema_revision

    engine = make_engine(url)
    try:
        migrate(engine)
        schema = schema_revision(engine)
    finally:
        engine.dispose()
    restored = inspect(target)
    return BackupInfo(target, restored.responses, restored.revisions, schema or info.schema)
