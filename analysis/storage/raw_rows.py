"""Plain DB-API rows of a SQLAlchemy statement, for the readers of every answer.

SQLAlchemy's per-cell type processing and Row objects cost seconds at 100,000 rows; the readers
that take every answer (the analysis frame, the JSON export, the as-of views) convert whole
columns (Arrow) or whole rows (JSON) themselves. The statement is compiled by SQLAlchemy for the
connection's dialect, so the SQL is the same one the ORM would send.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from analysis.gc_pause import paused_gc

if TYPE_CHECKING:
    import pandas as pd


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


#: Rows a frame is built from at a time (``fetch_frame``): about 25 MB of Python rows.
FRAME_CHUNK = 20_000


def fetch_frame(engine: Engine, stmt: Any, *, json_columns: Iterable[str], chunk: int | None = None) -> pd.DataFrame:
    """Every row of ``stmt`` as the analysis frame (``frames.rows_to_frame``).

    The rows are read ``chunk`` (default :data:`FRAME_CHUNK`) at a time, and each batch becomes
    Arrow arrays before the next is read (``frames.chunks_to_frame``): the Python rows of one
    batch are held at once, not those of every answer (at 1,000,000 answers an HTML export peaked
    at 2.3 GB, now 1.2-1.3 GB). In the rare store where a batch cannot be typed as the whole list
    would be, the rows are read again whole; the frame is the same either way.

    The collector is paused from the first row to the last column (``analysis.gc_pause``): the
    rows are about twenty acyclic objects per answer, freed here before it resumes, so no
    collection walks them. Left running, it spent a quarter of the read on them.
    """
    # pandas and Arrow are imported here, not with the module: the CLI's other commands and
    # the survey page never need them, and they cost most of a second to import.
    from analysis.storage.frames import chunks_to_frame, rows_to_frame

    with paused_gc():
        frame = chunks_to_frame(stream_rows(engine, stmt, chunk or FRAME_CHUNK), json_columns=json_columns)
        if frame is None:
            names, rows = fetch_rows(engine, stmt)
            frame = rows_to_frame(names, rows, json_columns=json_columns)
            del rows  # freed while paused: no collection ever sees them
    return frame


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
