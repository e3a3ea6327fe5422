"""``migrate``, ``backup`` and ``restore`` (SQLite, online), and pg_dump/pg_restore for PostgreSQL."""

from __future__ import annotations

import glob
import json
import shutil
import sqlite3
import subprocess
import threading
import uuid
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from analysis.cli import main
from analysis.storage import ResponseStore, open_store
from analysis.storage.db import migrations_config
from bench.synthetic import generate_responses
from tests.conftest import IN_CI, make_response


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def head() -> str:
    found = ScriptDirectory.from_config(migrations_config()).get_current_head()
    assert found
    return found


def test_migrate_applies_migrations_and_reports_the_version(
    store: ResponseStore, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "migrate")
    assert code == 0 and out.strip() == f"schema version {head()} (already current; newest {head()})"
    fresh = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    code, out, _ = run(capsys, "--database-url", fresh, "migrate")
    assert code == 0 and f"schema version {head()} (migrated from an empty database" in out
    assert open_store(fresh).stats()["responses"] == 0


def test_migrate_on_an_unreachable_store_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--database-url", "postgresql+psycopg://nobody@127.0.0.1:1/x", "migrate")
    assert code == 2 and "cannot migrate the store" in err and "Traceback" not in err


def test_backup_while_the_app_writes_restores_a_consistent_store(
    sqlite_store: ResponseStore, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    sqlite_store.import_responses(generate_responses(3000, 300, seed=5))
    acknowledged: list[str] = []
    stop = threading.Event()

    def writer() -> None:
        # Its own store object (engine, connections) on the same file, as another app process has.
        other = open_store(str(sqlite_store.engine.url))
        while not stop.is_set():
            acknowledged.append(other.submit(make_response(distributor=f"Writer {len(acknowledged)}")).response_id)
        other.engine.dispose()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(acknowledged) < 20:
            stop.wait(0.01)
        acked_before = set(acknowledged)
        code, out, err = run(capsys, "backup", "--out", str(tmp_path / "during.sqlite3"))
        while len(acknowledged) < len(acked_before) + 20:  # the app went on writing
            stop.wait(0.01)
    finally:
        stop.set()
        thread.join()
    assert code == 0, err
    assert out.startswith("backed up ") and f"(schema {head()})" in out

    restored_url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    code, out, err = run(capsys, "--database-url", restored_url, "restore", str(tmp_path / "during.sqlite3"))
    assert code == 0, err
    restored = open_store(restored_url)
    original = {item["response_id"]: item for item in json.loads(sqlite_store.export_latest_json())}
    copy = json.loads(restored.export_latest_json())
    ids = {item["response_id"] for item in copy}
    # One consistent state: everything acknowledged before the backup, nothing half-written.
    assert acked_before <= ids <= set(original)
    assert all(original[item["response_id"]] == item for item in copy)
    with restored.engine.connect() as conn:
        latest = conn.execute(text("SELECT count(*) FROM response_latest")).scalar()
        counted = conn.execute(text("SELECT count(*) FROM responses WHERE latest_revision > 0")).scalar()
        assert latest == counted == len(copy)
    assert restored.stats()["responses"] == len(copy)

    # Once the writes stop, a backup restores to a store whose export equals the original's.
    assert run(capsys, "backup", "--out", str(tmp_path / "after.sqlite3"))[0] == 0
    code, _, err = run(capsys, "--database-url", restored_url, "restore", str(tmp_path / "after.sqlite3"))
    assert code == 2 and "--force" in err  # it holds answers now
    assert run(capsys, "--database-url", restored_url, "restore", "--force", str(tmp_path / "after.sqlite3"))[0] == 0
    assert open_store(restored_url).export_latest_json() == sqlite_store.export_latest_json()


def test_backup_and_restore_refuse_what_they_cannot_do(
    sqlite_store: ResponseStore, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    sqlite_store.submit(make_response())
    out = tmp_path / "b.sqlite3"
    assert run(capsys, "backup", "--out", str(out))[0] == 0
    code, _, err = run(capsys, "backup", "--out", str(out))
    assert code == 2 and "exists" in err
    code, _, err = run(capsys, "backup", "--out", str(tmp_path / "missing" / "b.sqlite3"))
    assert code == 2 and "not a directory" in err
    not_db = tmp_path / "notes.txt"
    not_db.write_text("hello")
    code, _, err = run(capsys, "--database-url", f"sqlite:///{tmp_path / 'new.sqlite3'}", "restore", str(not_db))
    assert code == 2 and "not a SQLite database" in err
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    code, _, err = run(capsys, "--database-url", f"sqlite:///{tmp_path / 'new.sqlite3'}", "restore", str(other))
    assert code == 2 and "not a survey store" in err
    code, _, err = run(capsys, "--database-url", "postgresql+psycopg://u@127.0.0.1:1/x", "backup", "--out", "x")
    assert code == 2 and "pg_dump" in err


def _pg_bin(tool: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{tool}")) or [shutil.which(tool) or ""]
    if not found[-1]:
        if IN_CI:
            pytest.fail(f"CI=true but {tool} is missing: .ci/run installs postgresql")
        pytest.skip(f"{tool} not installed")
    return found[-1]


@pytest.mark.postgres
def test_pg_dump_and_pg_restore_round_trip_as_the_readme_says(pg_url: str, tmp_path: Path) -> None:
    source = open_store(pg_url)
    source.import_responses(generate_responses(500, 80, seed=9))
    libpq = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    dump = tmp_path / "survey.dump"
    subprocess.run([_pg_bin("pg_dump"), "--format=custom", f"--file={dump}", libpq], check=True)
    target_name = f"r_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(pg_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{target_name}"'))
    target = make_url(pg_url).set(database=target_name)
    try:
        subprocess.run(
            [
                _pg_bin("pg_restore"),
                "--no-owner",
                f"--dbname={target.set(drivername='postgresql').render_as_string(hide_password=False)}",
                str(dump),
            ],
            check=True,
        )
        restored = open_store(target.render_as_string(hide_password=False))
        assert restored.export_latest_json() == source.export_latest_json()
        assert restored.stats() == source.stats()
        restored.engine.dispose()
    finally:
        source.engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target_name}" WITH (FORCE)'))
        admin.dispose()


def _old_page_store(path: Path) -> str:
    """A SQLite store made as before ``SQLITE_PAGE_SIZE`` (4 KiB pages), migrated by the app."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA page_size = 4096")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    return f"sqlite:///{path}"


def _page_size_and_mode(path: Path) -> tuple[int, str]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA page_size").fetchone()[0], conn.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        conn.close()


def test_a_new_store_takes_16_kib_pages_and_an_old_one_keeps_its_own(tmp_path: Path) -> None:
    new = open_store(f"sqlite:///{tmp_path / 'new.sqlite3'}")
    new.import_responses(generate_responses(300, 40, seed=3))
    new.engine.dispose()
    assert _page_size_and_mode(tmp_path / "new.sqlite3") == (16_384, "wal")

    old = open_store(_old_page_store(tmp_path / "old.sqlite3"))
    old.import_responses(generate_responses(300, 40, seed=3))
    old.submit(make_response(distributor="After the change"))
    assert old.stats()["responses"] == 301
    old.engine.dispose()
    assert _page_size_and_mode(tmp_path / "old.sqlite3") == (4_096, "wal")
    reopened = open_store(f"sqlite:///{tmp_path / 'old.sqlite3'}")  # opening again changes nothing
    assert reopened.stats()["responses"] == 301
    reopened.engine.dispose()
    assert _page_size_and_mode(tmp_path / "old.sqlite3") == (4_096, "wal")


@pytest.mark.parametrize("direction", ["old backup into a new store", "new backup into an old store"])
def test_restore_copies_between_page_sizes(direction: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    old_url = _old_page_store(tmp_path / "old.sqlite3")
    new_url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    source_url, target_url = (old_url, new_url) if direction.startswith("old") else (new_url, old_url)
    source = open_store(source_url)
    source.import_responses(generate_responses(400, 60, seed=11))
    target = open_store(target_url)  # the target exists, made by the app, in WAL mode
    target.submit(make_response(distributor="Replaced by the restore"))
    target.engine.dispose()
    target_file = Path(make_url(target_url).database or "")
    sizes = {_page_size_and_mode(tmp_path / "old.sqlite3")[0], _page_size_and_mode(tmp_path / "new.sqlite3")[0]}
    assert sizes == {4_096, 16_384}

    assert run(capsys, "--database-url", source_url, "backup", "--out", str(tmp_path / "b.sqlite3"))[0] == 0
    code, out, err = run(capsys, "--database-url", target_url, "restore", "--force", str(tmp_path / "b.sqlite3"))
    assert code == 0, err
    assert out.startswith("restored ")
    restored = open_store(target_url)
    assert restored.export_latest_json() == source.export_latest_json()
    assert restored.stats() == source.stats()
    restored.submit(make_response(distributor="Written after the restore"))  # a working store
    assert restored.stats()["responses"] == source.stats()["responses"] + 1
    restored.engine.dispose()
    source.engine.dispose()
    source_file = Path(make_url(source_url).database or "")
    assert _page_size_and_mode(target_file) == (_page_size_and_mode(source_file)[0], "wal")  # a copy, page size and all
    with sqlite3.connect(target_file) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_restore_between_page_sizes_into_an_open_store_says_to_stop_the_app(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    old_url = _old_page_store(tmp_path / "old.sqlite3")
    old = open_store(old_url)
    old.import_responses(generate_responses(50, 10, seed=2))
    assert run(capsys, "--database-url", old_url, "backup", "--out", str(tmp_path / "b.sqlite3"))[0] == 0
    old.engine.dispose()
    new_url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    app = open_store(new_url)  # the app, running: its connection stays open
    kept = app.submit(make_response(distributor="Still here")).response_id
    with app.engine.connect() as held:
        held.execute(text("SELECT count(*) FROM responses")).scalar()
        code, out, err = run(capsys, "--database-url", new_url, "restore", "--force", str(tmp_path / "b.sqlite3"))
    assert code == 2 and out == ""
    assert "stop the app" in err and "4,096" in err and "16,384" in err and "Traceback" not in err
    assert [item["response_id"] for item in json.loads(app.export_latest_json())] == [kept]  # unchanged
    app.engine.dispose()
    assert _page_size_and_mode(tmp_path / "new.sqlite3") == (16_384, "wal")
