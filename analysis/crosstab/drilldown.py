"""Who is behind a number: the responses in a cell, distributors claimed twice and where they disagree."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis.crosstab.asof import _chronological_order, _keys, unit_positions
from analysis.crosstab.encoding import _to_long
from analysis.crosstab.fields import TOTAL, Unit, _check


def cell_members(
    frame: pd.DataFrame,
    row: str,
    row_value: str,
    col: str,
    col_value: str,
    *,
    unit: Unit = "distributor",
    tags: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The responses behind one cell (``"Total"`` as a value means "any"), sorted by distributor.

    Columns: ``distributor``, ``distributor_kind``, ``response_id``, ``submitted_at`` and the two
    fields' values for that response (multi-selects as lists).
    """
    _check(row)
    _check(col)
    pos = unit_positions(frame, unit)
    mask = np.ones(len(pos), dtype=bool)
    for field, value in ((row, row_value), (col, col_value)):
        if value == TOTAL:
            continue
        long = _to_long(frame, pos, field, tags)
        if value not in long.categories:
            mask[:] = False
            continue
        hit = np.zeros(len(pos), dtype=bool)
        hit[long.pos[long.codes == long.categories.index(value)]] = True
        mask &= hit
    cols = [c for c in ("distributor", "distributor_kind", "response_id", "submitted_at", row, col) if c in frame]
    out = frame.iloc[pos[mask]][list(dict.fromkeys(cols))]
    return out.sort_values("distributor", key=lambda s: s.str.casefold(), kind="stable").reset_index(drop=True)


#: Answer fields compared between responses claiming the same distributor.
COMPARED_FIELDS: tuple[str, ...] = (
    "distributor_kind",
    "python_versions",
    "prerelease_start",
    "prerelease_lag_days",
    "verifies_pgp_today",
    "sigstore_status",
    "blockers",
    "ready_likely",
    "worst_case",
    "dual_signing_until",
)


def _hashable(series: pd.Series) -> pd.Series:
    if series.dtype == object:
        return series.map(lambda v: tuple(v) if isinstance(v, list) else v)
    return series


def _value_codes(series: pd.Series) -> np.ndarray:
    """Equal answers -> equal small integers (lists compared item by item; every missing value one).

    What ``duplicate_distributors`` compares; integers count distinct values several times faster
    than the values' text (100,000 answers x eleven fields).
    """
    if series.dtype != object:
        return pd.factorize(series, use_na_sentinel=False)[0]
    values = series.to_numpy()
    # The store's frame shares one list object per distinct answer (``storage.frames``), so the
    # cells are first told apart by identity, in C; only the distinct objects are then compared by
    # content (a few hundred tuples, not 100,000). Cells that share no object are still right:
    # equal contents in different objects get one code below.
    by_object, objects = pd.factorize(np.fromiter(map(id, values), dtype=np.int64, count=len(values)))
    first = np.unique(by_object, return_index=True)[1]  # where each object first appears
    seen: dict[object, int] = {}
    by_content = np.fromiter(
        (
            seen.setdefault(tuple(v) if isinstance(v, list) else (None if _missing(v) else v), len(seen))
            for v in values[first]
        ),
        dtype=np.int64,
        count=len(objects),
    )
    return by_content[by_object]


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def duplicate_distributors(frame: pd.DataFrame) -> pd.DataFrame:
    """Distributors claimed by several responses, and the fields on which those responses disagree.

    One row per duplicated ``distributor_key``: ``responses`` (count), ``names`` (the spellings
    used, sorted), ``disagreements`` (field names, in :data:`COMPARED_FIELDS` order; empty when all
    answers agree). Sorted by number of responses, then key.
    """
    cols = ["distributor_key", "responses", "names", "disagreements"]
    if frame.empty:
        return pd.DataFrame(columns=cols)
    keys = _keys(frame)
    dup = keys.duplicated(keep=False).to_numpy()
    if not dup.any():
        return pd.DataFrame(columns=cols)
    sub = frame.loc[dup]
    grouped_keys = keys[dup].to_numpy()
    fields = [f for f in COMPARED_FIELDS if f in sub]
    # Keys and names as sorted integer codes (factorised in C): counting, grouping and the
    # spellings per key are then integer work, not 100,000 strings hashed and sorted again.
    key_codes, key_values = pd.factorize(grouped_keys, sort=True)
    compared = pd.DataFrame({f: _value_codes(sub[f]) for f in fields})
    compared["_key"] = key_codes
    distinct = compared.groupby("_key", sort=True).nunique(dropna=False)
    sizes = np.bincount(key_codes, minlength=len(key_values))
    # The spellings per key: distinct (key, name) code pairs, in key then name order.
    name_codes, name_values = pd.factorize(sub["distributor"].to_numpy(dtype=object), sort=True)
    pairs = np.unique(key_codes.astype(np.int64) * len(name_values) + name_codes)
    pair_keys, pair_names = np.divmod(pairs, len(name_values))
    spelt = np.asarray(name_values, dtype=object)[pair_names].tolist()
    ends = np.cumsum(np.bincount(pair_keys, minlength=len(key_values))).tolist()
    names = [spelt[start:end] for start, end in zip([0, *ends[:-1]], ends, strict=True)]
    differs = distinct[fields].to_numpy() > 1
    result = pd.DataFrame(
        {
            "distributor_key": np.asarray(key_values, dtype=object),
            "responses": sizes,
            "names": names,
            "disagreements": [[f for f, d in zip(fields, row, strict=True) if d] for row in differs],
        }
    )
    return result.sort_values(["responses", "distributor_key"], ascending=[False, True]).reset_index(drop=True)


def disagreements(frame: pd.DataFrame, distributor_key: str) -> dict[str, list[tuple[str, object]]]:
    """For one distributor: field -> [(response_id, value), ...] for every field that differs."""
    rows = frame.loc[(_keys(frame) == distributor_key).to_numpy()]
    rows = rows.iloc[_chronological_order(rows)]
    out: dict[str, list[tuple[str, object]]] = {}
    for f in COMPARED_FIELDS:
        if f not in rows:
            continue
        values = _hashable(rows[f]).astype(str)
        if values.nunique(dropna=False) > 1:
            out[f] = list(zip(rows["response_id"], rows[f], strict=True))
    return out
