"""Schema migrations: 0002 creates ``response_latest`` and fills it from the existing revisions."""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import Engine, inspect

from analysis.storage import ResponseStore, open_store
from analysis.storage.db import SCHEMA_HEAD, head_revision, migrate, schema_revision
from tests.conftest import ROOT, make_response
from tests.test_store import latest_table_and_expected


def downgrade(engine: Engine, target: str) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "analysis" / "migrations"))
    with engine.connect().execution_options(sqlite_write=True) as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, target)
        conn.commit()


def fill(store: ResponseStore) -> None:
    """Responses in every state: edited, imported, revised by import, draft only."""
    first = store.submit(make_response(distributor="Debian", blockers=["other"]))
    store.submit(make_response(distributor="Debian GNU/Linux", prerelease_lag_days=30), token=first.token)
    store.save_draft({"distributor": "Draft only"})
    store.import_responses([make_response(distributor="Gentoo", ready_by={}), make_response(distributor="Fedora")])
    exported = [s.response for s in store.latest() if s.response.distributor == "Fedora"]
    store.import_responses([exported[0].model_copy(update={"prerelease_lag_days": 7})])


def check_upgrade_backfills_latest_table(store: ResponseStore) -> None:
    fill(store)
    frame_before = store.latest_frame()
    downgrade(store.engine, "0001")
    assert schema_revision(store.engine) == "0001"
    assert "response_latest" not in inspect(store.engine).get_table_names()
    migrate(store.engine)
    assert schema_revision(store.engine) == head_revision()
    stored, expected = latest_table_and_expected(store)
    assert len(stored) == 3 and stored == expected
    assert store.latest_frame().equals(frame_before)
    # And the store keeps it current afterwards.
    store.import_responses([make_response(distributor="Arch")])
    stored, expected = latest_table_and_expected(store)
    assert len(stored) == 4 and stored == expected


def test_upgrade_from_0001_backfills_the_latest_table_on_sqlite() -> None:
    store = open_store()
    try:
        check_upgrade_backfills_latest_table(store)
    finally:
        store.engine.dispose()


def test_migrating_twice_changes_nothing(store: ResponseStore) -> None:
    fill(store)
    before = latest_table_and_expected(store)
    migrate(store.engine)
    assert latest_table_and_expected(store) == before


def test_the_written_out_head_is_alembics_head() -> None:
    """``SCHEMA_HEAD`` lets a store at the head open without Alembic; it must name the real head."""
    assert head_revision() == SCHEMA_HEAD


def test_a_store_at_the_head_opens_without_alembic(store: ResponseStore) -> None:
    """Every CLI command opens the store: one already migrated does not pay for importing Alembic."""
    url = store.engine.url.render_as_string(hide_password=False)
    probe = (
        "import sys; from analysis.storage import open_store; s = open_store(sys.argv[1]); "
        "print('alembic' in sys.modules, s.generation())"
    )
    done = subprocess.run([sys.executable, "-c", probe, url], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "0"]


def test_a_store_one_migration_behind_is_brought_to_the_head(store: ResponseStore) -> None:
    fill(store)
    before = store.export_latest_json()
    downgrade(store.engine, "0007")
    assert schema_revision(store.engine) == "0007"
    open_store(store.engine.url.render_as_string(hide_password=False)).engine.dispose()
    assert schema_revision(store.engine) == SCHEMA_HEAD
    assert store.export_latest_json() == before


def test_the_migrated_schema_is_the_tables_module(store: ResponseStore) -> None:
    """Migrations and ``tables.py`` describe one schema: Alembic's autogenerate finds nothing to do.

    A column, index or constraint added to one and not the other (an index dropped by a migration
    but still declared, say) would otherwise only show as a store that differs by how it was made.
    """
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from analysis.storage.tables import all_tables

    with store.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), all_tables())
    assert differences == []


def test_revisions_are_indexed_once_by_response(store: ResponseStore) -> None:
    """Migration 0008: ``uq_revision`` (response_id first) is the only index on ``response_id``."""
    indexes = inspect(store.engine).get_indexes("response_revisions")
    assert [i["column_names"] for i in indexes if "response_id" in i["column_names"]] in (
        [],
        [["response_id", "revision"]],
    )
    unique = inspect(store.engine).get_unique_constraints("response_revisions")
    assert [u["column_names"] for u in unique] == [["response_id", "revision"]]
