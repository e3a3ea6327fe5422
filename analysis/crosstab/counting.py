"""Counting: the cross-tab itself (counts, percentages, margins) and its CSV/JSON forms."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.crosstab.asof import unit_positions
from analysis.crosstab.encoding import _Long, _to_long
from analysis.crosstab.fields import NORMALIZE_CHOICES, TOTAL, Normalize, Unit, _check

#: Above this many indicator cells, multi x multi tables join with pandas instead of a matrix product.
_DENSE_LIMIT = 30_000_000


def _count_by_combination(r: _Long, c: _Long, n: int) -> np.ndarray:
    """Multi x multi: encode each unit's selections as bit masks and count distinct combinations.

    Real answers use few combinations, so the expensive part (expanding a unit's selections into
    value pairs) runs once per distinct combination instead of once per unit.
    """
    nr, nc = len(r.categories), len(c.categories)
    row_mask = np.bincount(r.pos, weights=np.left_shift(1, r.codes).astype(float), minlength=n).astype(np.int64)
    col_mask = np.bincount(c.pos, weights=np.left_shift(1, c.codes).astype(float), minlength=n).astype(np.int64)
    combos, weight = np.unique(np.left_shift(row_mask, nc) | col_mask, return_counts=True)
    row_bits = (np.right_shift(combos, nc)[:, None] >> np.arange(nr)) & 1
    col_bits = ((combos & ((1 << nc) - 1))[:, None] >> np.arange(nc)) & 1
    return np.rint((row_bits * weight[:, None]).T.astype(float) @ col_bits.astype(float)).astype(np.int64)


def _count(r: _Long, c: _Long, n: int) -> np.ndarray:
    """The (row category x col category) count matrix: each unit counts once per value pair."""
    nr, nc = len(r.categories), len(c.categories)
    if nr == 0 or nc == 0:
        return np.zeros((nr, nc), dtype=np.int64)
    if c.single or r.single:
        rc, cc = (r.codes, c.codes[r.pos]) if c.single else (r.codes[c.pos], c.codes)
        return np.bincount(rc * nc + cc, minlength=nr * nc).reshape(nr, nc)
    if nr + nc <= 60:
        return _count_by_combination(r, c, n)
    if n * (nr + nc) <= _DENSE_LIMIT:
        # Indicator matrices: counts = R^T C (one BLAS call instead of a many-to-many join).
        rows = np.zeros((n, nr))
        rows[r.pos, r.codes] = 1.0
        cols = np.zeros((n, nc))
        cols[c.pos, c.codes] = 1.0
        return np.rint(rows.T @ cols).astype(np.int64)
    merged = pd.DataFrame({"pos": r.pos, "r": r.codes}).merge(pd.DataFrame({"pos": c.pos, "c": c.codes}), on="pos")
    return np.bincount(merged["r"].to_numpy() * nc + merged["c"].to_numpy(), minlength=nr * nc).reshape(nr, nc)


def crosstab(
    frame: pd.DataFrame,
    row: str,
    col: str,
    *,
    normalize: Normalize = "none",
    margins: bool = False,
    unit: Unit = "distributor",
    tags: pd.DataFrame | None = None,
    drop_empty: bool = False,
) -> pd.DataFrame:
    """Counts (int) or percentages (float, 0-100) of ``row`` values by ``col`` values.

    The index is named ``row`` and holds the row field's values (codes), the columns are named
    ``col``; :func:`with_labels` turns them into words. ``drop_empty`` removes enum categories that
    no unit chose (tables keep all of them by default, so their shape is stable).
    """
    _check(row)
    _check(col)
    if normalize not in NORMALIZE_CHOICES:
        raise ValueError(f"normalize must be one of {', '.join(NORMALIZE_CHOICES)}")
    pos = unit_positions(frame, unit)
    r = _to_long(frame, pos, row, tags)
    c = _to_long(frame, pos, col, tags)
    nr, nc = len(r.categories), len(c.categories)
    counts = _count(r, c, len(pos))
    row_tot = np.bincount(r.codes, minlength=nr)
    col_tot = np.bincount(c.codes, minlength=nc)
    grand = len(pos)
    table = pd.DataFrame(counts, index=pd.Index(r.categories, name=row), columns=pd.Index(c.categories, name=col))
    row_total = pd.Series(row_tot, index=table.index)
    col_total = pd.Series(col_tot, index=table.columns)
    if drop_empty:
        keep_r, keep_c = row_total > 0, col_total > 0
        table, row_total, col_total = table.loc[keep_r, keep_c], row_total[keep_r], col_total[keep_c]
    if normalize == "none":
        out = table
        if margins:
            out = _add_margins(out, row_total, col_total, grand)
        return out
    out = _percent(table, row_total, col_total, grand, normalize)
    if margins:
        out = _add_margins(out, *_percent_margins(row_total, col_total, grand, normalize))
    return out


def _percent(table: pd.DataFrame, row_total: pd.Series, col_total: pd.Series, grand: int, how: str) -> pd.DataFrame:
    if how == "row":
        return (table.div(row_total.replace(0, np.nan), axis=0) * 100.0).fillna(0.0)
    if how == "col":
        return (table.div(col_total.replace(0, np.nan), axis=1) * 100.0).fillna(0.0)
    return table * (100.0 / grand) if grand else table.astype(float)


def _percent_margins(
    row_total: pd.Series, col_total: pd.Series, grand: int, how: str
) -> tuple[pd.Series, pd.Series, float]:
    """Margins in the same unit as the cells: "row" -> Total column 100 % and Total row = share."""
    share_r = row_total * (100.0 / grand) if grand else row_total * 0.0
    share_c = col_total * (100.0 / grand) if grand else col_total * 0.0
    full_r = pd.Series(np.where(row_total > 0, 100.0, 0.0), index=row_total.index)
    full_c = pd.Series(np.where(col_total > 0, 100.0, 0.0), index=col_total.index)
    corner = 100.0 if grand else 0.0
    if how == "row":
        return full_r, share_c, corner
    if how == "col":
        return share_r, full_c, corner
    return share_r, share_c, corner


def _add_margins(table: pd.DataFrame, row_total: pd.Series, col_total: pd.Series, grand: float) -> pd.DataFrame:
    """Append the ``Total`` column (units per row) and ``Total`` row (units per column)."""
    out = table.copy()
    out[TOTAL] = row_total.to_numpy()
    bottom = [*col_total.to_numpy().tolist(), grand]
    out.loc[TOTAL] = bottom
    if all(np.issubdtype(t, np.integer) for t in table.dtypes) or table.empty:
        out = out.astype(type(grand) if isinstance(grand, float) else np.int64)
    out.index.name, out.columns.name = table.index.name, table.columns.name
    return out


def table_to_csv(table: pd.DataFrame) -> str:
    """CSV with the row field's values as the first column (its header is the row field's name)."""
    out = table.copy()
    out.columns = [str(c) for c in out.columns]
    text: str = (
        out.reset_index()
        .rename(columns={"index": table.index.name or "value"})
        .to_csv(index=False, float_format="%.1f" if any(out.dtypes == float) else None, lineterminator="\n")
    )
    return text


def table_to_records(table: pd.DataFrame) -> dict[str, object]:
    """JSON-ready form: ``{"row": field, "col": field, "columns": [...], "rows": [{"value", "cells"}]}``."""
    return {
        "row": table.index.name,
        "col": table.columns.name,
        "columns": [str(c) for c in table.columns],
        "rows": [{"value": str(idx), "cells": [_jsonable(v) for v in table.loc[idx].tolist()]} for idx in table.index],
    }


def _jsonable(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float):
        return round(value, 4)
    return value
