"""Glue between the survey form's widget values and the canonical model.

Kept out of the page so it can be tested without Streamlit: the page only renders widgets whose
values come from ``form_values`` and hands them back to ``response_from_form``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError

from analysis.models import ENUM_FIELDS, MAX_TEXT, SurveyResponse
from analysis.reference_data import field_label, known_python_versions, option_label, survey_definition, version_key

#: Form fields in the order the page shows them (the canonical keys, ``ready_by`` split in three).
FORM_FIELDS: tuple[str, ...] = (
    "distributor",
    "distributor_kind",
    "respondent_role",
    "contact",
    "python_versions",
    "prerelease_start",
    "prerelease_lag_days",
    "verifies_pgp_today",
    "verification_tooling",
    "sigstore_status",
    "blockers",
    "blockers_text",
    "ready_earliest",
    "ready_likely",
    "ready_latest",
    "worst_case",
    "worst_case_text",
    "dual_signing_until",
    "comments",
    "source",
)

#: The "— not answered —" choice of a single-choice question that may stay unanswered: the widget
#: needs a value of its own to go back to "no answer"; it is stored as ``None`` (null), never as a code.
NOT_ANSWERED = ""

EMPTY_FORM: dict[str, Any] = {
    "distributor": None,
    "distributor_kind": None,
    "respondent_role": "",
    "contact": "",
    "python_versions": [],
    "prerelease_start": None,
    "prerelease_lag_days": 0,
    "verifies_pgp_today": NOT_ANSWERED,
    "verification_tooling": "",
    "sigstore_status": None,
    "blockers": [],
    "blockers_text": "",
    "ready_earliest": None,
    "ready_likely": None,
    "ready_latest": None,
    "worst_case": [],
    "worst_case_text": "",
    "dual_signing_until": "",
    "comments": "",
    "source": "",
}


def form_values(response: SurveyResponse | None = None, draft: dict[str, Any] | None = None) -> dict[str, Any]:
    """Initial widget values: a saved draft wins over the last submitted answer (it is newer work)."""
    values = dict(EMPTY_FORM)
    if response is not None:
        data = response.model_dump(mode="json")
        for key in FORM_FIELDS:
            if key in data:
                values[key] = data[key]
        values["ready_earliest"] = response.ready_by.earliest
        values["ready_likely"] = response.ready_by.likely
        values["ready_latest"] = response.ready_by.latest
        values["respondent_role"] = response.respondent_role or ""
        values["verifies_pgp_today"] = data["verifies_pgp_today"] or NOT_ANSWERED
        values["contact"] = response.contact or ""
        values["dual_signing_until"] = response.dual_signing_until or NO_DUAL_SIGNING
    if draft:
        for key in FORM_FIELDS:
            if key in draft:
                values[key] = _decode_draft_value(key, draft[key])
    return values


def _decode_draft_value(key: str, value: Any) -> Any:
    if key.startswith("ready_") and isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    if key in ("python_versions", "blockers", "worst_case"):
        return [str(v) for v in value] if isinstance(value, list) else []
    if key == "prerelease_lag_days":
        return value if isinstance(value, int) and value >= 0 else 0
    if key == "dual_signing_until":
        return value if isinstance(value, str) and value in dual_signing_choices() else NO_DUAL_SIGNING
    return value


def draft_payload(values: dict[str, Any]) -> dict[str, Any]:
    """JSON-safe snapshot of the widgets for a draft (dates as ISO strings)."""
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items() if k in FORM_FIELDS}


def response_from_form(values: dict[str, Any], *, keep: SurveyResponse | None = None) -> SurveyResponse:
    """Validate the widget values. Raises ``pydantic.ValidationError`` naming the JSON keys.

    ``keep`` carries over what the form does not edit (illustrative flag, attached evidence).
    """
    data: dict[str, Any] = {k: values.get(k) for k in FORM_FIELDS if not k.startswith("ready_")}
    data["ready_by"] = {
        "earliest": values.get("ready_earliest"),
        "likely": values.get("ready_likely"),
        "latest": values.get("ready_latest"),
    }
    for key in ("distributor", "distributor_kind", "prerelease_start", "sigstore_status", "dual_signing_until"):
        if data.get(key) in ("", NO_DUAL_SIGNING):
            data[key] = None
    if data.get("verifies_pgp_today") in (None, NOT_ANSWERED):
        data["verifies_pgp_today"] = None
    if data.get("distributor") is None:
        data["distributor"] = ""
    if keep is not None:
        data["illustrative"] = keep.illustrative
        data["verification_evidence"] = [e.model_dump() for e in keep.verification_evidence]
        data["response_id"] = keep.response_id
    return SurveyResponse.model_validate(data)


def changed_fields(before: SurveyResponse, after: SurveyResponse) -> list[str]:
    """Keys whose answers differ between two revisions (for the history view)."""
    a = before.model_dump(exclude={"submitted_at", "response_id"})
    b = after.model_dump(exclude={"submitted_at", "response_id"})
    return [k for k in b if a.get(k) != b.get(k)]


# -- words the form shows ---------------------------------------------------------------------------

#: The select box value meaning "no dual signing needed" (a real option, so the closed box and the
#: open list read the same words; ``None`` would show Streamlit's placeholder in the box instead).
NO_DUAL_SIGNING = ""
EMPTY_WORDS = "(empty)"


def dual_signing_choices() -> tuple[str, ...]:
    """The lines dual signing can matter for: PEP 761's first PGP-less line and later (survey.toml)."""
    first = version_key(str(survey_definition()["fields"]["dual_signing_until"]["first_line"]))
    return (NO_DUAL_SIGNING, *(v for v in known_python_versions() if version_key(v) >= first))


def dual_signing_words(value: str | None) -> str:
    if not value:
        return str(survey_definition()["fields"]["dual_signing_until"]["empty_choice"])
    return value


def _point_label(point: str) -> str:
    """ "Earliest", "Most likely", "Latest": the date boxes' labels (survey.toml)."""
    points = survey_definition()["fields"]["ready_by"].get("points", {})
    return str(points.get(point, point.capitalize()))


def form_label(key: str) -> str:
    """A form field's label as the form shows it (the three dates by their box labels)."""
    if key.startswith("ready_"):
        return f"{field_label('ready_by')} {_point_label(key.removeprefix('ready_'))}"
    return field_label(key)


def answer_words(field: str, value: Any) -> str:
    """One stored answer in words (codes as their labels, lists joined, empty as "(empty)")."""
    if field == "dual_signing_until":
        return dual_signing_words(value)
    if field == "verifies_pgp_today" and value in (None, NOT_ANSWERED):
        return "not answered"
    if value is None or value == "" or value == []:
        return EMPTY_WORDS
    if isinstance(value, list):
        return ", ".join(answer_words(field, v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if field in ENUM_FIELDS:
        return option_label(field, str(getattr(value, "value", value)))
    return str(getattr(value, "value", value))


@dataclass(frozen=True)
class Change:
    """One answer that changed between two revisions, in words."""

    field: str
    label: str
    before: str
    after: str


def describe_changes(before: SurveyResponse, after: SurveyResponse) -> list[Change]:
    """What changed, old -> new, in the form's words (``ready_by`` as its three dates)."""
    changes: list[Change] = []
    for key in changed_fields(before, after):
        if key == "ready_by":
            for point in ("earliest", "likely", "latest"):
                a, b = getattr(before.ready_by, point), getattr(after.ready_by, point)
                if a != b:
                    changes.append(
                        Change(f"ready_{point}", form_label(f"ready_{point}"), answer_words("", a), answer_words("", b))
                    )
            continue
        if key == "verification_evidence":
            changes.append(
                Change(
                    key,
                    "Attached verification evidence",
                    f"{len(before.verification_evidence)} verification(s)",
                    f"{len(after.verification_evidence)} verification(s)",
                )
            )
            continue
        label = field_label(key) if key != "illustrative" else "Illustrative answer"
        changes.append(
            Change(key, label, answer_words(key, getattr(before, key)), answer_words(key, getattr(after, key)))
        )
    return changes


# -- validation problems, by form field ---------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One reason the form was not saved, attached to the form field to mark."""

    field: str
    message: str


_READY_POINTS = ("earliest", "likely", "latest")


def form_problems(exc: ValidationError, values: dict[str, Any]) -> list[Problem]:
    """Every problem of a failed submit, in the form's words and in form order.

    Uses the labels of ``data/survey.toml`` (never JSON keys), lists every date-order problem at
    once, and for a text over the limit says how long it is: the text itself stays in its box.
    """
    problems: list[Problem] = []
    for err in exc.errors(include_url=False):
        loc = [str(part) for part in err["loc"]]
        kind = err["type"]
        if kind == "date_order":
            for pair in str((err.get("ctx") or {}).get("pairs", "")).split(";"):
                first, _, second = pair.partition(">")
                if first in _READY_POINTS and second in _READY_POINTS:
                    a, b = values.get(f"ready_{first}"), values.get(f"ready_{second}")
                    problems.append(
                        Problem(
                            f"ready_{second}",
                            f"{_point_label(second)} ({b}) is before {_point_label(first)} ({a}): the dates of "
                            f"“{field_label('ready_by')}” go earliest, most likely, latest.",
                        )
                    )
            continue
        key = loc[0] if loc else ""
        if key == "ready_by" and len(loc) > 1:
            key = f"ready_{loc[1]}"
        if key not in FORM_FIELDS:
            problems.append(Problem("", str(err["msg"]).removeprefix("Value error, ")))
            continue
        label = form_label(key)
        value = values.get(key)
        if kind == "string_too_long":
            limit = int((err.get("ctx") or {}).get("max_length", MAX_TEXT))
            length = len(str(value or "").strip())
            message = (
                f"{label}: {length:,} characters, at most {limit:,} are accepted. Your text is kept in the box: "
                "shorten it and submit again."
            )
        elif value in (None, "") and kind in ("enum", "missing", "string_too_short"):
            message = f"{label}: this answer is required."
        elif kind == "enum":
            message = f"{label}: choose one of the offered answers."
        else:
            message = f"{label}: {str(err['msg']).removeprefix('Value error, ')}"
        problems.append(Problem(key, message))
    order = {key: i for i, key in enumerate(FORM_FIELDS)}
    return sorted(problems, key=lambda p: order.get(p.field, len(order)))
