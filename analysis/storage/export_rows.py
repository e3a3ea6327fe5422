"""The canonical JSON export straight from stored rows, at the speed of the JSON encoder.

Why not through the model: answers are validated once, on the way in; turning 100,000 stored rows
back into pydantic objects only to dump them again cost seconds (issue 14: 1.5 s at 10,000 answers
against 0.4 s for plain SQL + ``json.dumps``). Here each DB-API row becomes a dict in the model's key
order, with values in the model's JSON form: dates ISO 8601, datetimes in UTC with ``Z``, list
columns decoded once per distinct text (answers repeat). ``analysis.importer.export_json`` is the
reference implementation through the model; a test holds the two byte-equal.

Layout: a JSON list with one answer per line (``[`` and ``]`` on lines of their own). It is what
``json.dumps`` writes per object in C, diffs and greps line by line, and imports back unchanged.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

from analysis.storage.tables import JSON_COLUMNS

#: Answer keys never exported without ``--include-contacts``.
PERSONAL_KEYS = ("contact", "respondent_role")
_READY = ("ready_earliest", "ready_likely", "ready_latest")


def canonical_keys() -> tuple[str, ...]:
    """The model's JSON keys in their export order (the model is the one definition)."""
    from analysis.models import SurveyResponse

    return tuple(SurveyResponse.model_fields)


def exported_keys(include_contacts: bool) -> list[str]:
    return [k for k in canonical_keys() if include_contacts or k not in PERSONAL_KEYS]


def stored_columns(include_contacts: bool) -> list[str]:
    """The ``response_revisions`` columns to select, in the exported keys' order.

    ``ready_by`` is three columns: ``ready_earliest`` stands in its place and the other two come
    last, so a row zips onto the keys in C (:func:`records`).
    """
    columns = ["ready_earliest" if k == "ready_by" else k for k in exported_keys(include_contacts)]
    return [*columns, "ready_likely", "ready_latest"]


def _utc_text(value: Any, cache: dict[Any, str]) -> str | None:
    """A stored datetime as pydantic writes it: ISO 8601 in UTC with ``Z``."""
    if value is None:
        return None
    found = cache.get(value)
    if found is not None:
        return found
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    text = moment.replace(tzinfo=None).isoformat() + "Z"
    cache[value] = text
    return text


def _date_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:10]


def records(names: Sequence[str], rows: Iterable[Sequence[Any]], include_contacts: bool) -> list[dict[str, Any]]:
    """Rows selected as :func:`stored_columns` says, as canonical JSON objects.

    Equal list answers share one decoded list (read-only by convention: the objects are made to be
    encoded, not changed).
    """
    keys = exported_keys(include_contacts)
    if list(names) != stored_columns(include_contacts):
        raise ValueError("rows must be selected in stored_columns() order")
    width = len(keys)
    list_keys = [k for k in keys if k in JSON_COLUMNS]
    json_cache: dict[Any, Any] = {}
    time_cache: dict[Any, str] = {}
    out: list[dict[str, Any]] = []
    suspicious = _row_check(keys)
    for row in rows:
        item = dict(zip(keys, row, strict=False))  # ready_by holds ready_earliest for now
        early, likely, late = item["ready_by"], row[width], row[width + 1]
        # SQLite hands dates back as ISO text already; PostgreSQL as ``date``.
        item["ready_by"] = {
            "earliest": early if early is None or early.__class__ is str else _date_text(early),
            "likely": likely if likely is None or likely.__class__ is str else _date_text(likely),
            "latest": late if late is None or late.__class__ is str else _date_text(late),
        }
        for key in list_keys:
            text = item[key]
            value = json_cache.get(text)
            if value is None:
                value = json_cache[text] = json.loads(text) if text else []
            item[key] = value
        item["illustrative"] = bool(item["illustrative"])
        when = item["submitted_at"]
        item["submitted_at"] = time_cache.get(when) or _utc_text(when, time_cache)
        if suspicious(row) or _evidence_needs_marks(item):
            item = _through_model(item, keys)
        out.append(item)
    # Stored responses all have an id, and ids are unique: the id alone is the export's order.
    out.sort(key=operator.itemgetter("response_id"))
    return out


_LINE_BREAKS = str.maketrans("", "", "\t\n\r")


def _row_check(keys: Sequence[str]) -> Any:
    """A test of a raw row: could one of its text columns hold a character the text rule refuses?

    Two C-speed checks per row, whatever the number of columns: the one-line text columns joined
    must be printable, the prose columns joined must be printable once tabs and line breaks are
    taken out. True is rare (text stored before the rule, or an unusual but accepted character);
    such a row goes through the model, which marks exactly the refused characters.
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


def _picker(indexes: Sequence[int]) -> Any:
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


def encoded(items: Iterable[dict[str, Any]]) -> Iterator[str]:
    """Each item as compact JSON, UTF-8 as is (``ensure_ascii=False``).

    One C encoder for all items (``json.dumps`` per item would set one up per call): as fast as
    a single ``json.dumps`` of the whole list.
    """
    try:
        from json.encoder import c_make_encoder  # type: ignore[attr-defined]
    except ImportError:  # a Python without the C accelerator
        c_make_encoder = None
    if c_make_encoder is None:
        yield from map(json.JSONEncoder(ensure_ascii=False).encode, items)
        return
    from json.encoder import encode_basestring

    encoder = c_make_encoder(None, _not_json, encode_basestring, None, ": ", ", ", False, False, True)
    for item in items:
        yield "".join(encoder(item, 0))


def dumps(items: Sequence[dict[str, Any]]) -> str:
    """The export text: a JSON list, one compact object per line."""
    if not items:
        return "[]\n"
    return "[\n" + ",\n".join(encoded(items)) + "\n]\n"
