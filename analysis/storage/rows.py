"""How a validated response becomes table rows, and how many rows reach the driver at once.

Every revision the store writes (a form submit, an edit, an import of 1,000,000 answers) is built
here by :func:`revision_values`, so a value looks the same in the database whichever way it came
in. Building rows is on the import's hot path, so the row is read straight from the validated
model's fields instead of through ``model_dump(mode="json")`` (which costs four times as much);
``tests/test_store_rows.py`` holds the two equal.
"""

from __future__ import annotations

import functools
import json
import operator
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from analysis.models import ENUM_FIELDS, SurveyResponse, normalise_distributor
from analysis.storage.tables import JSON_COLUMNS, LATEST_REVISION_COLUMNS, Base

_LIST_COLUMNS = ("python_versions", "blockers", "worst_case")
#: Model fields stored as they are (enums by value); the rest are the JSON and ready-by columns.
_PLAIN_FIELDS = tuple(
    name
    for name in SurveyResponse.model_fields
    if name not in ("response_id", "ready_by", "submitted_at", *JSON_COLUMNS)
)


_ENUM_FIELDS = tuple(name for name in _PLAIN_FIELDS if name in ENUM_FIELDS)


def _json_list(values: list[str]) -> str:
    """``json.dumps`` of a list of enum values or X.Y versions, without the encoder.

    The model allows only those (lower-case letters, digits, ``-`` and ``.``), so no value needs
    escaping and the text is exactly ``json.dumps``'s; ``tests/test_store_rows.py`` holds them equal.
    """
    return '["' + '", "'.join(values) + '"]' if values else "[]"


@functools.lru_cache(maxsize=65_536)
def distributor_key(name: str) -> str:
    """``normalise_distributor``, remembered: an import repeats a few thousand names a million times."""
    return normalise_distributor(name)


def revision_values(resp: SurveyResponse, response_id: str, revision: int, stored_at: datetime) -> dict[str, Any]:
    """The ``response_revisions`` row of an answer: the JSON form of each field, flat.

    Enums are stored by value (``StrEnum`` is a ``str``, but psycopg would send an ``Enum`` by
    name), lists as JSON text, the three ready-by dates as columns of their own.
    """
    fields = resp.__dict__
    data: dict[str, Any] = {name: fields[name] for name in _PLAIN_FIELDS}
    for name in _ENUM_FIELDS:
        if (value := data[name]) is not None:
            data[name] = value.value
    for name in _LIST_COLUMNS:
        data[name] = _json_list(fields[name])
    evidence = resp.verification_evidence
    data["verification_evidence"] = json.dumps([e.model_dump(mode="json") for e in evidence]) if evidence else "[]"
    ready = resp.ready_by
    data.update(
        response_id=response_id,
        revision=revision,
        stored_at=stored_at,
        submitted_at=resp.submitted_at or stored_at,
        ready_earliest=ready.earliest,
        ready_likely=ready.likely,
        ready_latest=ready.latest,
    )
    return data


def latest_values(row: dict[str, Any]) -> dict[str, Any]:
    """The ``response_latest`` row of a revision row as built by :func:`revision_values`."""
    values = {c: row[c] for c in LATEST_REVISION_COLUMNS}
    values["distributor_key"] = distributor_key(row["distributor"])
    return values


#: From this many rows on, inserts go to the driver's ``executemany`` directly (see below).
_BULK_ROWS = 64


def insert_many(s: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows that all have the same keys: Core for a few, the driver's executemany for many.

    For an import of 1,000,000 answers SQLAlchemy's per-row parameter processing costs about as
    much as the database's own work. Large batches therefore get each column's value converted by
    the dialect's own bind processor for the column's type (exactly what SQLAlchemy would send:
    on SQLite a datetime becomes SQLAlchemy's text form, not sqlite3's) and go to the DB-API
    cursor as tuples, on the session's connection, inside its transaction. Converted values are
    remembered per batch: an import's rows share one timestamp and a few hundred dates.
    """
    if not rows:
        return
    if len(rows) < _BULK_ROWS:
        s.execute(insert(table), list(rows))
        return
    conn = s.connection()
    dialect = conn.dialect
    names = [c.name for c in table.columns if c.name in rows[0]]
    compiled = insert(table).compile(dialect=dialect, column_keys=names)
    if compiled.positiontup is None:  # a named paramstyle: keep SQLAlchemy's path
        s.execute(insert(table), list(rows))
        return
    order = [compiled.binds[name].key for name in compiled.positiontup]
    pick = operator.itemgetter(*order)
    converted = [
        (i, Memo(processor).__getitem__)
        for i, key in enumerate(order)
        if (processor := table.c[key].type.dialect_impl(dialect).bind_processor(dialect)) is not None
    ]
    params: list[Any] = [pick(row) for row in rows]
    if converted:
        for n, values in enumerate(params):
            values = list(values)
            for i, convert in converted:
                values[i] = convert(values[i])
            params[n] = values
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(str(compiled), params)
    finally:
        cursor.close()


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


def core_table(row: type[Base]) -> Table:
    """The table an ORM class is mapped to (SQLAlchemy types ``__table__`` as any FromClause)."""
    table = row.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{row.__name__} is not mapped to a table")
    return table


def chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
