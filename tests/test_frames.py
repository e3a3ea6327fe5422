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
