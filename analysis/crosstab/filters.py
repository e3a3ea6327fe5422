"""The explorer's filters: which rows take part before the counting unit is chosen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from analysis.models import ENUM_FIELDS
from analysis.reference_data import version_key


@dataclass(frozen=True)
class Filters:
    """What the explorer's filter widgets select; empty means "no restriction"."""

    kinds: tuple[str, ...] = ()
    versions: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    include_illustrative: bool = True


def apply_filters(frame: pd.DataFrame, filters: Filters | None = None) -> pd.DataFrame:
    """Rows matching every filter. A version filter keeps responses naming any of the versions.

    Apply filters *before* choosing the unit, so that a date range gives each distributor's latest
    answer within the range ("the state as of that date").
    """
    if filters is None or frame.empty:
        return frame
    mask = np.ones(len(frame), dtype=bool)
    if filters.kinds:
        mask &= frame["distributor_kind"].isin(filters.kinds).to_numpy()
    if filters.statuses:
        mask &= frame["sigstore_status"].isin(filters.statuses).to_numpy()
    if filters.versions:
        wanted = set(filters.versions)
        mask &= np.fromiter((not wanted.isdisjoint(v) for v in frame["python_versions"]), bool, len(frame))
    if not filters.include_illustrative and "illustrative" in frame:
        mask &= ~frame["illustrative"].fillna(False).astype(bool).to_numpy()
    if filters.date_from or filters.date_to:
        when = pd.to_datetime(frame["submitted_at"], utc=True)
        day = when.dt.date
        if filters.date_from:
            mask &= (day >= filters.date_from).to_numpy()
        if filters.date_to:
            mask &= (day <= filters.date_to).to_numpy()
    return frame.loc[mask]


def filter_options(frame: pd.DataFrame) -> dict[str, list[str]]:
    """The values the filter widgets offer, in display order."""
    versions = sorted({v for vs in frame.get("python_versions", []) for v in vs}, key=version_key)
    return {
        "kinds": [m.value for m in ENUM_FIELDS["distributor_kind"]],
        "statuses": [m.value for m in ENUM_FIELDS["sigstore_status"]],
        "versions": versions,
    }
