"""Words for fields and values: never show a raw key or code on a chart or table."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.crosstab.fields import DERIVED_FIELDS, NO_ANSWER, SHORT_LABELS, THEME_FIELDS, TOTAL
from analysis.models import ENUM_FIELDS
from analysis.reference_data import field_label, option_labels


def label_for_field(field: str) -> str:
    """Words for a field name (never show a raw key on a chart)."""
    return DERIVED_FIELDS.get(field) or field_label(field)


def short_label(field: str) -> str:
    """A few words for a field: for axes, legends, pickers."""
    return SHORT_LABELS.get(field) or label_for_field(field)


def label_for_value(field: str, value: object, theme_labels: Mapping[str, str] | None = None) -> str:
    """Words for one value of a field: enum codes via survey.toml, themes via the codebook."""
    text = str(value)
    if text in (NO_ANSWER, TOTAL):
        return text
    if field in ENUM_FIELDS:
        return option_labels(field).get(text, text)
    if field in THEME_FIELDS:
        return (theme_labels or {}).get(text, text)
    if field in ("has_evidence", "illustrative"):
        return text.capitalize()
    return text


def axis_fields(table: pd.DataFrame) -> tuple[str, str]:
    """The (row, column) fields of a cross-tab: ``crosstab`` names its index and columns after them."""
    row, col = table.index.name, table.columns.name
    if not isinstance(row, str) or not isinstance(col, str):
        raise TypeError(f"not a cross-tab: index and columns are named {row!r} and {col!r}, not field names")
    return row, col


def with_labels(table: pd.DataFrame, theme_labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """A copy of a cross-tab with codes replaced by words in the index and columns (for display)."""
    row, col = axis_fields(table)
    out = table.copy()
    out.index = pd.Index([label_for_value(row, v, theme_labels) for v in table.index], name=label_for_field(row))
    out.columns = pd.Index([label_for_value(col, v, theme_labels) for v in table.columns], name=label_for_field(col))
    return out
