"""DB-API rows to the analysis frame: the Arrow fast paths give exactly the pandas result."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from analysis.storage import frames

NAMES = ["response_id", "stored_at", "submitted_at", "ready_likely", "blockers"]


def _rows(stored: list[Any], submitted: list[Any], ready: list[Any]) -> list[tuple[Any, ...]]:
    return [(f"id{i:03d}", s, u, r, '["x"]') for i, (s, u, r) in enumerate(zip(stored, submitted, ready, strict=True))]


def _pandas_only(monkeypatch: pytest.MonkeyPatch, rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """The frame as the general path builds it (pandas parses the text in ``finish_frame``)."""
    with monkeypatch.context() as m:
        m.setattr(frames, "_when_column", lambda values, order, utc: frames._frame_column(values, order))
        return frames.rows_to_frame(NAMES, rows, json_columns=["blockers"])


@pytest.mark.parametrize(
    ("stored", "submitted", "ready"),
    [
        # what SQLite hands back: microseconds, a space, no offset
        (
            ["2026-12-02 18:16:03.000000", "2026-01-31 00:00:00.123456"],
            ["2026-12-02 18:16:03.000000", None],
            ["2025-08-10", None],
        ),
        # other spellings of ISO 8601 an older store or a hand edit may hold
        (
            ["2026-12-02T18:16:03", "2026-12-02 18:16"],
            ["2026-12-02 18:16:03.5", "2026-12-02"],
            ["2025-08-10", "2027-02-28"],
        ),
        # an offset: not what Arrow reads as naive, so pandas parses it (to the same UTC instant)
        (["2026-12-02 19:16:03+01:00", "2026-12-02 18:16:03"], ["2026-12-02T18:16:03Z", None], [None, None]),
        # nothing at all
        ([None, None], [None, None], [None, None]),
    ],
)
def test_arrow_parsed_dates_equal_the_pandas_parse(
    monkeypatch: pytest.MonkeyPatch, stored: list[Any], submitted: list[Any], ready: list[Any]
) -> None:
    rows = _rows(stored, submitted, ready)
    fast = frames.rows_to_frame(NAMES, list(reversed(rows)), json_columns=["blockers"])
    pd.testing.assert_frame_equal(fast, _pandas_only(monkeypatch, list(reversed(rows))))
    assert str(fast["stored_at"].dtype) == "datetime64[us, UTC]"
    assert str(fast["ready_likely"].dtype) == "datetime64[us]"
    assert list(fast["response_id"]) == sorted(r[0] for r in rows)  # sorted as before


def test_the_offset_is_honoured_not_dropped() -> None:
    rows = _rows(["2026-12-02 19:16:03+01:00"], [None], [None])
    frame = frames.rows_to_frame(NAMES, rows, json_columns=["blockers"])
    assert frame["stored_at"].iloc[0] == pd.Timestamp("2026-12-02 18:16:03", tz="UTC")


def test_text_that_is_no_date_is_refused_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _rows(["not a date"], [None], [None])
    with pytest.raises(ValueError):
        _pandas_only(monkeypatch, rows)
    with pytest.raises(ValueError):
        frames.rows_to_frame(NAMES, rows, json_columns=["blockers"])


# -- a batch at a time (``chunks_to_frame``): the frame of all the rows, one batch held at once ------

BATCH_NAMES = ["response_id", "stored_at", "ready_likely", "prerelease_lag_days", "note", "blockers"]


def _batch_rows() -> list[tuple[Any, ...]]:
    """Rows whose columns are NULL for whole batches, in no id order, with repeated JSON lists."""
    rows = []
    for i in range(11):
        rows.append(
            (
                f"id{(i * 7) % 11:03d}",
                f"2026-0{1 + i % 9}-1{i % 10} 10:00:00.00000{i % 10}",
                None if i < 4 else f"2027-0{1 + i % 9}-01",  # all NULL in the first batches
                i * 10,
                None if i >= 6 else f"text {i}",  # all NULL in the last batches
                '["x", "y"]' if i % 2 else None,
            )
        )
    return rows


def _batches(rows: list[tuple[Any, ...]], size: int) -> list[tuple[list[str], list[tuple[Any, ...]]]]:
    return [(BATCH_NAMES, rows[i : i + size]) for i in range(0, len(rows), size)] or [(BATCH_NAMES, [])]


@pytest.mark.parametrize("size", [1, 2, 3, 4, 11, 50])
def test_batches_give_the_frame_of_the_whole_list(size: int) -> None:
    rows = _batch_rows()
    whole = frames.rows_to_frame(BATCH_NAMES, rows, json_columns=["blockers"])
    batched = frames.chunks_to_frame(_batches(rows, size), json_columns=["blockers"])
    assert batched is not None
    pd.testing.assert_frame_equal(batched, whole)
    assert list(batched["response_id"]) == sorted(r[0] for r in rows)
    assert str(batched["ready_likely"].dtype) == "datetime64[us]" and batched["ready_likely"].isna().sum() == 4
    expected = {r[0]: (["x", "y"] if r[5] else []) for r in rows}
    assert dict(zip(batched["response_id"], batched["blockers"], strict=True)) == expected


def test_no_rows_in_batches_gives_the_empty_frame_of_the_whole_list() -> None:
    empty = frames.chunks_to_frame([(BATCH_NAMES, [])], json_columns=["blockers"])
    assert empty is not None
    pd.testing.assert_frame_equal(empty, frames.rows_to_frame(BATCH_NAMES, [], json_columns=["blockers"]))


def test_an_offset_in_a_later_batch_sends_the_whole_column_to_pandas_as_before() -> None:
    rows = [(f"id{i}", "2026-12-02 18:16:03", None, 1, None, None) for i in range(4)]
    rows[3] = ("id3", "2026-12-02 19:16:03+01:00", None, 1, None, None)
    batched = frames.chunks_to_frame(_batches(rows, 2), json_columns=["blockers"])
    assert batched is not None
    pd.testing.assert_frame_equal(batched, frames.rows_to_frame(BATCH_NAMES, rows, json_columns=["blockers"]))
    assert batched["stored_at"].iloc[3] == pd.Timestamp("2026-12-02 18:16:03", tz="UTC")


def _lag_rows(lags: list[object]) -> list[tuple[Any, ...]]:
    return [(f"id{i}", "2026-12-02 18:16:03", None, lag, None, None) for i, lag in enumerate(lags)]


@pytest.mark.parametrize("stray", ["soon", 2**70, b"\x00bytes"])
def test_a_batch_arrow_cannot_type_is_refused_so_the_whole_list_decides(stray: object) -> None:
    """Text among integers, an integer too large for int64, bytes: pandas' path, as before."""
    rows = _lag_rows([0, 1, 2, stray])
    assert frames.chunks_to_frame(_batches(rows, 2), json_columns=["blockers"]) is None


@pytest.mark.parametrize("other", ["soon", 2.5])
def test_batches_typed_differently_are_refused_so_the_whole_list_decides(other: object) -> None:
    """An int64 batch and a text (or float) batch: only the whole list's inference can say what
    the column is (for 2.5, Arrow makes the whole list float64), so the caller reads it whole."""
    rows = _lag_rows([0, 1, other, other])
    assert frames.chunks_to_frame(_batches(rows, 2), json_columns=["blockers"]) is None


def test_each_batch_is_freed_before_the_next_is_read() -> None:
    """Only one batch of Python rows is alive at a time (the point of reading in batches)."""
    import weakref

    class Rows(list):  # a list that can be watched
        pass

    rows = _batch_rows()
    alive: list[weakref.ref[Rows]] = []
    seen_alive: list[int] = []

    def batches() -> Any:
        for i in range(0, len(rows), 3):
            seen_alive.append(sum(ref() is not None for ref in alive))
            batch = Rows(rows[i : i + 3])
            alive.append(weakref.ref(batch))
            yield BATCH_NAMES, batch
            del batch

    frame = frames.chunks_to_frame(batches(), json_columns=["blockers"])
    assert frame is not None and len(frame) == len(rows)
    assert seen_alive == [0] * len(seen_alive)  # the previous batch was gone each time
