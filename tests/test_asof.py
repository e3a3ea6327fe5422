"""As-of: the answers at the end of a day equal tables computed by hand from a dated history."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from analysis.crosstab import crosstab, end_of_day, select_unit, state_as_of
from analysis.storage import ResponseStore
from analysis.storage.history import frame_as_of, revisions_frame
from tests.conftest import make_response
from tests.history_support import A, B, C, fill_history


def _status_by_distributor(frame: pd.DataFrame, unit: str = "distributor") -> dict[str, str]:
    rows = select_unit(frame, unit)  # type: ignore[arg-type]
    return dict(zip(rows["distributor"], rows["sigstore_status"], strict=True))


def test_end_of_day_is_next_midnight_utc() -> None:
    assert end_of_day(date(2026, 2, 28)) == datetime(2026, 3, 1, tzinfo=UTC)


# Hand-computed from tests/history_support.HISTORY: distributor -> counted Sigstore status.
EXPECTED: list[tuple[date, dict[str, str]]] = [
    (date(2025, 12, 31), {}),
    (date(2026, 1, 15), {"Debian": "evaluating"}),
    (date(2026, 1, 31), {"Debian GNU/Linux": "packaged"}),
    (date(2026, 2, 10), {"Debian GNU/Linux": "packaged", "Fedora": "not-started"}),
    (date(2026, 2, 15), {"Debian": "in-production", "Fedora": "not-started"}),
    (date(2026, 3, 4), {"Debian": "in-production", "Fedora": "not-started"}),
    (date(2026, 3, 5), {"Debian": "in-production", "Fedora": "evaluating"}),
]


@pytest.mark.parametrize(("day", "expected"), EXPECTED, ids=[str(d) for d, _ in EXPECTED])
def test_state_as_of_matches_hand_computed(store: ResponseStore, day: date, expected: dict[str, str]) -> None:
    fill_history(store)
    assert _status_by_distributor(frame_as_of(store, day)) == expected


def test_response_unit_as_of_keeps_each_response_revision(store: ResponseStore) -> None:
    fill_history(store)
    frame = frame_as_of(store, date(2026, 2, 10))
    assert dict(zip(frame["response_id"], frame["revision"], strict=True)) == {A: 1, B: 1, C: 1}
    assert sorted(_status_by_distributor(frame, "response").values()) == ["evaluating", "not-started", "packaged"]


def test_crosstab_as_of_equals_hand_table(store: ResponseStore) -> None:
    fill_history(store)
    table = crosstab(frame_as_of(store, date(2026, 2, 10)), "sigstore_status", "distributor_kind", margins=True)
    assert table.loc["packaged", "linux-distribution"] == 1
    assert table.loc["not-started", "linux-distribution"] == 1
    assert table.loc["in-production", "linux-distribution"] == 0
    assert table.loc["Total", "Total"] == 2


def test_as_of_none_and_far_future_equal_the_current_state(store: ResponseStore) -> None:
    fill_history(store)
    now = store.latest_frame()
    assert _status_by_distributor(frame_as_of(store, None)) == _status_by_distributor(now)
    assert _status_by_distributor(frame_as_of(store, date(2100, 1, 1))) == _status_by_distributor(now)


def test_revisions_frame_holds_every_revision(store: ResponseStore) -> None:
    fill_history(store)
    frame = revisions_frame(store)
    assert len(frame) == 5
    assert set(frame.loc[frame["response_id"] == C, "distributor_key"]) == {"debian"}


def test_state_as_of_on_an_empty_frame() -> None:
    empty = pd.DataFrame(columns=["response_id", "revision", "submitted_at", "distributor"])
    assert state_as_of(empty, date(2026, 1, 1)).empty


# -- the CLI's --as-of -----------------------------------------------------------------------------


def _cli_json(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    import json

    from analysis.cli import main

    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_cli_stats_as_of(store: ResponseStore, capsys: pytest.CaptureFixture[str]) -> None:
    fill_history(store)
    stats = _cli_json(capsys, "stats", "--format", "json", "--as-of", "2026-02-10")
    assert stats == {
        "responses": 3,
        "distributors": 2,
        "revisions": 3,
        "drafts_only": 0,
        "illustrative": 0,
        "last_update": "2026-02-01T08:00:00+00:00",
        "as_of": "2026-02-10",
    }


def test_cli_crosstab_as_of(store: ResponseStore, capsys: pytest.CaptureFixture[str]) -> None:
    fill_history(store)
    data = _cli_json(
        capsys, "crosstab", "sigstore_status", "distributor_kind", "--format", "json", "--as-of", "2026-02-15"
    )
    assert isinstance(data, dict)
    kind = data["columns"].index("linux-distribution")
    cells = {r["value"]: r["cells"][kind] for r in data["rows"]}
    assert cells == {"not-started": 1, "evaluating": 0, "packaged": 0, "verifying-in-ci": 0, "in-production": 1}


def test_cli_simulate_as_of(store: ResponseStore, capsys: pytest.CaptureFixture[str]) -> None:
    fill_history(store)
    argv = ("simulate", "--policy", "3.14.0b1", "--deterministic", "--format", "json")
    early = _cli_json(capsys, *argv, "--as-of", "2026-01-15")
    assert isinstance(early, dict)
    # Only Debian had answered: beta start meets 3.14.0b1 on 2025-05-07, ready 2026-06-01 -> 390 days.
    assert [(d["distributor"], d["ready_date"], d["exposed_days"]) for d in early["distributors"]] == [
        ("Debian", "2026-06-01", 390)
    ]
    now = _cli_json(capsys, *argv)
    assert isinstance(now, dict)
    assert now["summary"]["distributors"] == 2


def test_cli_export_as_of(store: ResponseStore, capsys: pytest.CaptureFixture[str]) -> None:
    fill_history(store)
    answers = _cli_json(capsys, "export", "--format", "json", "--out", "-", "--as-of", "2026-01-31")
    assert isinstance(answers, list)
    assert sorted((a["distributor"], a["sigstore_status"]) for a in answers) == [
        ("Debian", "evaluating"),
        ("Debian GNU/Linux", "packaged"),
    ]


def test_report_as_of_says_its_date(store: ResponseStore, capsys: pytest.CaptureFixture[str]) -> None:
    from analysis.cli import main

    fill_history(store)
    assert main(["export", "--format", "md", "--out", "-", "--draws", "50", "--as-of", "2026-02-10"]) == 0
    text = capsys.readouterr().out
    assert "As of the end of 2026-02-10 (UTC)." in text
    assert ": 2 distributors, 3 responses." in text
    assert "--as-of 2026-02-10" in text


def test_timeline_applies_the_same_rule_as_state_as_of_and_units() -> None:
    """Many dates at once (trend charts) give exactly the rows of state_as_of + the distributor unit."""
    import numpy as np

    from analysis.crosstab import unit_positions
    from analysis.crosstab.asof import RevisionTimeline

    rng = np.random.default_rng(7)
    n = 3000
    rid = rng.integers(0, 700, n)
    frame = pd.DataFrame(
        {
            "response_id": [f"{i:032x}" for i in rid],
            # Coarse days: many ties on submitted_at, broken by stored_at and then response order.
            "submitted_at": pd.Timestamp("2026-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 60, n), unit="D"),
            "stored_at": pd.Timestamp("2026-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 3, n), unit="h"),
            "distributor_key": [f"d{i % 90}" for i in rid],
            "distributor": [f"D{i % 90}" for i in rid],
        }
    )
    frame["revision"] = frame.groupby("response_id").cumcount() + 1
    timeline = RevisionTimeline(frame)
    for day in [date(2025, 12, 31), *(date(2026, 1, 1) + pd.Timedelta(days=d) for d in range(0, 62, 5))]:
        day = day.date() if isinstance(day, pd.Timestamp) else day
        state = state_as_of(frame, day)
        expected = state.iloc[unit_positions(state)][["response_id", "revision"]].values.tolist()
        got = frame.iloc[timeline.distributor_positions(day)][["response_id", "revision"]].values.tolist()
        assert sorted(map(tuple, got)) == sorted(map(tuple, expected)), day


@pytest.mark.parametrize(
    "day", [date(2026, 1, 9), date(2026, 1, 31), date(2026, 2, 20), date(2026, 3, 5), date(2027, 1, 1)]
)
def test_as_of_export_from_raw_rows_equals_the_models_export(store: ResponseStore, day: date) -> None:
    """The as-of JSON is built from raw rows (issue 14); the model's export is the reference."""
    from analysis.importer import export_json
    from analysis.storage.history import export_json_as_of, stored_as_of

    fill_history(store)
    store.import_responses([make_response(distributor="Late", contact="x@example.org", comments="a\nb")])
    for include_contacts in (True, False):
        reference = export_json([s.response for s in stored_as_of(store, day)], include_contacts=include_contacts)
        assert export_json_as_of(store, day, include_contacts=include_contacts) == reference


def test_as_of_report_counts_as_the_model_path_did(store: ResponseStore) -> None:
    """The lean as-of snapshot (models only for counted answers) counts what ``latest_per_distributor``
    of every stored answer counts, and prints the digest of the as-of JSON."""
    import hashlib

    from analysis.reports import ReportOptions, build_snapshot
    from analysis.reports.snapshot import latest_per_distributor
    from analysis.storage.history import export_json_as_of, stored_as_of

    fill_history(store)
    for day in (date(2026, 1, 31), date(2026, 2, 20), date(2026, 3, 6)):
        data = build_snapshot(store, ReportOptions(as_of=day, draws=100), answers_json=False)
        expected = latest_per_distributor(stored_as_of(store, day))
        assert [r.response_id for r in data.answers] == [s.response.response_id for s in expected]
        assert data.responses == len(stored_as_of(store, day))
        digest = hashlib.sha256(export_json_as_of(store, day, include_contacts=False).encode()).hexdigest()
        assert data.answers_sha256 == digest
