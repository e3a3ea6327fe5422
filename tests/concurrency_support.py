"""Worker processes for the concurrency and kill -9 tests (importable, so ``spawn`` can run them).

Each worker opens the store by URL (its own engine, its own connections: a separate OS process
as a replica or a second CLI would be), writes, and reports every acknowledged write and every
exception on a line of its own, so the test can compare what was acknowledged with what is stored.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from analysis.storage import open_store
from tests.conftest import make_response


def edit_worker(url: str, token: str, worker: int, edits: int, out: str) -> None:
    """``edits`` edits of one response through its edit token; one JSON line per outcome."""
    store = open_store(url)
    with Path(out).open("a", encoding="utf-8") as log:
        for i in range(edits):
            try:
                result = store.submit(make_response(prerelease_lag_days=worker * 100 + i + 1), token=token)
            except Exception as exc:  # noqa: BLE001 - the test counts every kind
                log.write(json.dumps({"error": type(exc).__name__, "detail": str(exc)[:300]}) + "\n")
            else:
                log.write(json.dumps({"revision": result.revision, "lag": worker * 100 + i + 1}) + "\n")
            log.flush()
    store.engine.dispose()


def new_answers_worker(url: str, worker: int, answers: int, out: str) -> None:
    """``answers`` new responses; one JSON line per acknowledged id (written after the commit)."""
    store = open_store(url)
    with Path(out).open("a", encoding="utf-8") as log:
        for i in range(answers):
            try:
                result = store.submit(make_response(distributor=f"Distro {worker}-{i}"))
            except Exception as exc:  # noqa: BLE001
                log.write(json.dumps({"error": type(exc).__name__, "detail": str(exc)[:300]}) + "\n")
            else:
                log.write(json.dumps({"response_id": result.response_id, "name": f"Distro {worker}-{i}"}) + "\n")
            log.flush()
    store.engine.dispose()


def read_log(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    out = []
    for line in lines:
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:  # the last line of a killed writer may be cut
            continue
    return out


if __name__ == "__main__":  # `python -m tests.concurrency_support URL N OUT`: a writer to kill -9
    new_answers_worker(sys.argv[1], int(sys.argv[2]), 10**9, sys.argv[3])
