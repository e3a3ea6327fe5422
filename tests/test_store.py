"""The store: transactions, tokens, revisions, drafts, import idempotency."""

from __future__ import annotations

import threading

import pandas as pd
import pytest
from sqlalchemy import select, text

from analysis.crosstab import ANALYSIS_COLUMNS
from analysis.storage import TokenNotFound
from analysis.storage.db import head_revision, schema_revision
from analysis.storage.rows import answer_columns
from analysis.storage.store import MAX_DRAFT_BYTES, ResponseStore, hash_token
from analysis.storage.tables import LATEST_REVISION_COLUMNS, LatestRow, ResponseRow, RevisionRow
from tests.conftest import make_response


def latest_table_and_expected(store: ResponseStore) -> tuple[list[tuple], list[tuple]]:
    """``response_latest`` as stored, and as it should be: the revisions joined on the latest."""
    revisions, latest = RevisionRow.__table__, LatestRow.__table__
    with store.engine.connect() as conn:
        stored = conn.execute(
            select(*(latest.c[c] for c in (*LATEST_REVISION_COLUMNS, "distributor_key"))).order_by(latest.c.response_id)
        ).all()
        expected = conn.execute(
            select(*(revisions.c[c] for c in LATEST_REVISION_COLUMNS), ResponseRow.distributor_key)
            .join(ResponseRow, ResponseRow.id == RevisionRow.response_id)
            .where(RevisionRow.revision == ResponseRow.latest_revision)
            .order_by(RevisionRow.response_id)
        ).all()
    return [tuple(r) for r in stored], [tuple(r) for r in expected]


def test_schema_is_migrated_to_head(store: ResponseStore) -> None:
    assert schema_revision(store.engine) == head_revision()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(sqlite_store: ResponseStore) -> None:
    with sqlite_store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_submit_issues_a_token_stored_only_as_hash(store: ResponseStore) -> None:
    result = store.submit(make_response())
    assert result.token and len(result.token) >= 22  # >= 128 bits of entropy in URL-safe base64
    with store.engine.connect() as conn:
        stored = conn.execute(text("select edit_token_hash from responses")).scalar()
    assert stored == hash_token(result.token)
    assert result.token not in stored


def test_edit_keeps_every_revision(store: ResponseStore) -> None:
    first = store.submit(make_response(prerelease_lag_days=0))
    second = store.submit(make_response(prerelease_lag_days=30), token=first.token)
    assert second.token is None and second.revision == 2
    history = store.history(first.response_id)
    assert [h.response.prerelease_lag_days for h in history] == [0, 30]
    assert store.open_for_edit(first.token).latest.response.prerelease_lag_days == 30  # type: ignore[union-attr]
    assert store.stats()["responses"] == 1 and store.stats()["revisions"] == 2


def test_resubmitting_the_same_answers_adds_no_revision(store: ResponseStore) -> None:
    first = store.submit(make_response(prerelease_lag_days=7))
    store.save_draft({"distributor": "Debian", "comments": "half"}, token=first.token)
    generation = store.generation()
    again = store.submit(make_response(prerelease_lag_days=7, submitted_at="2030-01-01T00:00:00Z"), token=first.token)
    assert again.unchanged and again.revision == 1 and again.response_id == first.response_id
    assert [h.revision for h in store.history(first.response_id)] == [1]
    assert store.stats()["revisions"] == 1
    assert store.open_for_edit(first.token).draft is None  # the submitted form replaced the draft
    assert store.generation() == generation + 1  # only the draft's removal was written
    changed = store.submit(make_response(prerelease_lag_days=8), token=first.token)
    assert not changed.unchanged and changed.revision == 2


def test_wrong_token_gives_nothing(store: ResponseStore) -> None:
    store.submit(make_response())
    for bad in ("nope", "", "x" * 500):
        with pytest.raises(TokenNotFound):
            store.open_for_edit(bad)
    with pytest.raises(TokenNotFound):
        store.submit(make_response(), token="nope")
    assert store.stats()["revisions"] == 1


def test_draft_is_resumable_and_not_counted(store: ResponseStore) -> None:
    draft = store.save_draft({"distributor": "Gentoo", "blockers": ["offline-verification"]})
    assert draft.token
    assert store.stats()["responses"] == 0
    session = store.open_for_edit(draft.token)
    assert session.latest is None and session.draft == {"blockers": ["offline-verification"], "distributor": "Gentoo"}
    store.submit(make_response(distributor="Gentoo"), token=draft.token)
    session = store.open_for_edit(draft.token)
    assert session.draft is None and session.latest is not None
    assert store.stats()["responses"] == 1


def test_oversized_draft_is_refused_and_nothing_changes(store: ResponseStore) -> None:
    before = store.generation()
    with pytest.raises(ValueError, match="too large"):
        store.save_draft({"comments": "x" * (MAX_DRAFT_BYTES + 1)})
    assert store.generation() == before


def test_failed_transaction_leaves_no_trace(store: ResponseStore) -> None:
    store.submit(make_response())
    before = store.stats()
    with pytest.raises(RuntimeError), store._write() as s:
        s.execute(text("delete from response_revisions"))
        raise RuntimeError("crash mid-write")
    assert store.stats() == before


def test_import_is_idempotent_and_revises_changed_answers(store: ResponseStore) -> None:
    first = store.import_responses([make_response(distributor="Gentoo"), make_response(distributor="Fedora")])
    assert (first.created, first.revised, first.unchanged) == (2, 0, 0)
    exported = [s.response for s in store.latest()]
    again = store.import_responses(exported)
    assert (again.created, again.revised, again.unchanged) == (0, 0, 2)
    changed = [exported[0].model_copy(update={"prerelease_lag_days": 99}), exported[1]]
    third = store.import_responses(changed)
    assert (third.created, third.revised, third.unchanged) == (0, 1, 1)
    assert store.stats()["revisions"] == 3


def test_generation_changes_on_every_write(store: ResponseStore) -> None:
    g0 = store.generation()
    store.submit(make_response())
    g1 = store.generation()
    store.upsert_theme("tooling", "Tooling")
    assert g0 < g1 < store.generation()


def test_concurrent_writers_lose_nothing(store: ResponseStore) -> None:
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            for j in range(10):
                store.submit(make_response(distributor=f"D{i}-{j}"))
        except Exception as exc:  # noqa: BLE001 - collected and asserted on below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert store.stats()["responses"] == 60


def test_latest_frame_has_one_row_per_response_with_decoded_lists(store: ResponseStore) -> None:
    res = store.submit(make_response(blockers=["tooling-support", "other"]))
    store.submit(make_response(blockers=["other"]), token=res.token)
    frame = store.latest_frame()
    assert len(frame) == 1
    row = frame.iloc[0]
    assert row["blockers"] == ["other"] and row["revision"] == 2 and row["distributor_key"] == "debian"
    assert str(row["ready_likely"].date()) == "2025-06-01"


def test_attach_verification_adds_a_revision(store: ResponseStore) -> None:
    from datetime import UTC, datetime

    from analysis.models import VerificationEvidence

    res = store.submit(make_response())
    evidence = VerificationEvidence(
        python_version="3.14",
        artifact="Python-3.14.0.tgz",
        sha256="88d2da4eed42fa9a5f42ff58a8bc8988881bd6c547e297e46682c2687638a851",
        identity="hugo@python.org",
        issuer="https://github.com/login/oauth",
        verified_at=datetime(2026, 11, 25, tzinfo=UTC),
        tool="sigstore-python 4.5.1 (offline)",
    )
    store.attach_verification(res.token, evidence)  # type: ignore[arg-type]
    latest = store.open_for_edit(res.token).latest  # type: ignore[arg-type]
    assert latest is not None and latest.revision == 2 and latest.response.verification_evidence == [evidence]


def _evidence():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from analysis.models import VerificationEvidence

    return VerificationEvidence(
        python_version="3.14",
        artifact="Python-3.14.0.tgz",
        sha256="88d2da4eed42fa9a5f42ff58a8bc8988881bd6c547e297e46682c2687638a851",
        identity="hugo@python.org",
        issuer="https://github.com/login/oauth",
        verified_at=datetime(2026, 11, 25, tzinfo=UTC),
        tool="sigstore-python 4.5.1 (offline)",
    )


def test_latest_table_follows_every_write_path(store: ResponseStore) -> None:
    """submit, edit, draft, bulk import (new, revised, unchanged) and verification all keep
    ``response_latest`` equal to the latest revisions."""
    first = store.submit(make_response(distributor="Debian"))
    store.submit(make_response(distributor="Debian GNU/Linux", blockers=["other"]), token=first.token)
    store.save_draft({"distributor": "Draft only"})  # a draft is not an answer: no latest row
    imported = store.import_responses(
        [make_response(distributor="Gentoo"), make_response(distributor="Fedora", ready_by={})]
    )
    exported = [s.response for s in store.latest() if s.response.response_id in imported.response_ids]
    store.import_responses([exported[0].model_copy(update={"prerelease_lag_days": 99}), exported[1]])
    store.attach_verification(first.token, _evidence())  # type: ignore[arg-type]
    stored, expected = latest_table_and_expected(store)
    assert len(stored) == 3 and stored == expected
    by_id = {row[0]: row for row in stored}
    assert by_id[first.response_id][1] == 3  # three revisions, the latest copied
    assert store.stats()["revisions"] == 6


def test_failed_write_changes_neither_revisions_nor_latest_table(
    store: ResponseStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = store.submit(make_response(prerelease_lag_days=1))
    store.import_responses([make_response(distributor="Gentoo")])
    before_stats, before_latest = store.stats(), latest_table_and_expected(store)

    import analysis.storage.store as store_module

    def broken(*args):  # type: ignore[no-untyped-def]
        raise RuntimeError("crash between the revision and its latest copy")

    monkeypatch.setattr(store_module, "latest_columns", broken)
    with pytest.raises(RuntimeError):
        store.submit(make_response(prerelease_lag_days=2), token=first.token)
    with pytest.raises(RuntimeError):
        store.import_responses([make_response(distributor="Arch"), make_response(distributor="NixOS")])
    with pytest.raises(RuntimeError):
        store.attach_verification(first.token, _evidence())  # type: ignore[arg-type]
    monkeypatch.undo()
    with pytest.raises(RuntimeError), store._write() as s:
        s.execute(text("delete from response_latest"))
        raise RuntimeError("crash mid-write")
    assert store.stats() == before_stats
    assert latest_table_and_expected(store) == before_latest
    assert before_latest[0] == before_latest[1] and len(before_latest[0]) == 2


def test_analysis_frame_from_latest_table_equals_the_joined_frame(store: ResponseStore) -> None:
    """The narrow read (no free text) gives the same rows, columns and dtypes as the full read."""
    res = store.submit(make_response(distributor="Debian", blockers=["tooling-support", "other"]))
    store.submit(make_response(distributor="Debian", blockers=["other"]), token=res.token)
    store.import_responses(
        [
            make_response(distributor="Gentoo", ready_by={}, python_versions=[]),
            make_response(distributor="Fedora", dual_signing_until="3.16", illustrative=True),
        ]
    )
    narrow = store.latest_frame(columns=ANALYSIS_COLUMNS)
    full = store.latest_frame()
    assert list(narrow["response_id"]) == sorted(full["response_id"])
    pd.testing.assert_frame_equal(narrow, full[list(narrow.columns)])
    assert list(narrow.columns) == [c for c in full.columns if c in narrow.columns]
    assert set(narrow.columns) == {*ANALYSIS_COLUMNS, "response_id", "revision", "stored_at", "distributor_key"}
    assert {str(narrow[c].dtype) for c in ("distributor", "distributor_key", "response_id")} == {"str"}
    assert str(narrow["stored_at"].dtype) == "datetime64[us, UTC]"
    assert str(narrow["ready_likely"].dtype) == "datetime64[us]"
    assert narrow["illustrative"].dtype == bool and narrow["revision"].dtype == "int64"
    assert all(isinstance(v, list) for c in ("blockers", "python_versions", "worst_case") for v in narrow[c])
    assert narrow.set_index("distributor").loc["Gentoo", "python_versions"] == []


@pytest.mark.parametrize("chunk", [1, 2, 3])
def test_frame_read_in_batches_equals_the_frame_read_whole(
    store: ResponseStore, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """Batches of a few rows (NULL dates in some only, lists shared across batches) give the very
    frame the whole-list path gives, on both stores, for the latest and the as-of reads."""
    from datetime import date

    from analysis.storage import frames, raw_rows
    from analysis.storage.history import frame_as_of

    res = store.submit(make_response(distributor="Debian", blockers=["tooling-support", "other"]))
    store.submit(make_response(distributor="Debian", blockers=["other"]), token=res.token)
    store.import_responses(
        [
            make_response(distributor="Gentoo", ready_by={}, python_versions=[]),
            make_response(distributor="Fedora", dual_signing_until="3.16", illustrative=True),
            make_response(distributor="NixOS", blockers=["other"]),
            make_response(distributor="Homebrew", ready_by={}),
        ]
    )
    today = date.today()
    monkeypatch.setattr(raw_rows, "FRAME_CHUNK", chunk)
    batched = [store.latest_frame(columns=ANALYSIS_COLUMNS), store.latest_frame(), frame_as_of(store, today)]
    with monkeypatch.context() as m:
        m.setattr(frames, "chunks_to_frame", lambda batches, json_columns: None)  # read whole
        whole = [store.latest_frame(columns=ANALYSIS_COLUMNS), store.latest_frame(), frame_as_of(store, today)]
    for got, expected in zip(batched, whole, strict=True):
        pd.testing.assert_frame_equal(got, expected)
    assert len(batched[0]) == 5 and batched[0]["ready_likely"].isna().any()


def test_empty_store_gives_an_empty_frame_with_the_columns(store: ResponseStore) -> None:
    for frame in (store.latest_frame(), store.latest_frame(columns=ANALYSIS_COLUMNS)):
        assert frame.empty and {"response_id", "blockers", "distributor_key"} <= set(frame.columns)


def test_a_column_arrow_cannot_type_is_left_to_pandas(
    sqlite_store: ResponseStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite keeps whatever it is given: a stray value of another type still loads, in order."""
    ids = sqlite_store.import_responses([make_response(distributor=d) for d in ("A", "B", "C")]).response_ids
    odd = sorted(ids)[1]
    with sqlite_store.engine.begin() as conn:
        conn.execute(text("update response_latest set prerelease_lag_days = 'soon' where response_id = :i"), {"i": odd})
        conn.execute(
            text("update response_revisions set prerelease_lag_days = 'soon' where response_id = :i"), {"i": odd}
        )
    from analysis.storage import raw_rows

    for chunk in (1, 2, raw_rows.FRAME_CHUNK):  # the stray value alone in its batch, or not
        monkeypatch.setattr(raw_rows, "FRAME_CHUNK", chunk)
        for frame in (sqlite_store.latest_frame(columns=ANALYSIS_COLUMNS), sqlite_store.latest_frame()):
            assert list(frame["response_id"]) == sorted(ids)
            assert frame["prerelease_lag_days"].dtype == object
            assert list(frame["prerelease_lag_days"]) == [0, "soon", 0]


def test_the_analysis_columns_are_all_in_the_narrow_latest_table() -> None:
    """Otherwise the dashboard's load silently falls back to the slow join over free text."""
    from analysis.storage.tables import LATEST_REVISION_COLUMNS

    assert set(ANALYSIS_COLUMNS) <= set(LATEST_REVISION_COLUMNS)


def test_an_id_given_twice_in_one_list_is_created_then_revised(store: ResponseStore) -> None:
    """Files cannot repeat an id (the importer refuses it); a caller's list is taken in order."""
    rid = "ab" * 16
    first = make_response(distributor="Twice", response_id=rid)
    result = store.import_responses(
        [first, make_response(distributor="Other"), first.model_copy(update={"prerelease_lag_days": 5}), first]
    )
    assert (result.created, result.revised, result.unchanged) == (2, 2, 0)
    (stored,) = [r for r in store.latest() if r.response.response_id == rid]
    assert stored.revision == 3 and stored.response.prerelease_lag_days == first.prerelease_lag_days
    stored_latest, expected = latest_table_and_expected(store)
    assert stored_latest == expected


def test_an_import_vouching_unique_ids_still_compares_with_what_is_stored(store: ResponseStore) -> None:
    """``ids_unique`` skips id lookups only while the store holds no response at all."""
    answers = [make_response(distributor=f"D{i}", response_id=f"{i:032x}") for i in range(70)]
    first = store.import_columns([answer_columns(answers)], ids_unique=True)
    assert (first.created, first.revised, first.unchanged) == (70, 0, 0)
    changed = [answers[0].model_copy(update={"prerelease_lag_days": 9}), *answers[1:]]
    again = store.import_columns([answer_columns(changed)], ids_unique=True)
    assert (again.created, again.revised, again.unchanged) == (0, 1, 69)
    stored_latest, expected = latest_table_and_expected(store)
    assert len(stored_latest) == 70 and stored_latest == expected


def test_an_imported_answer_for_a_draft_only_response_becomes_its_first_revision(store: ResponseStore) -> None:
    """A response that so far holds only a draft has no revision to compare with: the import
    gives it revision 1 (it used to insert the response again and fail with an IntegrityError)."""
    draft = store.save_draft({"distributor": "Drafting"})
    assert draft.token is not None
    rid = draft.response_id
    answer = make_response(distributor="Drafting", response_id=rid)
    result = store.import_responses([answer, answer.model_copy(update={"prerelease_lag_days": 7})])
    assert (result.created, result.revised, result.unchanged) == (1, 1, 0)
    (stored,) = store.latest()
    assert (stored.response.response_id, stored.revision, stored.response.prerelease_lag_days) == (rid, 2, 7)
    session = store.open_for_edit(draft.token)  # the maintainer's link still opens it, draft kept
    assert session.draft == {"distributor": "Drafting"} and session.latest is not None
    stored_latest, expected = latest_table_and_expected(store)
    assert stored_latest == expected
    again = store.import_responses([answer.model_copy(update={"prerelease_lag_days": 7})])
    assert (again.created, again.revised, again.unchanged) == (0, 0, 1)
