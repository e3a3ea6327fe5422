"""Property tests of the response model: any JSON-ish input ends in a valid response or a
``ValidationError`` whose lines are safe to print, never another exception.

Profiles ("ci": fixed, a few thousand examples per test) are registered in ``tests/conftest.py``.
"""

from __future__ import annotations

import itertools
import json
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from analysis.models import (
    PROSE_FIELDS,
    STORED,
    Blocker,
    ReadyBy,
    SurveyResponse,
    WorstCase,
    format_validation_error,
    text_problem,
    visible_text,
)
from analysis.reference_data import known_python_versions, known_version_rank
from tests.conftest import make_response

FIELDS = list(SurveyResponse.model_fields)
VALID = make_response(
    contact="a@example.org", comments="ok", verification_evidence=[], submitted_at="2025-01-01T00:00:00Z"
).canonical_json()
#: Characters the rule is about, mixed into arbitrary text so hypothesis meets them often.
SPECIAL = "\x00\x01\x1b\x7f\x85\u200b\u200d\u202e\u2066\ufeff\ufffe\t\n\r \ud800"

texts = st.text(alphabet=st.characters(codec=None) | st.sampled_from(list(SPECIAL)), max_size=40)
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**5000), max_value=10**5000)
    | st.floats(allow_nan=True, allow_infinity=True)
    | texts
    | st.sampled_from(["3.14", "3.99", "2025-06-01", "2025-13-45", "beta", "yes", "other", "0" * 32, "f" * 64])
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.sampled_from(FIELDS) | texts, children, max_size=5)
    ),
    max_leaves=25,
)


def _check(data: Any) -> None:
    try:
        resp = SurveyResponse.model_validate(data)
    except ValidationError as exc:
        lines = format_validation_error(exc)
        assert lines and all(isinstance(line, str) and ": " in line for line in lines)
        for line in lines:  # safe for a terminal, a log and a page: nothing invisible or active
            assert text_problem(line, single_line=True) is None, line
    else:
        again = SurveyResponse.model_validate(json.loads(json.dumps(resp.canonical_json())))
        assert again == resp
        for value in resp.model_dump(mode="json").values():
            if isinstance(value, str):
                assert text_problem(value) is None


@given(json_values)
def test_any_json_value_validates_or_is_refused(data: Any) -> None:
    _check(data)


@given(st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=len(FIELDS)))
def test_any_object_of_known_keys_validates_or_is_refused(overrides: dict[str, Any]) -> None:
    _check(VALID | overrides)


@given(st.sampled_from([k for k, v in VALID.items() if isinstance(v, str) or v is None]), texts)
def test_any_text_in_a_valid_response_validates_or_is_refused(key: str, value: str) -> None:
    _check(VALID | {key: value})


# -- the validators' fast paths agree with their general paths ---------------------------------
# (analysis.models answers the common case early: dates in order, lists already sorted and unique,
# printable text; these tests would fail if an early answer differed from the general one.)

_DATES = [None, date(2025, 1, 1), date(2025, 6, 1), date(2026, 1, 1)]


def _order_oracle(earliest: date | None, likely: date | None, latest: date | None) -> tuple[str, str] | None:
    """The general rule, spelt out: every out-of-order pair of the dates given, in order."""
    points = [(n, d) for n, d in (("earliest", earliest), ("likely", likely), ("latest", latest)) if d is not None]
    wrong = [(na, a, nb, b) for (na, a), (nb, b) in itertools.pairwise(points) if a > b]
    if not wrong:
        return None
    problems = "; ".join(f"{na} date ({a}) must not be after the {nb} date ({b})" for na, a, nb, b in wrong)
    return problems, ";".join(f"{na}>{nb}" for na, _, nb, _ in wrong)


@pytest.mark.parametrize("given", list(itertools.product(_DATES, repeat=3)))
def test_ready_by_order_check_agrees_with_the_general_rule(given: tuple[date | None, ...]) -> None:
    """Every order of three dates, equal and missing ones included (4**3 cases)."""
    earliest, likely, latest = given
    expected = _order_oracle(earliest, likely, latest)
    data = {k: v for k, v in zip(("earliest", "likely", "latest"), given, strict=True) if v is not None}
    for validate in (ReadyBy.model_validate, lambda d: ReadyBy.model_validate_json(json.dumps(d, default=str))):
        if expected is None:
            assert validate(data) == ReadyBy(earliest=earliest, likely=likely, latest=latest)
            continue
        with pytest.raises(ValidationError) as info:
            validate(data)
        (err,) = info.value.errors()
        assert (err["type"], err["msg"], err["ctx"]["pairs"]) == ("date_order", *expected)


@given(st.lists(st.sampled_from(known_python_versions()[-8:]), max_size=8))
def test_python_versions_are_sorted_and_unique_as_the_general_rule_says(versions: list[str]) -> None:
    resp = SurveyResponse.model_validate(VALID | {"python_versions": versions})
    assert resp.python_versions == sorted(dict.fromkeys(versions), key=known_version_rank().__getitem__)


@given(st.lists(st.sampled_from(list(Blocker)), max_size=9), st.lists(st.sampled_from(list(WorstCase)), max_size=8))
def test_choice_lists_keep_the_first_of_each_choice_in_order(blockers: list[Blocker], worst: list[WorstCase]) -> None:
    resp = SurveyResponse.model_validate(VALID | {"blockers": blockers, "worst_case": worst})
    assert resp.blockers == list(dict.fromkeys(blockers))
    assert resp.worst_case == list(dict.fromkeys(worst))


@pytest.mark.parametrize("field", ["distributor", "respondent_role", "comments", "source"])
@given(value=texts)
def test_text_fields_follow_text_problem_and_visible_text(field: str, value: str) -> None:
    """The text validator answers printable text first; its outcome is the rule's, both contexts."""
    # Nothing for strip_whitespace to take off; a lone surrogate never reaches the validator
    # (pydantic refuses it as a string first).
    value = f"x{value.encode('utf-8', 'replace').decode('utf-8')}x"
    single_line = field not in PROSE_FIELDS
    problem = text_problem(value, single_line=single_line)
    try:
        resp = SurveyResponse.model_validate(VALID | {field: value})
    except ValidationError as exc:
        assert problem is not None
        assert [e["msg"] for e in exc.errors() if e["loc"] == (field,)] == [f"Value error, {problem}"]
    else:
        assert problem is None and getattr(resp, field) == value
    stored = SurveyResponse.model_validate(VALID | {field: value}, context=STORED)
    assert getattr(stored, field) == visible_text(value, single_line=single_line)
