"""``python -m analysis crosstab``: same table as the engine, stable CSV layout, usage errors."""

from __future__ import annotations

import json

import pytest

from analysis.cli import main
from analysis.storage import ResponseStore
from tests.conftest import make_response


@pytest.fixture
def seeded(store: ResponseStore) -> ResponseStore:
    store.import_responses(
        [
            make_response(distributor="RHEL", blockers=["offline-verification"], submitted_at="2026-01-01T00:00:00Z"),
            make_response(distributor="Red Hat Enterprise Linux", blockers=[], submitted_at="2026-02-01T00:00:00Z"),
            make_response(distributor="Homebrew", distributor_kind="package-manager", sigstore_status="not-started"),
        ]
    )
    return store


def test_csv_layout(seeded: ResponseStore, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["crosstab", "sigstore_status", "distributor_kind", "--format", "csv", "--margins"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "sigstore_status,linux-distribution,bsd,package-manager,container-image,version-manager,"
        "cloud-platform,enterprise-internal,other,Total"
    )
    assert [line.split(",")[0] for line in lines[1:]] == [
        "not-started",
        "evaluating",
        "packaged",
        "verifying-in-ci",
        "in-production",
        "Total",
    ]
    assert lines[1] == "not-started,0,0,1,0,0,0,0,0,1"
    assert lines[2] == "evaluating,1,0,0,0,0,0,0,0,1"  # RHEL counted once (its latest answer)
    assert lines[-1] == "Total,1,0,1,0,0,0,0,0,2"


def test_unit_response_and_percentages(seeded: ResponseStore, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["crosstab", "distributor_kind", "blockers", "--unit", "response", "--normalize", "row", "--format", "json"]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["row"] == "distributor_kind" and data["col"] == "blockers" and data["unit"] == "response"
    linux = next(r for r in data["rows"] if r["value"] == "linux-distribution")
    cells = dict(zip(data["columns"], linux["cells"], strict=True))
    assert cells["offline-verification"] == 50.0
    assert cells["(no answer)"] == 50.0


def test_table_and_labels(seeded: ResponseStore, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["crosstab", "distributor", "sigstore_status", "--labels"]) == 0
    out = capsys.readouterr().out
    assert "Red Hat Enterprise Linux" in out and "Not started" in out
    assert "counting distributors" in out


def test_unknown_field_exits_2_with_field_list(seeded: ResponseStore, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["crosstab", "kind", "blockers"]) == 2
    err = capsys.readouterr().err
    assert "unknown field 'kind'" in err
    assert "distributor_kind" in err and "themes" in err


def test_bad_option_exits_2(seeded: ResponseStore) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["crosstab", "blockers", "worst_case", "--normalize", "rows"])
    assert exc.value.code == 2


def test_empty_store(store: ResponseStore, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["crosstab", "prerelease_start", "sigstore_status", "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("prerelease_start,not-started,")
