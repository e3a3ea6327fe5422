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
from sqlalchemy.engine import Connection

DATABASE_URL_ENV = "DATABASE_URL"
DATA_DIR_ENV = "SURVEY_DATA_DIR"
SQLITE_BUSY_TIMEOUT_MS = 10_000
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
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = "IMMEDIATE" if conn.get_execution_options().get("sqlite_write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str | None = None) -> Engine:
    url = database_url(url)
    kwargs: dict[str, Any] = {"future": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
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
    """Bring the schema to the newest migration (idempotent, safe with concurrent replicas)."""
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


def schema_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
