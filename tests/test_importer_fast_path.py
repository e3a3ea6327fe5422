"""The importer's fast path (pydantic's JSON parser on each JSON Lines line) against its slow path
(``json`` decoding, the structural walk, then the model): same responses, same messages, always.

The fast path only ever decides "accepted"; a line it refuses goes through the slow path for its
message. So the one way the two could differ is the fast path accepting a line the slow path
refuses, or accepting it as a different response. These properties feed both with the values that
JSON and Python validation could treat differently: numbers as text, floats for integers, booleans
as words, dates in other shapes, duplicate keys, escapes, huge and odd numbers.
"""

from __future__ import annotations

import io
import json
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from analysis.importer import ParseOutcome, iter_responses
from tests.test_import_properties import BASE, RAW_HOSTILE, import_texts, json_values

#: Values where JSON-mode and Python-mode validation could part ways.
COERCIBLE = [
    "1",
    "1.0",
    "1.5",
    "-0",
    "1e3",
    "true",
    "false",
    '"true"',
    '"yes"',
    '"1"',
    '"1.0"',
    '" 3.14 "',
    '"3.14"',
    "3.14",
    '"2026-01-01"',
    '"2026-01-01T00:00:00"',
    '"2026-01-01T00:00:00Z"',
    '"2026-1-1"',
    "20260101",
    "1767225600",
    '"1767225600"',
    '"rc"',
    '"RC"',
    '" rc "',
    '"packaged"',
    '["3.14", "3.14"]',
    '["3.14", " 3.13"]',
    '["other", "other"]',
    '"\\u00e9"',
    '"e\\u0301"',
    '"\\u200b"',
    '"\\t"',
    '"a\\nb"',
    "null",
    "[]",
    "{}",
    '{"likely": "2026-01-01"}',
    '{"likely": "2026-01-01", "likely": "2026-02-01"}',
    *RAW_HOSTILE,
]


def outcome_of(text: str, *, fast: bool) -> ParseOutcome:
    outcome = ParseOutcome()
    outcome.responses.extend(iter_responses(io.StringIO(text), outcome, fast=fast))
    return outcome


def assert_same(text: str) -> None:
    fast, slow = outcome_of(text, fast=True), outcome_of(text, fast=False)
    assert fast.errors == slow.errors
    assert (fast.error_count, fast.valid) == (slow.error_count, slow.valid)
    assert fast.responses == slow.responses
    # Equal models could still hide different types (1 == 1.0, "x" == StrEnum("x")): compare dumps.
    assert [r.model_dump_json() for r in fast.responses] == [r.model_dump_json() for r in slow.responses]


@st.composite
def coerced_lines(draw: st.DrawFn) -> str:
    """A JSON Lines file of answers, each with up to three values written as raw JSON text."""
    lines = []
    for _ in range(draw(st.integers(1, 3))):
        data: dict[str, Any] = dict(BASE)
        data["response_id"] = draw(st.sampled_from([None, "0" * 32, "1" * 32]))
        raw: dict[str, str] = {key: json.dumps(value) for key, value in data.items()}
        for key in draw(st.lists(st.sampled_from(sorted(raw)), max_size=3, unique=True)):
            raw[key] = draw(st.sampled_from(COERCIBLE) | json_values.map(json.dumps))
        parts = [f"{json.dumps(key)}: {value}" for key, value in raw.items()]
        if draw(st.booleans()):  # a key given twice: both paths keep the last
            key = draw(st.sampled_from(sorted(raw)))
            parts.insert(0, f"{json.dumps(key)}: {draw(st.sampled_from(COERCIBLE))}")
        lines.append("{" + ", ".join(parts) + "}")
    return "\n".join(lines) + "\n"


@given(coerced_lines())
@example(
    '{"distributor": "x", "distributor": "Debian", "distributor_kind": "bsd", "prerelease_start": "rc", '
    '"sigstore_status": "packaged"}\n'
)
@example(
    '{"distributor": "Debian", "distributor_kind": "bsd", "prerelease_start": "rc", '
    '"sigstore_status": "packaged", "prerelease_lag_days": 1.0}\n'
)
@example(
    '{"distributor": "Debian", "distributor_kind": "bsd", "prerelease_start": "rc", '
    '"sigstore_status": "packaged", "illustrative": "true"}\n'
)
def test_fast_and_slow_paths_agree_on_coercible_values(text: str) -> None:
    assert_same(text)


@given(import_texts())
def test_fast_and_slow_paths_agree_on_broken_files(text: str) -> None:
    assert_same(text)


def test_a_repeated_id_is_reported_once_with_both_lines() -> None:
    line = json.dumps({**BASE, "response_id": "2" * 32})
    fast = outcome_of(f"{line}\n{line}\n", fast=True)
    assert fast.errors == [f"line 2: response_id: {'2' * 32} appears twice (also line 1)"]
    assert_same(f"{line}\n{line}\n")


def test_a_line_refused_by_the_fast_path_gets_the_slow_paths_message() -> None:
    line = json.dumps({**BASE, "comments": "a\x00b"})
    outcome = outcome_of(line + "\n", fast=True)
    assert outcome.error_count == 1
    assert outcome.errors[0].startswith("line 1: comments: contains a control character, U+0000")
