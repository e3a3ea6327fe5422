"""The cross-tab engine: any answer field against any other, counted per distributor or per response.

Input is ``ResponseStore.latest_frame()`` (one row per response, its latest revision) and, for the
theme fields, ``ResponseStore.tags_frame()``. No Streamlit: the explorer page, the CLI
(``python -m analysis crosstab``) and the HTML report call the same functions, so they print the
same numbers.

The package is split by concern: ``fields`` (the vocabulary), ``labels`` (words for codes),
``asof`` (which answer counts for a distributor at a date: the as-of rule and the unit),
``filters``, ``encoding`` (long form), ``counting`` (the table) and ``drilldown`` (who is behind a
cell, duplicates). Everything public is re-exported here, so ``from analysis.crosstab import X``
keeps working.

Counting rules (documented once here, relied on everywhere):

* **As of / unit.** See :mod:`analysis.crosstab.asof`: a response is its latest revision (as of a
  date: its latest revision submitted by the end of that day, UTC); ``unit="distributor"``
  (default) keeps each distributor's most recent response, ``unit="response"`` counts every one.
* **Multi-select.** A multi-select answer counts once per selected value, so a distributor naming
  two blockers appears in two cells. Totals (margins) and percentages are of *units* (distributors
  or responses), not of mentions: row percentages of a multi-select column can add up to more
  than 100 %, which is what "x % of distributors name this blocker" means.
* **Missing answers** are an explicit ``"(no answer)"`` category (an empty multi-select too), shown
  last, so no unit silently drops out of a table.
* **Order** is stable: enum order for enumerated fields (all enum values are shown, also when 0,
  so tables keep their shape), version order for Python versions, chronological for dates, else
  alphabetical.
* **Percentages** are 0-100 floats (``normalize="row"|"col"|"all"``); margins are named ``"Total"``.

Fields are the JSON keys plus derived ones (see :data:`DERIVED_FIELDS`), e.g. ``has_evidence``,
``ready_quarter``, ``lag_bucket`` and the reviewer themes ``themes`` / ``themes_blockers_text`` /
``themes_worst_case_text`` / ``themes_comments``.

Everything is vectorised: long-form (unit position, category code) arrays and one ``np.bincount``
per table, so a cross-tab of 100,000 responses takes milliseconds.
"""

from __future__ import annotations

from analysis.crosstab.asof import (
    end_of_day,
    latest_per_distributor,
    select_unit,
    state_as_of,
    unit_positions,
)
from analysis.crosstab.counting import (
    crosstab,
    table_to_csv,
    table_to_records,
)
from analysis.crosstab.drilldown import (
    COMPARED_FIELDS,
    cell_members,
    disagreements,
    duplicate_distributors,
)
from analysis.crosstab.encoding import (
    themes_long,
)
from analysis.crosstab.fields import (
    ANALYSIS_COLUMNS,
    DERIVED_FIELDS,
    FIELDS,
    LAG_BUCKETS,
    LIST_FIELDS,
    MULTI_VALUED,
    NO_ANSWER,
    NORMALIZE_CHOICES,
    SHORT_LABELS,
    THEME_FIELDS,
    THEMES_FIELD,
    TOTAL,
    UNIT_CHOICES,
    VERSION_FIELDS,
    YES_NO,
    Normalize,
    Unit,
    UnknownFieldError,
    field_choices,
    is_multi,
)
from analysis.crosstab.filters import (
    Filters,
    apply_filters,
    filter_options,
)
from analysis.crosstab.labels import (
    axis_fields,
    label_for_field,
    label_for_value,
    short_label,
    with_labels,
)

__all__ = [
    "ANALYSIS_COLUMNS",
    "COMPARED_FIELDS",
    "DERIVED_FIELDS",
    "FIELDS",
    "LAG_BUCKETS",
    "LIST_FIELDS",
    "MULTI_VALUED",
    "NORMALIZE_CHOICES",
    "NO_ANSWER",
    "SHORT_LABELS",
    "THEMES_FIELD",
    "THEME_FIELDS",
    "TOTAL",
    "UNIT_CHOICES",
    "VERSION_FIELDS",
    "YES_NO",
    "Filters",
    "Normalize",
    "Unit",
    "UnknownFieldError",
    "apply_filters",
    "axis_fields",
    "cell_members",
    "crosstab",
    "disagreements",
    "duplicate_distributors",
    "end_of_day",
    "field_choices",
    "filter_options",
    "is_multi",
    "label_for_field",
    "label_for_value",
    "latest_per_distributor",
    "select_unit",
    "short_label",
    "state_as_of",
    "table_to_csv",
    "table_to_records",
    "themes_long",
    "unit_positions",
    "with_labels",
]
