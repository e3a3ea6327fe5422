"""DB-API rows to the analysis DataFrame, column by column in C (Arrow), not cell by cell.

Kept apart from the store so that importing the store (the CLI, the survey page) does not import
pandas and Arrow; only reading the analysis frame does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def rows_to_frame(names: list[str], rows: Sequence[Any], *, json_columns: Iterable[str]) -> pd.DataFrame:
    """The analysis frame from raw rows: sorted by ``response_id``, JSON list columns decoded."""
    json_set = set(json_columns)
    columns_data = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    del rows
    ids = pa.array(columns_data[names.index("response_id")], type=pa.string())
    order = pc.sort_indices(ids)  # in C, on the Arrow column: cheaper than sorting row tuples
    data: dict[str, Any] = {}
    for name, values in zip(names, columns_data, strict=True):
        if name in json_set:
            data[name] = _decode_json_lists(values, order)
        elif name in _INSTANTS or name in _DATES:
            data[name] = _when_column(values, order, utc=name in _INSTANTS)
        else:
            data[name] = _frame_column(values, order)
    return finish_frame(pd.DataFrame(data, columns=names))


def finish_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Decode the JSON list columns and give the frame the analysis-facing column names."""
    frame = frame.drop(columns=["id"], errors="ignore")
    for col in ("ready_earliest", "ready_likely", "ready_latest"):
        if col in frame:
            # SQLite hands back ISO text, PostgreSQL ``date`` objects (which Arrow types as
            # seconds): one unit, so a frame does not depend on which store it came from.
            frame[col] = pd.to_datetime(frame[col], format="ISO8601").astype("datetime64[us]")
    for col in ("stored_at", "submitted_at"):
        if col in frame:
            # Stored in UTC; SQLite keeps no offset, so naive values are UTC by construction.
            frame[col] = pd.to_datetime(frame[col], utc=True, format="ISO8601").astype("datetime64[us, UTC]")
    if "illustrative" in frame:
        frame["illustrative"] = frame["illustrative"].astype(bool)
    return frame


#: Columns of UTC instants and of calendar dates, typed by :func:`finish_frame`.
_INSTANTS = ("stored_at", "submitted_at")
_DATES = ("ready_earliest", "ready_likely", "ready_latest")


def _when_column(values: Sequence[Any], order: pa.Array, *, utc: bool) -> Any:
    """A date or instant column; ISO text (how SQLite returns them) parsed by Arrow, in C.

    pandas' ISO 8601 parser took a tenth of the frame's time at 100,000 answers. Text Arrow does
    not read as a naive ISO timestamp (an offset, a stray value in an old store) and values that
    are not text at all (PostgreSQL's ``date``/``datetime``) take the general path, which
    :func:`finish_frame` parses with pandas as before: the frame is the same either way.
    """
    if not values:
        return _frame_column(values, order)
    try:
        array = pa.array(values)
    except (pa.ArrowException, OverflowError):
        return _frame_column(values, order)  # pandas' path, as for any column Arrow cannot type
    if pa.types.is_string(array.type):
        try:
            parsed = pc.cast(array, pa.timestamp("us"))
            if utc:  # stored in UTC without an offset: label the values, do not shift them
                parsed = parsed.cast(pa.timestamp("us", tz="UTC"))
            return parsed.take(order).to_pandas().array
        except (pa.ArrowException, OverflowError):
            pass
    # What _frame_column would make of the values, from the array already built (not twice).
    return array.take(order).to_pandas().array


def _frame_column(values: Sequence[Any], order: pa.Array) -> Any:
    """One column of DB-API values as pandas would type it, reordered by ``order``.

    Arrow converts the whole column in C (strings become pandas' default ``str`` dtype without a
    Python object per cell); it infers the same types pandas does for a list: str, int64 (float64
    with NULLs), bool, timestamps, object when every value is NULL. A column Arrow cannot type (a
    value of another type in a SQLite column, say) is left to pandas.
    """
    if not values:
        return []  # typed by pandas exactly as before (float64 for an empty list)
    try:
        array = pa.array(values)
    except (pa.ArrowException, OverflowError):
        return pd.Series(list(np.asarray(values, dtype=object)[order.to_numpy()])).array
    # The array, not a Series: the frame then needs no index alignment.
    return array.take(order).to_pandas().array


def _decode_json_lists(column: Sequence[Any], order: pa.Array | None = None) -> np.ndarray:
    """Decode a column of JSON lists (reordered by ``order``), parsing each distinct text once.

    Answers repeat (a few hundred distinct blocker sets across 100,000 responses), so the column is
    dictionary-encoded in C and only the distinct values are parsed. Rows with equal answers share
    one list object: frame cells are read-only by convention (nothing in ``analysis`` mutates them).
    """
    try:
        texts = pa.array(column, type=pa.string())
    except (pa.ArrowException, OverflowError):
        texts = None
    if texts is not None:
        if order is not None:
            texts = texts.take(order)
        encoded = texts.dictionary_encode()
        uniques: list[Any] | np.ndarray = encoded.dictionary.to_pylist()
        codes = encoded.indices.fill_null(len(uniques)).to_numpy()
    else:  # not all text (a driver that decodes JSON itself): factorise the Python values
        values = np.asarray(column, dtype=object)
        if order is not None:
            values = values[order.to_numpy()]
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        codes = np.where(codes < 0, len(uniques), codes)
    decoded = np.empty(len(uniques) + 1, dtype=object)
    parts = [value if isinstance(value, str) else json.dumps(list(value or [])) for value in uniques]
    # One parse of all distinct values at once: per-call overhead dominates for short lists.
    for i, value in enumerate(json.loads("[" + ",".join(parts) + "]")):
        decoded[i] = value
    decoded[len(uniques)] = []  # NULL in the database: an empty list
    return decoded[codes]
