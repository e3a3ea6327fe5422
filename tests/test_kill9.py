"""kill -9 of a writer: mid-stream of submissions and mid-import, on SQLite and PostgreSQL.

Afterwards the store is consistent (SQLite ``PRAGMA integrity_check``; on both: every response's
``latest_revision`` is its newest revision, ``response_latest`` mirrors it, no orphan rows), every
acknowledged answer is there, and the import is all or nothing (0 or all of its rows).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import text

from analysis.importer import export_json
from analysis.storage import ResponseStore
from bench.synthetic import generate_responses
from tests.concurrency_support import read_log
from tests.conftest import ROOT

TRIALS = 3
IMPORT_ROWS = 20_000


def _url(store: ResponseStore) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def _spawn(argv: list[str], url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.Popen(
        [sys.executable, *argv], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def assert_consistent(store: ResponseStore) -> None:
    store.engine.dispose()  # fresh connections: nothing cached from before the kill
    with store.engine.connect() as conn:
        if store.engine.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        bad_latest = conn.execute(
            text(
                "SELECT count(*) FROM responses r WHERE r.latest_revision <> "
                "(SELECT coalesce(max(v.revision), 0) FROM response_revisions v WHERE v.response_id = r.id)"
            )
        ).scalar()
        assert bad_latest == 0
        mirrored = conn.execute(
            text(
                "SELECT count(*) FROM responses r JOIN response_latest l ON l.response_id = r.id "
                "AND l.revision = r.latest_revision"
            )
        ).scalar()
        submitted = conn.execute(text("SELECT count(*) FROM responses WHERE latest_revision > 0")).scalar()
        latest_rows = conn.execute(text("SELECT count(*) FROM response_latest")).scalar()
        assert mirrored == submitted == latest_rows
        orphans = conn.execute(
            text(
                "SELECT count(*) FROM response_revisions v LEFT JOIN responses r ON r.id = v.response_id WHERE r.id IS NULL"
            )
        ).scalar()
        assert orphans == 0


def test_writer_killed_mid_stream_loses_no_acknowledged_answer(store: ResponseStore, tmp_path: Path) -> None:
    acked: dict[str, object] = {}
    for trial in range(TRIALS):
        out = tmp_path / f"writer-{trial}.jsonl"
        proc = _spawn(["-m", "tests.concurrency_support", _url(store), str(trial), str(out)], _url(store))
        deadline = time.monotonic() + 120
        wanted = 20 + 15 * trial  # kill at a different point each trial
        while len(read_log(out)) < wanted:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "the writer made no progress"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        outcomes = read_log(out)
        assert [o for o in outcomes if "error" in o] == []
        acked.update({str(o["response_id"]): o["name"] for o in outcomes})
        assert_consistent(store)
        stored = {s.response.response_id: s.response.distributor for s in store.latest()}
        assert set(acked) <= set(stored)  # at most the one in flight is extra (committed, not yet logged)
        assert all(stored[rid] == name for rid, name in acked.items())
        assert len(stored) - len(acked) <= trial + 1


def _sqlite_write_lock_held(path: str) -> bool:
    """Whether another connection holds the SQLite database's one write lock right now.

    An import takes it with ``BEGIN IMMEDIATE`` when its transaction starts and keeps it until its
    commit, and its inserts stay in its page cache until then (no WAL frame is written before the
    commit at this size), so the lock is the only outside sign that the transaction is open.
    """
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return True
    else:
        probe.execute("ROLLBACK")
        return False
    finally:
        probe.close()


def _write_in_progress(store: ResponseStore, dbname: str | None) -> bool:
    if store.engine.dialect.name == "sqlite":
        return _sqlite_write_lock_held(str(dbname))
    with store.engine.connect() as conn:
        return bool(
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = :d AND state = 'active' "
                    "AND query ILIKE 'INSERT%'"
                ),
                {"d": dbname},
            ).scalar()
        )


def test_import_killed_mid_write_is_all_or_nothing(store: ResponseStore, tmp_path: Path) -> None:
    """Killed while its one transaction is writing (SQLite's write lock held for 30 ms of the
    0.3-1 s its batches take, or an active INSERT in ``pg_stat_activity``): nothing of it is
    stored; run again, all of it is. (The SQLite WAL is no sign: the import writes no frame
    before its commit, so a kill on the WAL growing raced the commit itself.)"""
    big = tmp_path / "big.json"
    big.write_text(export_json(generate_responses(IMPORT_ROWS, 2_000, seed=9)), encoding="utf-8")
    proc = _spawn(["-m", "analysis", "import", str(big)], _url(store))
    deadline = time.monotonic() + 300
    seen_write = False
    while proc.poll() is None and time.monotonic() < deadline:
        if _write_in_progress(store, store.engine.url.database):
            seen_write = True
            break
        time.sleep(0.002)
    if store.engine.dialect.name == "sqlite":
        time.sleep(0.03)  # into its first batches (20-40 ms each), far from its commit
        assert _write_in_progress(store, store.engine.url.database), "the import committed first (make it bigger)"
    assert proc.poll() is None, "the import finished before it could be killed (make the file bigger)"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert seen_write
    assert_consistent(store)
    count = store.stats()["responses"]
    assert count == 0  # killed before its commit: nothing of it is stored
    # The same file imported to the end stores every row, once.
    done = subprocess.run(
        [sys.executable, "-m", "analysis", "import", str(big)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": _url(store)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert store.stats()["responses"] == IMPORT_ROWS
    assert_consistent(store)
