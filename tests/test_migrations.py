"""Schema migrations: 0002 creates ``response_latest`` and fills it from the existing revisions."""

from __future__ import annotations

from sqlalchemy import Engine, inspect

from analysis.storage import ResponseStore, open_store
from analysis.storage.db import head_revision, migrate, schema_revision
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
