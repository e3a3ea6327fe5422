"""Property tests of the response model: any JSON-ish input ends in a valid response or a
``ValidationError`` whose lines are safe to print, never another exception.

Profiles ("ci": fixed, a few thousand examples per test) are registered in ``tests/conftest.py``.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from analysis.models import SurveyResponse, format_validation_error, text_problem
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
