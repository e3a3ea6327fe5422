"""Plain DB-API rows of a SQLAlchemy statement, for the readers of every answer.

SQLAlchemy's per-cell type processing and Row objects cost seconds at 100,000 rows; the readers
that take every answer (the analysis frame, the JSON export, the as-of views) convert whole
columns (Arrow) or whole rows (JSON) themselves. The statement is compiled by SQLAlchemy for the
connection's dialect, so the SQL is the same one the ORM would send.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine


@contextmanager
def _cursor(engine: Engine, stmt: Any, *, server_side: bool = False) -> Iterator[tuple[Any, list[str]]]:
    """A DB-API cursor that has executed ``stmt``, and the result's column names.

    ``server_side``: on PostgreSQL a named cursor, so the server sends the result a chunk at a time.
    """
    with engine.connect() as conn:
        sql = str(stmt.compile(dialect=conn.dialect))
        dbapi = conn.connection.dbapi_connection
        named = server_side and conn.dialect.name == "postgresql"
        cursor = dbapi.cursor(name="survey_rows") if named else dbapi.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(sql)
            yield cursor, [d[0] for d in cursor.description]
        finally:
            cursor.close()


def fetch_rows(engine: Engine, stmt: Any) -> tuple[list[str], list[Any]]:
    """Column names and every row of ``stmt`` as DB-API tuples."""
    with _cursor(engine, stmt) as (cursor, names):
        return names, list(cursor.fetchall())


def stream_rows(engine: Engine, stmt: Any, chunk: int) -> Iterator[tuple[list[str], Sequence[Any]]]:
    """Column names and ``chunk`` rows at a time, in the memory of one chunk.

    PostgreSQL: a named (server-side) cursor, so the server does not send the whole result at
    once; SQLite steps through the result. Yields at least once (no rows: an empty list).
    """
    with _cursor(engine, stmt, server_side=True) as (cursor, names):
        rows = cursor.fetchmany(chunk)
        yield names, rows
        while rows := cursor.fetchmany(chunk):
            yield names, rows
