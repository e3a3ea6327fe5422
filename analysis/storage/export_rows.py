"""The canonical JSON export straight from stored rows, at the speed of the JSON encoder.

Why not through the model: answers are validated once, on the way in; turning 100,000 stored rows
back into pydantic objects only to dump them again cost seconds (issue 14: 1.5 s at 10,000 answers
against 0.4 s for plain SQL + ``json.dumps``). Here a chunk of DB-API rows becomes JSON text a
column at a time: each column's values are encoded by one C function mapped over the column
(strings by the ``json`` module's own escaper, list columns once per distinct stored text, dates
and times once per distinct value), and a line is one ``%`` of a template holding the keys in the
model's order. ``analysis.importer.export_json`` is the reference implementation through the
model; a test holds the two byte-equal.

A row that may hold a character the text rule refuses (text stored before the rule existed) is
found from its line alone: the encoder escapes every C0 control with a backslash and leaves every
other non-printable character as it is, so a printable line without a backslash holds none. Only
the rare other lines are looked at column by column, and a row that does hold one goes through the
model (``STORED``), which marks exactly the refused characters.

Layout: a JSON list with one answer per line (``[`` and ``]`` on lines of their own). It is what
``json.dumps`` writes per object in C, diffs and greps line by line, and imports back unchanged.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from json.encoder import encode_basestring
from typing import Any

from analysis.storage.rows import Memo
from analysis.storage.tables import JSON_COLUMNS, RevisionRow

#: Answer keys never exported without ``--include-contacts``.
PERSONAL_KEYS = ("contact", "respondent_role")
_NULL = "null"


def canonical_keys() -> tuple[str, ...]:
    """The model's JSON keys in their export order (the model is the one definition)."""
    from analysis.models import SurveyResponse

    return tuple(SurveyResponse.model_fields)


def exported_keys(include_contacts: bool) -> list[str]:
    return [k for k in canonical_keys() if include_contacts or k not in PERSONAL_KEYS]


def stored_columns(include_contacts: bool) -> list[str]:
    """The ``response_revisions`` columns to select, in the exported keys' order.

    ``ready_by`` is three columns: ``ready_earliest`` stands in its place and the other two come
    last, so a row zips onto the keys in C.
    """
    columns = ["ready_earliest" if k == "ready_by" else k for k in exported_keys(include_contacts)]
    return [*columns, "ready_likely", "ready_latest"]


def _utc_text(value: Any) -> str:
    """A stored datetime as pydantic writes it: ISO 8601 in UTC with ``Z``."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.replace(tzinfo=None).isoformat() + "Z"


def _date_text(value: Any) -> str:
    """A stored date as ISO text (SQLite hands dates back as that text already, PostgreSQL as ``date``)."""
    return value.isoformat() if isinstance(value, date) else str(value)[:10]


class RowWriter:
    """Turns rows selected as :func:`stored_columns` says into canonical JSON lines.

    One writer per export: it remembers the encoded form of repeated values (list texts, dates,
    timestamps) across chunks.
    """

    def __init__(self, names: Sequence[str], include_contacts: bool) -> None:
        if list(names) != stored_columns(include_contacts):
            raise ValueError("rows must be selected in stored_columns() order")
        self.keys = exported_keys(include_contacts)
        self.width = len(self.keys)
        self.template = "{" + ", ".join(f"{encode_basestring(k)}: %s" for k in self.keys) + "}"
        self._ready = "{" + ", ".join(f'"{k}": %s' for k in ("earliest", "likely", "latest")) + "}"
        self._list = Memo(self._list_text).__getitem__
        self._time = Memo(lambda v: encode_basestring(_utc_text(v))).__getitem__
        self._date = Memo(lambda v: _NULL if v is None else encode_basestring(_date_text(v))).__getitem__
        self._nullable = frozenset(c.name for c in RevisionRow.__table__.columns if c.nullable)
        self._ready_at = self.keys.index("ready_by")
        self._suspicious = _row_check(self.keys)

    @staticmethod
    def _list_text(text: Any) -> str:
        # Re-encoded rather than copied: a store written by an older version may space it otherwise.
        return _encode_one(json.loads(text) if text else [])

    def _column(self, key: str, values: Sequence[Any]) -> Iterable[str]:
        if key in JSON_COLUMNS:
            return map(self._list, values)
        if key == "illustrative":
            return ["true" if v else "false" for v in values]
        if key == "prerelease_lag_days":
            return map(int.__repr__, values)
        if key == "submitted_at":
            return map(self._time, values)
        if key in self._nullable:
            return [_NULL if v is None else encode_basestring(v) for v in values]
        return map(encode_basestring, values)

    def lines(self, rows: Sequence[Sequence[Any]]) -> list[str]:
        """Each row's line (no separators), in the rows' order."""
        if not rows:
            return []
        columns = list(zip(*rows, strict=True))
        width = self.width
        encoded: list[Iterable[str]] = []
        for i, key in enumerate(self.keys):
            if key == "ready_by":
                dates = [list(map(self._date, columns[j])) for j in (self._ready_at, width, width + 1)]
                encoded.append(map(self._ready.__mod__, zip(*dates, strict=True)))
            else:
                encoded.append(self._column(key, columns[i]))
        out = list(map(self.template.__mod__, zip(*encoded, strict=True)))
        for n, line in enumerate(out):
            # isascii() is O(1) in CPython; DEL is the one ASCII character the encoder leaves raw.
            if "\\" in line or ("\x7f" in line if line.isascii() else not line.isprintable()):
                out[n] = self._checked(rows[n], line)
        return out

    def _checked(self, row: Sequence[Any], line: str) -> str:
        """``line``, or the row through the model if one of its texts holds a refused character."""
        item = self._item(row)
        if not self._suspicious(row) and not _evidence_needs_marks(item):
            return line
        return _encode_one(_through_model(item, self.keys))

    def _item(self, row: Sequence[Any]) -> dict[str, Any]:
        """The row as the canonical JSON object (for the model, in the rare case it is needed)."""
        width = self.width
        item = dict(zip(self.keys, row, strict=False))  # ready_by holds ready_earliest for now
        dates = (item["ready_by"], row[width], row[width + 1])
        item["ready_by"] = {
            k: None if v is None else _date_text(v)
            for k, v in zip(("earliest", "likely", "latest"), dates, strict=True)
        }
        for key in JSON_COLUMNS:
            if key in item:
                item[key] = json.loads(item[key]) if item[key] else []
        item["illustrative"] = bool(item["illustrative"])
        item["submitted_at"] = _utc_text(item["submitted_at"])
        return item


_LINE_BREAKS = str.maketrans("", "", "\t\n\r")


def _row_check(keys: Sequence[str]) -> Callable[[Sequence[Any]], bool]:
    """A test of a raw row: could one of its text columns hold a character the text rule refuses?

    The one-line text columns joined must be printable, the prose columns joined must be printable
    once tabs and line breaks are taken out. True is rare (text stored before the rule, or an
    unusual but accepted character); such a row goes through the model.
    """
    from analysis.models import PROSE_FIELDS

    skip = {*JSON_COLUMNS, "ready_by", "illustrative", "prerelease_lag_days", "submitted_at"}
    one_line = [i for i, k in enumerate(keys) if k not in skip and k not in PROSE_FIELDS]
    prose = [i for i, k in enumerate(keys) if k in PROSE_FIELDS]
    pick_line, pick_prose = _picker(one_line), _picker(prose)

    def suspicious(row: Sequence[Any]) -> bool:
        if not "".join(filter(None, pick_line(row))).isprintable():
            return True
        text = "".join(filter(None, pick_prose(row)))
        return not text.isprintable() and not text.translate(_LINE_BREAKS).isprintable()

    return suspicious


def _picker(indexes: Sequence[int]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """``operator.itemgetter`` that always returns a tuple (also for one index or none)."""
    if not indexes:
        return lambda row: ()
    if len(indexes) == 1:
        (only,) = indexes
        return lambda row: (row[only],)
    return operator.itemgetter(*indexes)


def _evidence_needs_marks(item: dict[str, Any]) -> bool:
    for evidence in item.get("verification_evidence") or ():
        if any(v.__class__ is str and not v.isprintable() for v in evidence.values()):
            return True
    return False


def _through_model(item: dict[str, Any], keys: Sequence[str]) -> dict[str, Any]:
    """A row holding a character the text rule refuses (stored before the rule existed), read back
    the way the store reads it: each refused character becomes a visible U+FFFD, so the export
    never carries control or bidi characters and imports back under today's rule."""
    from analysis.models import STORED, SurveyResponse

    data = SurveyResponse.model_validate(item, context=STORED).model_dump(mode="json")
    return {key: data[key] for key in keys}


def _not_json(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not JSON")


def _encoder() -> Callable[[Any, int], Iterable[str]]:
    """The C encoder ``json.dumps`` uses, set up once: compact separators, UTF-8 as is."""
    try:
        from json.encoder import c_make_encoder  # type: ignore[attr-defined]
    except ImportError:  # a Python without the C accelerator
        c_make_encoder = None
    if c_make_encoder is None:
        plain = json.JSONEncoder(ensure_ascii=False)
        return lambda value, _level: (plain.encode(value),)
    encoder: Callable[[Any, int], Iterable[str]] = c_make_encoder(
        None, _not_json, encode_basestring, None, ": ", ", ", False, False, True
    )
    return encoder


_ENCODE = _encoder()


def _encode_one(value: Any) -> str:
    return "".join(_ENCODE(value, 0))


def encoded(items: Iterable[dict[str, Any]]) -> Iterator[str]:
    """Each item as compact JSON, UTF-8 as is (``ensure_ascii=False``), by one C encoder."""
    return map(_encode_one, items)


def dumps(items: Sequence[dict[str, Any]]) -> str:
    """The export text of canonical JSON objects: a JSON list, one compact object per line."""
    return join_lines(list(encoded(items)))


def hashed_utf8(pieces: Iterable[str], digest: Any) -> Iterator[bytes]:
    """Each piece of the export as its UTF-8 bytes, fed to ``digest`` on the way (encoded once):
    the CLI writes these bytes, the store's digest only hashes them."""
    for piece in pieces:
        data = piece.encode("utf-8")
        digest.update(data)
        yield data


def join_lines(lines: Sequence[str]) -> str:
    """The export text of encoded lines."""
    if not lines:
        return "[]\n"
    return "[\n" + ",\n".join(lines) + "\n]\n"


def rows_text(names: Sequence[str], rows: Sequence[Sequence[Any]], include_contacts: bool) -> str:
    """The export text of rows selected as :func:`stored_columns` says, in response_id order.

    Stored responses all have an id, and ids are unique: the id alone is the export's order.
    """
    ordered = sorted(rows, key=operator.itemgetter(0))
    return join_lines(RowWriter(names, include_contacts).lines(ordered))
