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


def chunks_to_frame(
    batches: Iterable[tuple[list[str], Sequence[Any]]], *, json_columns: Iterable[str]
) -> pd.DataFrame | None:
    """:func:`rows_to_frame` of every batch's rows, holding only one batch of Python rows at a time.

    ``batches`` yields (column names, rows), as ``raw_rows.stream_rows`` does. Each batch becomes
    one Arrow array per column at once and its row tuples are freed: at 1,000,000 answers the rows
    (about twenty Python objects each) had been most of a report's 2.3 GB peak, held whole until
    the last column was built; Arrow keeps the same values in a fraction of that.

    The frame equals :func:`rows_to_frame`'s of all the rows. Where a batch could make it differ,
    it returns None and the caller reads the rows whole: a column Arrow cannot type (a stray value
    in a SQLite column, which the whole-list path hands to pandas), or one Arrow types differently
    from batch to batch (inferred from the whole list it could have been typed otherwise).
    """
    json_set = set(json_columns)
    names: list[str] = []
    pieces: list[list[pa.Array]] = []
    for names, rows in batches:
        if not rows:
            continue
        if not pieces:
            pieces = [[] for _ in names]
        columns_data = list(zip(*rows, strict=True))
        del rows
        for name, values, column in zip(names, columns_data, pieces, strict=True):
            try:
                column.append(pa.array(values, type=pa.string() if name in json_set else None))
            except (pa.ArrowException, OverflowError):
                return None
        del columns_data
    if not pieces:
        return rows_to_frame(names, [], json_columns=json_set)  # no rows: typed exactly as before
    try:
        ids = _joined(pieces[names.index("response_id")])
        if ids is None or not pa.types.is_string(ids.type):
            return None
        order = pc.sort_indices(ids)
        del ids
        data: dict[str, Any] = {}
        # A column at a time, its batches freed as soon as it is built: the peak is the frame
        # plus one column's intermediates, not every column's twice.
        for i, name in enumerate(names):
            array, pieces[i] = _joined(pieces[i]), []
            if array is None:
                return None
            if name in json_set:
                data[name] = _decode_texts(array, order)
            elif name in _INSTANTS or name in _DATES:
                data[name] = _when_from_array(array, order, utc=name in _INSTANTS)
            else:
                data[name] = _taken(array, order)
            del array
    except pa.ArrowException:  # e.g. a text column past Arrow's 2 GiB offsets once joined
        return None
    return finish_frame(pd.DataFrame(data, columns=names))


def _joined(chunks: list[pa.Array]) -> pa.Array | None:
    """One array of a column's batches; None when Arrow typed them differently.

    A batch of NULLs only is typed ``null`` by Arrow and takes the others' type, as a NULL in the
    whole list would. Two other types: only the whole list's inference can say what the column is.
    """
    types = {chunk.type for chunk in chunks if not pa.types.is_null(chunk.type)}
    if len(types) > 1:
        return None
    if types:
        (kind,) = types
        chunks = [pa.nulls(len(chunk), kind) if pa.types.is_null(chunk.type) else chunk for chunk in chunks]
    return chunks[0] if len(chunks) == 1 else pa.concat_arrays(chunks)


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
    return _when_from_array(array, order, utc=utc)


def _when_from_array(array: pa.Array, order: pa.Array, *, utc: bool) -> Any:
    """:func:`_when_column` of the values Arrow has already typed as ``array``."""
    if pa.types.is_string(array.type):
        try:
            parsed = pc.cast(array, pa.timestamp("us"))
            if utc:  # stored in UTC without an offset: label the values, do not shift them
                parsed = parsed.cast(pa.timestamp("us", tz="UTC"))
            return _taken(parsed, order)
        except (pa.ArrowException, OverflowError):
            pass
    # What _frame_column would make of the values, from the array already built (not twice).
    return _taken(array, order)


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
    return _taken(array, order)


def _taken(array: pa.Array, order: pa.Array) -> Any:
    """An Arrow column in ``order``, as pandas holds it: the array, not a Series, so the frame
    needs no index alignment."""
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
        return _decode_texts(texts, order)
    # Not all text (a driver that decodes JSON itself): factorise the Python values.
    values = np.asarray(column, dtype=object)
    if order is not None:
        values = values[order.to_numpy()]
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return _decoded(np.where(codes < 0, len(uniques), codes), uniques)


def _decode_texts(texts: pa.Array, order: pa.Array | None) -> np.ndarray:
    """:func:`_decode_json_lists` of a column Arrow holds as text."""
    if order is not None:
        texts = texts.take(order)
    encoded = texts.dictionary_encode()
    uniques = encoded.dictionary.to_pylist()
    return _decoded(encoded.indices.fill_null(len(uniques)).to_numpy(), uniques)


def _decoded(codes: np.ndarray, uniques: list[Any] | np.ndarray) -> np.ndarray:
    """Each code's distinct value parsed once (code ``len(uniques)``: NULL, an empty list)."""
    decoded = np.empty(len(uniques) + 1, dtype=object)
    parts = [value if isinstance(value, str) else json.dumps(list(value or [])) for value in uniques]
    # One parse of all distinct values at once: per-call overhead dominates for short lists.
    for i, value in enumerate(json.loads("[" + ",".join(parts) + "]")):
        decoded[i] = value
    decoded[len(uniques)] = []  # NULL in the database: an empty list
    return decoded[codes]
