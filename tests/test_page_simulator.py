"""AppTest of the simulator page: seed-like data, controls, what-if, empty store."""

from __future__ import annotations

import json
from datetime import date

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
        verifies_pgp_today="no",
        sigstore_status="not-started",
        ready_by={},
        worst_case=["no-impact"],
    ),
    make_response(
        distributor="Slackware",
        prerelease_start="final",
        verifies_pgp_today="yes",
        sigstore_status="not-started",
        ready_by={},
        worst_case=[],
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
    assert metric(at, "Distributors exposed") == "2 of 6"
    # Slackware gave no ready date: unknown. pyenv does not verify PGP today: not unknown, listed apart.
    assert metric(at, "Exposure unknown") == "1"
    apart = next(w.value for w in at.warning if "Ship unverified today" in w.value)
    assert apart.startswith("**Ship unverified today (1).**") and "not counted as unknown" in apart
    assert "pyenv" in [t.value for t in at.text]  # the name, shown as text (people's words)
    table = at.dataframe[0].value
    assert list(table["Distributor"][:2]) == ["Fedora", "Debian"]  # exposed first, longest first
    assert "153 days exposed" in table["Why"][0]
    status = dict(zip(table["Distributor"], table["Status"], strict=True))
    assert status["pyenv"] == "unverified today" and status["Slackware"] == "unknown"
    severity = dict(zip(table["Distributor"], table["Severity"], strict=True))
    assert severity["Fedora"] == "high" and severity["pyenv"] == severity["Heroku"] == "—"  # only when exposed
    comparison = at.dataframe[1].value
    assert len(comparison) == 7
    assert "Ship unverified today" in list(comparison.columns)
    assert comparison["Ship unverified today"].tolist() == [1] * 7
    advice = [m.value for m in [*at.success, *at.warning]]
    assert any(text.startswith(("Stop PGP at", "No simulated policy")) for text in advice)
    # Both charts keep their own template (as the reports draw them), not Streamlit's theme.
    charts = at.get("plotly_chart")
    assert len(charts) == 2 and all(c.proto.theme == "" for c in charts)
    assert all(json.loads(c.proto.config)["displaylogo"] is False for c in charts)


def test_controls_change_the_result(store: ResponseStore) -> None:
    store.import_responses(SEED_LIKE)
    at = open_simulator()
    at.selectbox(key="sim-policy").set_value("3.15.0b1").run()
    assert not at.exception
    assert metric(at, "Distributors exposed") == "0 of 6"
    at.selectbox(key="sim-policy").set_value("3.14.0b1")
    at.slider(key="sim-extra-lag").set_value(-7)
    at.number_input(key="sim-threshold").set_value(0.0).run()
    assert not at.exception
    assert any("No simulated policy" in w.value for w in at.warning)


def test_what_if_leaves_the_stored_answer_alone(store: ResponseStore) -> None:
    store.import_responses(SEED_LIKE)
    before, generation = store.latest_frame(), store.generation()
    at = open_simulator()
    assert at.selectbox(key="sim-whatif-who").value == "Fedora"  # the most exposed comes first
    assert metric(at, "Exposed days (likely dates)") == "153 days"
    assert metric(at, "Severity") == "high"
    key = next(s.key for s in at.selectbox if s.label == "Sigstore status")
    at.selectbox(key=key).set_value("in-production").run()
    assert not at.exception
    assert metric(at, "Exposed days (likely dates)") == "0 days"
    # Not exposed any more: no severity level is claimed for it ("was high" says what changed).
    assert metric(at, "Severity") == "none (in production)"
    assert next(m for m in at.metric if m.label == "Severity").delta == "was high"
    assert any("already verifies Sigstore" in t.value for t in at.text)
    after = store.latest_frame()
    assert before[["distributor", "sigstore_status"]].equals(after[["distributor", "sigstore_status"]])
    assert store.generation() == generation  # nothing was written


def test_what_if_without_worst_case_is_not_medium_when_not_exposed(store: ResponseStore) -> None:
    """No worst case selected means the default level (medium) — but only an exposure has a severity."""
    store.import_responses(
        [make_response(distributor="Arch", prerelease_start="alpha", ready_by={"likely": "2024-11-01"}, worst_case=[])]
    )
    at = open_simulator()
    at.selectbox(key="sim-policy").set_value("3.15.0").run()
    assert metric(at, "Exposed days (likely dates)") == "0 days"
    assert metric(at, "Severity") == "none (not exposed)"
    key = next(d.key for d in at.date_input if d.label == "Ready: likely")
    at.date_input(key=key).set_value(date(2026, 12, 1)).run()
    # PGP stops at 3.15.0, released 2026-10-09 (the refreshed schedule): 53 days to 2026-12-01.
    assert metric(at, "Exposed days (likely dates)") == "53 days"
    assert metric(at, "Severity") == "medium"  # exposed now: the default level applies


def test_what_if_verifying_pgp_makes_a_distributor_exposed(store: ResponseStore) -> None:
    store.import_responses(SEED_LIKE)
    at = open_simulator()
    at.selectbox(key="sim-whatif-who").set_value("pyenv").run()
    pgp = next(s for s in at.selectbox if s.label == "Verifies PGP today")
    assert pgp.value == "no"
    assert metric(at, "Severity") == "none (unverified today)"
    # (the explanation may be Markdown or, for people's words, text: look at both)
    assert any("does not verify CPython's PGP signatures today" in m.value for m in [*at.markdown, *at.text])
    pgp.set_value("").run()  # "— not answered —": whether losing PGP hurts is unknown
    assert metric(at, "Exposed days (likely dates)") == "unknown"
    assert any("did not say whether it verifies PGP today" in m.value for m in [*at.markdown, *at.text])
