"""Transactions of the store: one writer per SQLite database per process, one change counter.

Every write goes through :meth:`StoreBase._write`: one transaction, which bumps the store's
generation (the key the analysis caches use) in the same commit. The store's other parts
(``analysis_reads``, ``codebook``, ``store``) build on these three methods only.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from analysis.storage.tables import StoreMetaRow

#: One writer per SQLite database per process (datasette's model); other processes wait on the
#: busy timeout. PostgreSQL needs no such lock.
_SQLITE_WRITE_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


class StoreBase:
    """An engine, its write lock (SQLite: one per database and process) and the three methods
    every part of the store writes and reads through."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._write_lock: threading.Lock | None
        if engine.dialect.name == "sqlite":
            with _LOCKS_GUARD:
                self._write_lock = _SQLITE_WRITE_LOCKS.setdefault(str(engine.url), threading.Lock())
        else:
            self._write_lock = None

    @contextmanager
    def _write(self, *, bump: bool = True) -> Iterator[Session]:
        """One write transaction; bumps the change counter that caches key on.

        ``bump=False`` only for bookkeeping about the answers (a remembered export digest),
        which must not itself count as a change of the answers.
        """
        lock = self._write_lock
        if lock is not None:
            lock.acquire()
        try:
            with self.engine.connect().execution_options(sqlite_write=True) as conn:
                with Session(bind=conn) as session, session.begin():
                    yield session
                    if bump:
                        session.execute(
                            update(StoreMetaRow)
                            .where(StoreMetaRow.key == "generation")
                            .values(value=StoreMetaRow.value + 1)
                        )
                conn.commit()
        finally:
            if lock is not None:
                lock.release()

    def _read(self) -> Session:
        return Session(self.engine)

    def generation(self) -> int:
        """Changes whenever anything is written, by any process: the cache key for analyses."""
        with self._read() as s:
            return int(s.scalar(select(StoreMetaRow.value).where(StoreMetaRow.key == "generation")) or 0)
