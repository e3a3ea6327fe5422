"""The cross-tab engine against hand-computed tables and against a naive reference count."""

from __future__ import annotations

from collections import Counter
from datetime import date
from itertools import product

import pandas as pd
import pytest

from analysis.crosstab import (
    FIELDS,
    NO_ANSWER,
    TOTAL,
    Filters,
    UnknownFieldError,
    apply_filters,
    cell_members,
    crosstab,
    disagreements,
    duplicate_distributors,
    label_for_value,
    latest_per_distributor,
    select_unit,
    table_to_csv,
    themes_long,
    with_labels,
)
from analysis.storage import ResponseStore
from bench.synthetic import generate_responses
from tests.conftest import make_response


@pytest.fixture
def frame(store: ResponseStore) -> pd.DataFrame:
    """Four responses, three distributors ("RHEL" and "Red Hat Enterprise Linux" are one)."""
    store.import_responses(
        [
            make_response(
                distributor="RHEL",
                blockers=["tooling-support", "offline-verification"],
                worst_case=["delay-upgrades", "ship-unverified"],
                submitted_at="2026-01-01T00:00:00Z",
            ),
            make_response(
                distributor="Red Hat Enterprise Linux",
                sigstore_status="in-production",
                blockers=[],
                submitted_at="2026-02-01T00:00:00Z",
            ),
            make_response(distributor="Debian", blockers=["tooling-support"], submitted_at="2026-01-15T00:00:00Z"),
            make_response(
                distributor="Homebrew",
                distributor_kind="package-manager",
                sigstore_status="not-started",
                blockers=["maintainer-time"],
                ready_by={},
                python_versions=["3.14"],
                submitted_at="2026-03-01T00:00:00Z",
            ),
        ]
    )
    return store.latest_frame()


def cells(table: pd.DataFrame) -> dict[tuple[str, str], float]:
    """Non-zero cells as {(row, col): value} (easy to compare with a hand-written table)."""
    return {(r, c): v for (r, c), v in table.stack().items() if v}


def test_unit_distributor_keeps_latest_per_normalised_name(frame: pd.DataFrame) -> None:
    units = select_unit(frame, "distributor")
    assert sorted(units["distributor"]) == ["Debian", "Homebrew", "Red Hat Enterprise Linux"]
    assert list(latest_per_distributor(frame)["distributor"]) == ["Debian", "Homebrew", "Red Hat Enterprise Linux"]


def test_multi_select_explodes_per_distributor(frame: pd.DataFrame) -> None:
    table = crosstab(frame, "distributor_kind", "blockers")
    assert cells(table) == {
        ("linux-distribution", "tooling-support"): 1,  # Debian
        ("linux-distribution", NO_ANSWER): 1,  # RHEL's latest answer names no blocker
        ("package-manager", "maintainer-time"): 1,
    }
    # Enum order, every enum value kept, "(no answer)" last.
    assert list(table.columns) == [
        "offline-verification",
        "packaging-dependencies",
        "tooling-support",
        "policy-requires-pgp",
        "trust-model",
        "air-gapped-builders",
        "identity-management",
        "maintainer-time",
        "other",
        NO_ANSWER,
    ]
    assert list(table.index)[:2] == ["linux-distribution", "bsd"]


def test_unit_response_counts_every_response(frame: pd.DataFrame) -> None:
    table = crosstab(frame, "distributor_kind", "blockers", unit="response", margins=True, drop_empty=True)
    expected = pd.DataFrame(
        [[1, 2, 0, 1, 3], [0, 0, 1, 0, 1], [1, 2, 1, 1, 4]],
        index=pd.Index(["linux-distribution", "package-manager", TOTAL], name="distributor_kind"),
        columns=pd.Index(
            ["offline-verification", "tooling-support", "maintainer-time", NO_ANSWER, TOTAL], name="blockers"
        ),
    )
    pd.testing.assert_frame_equal(table, expected, check_dtype=False)


def test_margins_count_units_not_mentions(frame: pd.DataFrame) -> None:
    table = crosstab(frame, "distributor_kind", "blockers", margins=True, drop_empty=True)
    assert table.loc[TOTAL, TOTAL] == 3
    assert table.loc["linux-distribution", TOTAL] == 2
    assert table.loc[TOTAL, "tooling-support"] == 1


def test_row_percentages_of_units(frame: pd.DataFrame) -> None:
    table = crosstab(frame, "distributor_kind", "blockers", unit="response", normalize="row", margins=True)
    linux = table.loc["linux-distribution"]
    assert linux["offline-verification"] == pytest.approx(100 / 3)
    assert linux["tooling-support"] == pytest.approx(200 / 3)
    assert linux[NO_ANSWER] == pytest.approx(100 / 3)
    assert linux[TOTAL] == pytest.approx(100.0)
    # A multi-select row can exceed 100 %: a share of distributors, not of mentions.
    assert linux.drop(TOTAL).sum() == pytest.approx(400 / 3)
    assert table.loc[TOTAL, "tooling-support"] == pytest.approx(50.0)  # 2 of 4 responses


def test_column_and_total_percentages(frame: pd.DataFrame) -> None:
    col = crosstab(frame, "sigstore_status", "distributor_kind", unit="response", normalize="col", margins=True)
    assert col.loc["evaluating", "linux-distribution"] == pytest.approx(200 / 3)
    assert col.loc["in-production", "linux-distribution"] == pytest.approx(100 / 3)
    assert col.loc[TOTAL, "linux-distribution"] == pytest.approx(100.0)
    assert col.loc["evaluating", TOTAL] == pytest.approx(50.0)
    every = crosstab(frame, "sigstore_status", "distributor_kind", unit="response", normalize="all", margins=True)
    assert every.loc["evaluating", "linux-distribution"] == pytest.approx(50.0)
    assert every.loc["not-started", "package-manager"] == pytest.approx(25.0)
    assert every.loc[TOTAL, TOTAL] == pytest.approx(100.0)


def test_multi_by_multi(frame: pd.DataFrame) -> None:
    table = crosstab(frame, "blockers", "worst_case", unit="response")
    assert cells(table) == {
        ("offline-verification", "ship-unverified"): 1,
        ("offline-verification", "delay-upgrades"): 1,
        ("tooling-support", "ship-unverified"): 1,
        ("tooling-support", "delay-upgrades"): 2,
        ("maintainer-time", "delay-upgrades"): 1,
        (NO_ANSWER, "delay-upgrades"): 1,
    }


def test_distributor_field_and_derived_fields(frame: pd.DataFrame) -> None:
    table = crosstab(frame, "distributor", "ready_quarter", margins=True)
    assert list(table.index) == ["Debian", "Homebrew", "Red Hat Enterprise Linux", TOTAL]
    assert list(table.columns) == ["2025 Q2", NO_ANSWER, TOTAL]
    assert table.loc["Homebrew", NO_ANSWER] == 1
    by_response = crosstab(frame, "distributor", "sigstore_status", unit="response")
    assert by_response.loc["Red Hat Enterprise Linux"].sum() == 2
    lag = crosstab(frame, "lag_bucket", "has_evidence")
    assert lag.loc["same day", "no"] == 3
    versions = crosstab(frame, "python_versions", "distributor_kind")
    assert list(versions.index) == ["3.13", "3.14"]
    assert versions.loc["3.14", "package-manager"] == 1


def test_empty_frame(store: ResponseStore) -> None:
    table = crosstab(store.latest_frame(), "distributor_kind", "blockers", margins=True)
    assert table.loc[TOTAL, TOTAL] == 0
    assert crosstab(store.latest_frame(), "distributor", "ready_quarter").empty


def test_unknown_field() -> None:
    with pytest.raises(UnknownFieldError, match="known fields"):
        crosstab(pd.DataFrame(), "nope", "blockers")


def test_filters(frame: pd.DataFrame) -> None:
    assert len(apply_filters(frame, Filters(kinds=("package-manager",)))) == 1
    assert len(apply_filters(frame, Filters(versions=("3.13",)))) == 3
    assert len(apply_filters(frame, Filters(statuses=("evaluating",)))) == 2
    assert len(apply_filters(frame, Filters(date_from=date(2026, 1, 10), date_to=date(2026, 2, 1)))) == 2
    # Filter first, then the unit: RHEL's latest answer within January is the January one.
    january = apply_filters(frame, Filters(date_to=date(2026, 1, 31)))
    table = crosstab(january, "distributor", "sigstore_status")
    assert table.loc["RHEL", "evaluating"] == 1


def test_cell_members_click_through(frame: pd.DataFrame) -> None:
    members = cell_members(
        frame, "distributor_kind", "linux-distribution", "blockers", "tooling-support", unit="response"
    )
    assert list(members["distributor"]) == ["Debian", "RHEL"]
    assert list(cell_members(frame, "distributor_kind", TOTAL, "blockers", NO_ANSWER)["distributor"]) == [
        "Red Hat Enterprise Linux"
    ]
    assert cell_members(frame, "distributor_kind", "bsd", "blockers", TOTAL).empty


def test_duplicates_and_disagreements(frame: pd.DataFrame) -> None:
    dups = duplicate_distributors(frame)
    assert list(dups["distributor_key"]) == ["rhel"]
    row = dups.iloc[0]
    assert row["responses"] == 2
    assert row["names"] == ["RHEL", "Red Hat Enterprise Linux"]
    assert row["disagreements"] == ["sigstore_status", "blockers", "worst_case"]
    detail = disagreements(frame, "rhel")
    assert [v for _, v in detail["sigstore_status"]] == ["evaluating", "in-production"]  # oldest first


def test_duplicates_compare_lists_by_content_whether_or_not_cells_share_objects(frame: pd.DataFrame) -> None:
    """The store's frame shares one list per distinct answer; a frame built elsewhere does not."""
    copied = frame.copy()
    for col in ("python_versions", "blockers", "worst_case"):
        copied[col] = [list(v) for v in frame[col]]  # equal contents, no shared objects
    assert duplicate_distributors(copied).equals(duplicate_distributors(frame))
    rhel = copied.index[copied["distributor_key"] == "rhel"]
    same = copied.copy()
    same.loc[rhel[1:], ["sigstore_status"]] = same.loc[rhel[0], "sigstore_status"]
    same["blockers"] = [list(same.at[rhel[0], "blockers"]) if i in rhel else v for i, v in same["blockers"].items()]
    same["worst_case"] = [
        list(same.at[rhel[0], "worst_case"]) if i in rhel else v for i, v in same["worst_case"].items()
    ]
    (row,) = duplicate_distributors(same).itertuples()
    assert row.disagreements == [] and row.names == ["RHEL", "Red Hat Enterprise Linux"]


def test_labels(frame: pd.DataFrame) -> None:
    table = with_labels(crosstab(frame, "distributor_kind", "blockers", margins=True))
    assert table.index.name == "Kind of distributor"
    assert "Tooling support (e.g. uscan, RPM)" in table.columns
    assert "Linux distribution" in table.index and TOTAL in table.index
    assert label_for_value("has_evidence", "yes") == "Yes"
    assert label_for_value("themes", "offline", {"offline": "Offline verification"}) == "Offline verification"


def test_themes_are_a_field(store: ResponseStore, frame: pd.DataFrame) -> None:
    debian = frame.loc[frame["distributor"] == "Debian", "response_id"].item()
    store.upsert_theme("tooling", "Tooling")
    store.upsert_theme("time", "Maintainer time")
    store.set_tags(debian, "blockers_text", ["tooling", "time"])
    store.set_tags(debian, "comments", ["tooling"])
    tags = store.tags_frame()
    table = crosstab(frame, "themes", "distributor_kind", tags=tags)
    assert cells(table) == {
        ("time", "linux-distribution"): 1,
        ("tooling", "linux-distribution"): 1,  # counted once although tagged in two fields
        (NO_ANSWER, "linux-distribution"): 1,
        (NO_ANSWER, "package-manager"): 1,
    }
    only_comments = crosstab(frame, "themes_comments", "distributor_kind", tags=tags)
    assert "time" not in only_comments.index
    assert set(themes_long(frame, tags)["theme"]) == {"time", "tooling", NO_ANSWER}


def test_csv_first_column_is_row_field(frame: pd.DataFrame) -> None:
    text = table_to_csv(crosstab(frame, "sigstore_status", "distributor_kind", margins=True))
    lines = text.splitlines()
    assert lines[0].startswith("sigstore_status,linux-distribution,bsd,")
    assert lines[0].endswith(",Total")
    assert lines[1].startswith("not-started,")
    assert lines[-1].startswith("Total,")


def _naive(frame: pd.DataFrame, row: str, col: str) -> Counter[tuple[str, str]]:
    """The definition, one response at a time (slow, obviously right)."""

    def values(rec: pd.Series, field: str) -> list[str]:
        v = rec[field]
        if isinstance(v, list):
            return [str(x) for x in v] or [NO_ANSWER]
        return [str(v)] if v is not None and not pd.isna(v) and v != "" else [NO_ANSWER]

    counts: Counter[tuple[str, str]] = Counter()
    for _, rec in frame.iterrows():
        for pair in product(values(rec, row), values(rec, col)):
            counts[pair] += 1
    return counts


@pytest.mark.parametrize(
    ("row", "col"),
    [
        ("distributor_kind", "sigstore_status"),
        ("blockers", "worst_case"),
        ("python_versions", "blockers"),
        ("prerelease_start", "python_versions"),
        ("dual_signing_until", "verifies_pgp_today"),
    ],
)
@pytest.mark.parametrize("unit", ["distributor", "response"])
def test_matches_naive_count_on_synthetic_data(store: ResponseStore, row: str, col: str, unit: str) -> None:
    store.import_responses(generate_responses(300, 40, seed=7))
    frame = store.latest_frame()
    table = crosstab(frame, row, col, unit=unit)  # type: ignore[arg-type]
    expected = _naive(select_unit(frame, unit), row, col)  # type: ignore[arg-type]
    assert cells(table) == dict(expected)


def test_every_field_works(frame: pd.DataFrame) -> None:
    for field in FIELDS:
        table = crosstab(frame, field, "distributor_kind", margins=True)
        assert table.loc[TOTAL, TOTAL] == 3, field
