"""Engine configuration and schema migrations.

SQLite is the embedded default: WAL so readers never block the writer, a busy timeout so a second
process waits instead of failing, and ``BEGIN IMMEDIATE`` for writes so two writers cannot both
read-then-upgrade and deadlock. PostgreSQL is used as-is. Migrations (Alembic, under
``analysis/migrations``) run on start; on PostgreSQL under an advisory lock so several app replicas
starting together apply them once.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError, ProgrammingError

DATABASE_URL_ENV = "DATABASE_URL"
#: Seconds a PostgreSQL connection attempt may take before the store counts as unavailable.
PG_CONNECT_TIMEOUT_S = 10
DATA_DIR_ENV = "SURVEY_DATA_DIR"
SQLITE_BUSY_TIMEOUT_MS = 10_000
#: Page size of a new SQLite store (bytes; SQLite's default is 4,096). An answer is three rows
#: and nine B-tree entries, three at random keys (the response ids): with 16 KiB pages each
#: B-tree is shallower and a page split moves less often, and an import's inserts took 20-30 %
#: less time in SQLite (300,000 answers, the three tables copied batch by batch), the whole
#: import of 1,000,000 answers 8-14 % (back-to-back runs). The price is on reads that jump
#: from row to row: the JSON export (answers in id order, each row looked up) reads a 16 KiB page
#: per miss of its 2 MB page cache and took 5-7 % longer (0.1-0.15 s of system time at 100,000);
#: the HTML report and the pages (scans of ``response_latest``) did not change. It applies only to
#: a file that holds no table yet: a store made with 4 KiB pages keeps them (changing it needs a
#: VACUUM out of WAL mode), and works as before.
SQLITE_PAGE_SIZE = 16_384
#: Arbitrary constant shared by all replicas: "the schema migration lock".
_PG_MIGRATION_LOCK = 761_001


def default_data_dir() -> Path:
    return Path(os.environ.get(DATA_DIR_ENV) or Path(__file__).resolve().parents[2] / "var")


def database_url(explicit: str | None = None) -> str:
    """Explicit URL, else ``$DATABASE_URL``, else the SQLite file under the data directory."""
    if explicit:
        return explicit
    env = os.environ.get(DATABASE_URL_ENV)
    if env:
        return env
    data_dir = default_data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{data_dir / 'survey.sqlite3'}"


def resolve_database_url(explicit: str | None = None) -> str:
    """The store every entry point uses: the CLI's ``--database-url``, else ``$DATABASE_URL``, else
    ``[database] url`` in ``.streamlit/secrets.toml`` (the files the app reads), else SQLite.

    The secrets files are read only when neither of the first two is given, and a malformed one
    raises :class:`analysis.secrets_file.SecretsFileError` instead of quietly meaning "SQLite".
    """
    if explicit:
        return explicit
    if os.environ.get(DATABASE_URL_ENV):
        return os.environ[DATABASE_URL_ENV]
    from analysis.secrets_file import database_url_from, load_secrets

    return database_url(database_url_from(load_secrets()[0]))


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (the documented recipe).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            # Before WAL: a new, empty file takes the page size only until its journal mode is
            # WAL; anywhere else (a store that exists) SQLite ignores it.
            cur.execute(f"PRAGMA page_size = {SQLITE_PAGE_SIZE}")
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = "IMMEDIATE" if conn.get_execution_options().get("sqlite_write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")


class StoreUnavailable(RuntimeError):
    """The configured store cannot be used: a bad URL, a missing driver, an unreachable server.

    The message is one line a person can act on; it names the store with any password hidden and
    never carries SQL or bound parameters.
    """


def describe_url(url: str) -> str:
    """The URL as it may appear in a message or a log: password hidden, unparseable ones cut."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - anything unparseable is shown as its scheme only
        return url.split(":", 1)[0] + ":…"


def _reason(exc: BaseException) -> str:
    """The driver's first line (e.g. "connection refused"), without SQL or parameters."""
    orig = getattr(exc, "orig", None) or exc
    text_ = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    return text_[:300]


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url``; :class:`StoreUnavailable` if the URL or its driver is unusable.

    ``hide_parameters``: SQLAlchemy puts every bound parameter (answers, contacts) into its
    error messages by default, and those messages reach logs; here they never do.
    """
    url = database_url(url)
    kwargs: dict[str, Any] = {"future": True, "hide_parameters": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    else:
        kwargs["pool_pre_ping"] = True
        if url.startswith("postgresql"):
            kwargs["connect_args"] = {"connect_timeout": PG_CONNECT_TIMEOUT_S}
    try:
        engine = create_engine(url, **kwargs)
    except (ArgumentError, ImportError, ValueError, TypeError) as exc:
        raise StoreUnavailable(f"cannot use the store URL {describe_url(url)}: {_reason(exc)}") from None
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def migrations_config() -> Any:
    """The Alembic configuration of this app's migrations (``analysis/migrations``)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).resolve().parents[1] / "migrations"))
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (idempotent, safe with concurrent replicas).

    The first connection is made here: a server that is down, a refused login or a SQLite file
    whose directory does not exist ends in :class:`StoreUnavailable`, not a driver traceback.
    """
    try:
        _migrate(engine)
    except (OperationalError, InterfaceError) as exc:
        where = describe_url(engine.url.render_as_string(hide_password=False))
        reason = _reason(exc)
        database = engine.url.database
        if engine.dialect.name == "sqlite" and database and database != ":memory:":
            parent = Path(database).expanduser().parent
            if not parent.is_dir():
                reason = f"the directory {parent} does not exist"
        raise StoreUnavailable(f"cannot open the store {where}: {reason}") from None


#: The newest migration's revision id, written out so that a store already at the head is
#: recognised without importing Alembic (a fifth of every CLI command's start-up). A test holds it
#: equal to Alembic's own head (:func:`head_revision`); a new migration must update it.
SCHEMA_HEAD = "0008"


def _at_head(engine: Engine) -> bool:
    """Whether the store is already at :data:`SCHEMA_HEAD` (a store that cannot say is not)."""
    with engine.connect() as conn:
        try:
            found = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        except (OperationalError, ProgrammingError):  # no such table yet: a new store
            return False
    return found == [SCHEMA_HEAD]


def _migrate(engine: Engine) -> None:
    if _at_head(engine):
        return
    from alembic import command

    cfg = migrations_config()
    with engine.connect().execution_options(sqlite_write=True) as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
            conn.commit()
        try:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            conn.commit()
        finally:
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_MIGRATION_LOCK})
                conn.commit()


def head_revision() -> str:
    """The newest migration's revision id (what :func:`migrate` brings every store to)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(migrations_config()).get_current_head()
    if head is None:  # pragma: no cover - the app ships its migrations
        raise RuntimeError("no migrations found")
    return head


def schema_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
