"""The canonical response model: what it accepts, what it refuses, and how it says so."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from analysis.models import ENUM_FIELDS, SurveyResponse, format_validation_error, normalise_distributor
from analysis.reference_data import option_labels
from tests.conftest import make_response


def errors_of(**overrides: object) -> list[str]:
    with pytest.raises(ValidationError) as info:
        make_response(**overrides)
    return format_validation_error(info.value)


def test_valid_response_round_trips_through_json() -> None:
    resp = make_response()
    again = SurveyResponse.model_validate_json(resp.model_dump_json())
    assert again == resp
    assert resp.canonical_json()["ready_by"] == {
        "earliest": "2025-03-01",
        "likely": "2025-06-01",
        "latest": "2025-12-01",
    }


def test_missing_distributor_is_named() -> None:
    assert any(line.startswith("distributor:") for line in errors_of(distributor="   "))


def test_dates_out_of_order_are_refused() -> None:
    lines = errors_of(ready_by={"earliest": "2025-09-01", "likely": "2025-06-01"})
    assert lines == ["ready_by: earliest date (2025-09-01) must not be after the likely date (2025-06-01)"]


def test_dates_out_of_order_skipping_a_missing_point() -> None:
    lines = errors_of(ready_by={"earliest": "2026-01-01", "latest": "2025-01-01"})
    assert "earliest date (2026-01-01) must not be after the latest date (2025-01-01)" in lines[0]


def test_unknown_enum_value_lists_allowed_values() -> None:
    lines = errors_of(sigstore_status="done")
    assert lines[0].startswith("sigstore_status: not one of the allowed values")
    assert "'in-production'" in lines[0]


def test_unknown_key_is_rejected() -> None:
    assert errors_of(favourite_colour="blue") == ["favourite_colour: unknown key (not part of the survey format)"]


def test_one_megabyte_of_text_is_refused_with_the_limit() -> None:
    lines = errors_of(comments="x" * 1_000_000)
    assert lines == ["comments: text is too long (at most 10,000 characters)"]


def test_python_versions_must_exist_in_the_schedule_data() -> None:
    assert "not a Python line in the release data" in errors_of(python_versions=["3.99"])[0]
    assert "of the form X.Y" in errors_of(python_versions=["3.14.0"])[0]


def test_lists_are_deduplicated_and_versions_sorted_numerically() -> None:
    resp = make_response(python_versions=["3.14", "3.9", "3.10", "3.9"], blockers=["other", "other"])
    assert resp.python_versions == ["3.9", "3.10", "3.14"]
    assert resp.blockers == ["other"]


def test_negative_lag_is_refused() -> None:
    assert errors_of(prerelease_lag_days=-1)[0].startswith("prerelease_lag_days:")


def test_naive_submitted_at_is_taken_as_utc() -> None:
    resp = make_response(submitted_at="2025-01-02T03:04:05")
    assert resp.submitted_at is not None and resp.submitted_at.utcoffset().total_seconds() == 0


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("RHEL", "rhel"),
        ("Red Hat Enterprise Linux", "rhel"),
        ("  red   hat enterprise linux ", "rhel"),
        ("Debian", "debian"),
        ("debian gnu/linux", "debian"),
        ("Some New Distro", "some new distro"),
    ],
)
def test_distributor_names_are_normalised(name: str, key: str) -> None:
    assert normalise_distributor(name) == key


@pytest.mark.parametrize("field", sorted(ENUM_FIELDS))
def test_every_code_has_words_in_the_survey_definition(field: str) -> None:
    codes = [m.value for m in ENUM_FIELDS[field]]
    assert list(option_labels(field)) == codes
