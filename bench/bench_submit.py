"""Benchmark: submit latency with N concurrent writer processes, on SQLite and PostgreSQL.

Run with ``.venv/bin/python -m bench.bench_submit [--writers 1 4 16] [--submits K]``.
PostgreSQL is measured when ``$TEST_DATABASE_URL`` (an admin URL) is set: a throwaway database is
created and dropped; otherwise that part is skipped with a message.

What is measured: each writer is its own OS process (as app replicas or CLI runs are) with its own
engine, already migrated and warm; all start together (a barrier), and each times K calls of
``ResponseStore.submit`` with wall-clock ``perf_counter``: half new answers, half edits of its own
earlier answer through the edit token (the path that takes the row lock). Latency is per call,
from the caller's view, so it includes waiting for the other writers (SQLite's single writer, the
PostgreSQL row lock and the change-counter row every write bumps). p50/p95 per N are printed with
their ratio to N = 1 measured in the same run, plus the aggregate throughput.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from analysis.models import SurveyResponse
from analysis.storage import open_store


def _response(name: str, lag: int) -> SurveyResponse:
    return SurveyResponse.model_validate(
        {
            "distributor": name,
            "distributor_kind": "linux-distribution",
            "python_versions": ["3.13", "3.14"],
            "prerelease_start": "beta",
            "prerelease_lag_days": lag,
            "sigstore_status": "evaluating",
            "blockers": ["tooling-support"],
            "blockers_text": "uscan has no Sigstore support yet " * 4,
            "ready_by": {"likely": "2026-06-01"},
        }
    )


def _writer(url: str, worker: int, submits: int, barrier: Barrier, out: Any) -> None:
    store = open_store(url)
    first = store.submit(_response(f"Bench {worker}", 0))  # warm: engine, pool, migrations checked
    assert first.token
    token = first.token
    barrier.wait()
    times: list[float] = []
    for i in range(submits):
        start = time.perf_counter()
        if i % 2:
            store.submit(_response(f"Bench {worker}", i % 3000), token=token)
        else:
            store.submit(_response(f"Bench {worker}-{i}", 0))
        times.append(time.perf_counter() - start)
    out.put(times)
    store.engine.dispose()


def measure(url: str, writers: int, submits: int) -> tuple[list[float], float]:
    """All latencies (seconds) of ``writers`` processes x ``submits`` calls, and the wall time."""
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(writers + 1)
    out = ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(url, w, submits, barrier, out)) for w in range(writers)]
    for p in procs:
        p.start()
    barrier.wait()
    start = time.perf_counter()
    latencies: list[float] = []
    for _ in procs:
        latencies.extend(out.get(timeout=900))
    wall = time.perf_counter() - start
    for p in procs:
        p.join(timeout=60)
        if p.exitcode != 0:
            raise RuntimeError(f"a writer failed (exit {p.exitcode})")
    return latencies, wall


def _pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


@contextmanager
def sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        open_store(url).engine.dispose()
        yield url


@contextmanager
def postgres_url(admin_url: str) -> Iterator[str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        open_store(url).engine.dispose()
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run_store(label: str, url: str, writer_counts: list[int], submits: int) -> None:
    print(f"\n{label}: {submits} submits per writer (half new answers, half edits through the edit token)")
    print(f"{'writers':>7} {'p50 ms':>9} {'p95 ms':>9} {'p50 ×N=1':>9} {'p95 ×N=1':>9} {'submits/s':>10}")
    base: tuple[float, float] | None = None
    for n in writer_counts:
        latencies, wall = measure(url, n, submits)
        p50, p95 = _pct(latencies, 50) * 1000, _pct(latencies, 95) * 1000
        base = base or (p50, p95)
        print(
            f"{n:>7} {p50:>9.1f} {p95:>9.1f} {p50 / base[0]:>9.1f} {p95 / base[1]:>9.1f} {len(latencies) / wall:>10.0f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--writers", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--submits", type=int, default=40)
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPU(s); writers are OS processes started together")
    with sqlite_url() as url:
        run_store("SQLite (WAL, BEGIN IMMEDIATE)", url, args.writers, args.submits)
    admin = os.environ.get("TEST_DATABASE_URL")
    if not admin:
        print("\nPostgreSQL: skipped (set TEST_DATABASE_URL to an admin URL to measure it)")
        return
    with postgres_url(admin) as url:
        run_store("PostgreSQL (row lock per response)", url, args.writers, args.submits)


if __name__ == "__main__":
    main()
