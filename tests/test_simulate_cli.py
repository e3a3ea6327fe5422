"""``python -m analysis simulate``: JSON keys, formats, exit codes, seed reproducibility."""

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
            make_response(
                distributor="Gentoo",
                prerelease_start="beta",
                ready_by={"likely": "2025-07-01"},
                worst_case=["ship-unverified"],
            ),
            make_response(
                distributor="Fedora", prerelease_start="alpha", prerelease_lag_days=7, ready_by={"likely": "2025-10-07"}
            ),
            make_response(distributor="pyenv", prerelease_start="alpha", ready_by={}),
            make_response(distributor="Heroku", prerelease_start="final", sigstore_status="in-production"),
        ]
    )
    return store


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(["simulate", *argv, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_deterministic_json_keys(seeded: ResponseStore, capsys: pytest.CaptureFixture[str]) -> None:
    out = run_json(capsys, "--policy", "3.14.0b1", "--deterministic")
    assert out["policy"] == "3.14.0b1" and out["policy_date"] == "2025-05-07"
    rows = {r["distributor"]: r for r in out["distributors"]}
    required = {"distributor", "fetch_start", "first_affected_date", "ready_date", "exposed_days", "severity"}
    assert all(required <= set(r) for r in rows.values())
    assert rows["Gentoo"]["exposed_days"] == 55 and rows["Gentoo"]["severity"] == "high"
    assert rows["Gentoo"]["first_affected_date"] == "2025-05-07" and rows["Gentoo"]["ready_date"] == "2025-07-01"
    assert rows["pyenv"]["ready_date"] is None and rows["pyenv"]["exposed_days"] is None
    assert rows["Heroku"]["exposed_days"] == 0 and rows["Heroku"]["status"] == "in production"
    assert "55 days exposed" in rows["Gentoo"]["explanation"]


def test_default_is_deterministic(seeded: ResponseStore, capsys: pytest.CaptureFixture[str]) -> None:
    out = run_json(capsys, "--policy", "3.14.0b1")
    assert "monte_carlo" not in out


def test_same_seed_same_numbers(seeded: ResponseStore, capsys: pytest.CaptureFixture[str]) -> None:
    a = run_json(capsys, "--policy", "3.14.0rc1", "--draws", "300", "--seed", "5")
    b = run_json(capsys, "--policy", "3.14.0rc1", "--draws", "300", "--seed", "5")
    c = run_json(capsys, "--policy", "3.14.0rc1", "--draws", "300", "--seed", "6")
    assert a == b
    assert a["monte_carlo"]["seed"] == 5 and a["monte_carlo"]["draws"] == 300
    assert a["monte_carlo"] != c["monte_carlo"]
    gentoo = next(r for r in a["distributors"] if r["distributor"] == "Gentoo")
    assert {"p_exposed", "p50_exposed_days", "p90_exposed_days"} <= set(gentoo)


def test_compare_lists_builtin_policies_and_recommends(
    seeded: ResponseStore, capsys: pytest.CaptureFixture[str]
) -> None:
    out = run_json(capsys, "--compare", "--draws", "200", "--threshold", "100")
    names = [p["policy"] for p in out["policies"]]
    assert names == ["3.14.0a1", "3.14.0b1", "3.14.0rc1", "3.14.0", "3.15.0a1", "3.15.0b1", "3.15.0"]
    assert out["recommendation"]["threshold"] == 100
    assert out["recommendation"]["sentence"]
    deterministic_only = run_json(capsys, "--compare")
    assert "recommendation" not in deterministic_only and len(deterministic_only["policies"]) == 7


@pytest.mark.parametrize("fmt", ["csv", "table"])
def test_other_formats(seeded: ResponseStore, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    assert main(["simulate", "--policy", "3.14.0b1", "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert "Gentoo" in out
    if fmt == "csv":
        assert out.splitlines()[0].startswith("distributor,fetch_start,first_affected_date,ready_date,exposed_days")
    else:
        assert "55 days exposed" in out


def test_unknown_policy_exits_2_with_a_clear_message(seeded: ResponseStore, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--policy", "3.14.9"]) == 2
    err = capsys.readouterr().err
    assert "'3.14.9' is not a release" in err and "3.14.0b1" in err


def test_bad_combinations_exit_2(seeded: ResponseStore, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--policy", "3.14.0b1", "--deterministic", "--draws", "10"]) == 2
    assert main(["simulate", "--policy", "3.14.0b1", "--draws", "1"]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["simulate"])  # neither --policy nor --compare
    assert exc.value.code == 2


def test_empty_store(store: ResponseStore, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--policy", "3.14.0b1", "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["distributors"] == []
    assert "No responses" in captured.err
