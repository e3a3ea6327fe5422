"""Glue between the survey form's widget values and the canonical model.

Kept out of the page so it can be tested without Streamlit: the page only renders widgets whose
values come from ``form_values`` and hands them back to ``response_from_form``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from analysis.models import SurveyResponse

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
    "dual_signing_until": None,
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
        if data.get(key) in ("",):
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
