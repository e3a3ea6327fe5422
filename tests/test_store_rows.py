"""Rows as the store writes them: the fast row builder equals the model's JSON form, and a bulk
import writes every value exactly as a single form submit does (on SQLite a datetime once went to
sqlite3's own adapter in bulk, ``2026-01-01 10:00:00+00:00``, but SQLAlchemy's form otherwise)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from sqlalchemy import text

from analysis.importer import parse_responses
from analysis.models import ReadyBy, SurveyResponse
from analysis.storage import ResponseStore
from analysis.storage.rows import BindMemos, answer_columns, revision_columns, revision_values
from bench.synthetic import generate_responses
from tests.conftest import make_evidence, make_response
from tests.test_import_properties import response_dicts

NOW = datetime(2026, 12, 1, 10, 0, 0, tzinfo=UTC)


def reference_values(resp: SurveyResponse, response_id: str, revision: int, stored_at: datetime) -> dict[str, Any]:
    """The row through ``model_dump(mode="json")``: the slow, obviously right way."""
    data = resp.model_dump(mode="json", exclude={"response_id", "ready_by", "submitted_at"})
    for col in ("python_versions", "blockers", "worst_case", "verification_evidence"):
        data[col] = json.dumps(data[col])
    data.update(
        response_id=response_id,
        revision=revision,
        stored_at=stored_at,
        submitted_at=resp.submitted_at or stored_at,
        ready_earliest=resp.ready_by.earliest,
        ready_likely=resp.ready_by.likely,
        ready_latest=resp.ready_by.latest,
    )
    return data


def assert_row_types_equal(fast: dict[str, Any], ref: dict[str, Any]) -> None:
    assert fast == ref
    # Equal is not enough: a StrEnum equals its value but psycopg would send the enum's name.
    assert {k: type(v) for k, v in fast.items()} == {k: type(v) for k, v in ref.items()}


EVIDENCE = make_evidence()


def test_row_builder_equals_the_models_json_form_on_varied_answers() -> None:
    answers = [
        *generate_responses(300, 40, seed=3),
        make_response(verification_evidence=[EVIDENCE, {**EVIDENCE, "artifact": "x.tar.xz"}]),
        make_response(verifies_pgp_today=None, contact="a@example.org", respondent_role="maintainer"),
        make_response(dual_signing_until="3.15", blockers=[], worst_case=["other", "drop-python"]),
        make_response(submitted_at="2026-01-01T12:00:00+02:00", ready_by={}),
    ]
    for resp in answers:
        assert_row_types_equal(revision_values(resp, "0" * 32, 2, NOW), reference_values(resp, "0" * 32, 2, NOW))
    # The import's path: the whole batch as columns at once (memoised conversions shared by rows).
    ids = [f"{i:032x}" for i in range(len(answers))]
    columns = revision_columns(answer_columns(answers).values, ids, [1] * len(answers), NOW)
    for i, resp in enumerate(answers):
        assert_row_types_equal({k: v[i] for k, v in columns.items()}, reference_values(resp, ids[i], 1, NOW))


@given(response_dicts())
def test_row_builder_equals_the_models_json_form_on_any_valid_answer(data: dict[str, Any]) -> None:
    outcome = parse_responses(json.dumps(data))
    for resp in outcome.responses:
        assert_row_types_equal(revision_values(resp, "1" * 32, 1, NOW), reference_values(resp, "1" * 32, 1, NOW))


def _raw(store: ResponseStore, sql: str) -> list[tuple[Any, ...]]:
    with store.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(sql))]


def test_a_bulk_import_stores_values_exactly_as_a_submit_does(store: ResponseStore) -> None:
    """100 answers go the driver's executemany path, one goes through SQLAlchemy: same stored text."""
    stamp = "2026-03-04T05:06:07.250000+00:00"
    store.submit(make_response(distributor="Single", submitted_at=stamp))
    store.import_responses([make_response(distributor=f"Bulk {i}", submitted_at=stamp) for i in range(100)])
    cast = "CAST({} AS TEXT)"
    columns = ["submitted_at", "ready_earliest", "illustrative", "blockers", "verification_evidence"]
    for table in ("response_revisions", "response_latest"):
        rows = _raw(
            store,
            f"SELECT distributor, {', '.join(cast.format(c) for c in columns)} FROM {table} ORDER BY distributor",  # noqa: S608 - fixed names
        )
        single = next(r[1:] for r in rows if r[0] == "Single")
        assert len(rows) == 101
        assert all(r[1:] == single for r in rows), (table, rows[0], single)
    made = _raw(store, "SELECT CAST(created_at AS TEXT), CAST(updated_at AS TEXT) FROM responses")
    if store.engine.dialect.name == "sqlite":
        # SQLAlchemy's SQLite form, which string comparisons in SQL (as-of cut-offs) rely on.
        assert single[0] == "2026-03-04 05:06:07.250000"
        assert all(len(c) == len("2026-03-04 05:06:07.250000") and c[10] == " " for row in made for c in row)
    assert [r.response.submitted_at for r in store.latest()] == [datetime.fromisoformat(stamp)] * 101


# -- an import's bind conversions, remembered across its batches (rows.BindMemos) ---------------


def test_an_imports_memos_span_batches_but_not_for_datetimes() -> None:
    from analysis.storage.tables import RevisionRow

    memos = BindMemos()
    columns = RevisionRow.__table__.c
    first = memos.memo(columns.ready_likely, str)
    assert memos.memo(columns.ready_likely, str) is first
    assert memos.memo(columns.submitted_at, str) is not memos.memo(columns.submitted_at, str)
    first.update((i, "x") for i in range(BindMemos.LIMIT + 1))
    assert memos.memo(columns.ready_likely, str) is not first  # outgrown: started afresh


def test_a_bulk_import_in_batches_stores_dates_as_a_submit_does(store: ResponseStore) -> None:
    """Dates converted once for the import (shared across batches) are stored as a submit stores them."""
    ready = {"earliest": "2025-01-02", "likely": "2025-06-01", "latest": "2026-12-31"}
    store.submit(make_response(distributor="Single", ready_by=ready))
    batches = [[make_response(distributor=f"Bulk {b} {i}", ready_by=ready) for i in range(80)] for b in range(3)]
    store.import_batches(batches)
    columns = ", ".join(f"CAST({c} AS TEXT)" for c in ("ready_earliest", "ready_likely", "ready_latest"))
    for table in ("response_revisions", "response_latest"):
        rows = _raw(store, f"SELECT {columns} FROM {table}")  # noqa: S608 - fixed names
        assert len(rows) == 241 and len(set(rows)) == 1, table


def test_none_is_stored_as_null_by_the_bulk_path(store: ResponseStore) -> None:
    """sqlite3 gets an adapter for None (``rows._bind_none_directly``) that hands None back: NULL."""
    import sqlite3

    from analysis.storage.rows import _NONE_ADAPTER

    assert _NONE_ADAPTER(None) is None
    store.submit(make_response(distributor="Single", contact=None, ready_by={"likely": "2025-06-01"}))
    store.import_responses(
        [make_response(distributor=f"Bulk {i}", ready_by={"likely": "2025-06-01"}) for i in range(100)]
    )
    nulls = "typeof(respondent_role), typeof(contact), typeof(ready_earliest), typeof(dual_signing_until)"
    if store.engine.dialect.name == "sqlite":
        assert (type(None), sqlite3.PrepareProtocol) in sqlite3.adapters
        rows = _raw(store, f"SELECT {nulls} FROM response_revisions")  # noqa: S608 - fixed names
        assert rows == [("null",) * 4] * 101
        tokens = _raw(store, "SELECT typeof(edit_token_hash), count(*) FROM responses GROUP BY 1 ORDER BY 1")
        assert tokens == [("null", 100), ("text", 1)]  # the submit got an edit token
    for row in _raw(
        store, "SELECT respondent_role, contact, ready_earliest, dual_signing_until FROM response_revisions"
    ):
        assert row == (None,) * 4


def _dump(store: ResponseStore, table: str) -> list[tuple[Any, ...]]:
    """Every row of ``table`` with its rowid and each value's storage type (SQLite)."""
    with store.engine.connect() as conn:
        names = [r[1] for r in conn.exec_driver_sql(f"PRAGMA table_info({table})")]
        typed = ", ".join(f"{n}, typeof({n})" for n in names)
        return [tuple(r) for r in conn.exec_driver_sql(f"SELECT rowid, {typed} FROM {table} ORDER BY rowid")]  # noqa: S608


def test_latest_rows_copied_in_sql_equal_those_bound_from_python(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first import's latest rows copied from its revisions (``rows.copy_latest_rows``, SQLite)
    equal, row by row and type by type, the rows the columns would have inserted."""
    import analysis.storage.store as store_module
    from analysis.storage import open_store

    monkeypatch.setattr(store_module, "now_utc", lambda: NOW)
    answers = [r.model_copy(update={"response_id": f"{i:032x}"}) for i, r in enumerate(generate_responses(300, 40, 7))]
    answers[5] = answers[5].model_copy(update={"respondent_role": None, "ready_by": ReadyBy(), "submitted_at": NOW})
    batches = [answers[:130], answers[130:200], answers[200:]]
    copied: list[bool] = []

    def counted(*args: Any) -> bool:
        copied.append(store_module_copy(*args))
        return copied[-1]

    store_module_copy = store_module.copy_latest_rows
    stores = []
    for name, copy in (("copied", True), ("bound", False)):
        with monkeypatch.context() as patch:
            patch.setattr(store_module, "copy_latest_rows", counted if copy else lambda *args: False)
            store = open_store(f"sqlite:///{tmp_path / name}.sqlite3")
            store.import_columns(map(answer_columns, batches), ids_unique=True)
            store.import_responses(answers[290:] + answers[:3])  # known ones: revised or unchanged
            stores.append(store)
    assert copied == [True, True, True]  # every batch of the first import (64 rows or more) copied
    for table in ("response_latest", "response_revisions", "responses"):
        assert _dump(stores[0], table) == _dump(stores[1], table), table
    for store in stores:
        store.engine.dispose()


def test_no_answers_make_empty_columns() -> None:
    columns = answer_columns([])
    assert columns.response_ids == [] and len(columns) == 0
    assert columns.values == {name: [] for name in answer_columns([make_response()]).values}
