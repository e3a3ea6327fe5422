"""Which answer counts: the one module that says which revision speaks for a distributor at a date.

Two steps, always in this order:

1. **As of a date** (:func:`state_as_of`). Each response is its latest revision whose
   ``submitted_at`` falls on or before the end of the day (UTC): :func:`end_of_day` is the first
   instant of the next day, exclusive. Without a date every response is its latest revision, which
   is what ``ResponseStore.latest_frame()`` already holds. A response none of whose revisions is
   that old did not exist yet and drops out.
2. **Unit** (:func:`unit_positions`). ``unit="distributor"`` (default) keeps each distributor's
   most recent response (names normalised by ``normalise_distributor``; latest ``submitted_at``,
   then ``stored_at``, then frame position); ``unit="response"`` counts every response.

Filters (``analysis.crosstab.filters``) sit between the two. Everything that counts (cross-tabs,
charts, the simulator, coverage, reports, ``changes``) goes through these functions, so a number
means the same on every page and in every export.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property

import numpy as np
import pandas as pd

from analysis.crosstab.fields import UNIT_CHOICES, Unit
from analysis.models import normalise_distributor

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def end_of_day(day: date) -> datetime:
    """The cut-off of an as-of date: the first instant (UTC) of the following day, exclusive."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)


def state_as_of(revisions: pd.DataFrame, as_of: date | None) -> pd.DataFrame:
    """Each response as it stood at the end of ``as_of``: one row per response, like ``latest_frame``.

    ``revisions`` holds every revision (``response_id``, ``revision``, ``submitted_at`` and the
    answer columns). Per response, the highest revision submitted before the cut-off counts; with
    ``as_of=None`` that is simply the highest revision. Rows come back in ``response_id`` order,
    as ``latest_frame`` returns them, so downstream tie-breaks by position are the same.
    """
    if revisions.empty:
        return revisions.reset_index(drop=True)
    positions = RevisionTimeline(revisions).response_positions(as_of)
    return revisions.iloc[positions].reset_index(drop=True)


class RevisionTimeline:
    """Every revision encoded once, to ask "which rows count at the end of day D" for many days.

    The trend charts ask this for dozens of dates; encoding the response ids, revision numbers and
    instants once makes each question a few vectorised passes (milliseconds at 100,000 revisions)
    instead of a fresh sort. :func:`state_as_of` and :func:`unit_positions` apply the same rule.
    """

    def __init__(self, revisions: pd.DataFrame) -> None:
        self.frame = revisions
        ids = revisions["response_id"].astype(str)
        # Frames from the store come sorted by response_id: first-appearance codes are then already
        # in id order, and the (costly) sort of the distinct ids can be skipped.
        codes, _ = pd.factorize(ids, sort=not ids.is_monotonic_increasing)
        self._order = np.lexsort((revisions["revision"].to_numpy(dtype=np.int64), codes))
        self._codes = codes[self._order]
        self._submitted = _micros(revisions["submitted_at"])
        self._submitted_sorted = self._submitted[self._order]
        if "stored_at" in revisions:
            self._stored = _micros(revisions["stored_at"])
        else:
            self._stored = np.zeros(len(revisions), dtype=np.int64)

    @cached_property
    def _key_codes(self) -> np.ndarray:
        """Distributor key codes (only the distributor unit needs them)."""
        codes, _ = pd.factorize(_keys(self.frame))
        return np.asarray(codes)

    def response_positions(self, as_of: date | None) -> np.ndarray:
        """Positions (``iloc``) of each response's counted revision, in ``response_id`` order."""
        if as_of is None:
            idx = np.arange(len(self._order))
        else:
            cutoff = (end_of_day(as_of) - _EPOCH) // timedelta(microseconds=1)
            idx = np.flatnonzero(self._submitted_sorted < cutoff)
        if not len(idx):
            return idx
        group = self._codes[idx]
        last = idx[np.r_[group[1:] != group[:-1], True]]
        return self._order[last]

    def distributor_positions(self, as_of: date | None) -> np.ndarray:
        """Positions of each distributor's counted revision: the unit rule of :func:`unit_positions`
        (latest ``submitted_at``, then ``stored_at``, then the later response) on top."""
        pos = self.response_positions(as_of)
        if not len(pos):
            return pos
        keys = self._key_codes[pos]
        order = np.lexsort((np.arange(len(pos)), self._stored[pos], self._submitted[pos], keys))
        ordered_keys = keys[order]
        last = order[np.r_[ordered_keys[1:] != ordered_keys[:-1], True]]
        return np.sort(pos[last])


def _micros(series: pd.Series) -> np.ndarray:
    """Instants as int64 microseconds since the epoch, UTC, whatever the column's unit (NaT: minimum)."""
    when = _as_timestamps(series).dt.tz_convert("UTC").dt.tz_localize(None)
    return np.asarray(when.to_numpy(dtype="datetime64[us]")).view(np.int64)


def _as_timestamps(series: pd.Series) -> pd.Series:
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        return series
    return pd.to_datetime(series, utc=True, errors="coerce")


def _keys(frame: pd.DataFrame) -> pd.Series:
    if "distributor_key" in frame:
        return frame["distributor_key"]
    return frame["distributor"].map(normalise_distributor)


def _instants(series: pd.Series) -> np.ndarray:
    """Datetimes as int64 for sorting (NaT sorts first); accepts strings in hand-built frames."""
    if not isinstance(series.dtype, pd.DatetimeTZDtype):
        series = pd.to_datetime(series, utc=True, errors="coerce")
    return np.asarray(series.array.asi8)


def _chronological_order(frame: pd.DataFrame) -> np.ndarray:
    """Row positions, oldest first: by ``submitted_at``, then ``stored_at``, then frame order."""
    keys = [_instants(frame[c]) for c in ("stored_at", "submitted_at") if c in frame]
    return np.lexsort(keys) if keys else np.arange(len(frame))


def unit_positions(frame: pd.DataFrame, unit: Unit = "distributor") -> np.ndarray:
    """Positions (``iloc``) of the rows that count, in frame order.

    For distributors: per normalised name, the row with the latest ``submitted_at``, ties broken by
    ``stored_at``, then by frame position. Group maxima instead of a full sort keep this at a few
    milliseconds for 100,000 rows.
    """
    if unit not in UNIT_CHOICES:
        raise ValueError(f"unit must be one of {', '.join(UNIT_CHOICES)}")
    if unit == "response" or frame.empty:
        return np.arange(len(frame))
    key_codes, _ = pd.factorize(_keys(frame))
    rows = np.arange(len(frame))
    for name in ("submitted_at", "stored_at"):
        if name in frame and len(rows):
            when = _instants(frame[name])[rows]
            newest = pd.Series(when).groupby(key_codes[rows]).transform("max").to_numpy()
            rows = rows[when == newest]
    newest_first = rows[::-1]
    _, first = np.unique(key_codes[newest_first], return_index=True)
    return np.sort(newest_first[first])


def select_unit(frame: pd.DataFrame, unit: Unit = "distributor") -> pd.DataFrame:
    """The rows that count: every response, or each distributor's most recent one."""
    if unit == "response":
        return frame
    return frame.iloc[unit_positions(frame, unit)]


def latest_per_distributor(frame: pd.DataFrame) -> pd.DataFrame:
    """Each distributor's most recent response, sorted by display name."""
    latest = select_unit(frame, "distributor")
    return latest.sort_values("distributor", key=lambda s: s.str.casefold(), kind="stable")
