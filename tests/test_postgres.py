"""The store on PostgreSQL (shared deployments): same behaviour as SQLite, several replicas at once.

Needs ``$TEST_DATABASE_URL`` (``.ci/run`` starts a throwaway cluster). Each test gets a database of
its own, created and dropped here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from analysis.cli import main
from analysis.storage import ResponseStore, open_store
from analysis.storage.db import head_revision, schema_revision
from tests.conftest import ROOT, make_response
from tests.test_migrations import check_upgrade_backfills_latest_table
from tests.test_store import latest_table_and_expected

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_store(pg_url: str) -> Iterator[ResponseStore]:
    store = open_store(pg_url)
    yield store
    store.engine.dispose()


def test_migrations_apply_once_even_when_replicas_start_together(pg_url: str) -> None:
    errors: list[BaseException] = []

    def start() -> None:
        try:
            open_store(pg_url).engine.dispose()
        except Exception as exc:  # noqa: BLE001 - collected and asserted on below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    store = open_store(pg_url)
    assert schema_revision(store.engine) == head_revision()


def test_submit_edit_history_and_tokens(pg_store: ResponseStore) -> None:
    first = pg_store.submit(make_response(prerelease_lag_days=1))
    assert first.token
    pg_store.submit(make_response(prerelease_lag_days=2), token=first.token)
    assert [h.response.prerelease_lag_days for h in pg_store.history(first.response_id)] == [1, 2]
    frame = pg_store.latest_frame()
    assert len(frame) == 1 and frame.iloc[0]["blockers"] == ["tooling-support"]
    assert pg_store.stats()["revisions"] == 2


def test_concurrent_replicas_lose_no_answer(pg_url: str) -> None:
    """Two stores (as two app replicas would have) writing at once through their own pools."""
    replicas = [open_store(pg_url), open_store(pg_url)]
    errors: list[BaseException] = []

    def worker(store: ResponseStore, i: int) -> None:
        try:
            for j in range(15):
                result = store.submit(make_response(distributor=f"R{i}-{j}"))
                store.submit(make_response(distributor=f"R{i}-{j}", prerelease_lag_days=5), token=result.token)
        except Exception as exc:  # noqa: BLE001 - collected and asserted on below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(replicas[i % 2], i)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    stats = replicas[0].stats()
    assert stats["responses"] == 90 and stats["revisions"] == 180
    assert replicas[1].generation() >= 180


def test_cli_import_export_round_trip_on_postgres(pg_url: str, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    seed = ROOT / "data" / "seed_responses.json"
    assert main(["--database-url", pg_url, "import", str(seed)]) == 0
    assert main(["--database-url", pg_url, "import", str(seed)]) == 0
    out = tmp_path / "export.json"
    assert main(["--database-url", pg_url, "export", "--format", "json", "--out", str(out), "--include-contacts"]) == 0
    capsys.readouterr()
    assert open_store(pg_url).stats()["revisions"] == 9
    import json

    exported = {r["response_id"]: r for r in json.loads(out.read_text())}
    original = {r["response_id"]: r for r in json.loads(seed.read_text())}
    assert exported.keys() == original.keys()


def test_failed_import_leaves_postgres_unchanged(pg_store: ResponseStore) -> None:
    pg_store.import_responses([make_response(distributor="Kept")])
    before = pg_store.stats()
    with pytest.raises(Exception), pg_store._write() as s:  # noqa: B017
        s.execute(text("delete from response_revisions"))
        raise RuntimeError("crash")
    assert pg_store.stats() == before


def test_latest_table_follows_writes_and_is_backfilled_on_postgres(pg_store: ResponseStore) -> None:
    check_upgrade_backfills_latest_table(pg_store)
    before = latest_table_and_expected(pg_store)
    with pytest.raises(RuntimeError), pg_store._write() as s:
        s.execute(text("delete from response_latest"))
        raise RuntimeError("crash")
    assert latest_table_and_expected(pg_store) == before


def test_analysis_frame_from_latest_table_equals_the_joined_frame_on_postgres(pg_store: ResponseStore) -> None:
    from analysis.crosstab import ANALYSIS_COLUMNS

    res = pg_store.submit(make_response(blockers=["tooling-support", "other"]))
    pg_store.submit(make_response(blockers=["other"]), token=res.token)
    pg_store.import_responses([make_response(distributor="Gentoo", ready_by={}), make_response(distributor="Arch")])
    narrow, full = pg_store.latest_frame(columns=ANALYSIS_COLUMNS), pg_store.latest_frame()
    assert len(narrow) == 3 and narrow.equals(full[list(narrow.columns)])
    assert (narrow.dtypes == full.dtypes[list(narrow.columns)]).all()
    assert str(narrow["stored_at"].dtype) == "datetime64[us, UTC]" and str(narrow["distributor"].dtype) == "str"
