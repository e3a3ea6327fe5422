"""Long form: a field over the counted units as (unit position, category code) pairs, in stable category order."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import chain

import numpy as np
import pandas as pd

from analysis.crosstab.asof import _keys, unit_positions
from analysis.crosstab.fields import (
    _LAG_EDGES,
    LAG_BUCKETS,
    LIST_FIELDS,
    NO_ANSWER,
    THEME_FIELDS,
    THEMES_FIELD,
    VERSION_FIELDS,
    YES_NO,
)
from analysis.models import ENUM_FIELDS
from analysis.reference_data import known_python_versions, version_key


@dataclass(frozen=True)
class _Long:
    """A field in long form over ``n`` units: unit positions and category codes (pairs unique)."""

    pos: np.ndarray
    codes: np.ndarray
    categories: list[str]
    single: bool


def _order(field: str, present: Iterable[str]) -> list[str]:
    """Stable category order: enum order (all values) / versions / chronological / alphabetical."""
    values = {v for v in present if v != NO_ANSWER}
    if field in ENUM_FIELDS:
        cats = [m.value for m in ENUM_FIELDS[field]]
        return cats + sorted(values - set(cats))
    if field in ("has_evidence", "illustrative"):
        return list(YES_NO)
    if field == "lag_bucket":
        return list(LAG_BUCKETS)
    if field in VERSION_FIELDS:
        return sorted(values, key=_safe_version_key)
    if field == "distributor":
        return sorted(values, key=lambda v: (v.casefold(), v))
    return sorted(values)


def _safe_version_key(value: str) -> tuple[int, ...]:
    try:
        return version_key(value)
    except ValueError:
        return (10**6,)


def _text(value: object) -> str:
    return str(value)


def _yes_no(value: object) -> str:
    return "yes" if value else "no"


def _quarter(value: object) -> str:
    v = int(value)  # type: ignore[call-overload]
    return f"{v // 10} Q{v % 10}"


def _month(value: object) -> str:
    v = int(value)  # type: ignore[call-overload]
    return f"{v // 100}-{v % 100:02d}"


def _single_raw(frame: pd.DataFrame, pos: np.ndarray, field: str) -> tuple[pd.Series, Callable[[object], str]]:
    """One raw value per unit (NaN/None/"" = missing) and how to print a distinct value.

    Derived fields are computed as numbers where possible (quarter = year * 10 + q) so only the
    few distinct values are formatted, not every row.
    """

    def col(name: str) -> pd.Series:
        return frame[name].take(pos)

    if field == "has_evidence":
        has = np.fromiter(map(len, col("verification_evidence").to_numpy(dtype=object)), np.int64, len(pos)) > 0
        return pd.Series(has), _yes_no
    if field == "illustrative":
        flag = col("illustrative").fillna(False).astype(bool).to_numpy()
        return pd.Series(flag), _yes_no
    if field in ("ready_quarter", "ready_year"):
        likely = pd.to_datetime(col("ready_likely"), errors="coerce")
        if field == "ready_year":
            return likely.dt.year, lambda v: str(int(v))
        return likely.dt.year * 10 + likely.dt.quarter, _quarter
    if field == "lag_bucket":
        lag = pd.to_numeric(col("prerelease_lag_days"), errors="coerce")
        return pd.Series(pd.cut(lag, _LAG_EDGES, labels=list(LAG_BUCKETS))), _text
    if field == "submitted_month":
        when = pd.to_datetime(col("submitted_at"), utc=True, errors="coerce")
        return when.dt.year * 100 + when.dt.month, _month
    return col(field), _text


def _distributor_long(frame: pd.DataFrame, pos: np.ndarray) -> _Long:
    """Distributors as categories, encoded from the normalised key (no string work per row).

    Each distributor is shown under the spelling of its latest response, so "RHEL" and "Red Hat
    Enterprise Linux" are one row, named as the distributor last wrote it.
    """
    key_codes, _ = pd.factorize(_keys(frame))
    latest = unit_positions(frame, "distributor")
    name_by_key = np.empty(int(key_codes.max()) + 1 if len(key_codes) else 0, dtype=object)
    name_by_key[key_codes[latest]] = frame["distributor"].take(latest).to_numpy(dtype=object)
    unit_keys = key_codes[pos]
    present = np.unique(unit_keys)
    ordered = sorted(present.tolist(), key=lambda k: (str(name_by_key[k]).casefold(), str(name_by_key[k])))
    remap = np.full(len(name_by_key), -1, dtype=np.int64)
    remap[ordered] = np.arange(len(ordered))
    cats = [str(name_by_key[k]) for k in ordered]
    return _Long(pos=np.arange(len(pos), dtype=np.int64), codes=remap[unit_keys], categories=cats, single=True)


def _encode(values: pd.Series | np.ndarray, field: str, fmt: Callable[[object], str]) -> tuple[np.ndarray, list[str]]:
    """Category codes (into the returned ordered categories) for raw values; missing -> NO_ANSWER."""
    raw_codes, uniques = pd.factorize(values, use_na_sentinel=True)
    labels = [fmt(u) for u in np.asarray(uniques, dtype=object)]
    labels = [NO_ANSWER if lab == "" else lab for lab in labels]
    has_missing = bool((raw_codes < 0).any()) or NO_ANSWER in labels
    cats = _order(field, labels)
    if has_missing:
        cats.append(NO_ANSWER)
    index = {c: i for i, c in enumerate(cats)}
    remap = np.array([*(index[lab] for lab in labels), index.get(NO_ANSWER, -1)], dtype=np.int64)
    return remap[raw_codes], cats  # raw code -1 picks the last slot: NO_ANSWER


def _to_long(frame: pd.DataFrame, pos: np.ndarray, field: str, tags: pd.DataFrame | None) -> _Long:
    n = len(pos)
    if field in THEME_FIELDS:
        tpos, themes = _theme_pairs(frame, pos, field, tags)
        codes, cats = _encode(themes, field, _text)
        return _Long(pos=tpos, codes=codes, categories=cats, single=False)
    if field in LIST_FIELDS:
        if n == len(frame):  # every row (unit=response, no filter): memoised per frame object
            return _memo(frame, field, lambda: _list_long(frame[field].to_numpy(dtype=object), field))
        return _list_long(frame[field].to_numpy(dtype=object)[pos], field)
    if field == "distributor":
        return _distributor_long(frame, pos)
    raw, fmt = _single_raw(frame, pos, field)
    codes, cats = _encode(raw.to_numpy(dtype=object) if raw.dtype == object else raw, field, fmt)
    return _Long(pos=np.arange(n, dtype=np.int64), codes=codes, categories=cats, single=True)


#: Encodings of list columns over whole frames, keyed by ``id(frame)``. Decoding Python lists is
#: the one per-row cost left, and the app re-runs cross-tabs on the same cached frame object at
#: every click. Entries die with their frame (weakref); frames are treated as immutable.
_MEMO: dict[int, tuple[weakref.ref[pd.DataFrame], int, dict[str, _Long]]] = {}


def _forget(key: int) -> None:
    _MEMO.pop(key, None)


def _memo(frame: pd.DataFrame, field: str, build: Callable[[], _Long]) -> _Long:
    key = id(frame)
    entry = _MEMO.get(key)
    if entry is None or entry[0]() is not frame or entry[1] != len(frame):
        try:
            ref = weakref.ref(frame, lambda _: _forget(key))
        except TypeError:  # not weak-referenceable: no memo
            return build()
        entry = (ref, len(frame), {})
        _MEMO[key] = entry
    found = entry[2].get(field)
    if found is None:
        found = entry[2][field] = build()
    return found


def _known_categories(field: str) -> list[str] | None:
    if field in ENUM_FIELDS:
        return [m.value for m in ENUM_FIELDS[field]]
    if field in VERSION_FIELDS:
        return list(known_python_versions())
    return None


def _list_long(lists: np.ndarray, field: str) -> _Long:
    """Explode a column of lists: one (unit, value) pair per selected value; empty -> NO_ANSWER.

    Known vocabularies (enums, Python versions) are encoded with one dict lookup per value, which
    is several times faster than exploding and factorising object arrays.
    """
    n = len(lists)
    lens = np.fromiter(map(len, lists), np.int64, n)
    total = int(lens.sum())
    empty = np.flatnonzero(lens == 0)
    lpos = np.concatenate([np.repeat(np.arange(n, dtype=np.int64), lens), empty])
    known = _known_categories(field)
    if known is not None:
        lookup = {v: i for i, v in enumerate(known)}
        try:
            flat = np.fromiter(map(lookup.__getitem__, chain.from_iterable(lists)), np.int64, total)
        except KeyError:  # a value outside the vocabulary: take the general path
            known = None
    if known is None:
        values = np.concatenate(
            [
                np.fromiter(chain.from_iterable(lists), dtype=object, count=total),
                np.full(len(empty), None, dtype=object),
            ]
        )
        codes, cats = _encode(values, field, _text)
        return _Long(pos=lpos, codes=codes, categories=cats, single=False)
    cats = list(known)
    if field not in ENUM_FIELDS:  # versions: only those present, in version order
        present = np.flatnonzero(np.bincount(flat, minlength=len(cats)))
        remap = np.full(len(cats), -1, dtype=np.int64)
        remap[present] = np.arange(len(present))
        cats = [cats[i] for i in present]
        flat = remap[flat]
    if len(empty):
        cats.append(NO_ANSWER)
    codes = np.concatenate([flat, np.full(len(empty), len(cats) - 1, dtype=np.int64)])
    return _Long(pos=lpos, codes=codes, categories=cats, single=False)


def _theme_pairs(
    frame: pd.DataFrame, pos: np.ndarray, field: str, tags: pd.DataFrame | None
) -> tuple[np.ndarray, np.ndarray]:
    """(unit position, theme) pairs; a unit without a tag gets one missing (NO_ANSWER) pair."""
    n = len(pos)
    if tags is None or tags.empty or n == 0:
        return np.arange(n, dtype=np.int64), np.full(n, None, dtype=object)
    ids = frame["response_id"].to_numpy(dtype=object)[pos]
    position = pd.Series(np.arange(n, dtype=np.int64), index=ids)
    position = position[~position.index.duplicated()]
    sub = tags[tags["field"].isin(THEME_FIELDS[field])]
    pairs = pd.DataFrame({"pos": sub["response_id"].map(position).to_numpy(), "theme": sub["theme"].to_numpy()})
    pairs = pairs.dropna(subset=["pos"]).drop_duplicates()
    tagged = pairs["pos"].to_numpy(dtype=np.int64)
    untagged = np.setdiff1d(np.arange(n, dtype=np.int64), tagged)
    return (
        np.concatenate([tagged, untagged]),
        np.concatenate([pairs["theme"].to_numpy(dtype=object), np.full(len(untagged), None, dtype=object)]),
    )


def themes_long(frame: pd.DataFrame, tags: pd.DataFrame | None, field: str = THEMES_FIELD) -> pd.DataFrame:
    """(response_id, theme) pairs of the frame's responses for one theme field; untagged = NO_ANSWER."""
    all_rows = np.arange(len(frame))
    pos, values = _theme_pairs(frame, all_rows, field, tags)
    themes = pd.Series(values, dtype=object).fillna(NO_ANSWER).to_numpy()
    return pd.DataFrame({"response_id": frame["response_id"].to_numpy(dtype=object)[pos], "theme": themes})
