"""Bulk import: batches of validated answers written in one transaction (issue 14).

Kept apart from the store's single-answer paths because its concern is throughput: a batch comes
as columns (``rows.AnswerColumns``), responses the store already holds are compared and revised
one by one, and all new ones go to the driver's ``executemany`` a table at a time. Revisions are
still written by the store's one revision writer (``ResponseStore._store_revisions``), so an
imported answer is stored exactly as a submitted one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from itertools import compress
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.models import SurveyResponse
from analysis.storage.records import answer_from_values, stored_response
from analysis.storage.rows import (
    AnswerColumns,
    BindMemos,
    chunks,
    core_table,
    distributor_key,
    insert_columns,
    revision_columns,
)
from analysis.storage.store import ImportResult, ResponseStore, new_response_id
from analysis.storage.tables import ResponseRow, RevisionRow


def import_columns(
    store: ResponseStore,
    batches: Iterable[AnswerColumns],
    *,
    now: datetime,
    keep_ids: bool = True,
    ids_unique: bool = False,
) -> ImportResult:
    """Every batch written in ONE transaction, all or nothing.

    Memory is that of a batch: the importer parses and validates the file while this writes.
    If iterating ``batches`` raises (the importer found a bad item), the transaction rolls back
    and the exception propagates: nothing of the file is stored. ``keep_ids=False`` leaves the
    ids out of the result (1,000,000 of them are 80 MB nobody reads). ``ids_unique`` is the
    caller's word that no ``response_id`` comes twice in ``batches`` (the importer refuses a
    file that repeats one): then, into a store that holds no response at all when the
    transaction starts, no batch needs to look its ids up (a tenth of a first import's time).
    ``now`` (the store's clock) is every new revision's ``stored_at``.
    """
    counts = {"created": 0, "revised": 0, "unchanged": 0}
    ids: list[str] = []
    memos = BindMemos()  # the batches' dates converted once for the import, not once a batch
    with store._write() as s, _large_page_cache(s):
        look_up = not ids_unique or s.scalar(select(ResponseRow.id).limit(1)) is not None
        for batch in batches:
            batch_ids = _import_batch(s, batch, now, counts, look_up, memos)
            if keep_ids:
                ids.extend(batch_ids)
    return ImportResult(response_ids=ids, **counts)


def _import_batch(
    s: Session,
    answers: AnswerColumns,
    now: datetime,
    counts: dict[str, int],
    look_up: bool = True,
    memos: BindMemos | None = None,
) -> list[str]:
    """One batch: known responses revised where their answers changed, the others inserted in bulk."""
    given = answers.response_ids
    latest: dict[str, SurveyResponse] = {}
    drafts: set[str] = set()  # responses that exist but hold only a draft (no revision yet)
    for chunk in chunks([rid for rid in given if rid] if look_up else [], 500):
        rows = s.scalars(
            select(RevisionRow)
            .join(ResponseRow, ResponseRow.id == RevisionRow.response_id)
            .where(RevisionRow.response_id.in_(chunk), RevisionRow.revision == ResponseRow.latest_revision)
        ).all()
        latest.update({r.response_id: stored_response(r).response for r in rows})
        drafts.update(
            s.scalars(select(ResponseRow.id).where(ResponseRow.id.in_(chunk), ResponseRow.latest_revision == 0))
        )
    ids = [rid or new_response_id() for rid in given]
    fresh = [rid not in latest and rid not in drafts for rid in ids]
    again = _repeated_in_batch(ids, fresh)
    for i, rid in enumerate(ids):
        if not fresh[i] and i not in again:
            resp = answer_from_values(answers.answer(i).__getitem__, rid)
            if rid in latest:
                _import_known(s, rid, resp, latest, now, counts)
            else:  # its first answer: revision 1 of the response its draft made; the draft stays
                ResponseStore._append_revision(s, rid, resp, now)
                latest[rid] = resp
                counts["created"] += 1
    new_ids = list(compress(ids, fresh))
    if new_ids:
        n = len(new_ids)
        values = answers.values if n == len(ids) else {k: list(compress(v, fresh)) for k, v in answers.values.items()}
        keys = list(map(distributor_key, values["distributor"]))
        responses: dict[str, list[Any]] = {
            "id": new_ids,
            "edit_token_hash": [None] * n,
            "created_at": [now] * n,
            "updated_at": [now] * n,
            "latest_revision": [1] * n,
            "distributor_key": keys,
        }
        insert_columns(s, core_table(ResponseRow), responses, memos)
        revisions = revision_columns(values, new_ids, [1] * n, now)
        ResponseStore._store_revisions(s, revisions, keys, memos)
        counts["created"] += n
    for i in sorted(again):  # after the first of its id was created above
        rid = ids[i]
        if rid not in latest:
            latest[rid] = answer_from_values(answers.answer(ids.index(rid)).__getitem__, rid)
        _import_known(s, rid, answer_from_values(answers.answer(i).__getitem__, rid), latest, now, counts)
    return ids


def _repeated_in_batch(ids: list[str], fresh: list[bool]) -> set[int]:
    """Positions of new ids already given earlier in the batch, taken off ``fresh``.

    A file cannot repeat an id (the importer refuses it), but a caller's list can: the first
    is created and each later one is a revision of it, as if imported one after the other.
    """
    if len(set(ids)) == len(ids):
        return set()
    seen: set[str] = set()
    again: set[int] = set()
    for i, rid in enumerate(ids):
        if fresh[i]:
            if rid in seen:
                fresh[i] = False
                again.add(i)
            seen.add(rid)
    return again


def _import_known(
    s: Session,
    rid: str,
    resp: SurveyResponse,
    latest: dict[str, SurveyResponse],
    now: datetime,
    counts: dict[str, int],
) -> None:
    """An imported answer for a stored response: a new revision only if its answers changed."""
    if latest[rid].answers_equal(resp):
        counts["unchanged"] += 1
    else:
        ResponseStore._append_revision(s, rid, resp, now)
        latest[rid] = resp
        counts["revised"] += 1


#: SQLite page cache for an import's connection (KiB, as ``PRAGMA cache_size`` takes it negated).
#: The default 2 MB makes every index insert of a large import spill and re-read pages; 256 MB
#: keeps a 100,000-answer store in memory (about 25 % less CPU) and is given back afterwards.
IMPORT_CACHE_KIB = 256 * 1024


@contextmanager
def _large_page_cache(s: Session) -> Iterator[None]:
    conn = s.connection()
    if conn.dialect.name != "sqlite":
        yield
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(before or -2000)}")
