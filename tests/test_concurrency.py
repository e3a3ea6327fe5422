"""Several OS processes writing one store at once (SQLite and PostgreSQL).

Every acknowledged edit of one response is its own revision, every acknowledged new answer is
stored, nothing is duplicated, and no writer sees an unhandled error. Before the row lock in
``ResponseStore._lock_latest_revision``, about 90 % of concurrent PostgreSQL edits failed on
``uq_revision``.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from sqlalchemy import func, select

from analysis.storage import ResponseStore
from analysis.storage.tables import ResponseRow, RevisionRow
from tests.concurrency_support import edit_worker, new_answers_worker, read_log
from tests.conftest import make_response

PROCESSES = 8
EDITS = 25
ANSWERS = 50


def _url(store: ResponseStore) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def _run(target: object, args_per_process: list[tuple[object, ...]]) -> None:
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=target, args=args) for args in args_per_process]  # type: ignore[arg-type]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=600)
        assert p.exitcode == 0, f"worker exited with {p.exitcode}"


def test_concurrent_edits_of_one_response_each_get_a_revision(store: ResponseStore, tmp_path: Path) -> None:
    first = store.submit(make_response())
    assert first.token
    out = tmp_path / "edits.jsonl"
    _run(edit_worker, [(_url(store), first.token, w, EDITS, str(out)) for w in range(PROCESSES)])
    outcomes = read_log(out)
    errors = [o for o in outcomes if "error" in o]
    assert errors == []
    acked = [o for o in outcomes if "revision" in o]
    assert len(acked) == PROCESSES * EDITS
    revisions = sorted(int(o["revision"]) for o in acked)  # type: ignore[call-overload]
    assert revisions == list(range(2, PROCESSES * EDITS + 2))  # no two edits got one number
    history = store.history(first.response_id)
    assert [h.revision for h in history] == list(range(1, PROCESSES * EDITS + 2))
    stored = {h.revision: h.response.prerelease_lag_days for h in history}
    assert all(stored[int(o["revision"])] == o["lag"] for o in acked)  # type: ignore[call-overload]
    with store.engine.connect() as conn:
        latest = conn.scalar(select(ResponseRow.latest_revision).where(ResponseRow.id == first.response_id))
    assert latest == PROCESSES * EDITS + 1


def test_concurrent_new_answers_are_all_stored_once(store: ResponseStore, tmp_path: Path) -> None:
    out = tmp_path / "answers.jsonl"
    _run(new_answers_worker, [(_url(store), w, ANSWERS, str(out)) for w in range(PROCESSES)])
    outcomes = read_log(out)
    assert [o for o in outcomes if "error" in o] == []
    acked = {str(o["response_id"]): o["name"] for o in outcomes}
    assert len(acked) == PROCESSES * ANSWERS
    stored = {s.response.response_id: s.response.distributor for s in store.latest()}
    assert stored == acked
    with store.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(RevisionRow)) == PROCESSES * ANSWERS
