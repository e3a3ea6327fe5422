"""Parse a JSON list or JSON Lines file of responses, defensively and in bounded memory.

Nothing is stored unless the whole file is valid: the caller gets either validated responses or
errors naming the line (JSON Lines) or item (JSON list) and the key. Files are read as a stream:
one item (or line) at a time goes through the JSON decoder and the pydantic model, and validated
responses are handed on in batches (``iter_batches``), so a 1,000,000-answer file costs the
memory of one batch, not of the file. The store writes the batches inside one transaction and the
batch iterator raises :class:`ImportRejected` at the end if any item was bad, which rolls the
transaction back: all or nothing, whatever the size.

Hostile input ends in a classified error, never a traceback: malformed JSON (with line and
column), nesting deeper than :data:`MAX_NESTING`, an integer longer than Python converts
(``sys.get_int_max_str_digits()``, 4,300 digits: reported by line and key instead of the
decoder's ``ValueError``), text that is not valid Unicode (a lone surrogate escape such as
``"\\ud800"``, which no database can store), an item larger than :data:`MAX_ITEM_CHARS`.
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO, TypeVar

from pydantic import ValidationError

from analysis.json_items import READ_CHARS, OversizedNumber, RawLine, iter_items
from analysis.models import SurveyResponse, format_validation_error

#: Larger files are refused before parsing. The import streams, so this bounds time, not memory.
MAX_IMPORT_BYTES = 4 * 1024 * 1024 * 1024
MAX_NESTING = 20
#: Errors kept for the report; the rest are counted.
MAX_ERRORS = 200
#: Validated responses handed to the store at a time.
BATCH_SIZE = 2000


class ImportRejected(Exception):
    """The file had problems; raised after the last batch so the store's transaction rolls back."""

    def __init__(self, outcome: ParseOutcome) -> None:
        super().__init__(f"{outcome.error_count} problem(s)")
        self.outcome = outcome


@dataclass
class ParseOutcome:
    responses: list[SurveyResponse] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: All problems found, including those beyond the first :data:`MAX_ERRORS` kept in ``errors``.
    error_count: int = 0
    #: Valid responses seen (also when they were streamed on rather than kept in ``responses``).
    valid: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add_error(self, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(message)


#: A ``\uD800``-``\uDFFF`` escape in raw JSON text: the only way a lone surrogate gets in (the
#: UTF-8 decoding of the file refuses raw ones). A valid pair (an emoji) matches too; then the
#: decoded value is walked to tell.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")


def _needs_walk(raw: str, oversized: bool) -> bool:
    """Whether a decoded item could hold what :func:`_check_values` looks for (cheap, in C)."""
    return oversized or raw.count("[") + raw.count("{") >= MAX_NESTING or _SURROGATE_ESCAPE.search(raw) is not None


def _path(parts: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in parts) or "(response)"


def _check_values(value: Any, limit: int) -> str | None:
    """The first structural problem of a decoded item (key path and reason), or None.

    One iterative walk: nesting depth, integers too long to convert, text with lone surrogates.
    """
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        item, where = stack.pop()
        if len(where) >= limit:
            return "nested too deeply"
        if isinstance(item, dict):
            for key, sub in item.items():
                if not _valid_text(key):
                    return f"{_path(where)}: a key is not valid Unicode text (lone surrogate escape)"
                stack.append((sub, (*where, key)))
        elif isinstance(item, list):
            stack.extend((sub, (*where, i)) for i, sub in enumerate(item))
        elif isinstance(item, OversizedNumber):
            limit_digits = sys.get_int_max_str_digits()
            return f"{_path(where)}: number too long ({item.digits:,} digits; at most {limit_digits:,})"
        elif isinstance(item, str) and not _valid_text(item):
            return f"{_path(where)}: not valid Unicode text (lone surrogate escape)"
    return None


def _valid_text(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class _Validator:
    """Validates decoded items one by one, remembering ids to refuse a response given twice."""

    def __init__(self, outcome: ParseOutcome) -> None:
        self.outcome = outcome
        # id -> where it was first seen; bytes keys keep 1,000,000 ids small.
        self.seen: dict[bytes, str] = {}

    def __call__(self, obj: Any, where: str, raw: str, oversized: bool) -> SurveyResponse | None:
        """``raw`` is the item's JSON text, ``oversized`` whether its decoding met a huge integer."""
        outcome = self.outcome
        if not isinstance(obj, dict):
            outcome.add_error(f"{where}: expected a JSON object, got {_json_type(obj)}")
            return None
        problem = _check_values(obj, MAX_NESTING) if _needs_walk(raw, oversized) else None
        if problem is not None:
            outcome.add_error(f"{where}: {problem}")
            return None
        try:
            response = SurveyResponse.model_validate(obj)
        except ValidationError as exc:
            for line in format_validation_error(exc, prefix=f"{where}: "):
                outcome.add_error(line)
            return None
        return self.accept(response, where)

    def accept(self, response: SurveyResponse, where: str) -> SurveyResponse | None:
        """A validated response counted, unless its id was already seen in this file."""
        outcome = self.outcome
        if response.response_id is not None:
            # Two revisions of one response in one file would be ambiguous (which one is current?).
            first = self.seen.setdefault(bytes.fromhex(response.response_id), where)
            if first != where:
                outcome.add_error(f"{where}: response_id: {response.response_id} appears twice (also {first})")
                return None
        outcome.valid += 1
        return response


def _json_type(obj: Any) -> str:
    names = {dict: "object", list: "list", str: "string", bool: "boolean", int: "number", float: "number"}
    return "null" if obj is None else names.get(type(obj), "number")


# -- the streaming reader ------------------------------------------------------------------------


def iter_responses(
    stream: TextIO, outcome: ParseOutcome, *, read_chars: int = READ_CHARS, fast: bool = True
) -> Iterator[SurveyResponse]:
    """Validated responses from a JSON list, one (pretty-printed) object, or JSON Lines.

    Problems go to ``outcome``; the caller decides what a bad file means (nothing is stored).
    ``fast=False`` validates every JSON Lines line by the slow path (tests compare the two).
    """
    validate = _Validator(outcome)
    accept = validate.accept
    # A JSON Lines line is validated by pydantic's own JSON parser first (the model's validator,
    # what ``model_validate_json`` calls, bound once: two Python calls a line fewer, 2% of the
    # parse's instructions). About twice as fast as decoding with ``json`` and validating the
    # dict. Only acceptance is taken from there: a line pydantic accepts holds nothing the slow
    # path would refuse (the model bounds nesting, refuses huge integers by range or type, and its
    # parser refuses lone surrogates), and ``tests/test_importer_fast_path.py`` holds the two paths
    # equal. A refused line is decoded and validated again by the slow path, whose messages name
    # line, key and reason.
    validate_json = SurveyResponse.__pydantic_validator__.validate_json
    for item in iter_items(stream, read_chars=read_chars, undecoded_lines=fast):
        if isinstance(item, RawLine):
            try:
                parsed = validate_json(item.raw)
            except ValueError:  # ValidationError, and anything else the parser raises
                parsed = None
            if parsed is not None:
                response = accept(parsed, item.where)
                if response is not None:
                    yield response
                continue
            item = item.decode()  # refused there: the slow path says exactly why
        if isinstance(item, str):
            outcome.add_error(item)
            continue
        response = validate(item.value, item.where, item.raw, item.oversized)
        if response is not None:
            yield response


def iter_batches(stream: TextIO, outcome: ParseOutcome, size: int = BATCH_SIZE) -> Iterator[list[SurveyResponse]]:
    """Validated responses in batches; raises :class:`ImportRejected` at the end if any were bad.

    Once a problem is found no further batch is handed on (it would be rolled back anyway), but
    the rest of the file is still read so the report lists every problem (up to :data:`MAX_ERRORS`).
    """
    batch: list[SurveyResponse] = []
    for response in iter_responses(stream, outcome):
        if outcome.error_count:
            batch.clear()
            continue
        batch.append(response)
        if len(batch) >= size:
            yield batch
            batch = []
    if outcome.error_count:
        raise ImportRejected(outcome)
    if batch:
        yield batch


_DONE = object()
T = TypeVar("T")


def prefetched(batches: Iterator[T], depth: int = 2) -> Iterator[T]:
    """``batches`` produced by a background thread, at most ``depth`` ahead (bounded memory).

    Where no process can be forked, the import's parser runs here (``analysis.parse_process``).
    Only the database's own work (sqlite3 and psycopg release the GIL) overlaps with parsing, which
    measured as next to nothing: the forked parser process is what doubles the rate on two cores.
    An exception in the producer (``ImportRejected``, a read error) is raised here.
    """
    import queue
    import threading

    handoff: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for batch in batches:
                while not stop.is_set():
                    try:
                        handoff.put(batch, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            handoff.put(_DONE)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which raises it
            handoff.put(exc)

    thread = threading.Thread(target=produce, name="import-parser", daemon=True)
    thread.start()
    try:
        while True:
            item = handoff.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join(timeout=5)


def parse_responses(text: str) -> ParseOutcome:
    """The whole of ``text`` parsed and validated (small inputs: the responses are kept)."""
    return parse_stream(io.StringIO(text))


def parse_stream(stream: TextIO, *, read_chars: int = READ_CHARS) -> ParseOutcome:
    """Every response of a text stream, kept (small inputs); bytes that are not UTF-8 classified."""
    outcome = ParseOutcome()
    try:
        outcome.responses.extend(iter_responses(stream, outcome, read_chars=read_chars))
    except UnicodeDecodeError:
        return ParseOutcome(errors=["not UTF-8 text"], error_count=1)
    if not outcome.ok:
        outcome.responses.clear()
    return outcome


def parse_bytes(data: bytes, *, read_chars: int = READ_CHARS) -> ParseOutcome:
    """:func:`parse_stream` of raw bytes, decoded as UTF-8 while reading (as a file is)."""
    return parse_stream(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline=""), read_chars=read_chars)


def open_import_file(path: Path) -> TextIO | str:
    """The file as a UTF-8 text stream (invalid bytes raise while reading), or why it cannot be read."""
    try:
        size = path.stat().st_size
        if size > MAX_IMPORT_BYTES:
            return f"{path}: file is too large ({size:,} bytes; limit {MAX_IMPORT_BYTES:,})"
        return path.open(encoding="utf-8", errors="strict", newline="")
    except OSError as exc:
        return f"{path}: cannot read: {exc.strerror or exc}"


def read_responses_file(path: Path) -> ParseOutcome:
    """``parse_stream`` of a file (kept for small files and tests; the CLI streams)."""
    opened = open_import_file(path)
    if isinstance(opened, str):
        return ParseOutcome(errors=[opened], error_count=1)
    try:
        with opened:
            outcome = parse_stream(opened)
    except OSError as exc:
        return ParseOutcome(errors=[f"{path}: cannot read: {exc.strerror or exc}"], error_count=1)
    if outcome.errors == ["not UTF-8 text"]:
        outcome.errors = [f"{path}: not UTF-8 text"]
    return outcome


def export_json(responses: list[SurveyResponse], *, include_contacts: bool = True) -> str:
    """The canonical JSON list (round-trips through ``parse_responses``), stable key and item order.

    The reference implementation (through the pydantic model); the store's
    ``export_latest_json`` writes the same text from raw rows, and a test holds them equal.
    """
    exclude = set() if include_contacts else {"contact", "respondent_role"}
    items = [r.model_dump(mode="json", exclude=exclude) for r in responses]
    items.sort(key=lambda d: (d.get("response_id") or "", d["distributor"]))
    from analysis.storage.export_rows import dumps

    return dumps(items)
