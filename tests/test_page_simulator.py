"""AppTest of the simulator page: seed-like data, controls, what-if, empty store."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from analysis.storage import ResponseStore
from tests.conftest import APP_PATH, make_response

SEED_LIKE = [
    make_response(
        distributor="Gentoo",
        prerelease_start="alpha",
        sigstore_status="in-production",
        ready_by={"likely": "2024-10-16"},
        worst_case=["delay-upgrades"],
    ),
    make_response(
        distributor="Fedora",
        prerelease_start="alpha",
        prerelease_lag_days=7,
        sigstore_status="not-started",
        ready_by={"likely": "2025-10-07"},
        worst_case=["ship-unverified"],
    ),
    make_response(
        distributor="Debian",
        prerelease_start="beta",
        prerelease_lag_days=14,
        ready_by={"earliest": "2025-01-15", "likely": "2025-09-01", "latest": "2026-06-30"},
        worst_case=["delay-upgrades", "ship-unverified"],
    ),
    make_response(
        distributor="pyenv",
        prerelease_start="alpha",
        prerelease_lag_days=2,
        sigstore_status="not-started",
        ready_by={},
        worst_case=["no-impact"],
    ),
    make_response(
        distributor="Heroku",
        prerelease_start="final",
        sigstore_status="in-production",
        ready_by={"likely": "2025-10-06"},
    ),
]


def open_simulator() -> AppTest:
    at = AppTest.from_file(APP_PATH, default_timeout=60)
    at.run()
    at.switch_page("pages/simulator.py").run()
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_empty_store_explains_what_to_do(store: ResponseStore) -> None:
    at = open_simulator()
    assert any("No survey answers yet" in i.value for i in at.info)
    assert not at.dataframe


def test_page_with_answers(store: ResponseStore) -> None:
    store.import_responses(SEED_LIKE)
    at = open_simulator()
    assert at.title[0].value == "Discontinuation timeline simulator"
    assert at.selectbox(key="sim-policy").value == "3.14.0b1"
    assert metric(at, "Distributors exposed") == "2 of 5"
    assert metric(at, "Ready date unknown") == "1"
    table = at.dataframe[0].value
    assert list(table["Distributor"][:2]) == ["Fedora", "Debian"]  # exposed first, longest first
    assert "153 days exposed" in table["Why"][0]
    comparison = at.dataframe[1].value
    assert len(comparison) == 7
    recommendation = (at.success or at.warning)[0].value
    assert recommendation.startswith(("Stop PGP at", "No simulated policy"))


def test_controls_change_the_result(store: ResponseStore) -> None:
    store.import_responses(SEED_LIKE)
    at = open_simulator()
    at.selectbox(key="sim-policy").set_value("3.15.0b1").run()
    assert not at.exception
    assert metric(at, "Distributors exposed") == "0 of 5"
    at.selectbox(key="sim-policy").set_value("3.14.0b1")
    at.slider(key="sim-extra-lag").set_value(-7)
    at.number_input(key="sim-threshold").set_value(0.0).run()
    assert not at.exception
    assert at.warning and "No simulated policy" in at.warning[0].value


def test_what_if_leaves_the_stored_answer_alone(store: ResponseStore) -> None:
    store.import_responses(SEED_LIKE)
    before, generation = store.latest_frame(), store.generation()
    at = open_simulator()
    assert at.selectbox(key="sim-whatif-who").value == "Fedora"  # the most exposed comes first
    assert metric(at, "Exposed days (likely dates)") == "153 days"
    key = next(s.key for s in at.selectbox if s.label == "Sigstore status")
    at.selectbox(key=key).set_value("in-production").run()
    assert not at.exception
    assert metric(at, "Exposed days (likely dates)") == "0 days"
    assert any("already verifies Sigstore" in m.value for m in at.markdown)
    after = store.latest_frame()
    assert before[["distributor", "sigstore_status"]].equals(after[["distributor", "sigstore_status"]])
    assert store.generation() == generation  # nothing was written
