"""A frame read in batches is one state of the store, while another connection keeps writing.

The analysis frame is read ``raw_rows.FRAME_CHUNK`` rows at a time (one statement, its rows
fetched batch by batch). Answers submitted and edited by another store object (its own engine and
connections, as another app process has) between two batches must not show up half-way: the
frame is the store as it was when the read began, and the next read shows the writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pandas as pd
import pytest

from analysis.crosstab import ANALYSIS_COLUMNS
from analysis.storage import ResponseStore, open_store, raw_rows
from analysis.storage.history import frame_as_of
from bench.synthetic import generate_responses
from tests.conftest import make_response


def _writes_between_batches(monkeypatch: pytest.MonkeyPatch, write: Callable[[], None]) -> list[int]:
    """Make every batched read run ``write`` after its first batch; the batch sizes seen are returned."""
    original = raw_rows.stream_rows
    sizes: list[int] = []

    def stream_rows(engine: Any, stmt: Any, chunk: int) -> Iterator[tuple[list[str], Any]]:
        for i, (names, rows) in enumerate(original(engine, stmt, chunk)):
            sizes.append(len(rows))
            yield names, rows
            if i == 0:
                write()  # the read's statement is open, its first batch handed over

    monkeypatch.setattr(raw_rows, "stream_rows", stream_rows)
    return sizes


@pytest.mark.parametrize(
    "read",
    [
        pytest.param(lambda s: s.latest_frame(columns=ANALYSIS_COLUMNS), id="narrow latest table"),
        pytest.param(lambda s: s.latest_frame(), id="revisions joined to responses"),
        pytest.param(lambda s: frame_as_of(s, date.today()), id="as of today"),
    ],
)
def test_a_batched_read_sees_one_state_while_another_connection_writes(
    store: ResponseStore, monkeypatch: pytest.MonkeyPatch, read: Callable[[ResponseStore], pd.DataFrame]
) -> None:
    store.import_responses(generate_responses(200, 40, seed=21))
    editable = [store.submit(make_response(distributor=f"Editable {i}")) for i in range(5)]
    before = read(store)
    assert len(before) == 205

    other = open_store(store.engine.url.render_as_string(hide_password=False))
    written: list[str] = []

    def write() -> None:
        for i in range(20):
            written.append(other.submit(make_response(distributor=f"New during the read {i}")).response_id)
        for res in editable:  # a new latest revision for responses the read has or has not passed
            other.submit(
                make_response(distributor="Edited during the read", blockers=["other"], blockers_text="edited"),
                token=res.token,
            )

    try:
        with monkeypatch.context() as patched:
            patched.setattr(raw_rows, "FRAME_CHUNK", 7)
            sizes = _writes_between_batches(patched, write)
            during = read(store)
    finally:
        other.engine.dispose()
    assert len(written) == 20 and len(sizes) > 20  # the writes came after the first of many batches
    pd.testing.assert_frame_equal(during, before)  # not one new answer, not one edit

    after = read(store)
    assert len(after) == 225
    assert set(written) <= set(after["response_id"])
    edited = after[after["response_id"].isin([r.response_id for r in editable])]
    assert list(edited["distributor"]) == ["Edited during the read"] * 5
