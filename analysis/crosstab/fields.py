"""Field vocabulary of the cross-tab engine: which fields exist, which are multi-valued, derived or themes."""

from __future__ import annotations

from typing import Literal

import numpy as np

from analysis.models import TEXT_FIELDS

Normalize = Literal["none", "row", "col", "all"]
Unit = Literal["distributor", "response"]

NO_ANSWER = "(no answer)"
TOTAL = "Total"
NORMALIZE_CHOICES: tuple[str, ...] = ("none", "row", "col", "all")
UNIT_CHOICES: tuple[str, ...] = ("distributor", "response")

THEMES_FIELD = "themes"
#: One theme field per coded free-text field, plus ``themes`` (any of them).
THEME_FIELDS: dict[str, tuple[str, ...]] = {
    THEMES_FIELD: TEXT_FIELDS,
    **{f"themes_{f}": (f,) for f in TEXT_FIELDS},
}
#: Multi-valued stored fields (lists in the frame).
LIST_FIELDS: tuple[str, ...] = ("python_versions", "blockers", "worst_case")
VERSION_FIELDS: tuple[str, ...] = ("python_versions", "dual_signing_until")
YES_NO = ("yes", "no")
LAG_BUCKETS: tuple[str, ...] = ("same day", "1-7 days", "8-30 days", "31-90 days", "over 90 days")
_LAG_EDGES = [-1, 0, 7, 30, 90, np.inf]

#: Derived fields and their display labels (JSON-key fields take their labels from survey.toml).
DERIVED_FIELDS: dict[str, str] = {
    "has_evidence": "Verification evidence attached",
    "illustrative": "Illustrative (derived from public statements)",
    "ready_quarter": "Expected ready (quarter, most likely date)",
    "ready_year": "Expected ready (year, most likely date)",
    "lag_bucket": "Days after the start release",
    "submitted_month": "Month submitted",
    THEMES_FIELD: "Themes (any free-text answer)",
    "themes_blockers_text": "Themes in blockers (own words)",
    "themes_worst_case_text": "Themes in worst case (own words)",
    "themes_comments": "Themes in comments",
}
#: Short names for axes, pickers and titles (the survey's question wording is too long there).
SHORT_LABELS: dict[str, str] = {
    "distributor": "Distributor",
    "distributor_kind": "Kind of distributor",
    "prerelease_start": "Start stage (Q1)",
    "sigstore_status": "Sigstore status",
    "blockers": "Blockers (Q2)",
    "worst_case": "Worst case (Q3)",
    "verifies_pgp_today": "Verifies PGP today",
    "python_versions": "Python versions shipped",
    "dual_signing_until": "Needs PGP up to",
}
#: Every field a cross-tab accepts, in the order pickers show them.
FIELDS: tuple[str, ...] = (
    "distributor_kind",
    "prerelease_start",
    "lag_bucket",
    "sigstore_status",
    "blockers",
    "worst_case",
    "verifies_pgp_today",
    "python_versions",
    "dual_signing_until",
    "ready_quarter",
    "ready_year",
    "has_evidence",
    "illustrative",
    "distributor",
    "submitted_month",
    *THEME_FIELDS,
)
#: The stored columns the engine and the charts read: pass to ``ResponseStore.latest_frame(columns=)``
#: to skip the free text, most of the loading cost at 100,000 responses.
ANALYSIS_COLUMNS: tuple[str, ...] = (
    "distributor",
    "distributor_kind",
    "python_versions",
    "prerelease_start",
    "prerelease_lag_days",
    "verifies_pgp_today",
    "sigstore_status",
    "blockers",
    "ready_earliest",
    "ready_likely",
    "ready_latest",
    "worst_case",
    "dual_signing_until",
    "illustrative",
    "verification_evidence",
    "submitted_at",
)
MULTI_VALUED: frozenset[str] = frozenset((*LIST_FIELDS, *THEME_FIELDS))


class UnknownFieldError(ValueError):
    """A field name the engine does not know; the message lists the known ones."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown field {name!r}; known fields: {', '.join(FIELDS)}")
        self.name = name


def _check(field: str) -> None:
    if field not in FIELDS:
        raise UnknownFieldError(field)


def field_choices(include_themes: bool = True) -> list[str]:
    """Fields for the pickers (themes only when there is a codebook to tag with)."""
    return [f for f in FIELDS if include_themes or f not in THEME_FIELDS]


def is_multi(field: str) -> bool:
    return field in MULTI_VALUED
