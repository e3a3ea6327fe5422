"""Property tests of the JSON / JSON Lines importer: every input, as text or as bytes, ends in
validated responses or classified errors (by line or item and key), never another exception.

The "ci" hypothesis profile (tests/conftest.py) runs thousands of examples per property with a
fixed seed. Inputs are built from valid responses, then broken the ways files break: values
swapped for arbitrary JSON, keys added or removed, the text cut, characters inserted, integers of
thousands of digits, lone surrogate escapes, deep nesting, bytes that are not UTF-8.
"""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from analysis.importer import ParseOutcome, parse_bytes, parse_responses
from analysis.models import SurveyResponse
from analysis.storage import ResponseStore
from tests.conftest import make_response

#: Every error names where it is: a line or item (and the key), or the file as a whole.
ERROR_SHAPE = re.compile(r"^(line \d+|item \d+|the file is empty$|not UTF-8 text$)")
BASE = make_response(
    contact="a@example.org", comments="ok", ready_by={"likely": "2026-01-01"}, response_id="0" * 32
).canonical_json()

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
#: Values that are hostile in themselves, written as raw JSON text.
RAW_HOSTILE = [
    "9" * 4301,
    "-" + "1" * 5000,
    '"\\ud800"',
    '"x\\udfffy"',
    "[" * 50 + "]" * 50,
    "1e999999",
    "NaN",
    "-Infinity",
    '"' + "\\u0000" * 3 + '"',
    '"\\u202eDebian"',
    "12345678901234567890123456789",
]


@st.composite
def response_dicts(draw: st.DrawFn) -> dict[str, Any]:
    """A response object: valid, or with some values replaced, keys dropped or unknown keys added."""
    data = dict(BASE)
    data["response_id"] = draw(st.sampled_from([None, *(f"{i:032x}" for i in range(4))]))
    keys = sorted(data)
    for key in draw(st.lists(st.sampled_from(keys), max_size=3, unique=True)):
        if draw(st.booleans()):
            data[key] = draw(json_values)
        else:
            del data[key]
    if draw(st.integers(0, 5)) == 0:
        data[draw(st.text(min_size=1, max_size=8))] = draw(json_values)
    return data


def _render(items: list[Any], layout: str) -> str:
    if layout == "list":
        return json.dumps(items)
    if layout == "pretty":
        return json.dumps(items[0] if items else {}, indent=2)
    return "\n".join(json.dumps(item) for item in items) + "\n"


@st.composite
def import_texts(draw: st.DrawFn) -> str:
    items: list[Any] = draw(st.lists(response_dicts() | json_values, max_size=4))
    text = _render(items, draw(st.sampled_from(["list", "pretty", "jsonl"])))
    for _ in range(draw(st.integers(0, 3))):
        action = draw(st.sampled_from(["cut", "insert", "hostile", "bom", "blank"]))
        at = draw(st.integers(0, len(text)))
        if action == "cut":
            text = text[:at]
        elif action == "insert":
            text = text[:at] + draw(st.text(max_size=3)) + text[at:]
        elif action == "hostile":
            # Replace one JSON value (after a colon) with hostile raw text.
            colon = text.find(": ", at)
            if colon != -1:
                end = min((i for i in (text.find(",", colon), text.find("}", colon)) if i != -1), default=len(text))
                text = text[: colon + 2] + draw(st.sampled_from(RAW_HOSTILE)) + text[end:]
        elif action == "bom":
            text = "\ufeff" + text
        else:
            text = text[:at] + "\n\n  \n" + text[at:]
    return text


def check(outcome: ParseOutcome) -> None:
    """A validation result or classified errors: nothing else, nothing half-way."""
    assert isinstance(outcome, ParseOutcome)
    if outcome.ok:
        assert not outcome.errors
        assert all(isinstance(r, SurveyResponse) for r in outcome.responses)
        assert outcome.valid == len(outcome.responses)
        for r in outcome.responses:  # storable: the text encodes (no lone surrogates)
            r.model_dump_json()
    else:
        assert outcome.responses == []
        assert outcome.errors and outcome.error_count >= len(outcome.errors)
        for line in outcome.errors:
            assert ERROR_SHAPE.match(line), line


@given(import_texts())
# A number ending the file: the window must not move under the number's end offset (it once did, and
# the error's column depended on the read size).
@example("\n\n  \n[\n  null,\n  0")
def test_any_text_ends_in_responses_or_classified_errors(text: str) -> None:
    outcome = parse_responses(text)
    check(outcome)
    # Streaming must not change the answer: tiny reads split every token somewhere.
    small = parse_bytes(text.encode("utf-8", "surrogatepass"), read_chars=7)
    assert (small.ok, small.errors, len(small.responses)) == (outcome.ok, outcome.errors, len(outcome.responses))


@given(st.binary(max_size=600) | import_texts().map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_any_bytes_end_in_responses_or_classified_errors(data: bytes) -> None:
    check(parse_bytes(data))


@given(st.binary(min_size=1, max_size=4), st.integers(0, 400))
def test_invalid_utf8_anywhere_is_classified(junk: bytes, at: int) -> None:
    data = json.dumps([BASE]).encode()
    at = min(at, len(data))
    outcome = parse_bytes(data[:at] + b"\xff" + junk + data[at:])
    check(outcome)
    assert not outcome.ok


@given(st.lists(response_dicts(), min_size=1, max_size=5), st.sampled_from(["list", "jsonl"]))
def test_unbroken_files_of_valid_answers_import_every_answer(items: list[dict[str, Any]], layout: str) -> None:
    valid = []
    for item in items:
        try:
            valid.append(SurveyResponse.model_validate(item))
        except ValueError:
            return  # not every drawn dict is valid; this property is about the valid ones
    ids = [r.response_id for r in valid if r.response_id]
    outcome = parse_responses(_render(items, layout))
    check(outcome)
    if len(ids) == len(set(ids)):
        assert outcome.ok and outcome.responses == valid
    else:
        assert any("appears twice" in e for e in outcome.errors)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(import_texts())
def test_what_the_importer_accepts_the_store_keeps(store: ResponseStore, text: str) -> None:
    """On SQLite and PostgreSQL: an accepted file imports, and reads back equal."""
    outcome = parse_responses(text)
    check(outcome)
    if not outcome.ok or not outcome.responses:
        return
    result = store.import_responses(outcome.responses)
    stored = {s.response.response_id: s.response for s in store.latest()}
    for rid, resp in zip(result.response_ids, outcome.responses, strict=True):
        assert stored[rid].answers_equal(resp)


def test_a_5000_digit_integer_is_a_classified_error_by_line_and_key() -> None:
    line = json.dumps(BASE).replace('"prerelease_lag_days": 0', '"prerelease_lag_days": ' + "7" * 5000)
    outcome = parse_responses(line + "\n")
    assert outcome.errors == ["line 1: prerelease_lag_days: number too long (5,000 digits; at most 4,300)"]
    outcome = parse_responses("[" + line + "]")
    assert outcome.errors == ["item 1: prerelease_lag_days: number too long (5,000 digits; at most 4,300)"]


def test_error_position_at_the_end_of_the_file_is_exact_whatever_the_read_size() -> None:
    text = "[null,\n  0"
    for read_chars in (1, 3, 7, 64, 1 << 16):
        errors = parse_bytes(text.encode(), read_chars=read_chars).errors
        assert errors[-1] == "line 2 column 4: malformed JSON: expected ',' or ']', found the end of the file"
