"""How validated responses become table rows, and how many rows reach the driver at once.

Every revision the store writes (a form submit, an edit, an import of 1,000,000 answers) is built
here by :func:`answer_columns`, so a value looks the same in the database whichever way it came
in. Building rows is on the import's hot path, so a batch is built column by column straight from
the validated models' fields instead of through ``model_dump(mode="json")`` (which costs four
times as much); ``tests/test_store_rows.py`` holds the two equal.
"""

from __future__ import annotations

import functools
import itertools
import json
import operator
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, DateTime, Table, func, insert, select
from sqlalchemy.orm import Session

from analysis.models import ENUM_FIELDS, MULTI_FIELDS, SurveyResponse, normalise_distributor
from analysis.storage.tables import LATEST_REVISION_COLUMNS, Base, LatestRow, ResponseRow, RevisionRow

_LIST_COLUMNS = frozenset(MULTI_FIELDS)
#: Single-choice fields, stored by value (lists of choices are stored as JSON text).
_ENUM_FIELDS = frozenset(ENUM_FIELDS) - _LIST_COLUMNS


def _json_list(values: Sequence[str]) -> str:
    """``json.dumps`` of a list of enum values or X.Y versions, without the encoder.

    The model allows only those (lower-case letters, digits, ``-`` and ``.``), so no value needs
    escaping and the text is exactly ``json.dumps``'s; ``tests/test_store_rows.py`` holds them equal.
    """
    return '["' + '", "'.join(values) + '"]' if values else "[]"


@functools.lru_cache(maxsize=65_536)
def distributor_key(name: str) -> str:
    """``normalise_distributor``, remembered: an import repeats a few thousand names a million times."""
    return normalise_distributor(name)


@dataclass(frozen=True)
class AnswerColumns:
    """A batch of validated answers as the columns the store writes, built once for the batch.

    ``values`` holds every ``response_revisions`` column an answer fills (:data:`ANSWER_COLUMNS`),
    one list per column, as Python values ready for SQLAlchemy's bind processing: enums by value,
    lists as JSON text, dates as dates. ``submitted_at`` holds None where the answer did not say
    (the store writes its own timestamp). Columns, not rows, because each is built by one ``map``
    in C over the batch, and the store converts and zips them the same way: an import of
    1,000,000 answers spends its time in the database, not in building dicts. The batch is plain
    data (lists of text, numbers and dates), cheap to pickle, so a parser process can build it.
    """

    response_ids: list[str | None]
    values: dict[str, list[Any]]

    def __len__(self) -> int:
        return len(self.response_ids)

    def answer(self, i: int) -> dict[str, Any]:
        """The ``i``-th answer's column values (the store re-reads a known response's answer)."""
        return {name: column[i] for name, column in self.values.items()}


#: The ``response_revisions`` columns an answer fills; the store adds id, revision and stored_at.
ANSWER_COLUMNS: tuple[str, ...] = tuple(
    c.name for c in RevisionRow.__table__.columns if c.name not in ("id", "response_id", "revision", "stored_at")
)
_READY_COLUMNS = {"ready_earliest": "earliest", "ready_likely": "likely", "ready_latest": "latest"}


def _enum_value(value: StrEnum | None) -> str | None:
    return None if value is None else value.value


def _evidence_json(evidence: list[Any]) -> str:
    return json.dumps([e.model_dump(mode="json") for e in evidence]) if evidence else "[]"


#: The model fields :func:`answer_columns` reads, each answer's in one ``itemgetter`` call.
_FIELDS: tuple[str, ...] = ("response_id", "ready_by", *(n for n in ANSWER_COLUMNS if n not in _READY_COLUMNS))
_ROW = operator.itemgetter(*_FIELDS)
_READY = operator.attrgetter(*_READY_COLUMNS.values())


def answer_columns(responses: Sequence[SurveyResponse]) -> AnswerColumns:
    """The store's columns of validated answers: the one place an answer becomes stored values.

    Every revision (a form submit, an edit, an import) is built here, so a value looks the same in
    the database whichever way it came in. Values are read straight from the models' fields (not
    through ``model_dump(mode="json")``, four times the cost); ``tests/test_store_rows.py`` holds
    the two equal, types included (psycopg would send a ``StrEnum`` by name).

    Each answer's fields are taken in one ``itemgetter`` call and the rows turned into columns by
    ``zip`` (both in C): one pass over the answers (scattered in memory) instead of one per column;
    the parser process's batches measured 0.39 -> 0.25 s at 100,000 answers (best of 15 runs).
    """
    if not responses:
        return AnswerColumns(response_ids=[], values={name: [] for name in ANSWER_COLUMNS})
    fields = dict(
        zip(_FIELDS, zip(*map(_ROW, map(operator.attrgetter("__dict__"), responses)), strict=True), strict=True)
    )
    ready = dict(zip(_READY_COLUMNS, zip(*map(_READY, fields["ready_by"]), strict=True), strict=True))
    values: dict[str, list[Any]] = {}
    for name in ANSWER_COLUMNS:
        if name in _READY_COLUMNS:
            values[name] = list(ready[name])
        elif name in _ENUM_FIELDS:
            values[name] = list(map(Memo(_enum_value).__getitem__, fields[name]))
        elif name in _LIST_COLUMNS:
            values[name] = list(map(Memo(_json_list).__getitem__, map(tuple, fields[name])))
        elif name == "verification_evidence":
            values[name] = _evidence_column(fields[name])
        else:
            values[name] = list(fields[name])
    return AnswerColumns(response_ids=list(fields["response_id"]), values=values)


def _evidence_column(evidence: Sequence[list[Any]]) -> list[str]:
    """:func:`_evidence_json` of each answer's evidence; most have none (``[]``, no call made)."""
    texts = ["[]"] * len(evidence)
    for i in itertools.compress(range(len(evidence)), evidence):
        texts[i] = _evidence_json(evidence[i])
    return texts


def revision_columns(
    answers: dict[str, list[Any]], response_ids: list[str], revisions: list[int], stored_at: datetime
) -> dict[str, list[Any]]:
    """The ``response_revisions`` columns of answers (``AnswerColumns.values``) under these ids and revisions."""
    columns = dict(answers)
    columns["submitted_at"] = [when or stored_at for when in columns["submitted_at"]]
    columns.update(response_id=response_ids, revision=revisions, stored_at=[stored_at] * len(response_ids))
    return columns


def revision_values(resp: SurveyResponse, response_id: str, revision: int, stored_at: datetime) -> dict[str, Any]:
    """The ``response_revisions`` row of one answer: :func:`revision_columns` of a batch of one."""
    columns = revision_columns(answer_columns([resp]).values, [response_id], [revision], stored_at)
    return {name: column[0] for name, column in columns.items()}


def latest_columns(revisions: dict[str, list[Any]], keys: list[str] | None = None) -> dict[str, list[Any]]:
    """The ``response_latest`` columns of revision columns as built by :func:`revision_columns`.

    ``keys``: the revisions' distributor keys when the caller has them (a first import computes
    them for ``responses``), so they are not normalised twice.
    """
    columns = {c: revisions[c] for c in LATEST_REVISION_COLUMNS}
    columns["distributor_key"] = keys if keys is not None else list(map(distributor_key, revisions["distributor"]))
    return columns


#: From this many rows on, inserts go to the driver's ``executemany`` directly (see below).
_BULK_ROWS = 64


def insert_columns(
    s: Session, table: Table, columns: Mapping[str, Sequence[Any]], memos: BindMemos | None = None
) -> None:
    """Insert rows given as equally long columns: Core for a few, the driver's executemany for many.

    For an import of 1,000,000 answers SQLAlchemy's per-row parameter processing costs about as
    much as the database's own work. Large batches therefore get each column converted by the
    dialect's own bind processor for the column's type (exactly what SQLAlchemy would send: on
    SQLite a datetime becomes SQLAlchemy's text form, not sqlite3's), one ``map`` per column with
    the conversions remembered (an import's rows share one timestamp and a few hundred dates), and
    go to the DB-API cursor as tuples, on the session's connection, inside its transaction.
    ``memos``: conversions remembered across calls (an import's batches, see :class:`BindMemos`).
    """
    names = [c.name for c in table.columns if c.name in columns]
    count = len(columns[names[0]]) if names else 0
    if not count:
        return
    conn = s.connection()
    dialect = conn.dialect
    compiled = insert(table).compile(dialect=dialect, column_keys=names)
    if count < _BULK_ROWS or compiled.positiontup is None:  # few rows, or a named paramstyle
        s.execute(
            insert(table),
            [dict(zip(names, row, strict=True)) for row in zip(*(columns[n] for n in names), strict=True)],
        )
        return
    ordered: list[Iterable[Any]] = []
    for name in (compiled.binds[key].key for key in compiled.positiontup):
        processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if processor is None:
            ordered.append(columns[name])
            continue
        memo = Memo(processor) if memos is None else memos.memo(table.c[name], processor)
        ordered.append(map(memo.__getitem__, columns[name]))
    if dialect.name == "sqlite":
        _bind_none_directly()
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        # sqlite3 takes any iterable of rows (the DB-API type says Sequence); no list is built.
        cursor.executemany(str(compiled), zip(*ordered, strict=True))  # type: ignore[arg-type]
    finally:
        cursor.close()


def last_revision_id(s: Session, count: int) -> int | None:
    """Where :func:`copy_latest_rows` will find ``count`` revisions about to be written, or None.

    Only on SQLite and for a bulk of revisions (at least :data:`_BULK_ROWS`): SQLite's writer holds
    the database (``BEGIN IMMEDIATE``), so the rows this transaction inserts next are the ones with
    larger ids. PostgreSQL's ids come from a sequence other transactions share: never copied there.
    """
    conn = s.connection()
    if count < _BULK_ROWS or conn.dialect.name != "sqlite":
        return None
    return s.scalar(select(func.max(RevisionRow.id))) or 0


def copy_latest_rows(s: Session, after: int, count: int) -> bool:
    """``response_latest`` rows for the ``count`` revisions written after id ``after``, copied in SQL.

    The latest rows are a copy of the revisions' analysis columns (both tables declare them alike,
    so SQLite stores the same value and type) plus the response's ``distributor_key``: an
    ``INSERT ... SELECT`` in revision id order, the order the revisions were inserted in, instead
    of binding the same 19 values again per row from Python (a sixth of a first import's inserting
    instructions at 100,000 answers). False, and nothing written, unless exactly ``count`` rows
    follow ``after`` (SQLite gave them consecutive ids, as it does unless ids ran out): then the
    caller inserts the columns itself. The caller must have stored the revisions' distributor keys
    in their ``responses`` rows. ``tests/test_store_rows.py`` holds both ways equal, row by row.
    """
    if (s.scalar(select(func.max(RevisionRow.id))) or 0) - after != count:
        return False
    revision = core_table(RevisionRow)
    response = core_table(ResponseRow)
    names = [*LATEST_REVISION_COLUMNS, "distributor_key"]
    rows = (
        select(*(revision.c[name] for name in LATEST_REVISION_COLUMNS), response.c.distributor_key)
        .join_from(revision, response, response.c.id == revision.c.response_id)
        .where(revision.c.id > after)
        .order_by(revision.c.id)
    )
    s.execute(insert(core_table(LatestRow)).from_select(names, rows))
    return True


def _bind_none_directly() -> None:
    """Give sqlite3 an adapter for None that returns it (``{}.get``, in C): NULL bound as before.

    sqlite3 binds only exact ``str``, ``int``, ``float`` and ``bytearray`` without looking for an
    adapter; for ``None`` it looks the registry up, then ``__adapt__`` on its protocol type
    (failing there costs an AttributeError) and ``__conform__`` before binding NULL: at 100,000
    answers (five or six None per answer over the three tables) that was about a tenth of the
    import's ``executemany`` instructions. With an adapter registered the lookup ends at the
    registry and the value is None again, so the same NULL is bound. The registry is the sqlite3
    module's, process-wide; every connection binds None to NULL either way.
    """
    sqlite3.adapters.setdefault((type(None), sqlite3.PrepareProtocol), _NONE_ADAPTER)


#: ``_NONE_ADAPTER(None) is None``: a C callable, so the adapter call costs no Python frame.
_NONE_ADAPTER: Callable[[Any], Any] = {}.get


class Memo(dict[Any, Any]):
    """``convert`` of a value, remembered: an import or an export repeats a few thousand distinct
    values (one timestamp, a few hundred dates, names, list texts) over 100,000 rows.

    A dict whose ``__missing__`` converts, so ``map(memo.__getitem__, column)`` runs in C for
    every value already seen. Values must be hashable (text, dates, numbers).
    """

    def __init__(self, convert: Callable[[Any], Any]) -> None:
        super().__init__()
        self.convert = convert

    def __missing__(self, value: Any) -> Any:
        found = self[value] = self.convert(value)
        return found


class BindMemos:
    """Bind conversions remembered across the batches of one import, a :class:`Memo` per column.

    An import's dates repeat across its batches: at 100,000 answers its 50 batches converted
    220,000 dates (three columns, two tables) of which about 3,000 differ. Kept for the import
    (``bulk_import.import_columns``), not per batch. Bounded: a memo that outgrew
    :attr:`LIMIT` entries starts afresh. Datetime columns keep a memo per batch, as before: two
    datetimes at one instant in different zones are equal (one key) but SQLite stores their
    wall-clock text, which differs; a batch's are all the store's or the model's UTC values.
    """

    LIMIT = 50_000

    def __init__(self) -> None:
        self._memos: dict[Column[Any], Memo] = {}

    def memo(self, column: Column[Any], convert: Callable[[Any], Any]) -> Memo:
        """The memo of ``column``'s conversions (``convert``, the same for every call of an import)."""
        if isinstance(column.type, DateTime):
            return Memo(convert)
        found = self._memos.get(column)
        if found is None or len(found) > self.LIMIT:
            found = self._memos[column] = Memo(convert)
        return found


def core_table(row: type[Base]) -> Table:
    """The table an ORM class is mapped to (SQLAlchemy types ``__table__`` as any FromClause)."""
    table = row.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{row.__name__} is not mapped to a table")
    return table


def chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
