"""Passphrase guessing is capped by failure budgets in the store, shared by sessions and processes."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from analysis.access import client_address, hash_passphrase
from analysis.sign_in_throttle import CLIENT_RULE, CREDENTIAL_RULE, SignInThrottle, describe_wait
from analysis.storage import ResponseStore, make_engine
from tests.review_support import open_page, seed_store

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
CREDENTIAL = "scrypt$16$1$1$c2FsdA==$aGFzaA=="


def _claims(throttle: SignInThrottle, client: str | None, n: int, now: datetime) -> list[bool]:
    return [throttle.claim(client, now).allowed for _ in range(n)]


def test_a_client_gets_five_tries_then_waits_a_minute_doubling_to_an_hour(store: ResponseStore) -> None:
    throttle = SignInThrottle(store.engine, CREDENTIAL)
    assert _claims(throttle, "203.0.113.5", 6, T0) == [True] * 5 + [False]
    verdict = throttle.claim("203.0.113.5", T0 + timedelta(seconds=1))
    assert not verdict.allowed and verdict.reason == "client" and verdict.retry_after == 59
    assert throttle.claim("198.51.100.7", T0).allowed  # another client is not affected
    now, waits = T0 + timedelta(minutes=1), []
    for _ in range(8):
        assert throttle.claim("203.0.113.5", now).allowed
        refused = throttle.claim("203.0.113.5", now)
        waits.append(refused.retry_after)
        now += timedelta(seconds=refused.retry_after)
    assert waits == [120, 240, 480, 960, 1920, 3600, 3600, 3600]
    # Forgotten a day after the last failure.
    assert _claims(throttle, "203.0.113.5", 5, now + CLIENT_RULE.forget_after) == [True] * 5


def test_unknown_clients_share_only_the_short_capped_credential_budget(store: ResponseStore) -> None:
    """Behind an untrusted local proxy every client is unknown: a guesser slows everybody for at
    most a minute, never locks them out for longer."""
    throttle = SignInThrottle(store.engine, CREDENTIAL)
    assert _claims(throttle, None, 11, T0) == [True] * 10 + [False]
    now, waits = T0, []
    for _ in range(8):
        refused = throttle.claim(None, now)
        waits.append(refused.retry_after)
        assert refused.reason == "credential"
        now += timedelta(seconds=refused.retry_after)
        assert throttle.claim(None, now).allowed
    assert waits == [2, 4, 8, 16, 32, 60, 60, 60]
    assert max(waits) == CREDENTIAL_RULE.max_wait.total_seconds()


def test_many_addresses_are_slowed_by_the_credential_budget(store: ResponseStore) -> None:
    throttle = SignInThrottle(store.engine, CREDENTIAL)
    allowed = [throttle.claim(f"203.0.113.{i}", T0).allowed for i in range(1, 13)]
    assert allowed == [True] * 10 + [False, False]


def test_a_success_clears_the_budgets_and_another_credential_has_its_own(store: ResponseStore) -> None:
    throttle = SignInThrottle(store.engine, CREDENTIAL)
    assert _claims(throttle, "203.0.113.5", 5, T0) == [True] * 5
    throttle.succeeded("203.0.113.5")
    assert _claims(throttle, "203.0.113.5", 5, T0) == [True] * 5
    assert SignInThrottle(store.engine, CREDENTIAL + "rotated").claim("203.0.113.5", T0).allowed


def test_the_store_keeps_digests_not_addresses(store: ResponseStore) -> None:
    from sqlalchemy import text

    SignInThrottle(store.engine, CREDENTIAL).claim("203.0.113.5", T0)
    with store.engine.connect() as conn:
        keys = [row[0] for row in conn.execute(text("SELECT key FROM sign_in_budget"))]
    assert len(keys) == 2 and not any("203.0.113.5" in k or CREDENTIAL in k for k in keys)


def _claim_in_process(url: str, client: str | None, n: int) -> int:
    """Run in another OS process: how many of ``n`` claims at the same instant were allowed."""
    engine = make_engine(url)
    try:
        return sum(SignInThrottle(engine, CREDENTIAL).claim(client, T0).allowed for _ in range(n))
    finally:
        engine.dispose()


@pytest.mark.parametrize("client", [None, "203.0.113.5"])
def test_processes_sharing_the_store_share_the_budget(store: ResponseStore, client: str | None) -> None:
    url = store.engine.url.render_as_string(hide_password=False)
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        allowed = pool.starmap(_claim_in_process, [(url, client, 8)] * 4)
    expected = CREDENTIAL_RULE.free if client is None else CLIENT_RULE.free
    assert sum(allowed) == expected, allowed


def test_describe_wait() -> None:
    assert describe_wait(0.2) == "1 second"
    assert describe_wait(59) == "59 seconds"
    assert describe_wait(3600) == "60 minutes"


# -- which address a budget belongs to ---------------------------------------------------------


def _net(*nets: str) -> list[object]:
    import ipaddress

    return [ipaddress.ip_network(n) for n in nets]


def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy() -> None:
    assert client_address("198.51.100.7", ["203.0.113.5"], []) == "198.51.100.7"
    assert client_address("198.51.100.7", ["203.0.113.5"], _net("127.0.0.1/32")) == "198.51.100.7"  # type: ignore[arg-type]
    # An untrusted loopback peer is a local proxy: everyone behind it is unknown, not one client.
    assert client_address("127.0.0.1", ["203.0.113.5"], []) is None
    assert client_address(None, ["203.0.113.5"], []) is None


def test_forwarded_for_from_a_trusted_proxy_names_the_client() -> None:
    trusted = _net("127.0.0.1/32", "10.0.0.0/8")
    assert client_address("127.0.0.1", ["203.0.113.5"], trusted) == "203.0.113.5"  # type: ignore[arg-type]
    # The right-most untrusted hop: whatever the client put on the left is not believed.
    assert client_address("127.0.0.1", ["1.2.3.4, 203.0.113.5, 10.1.2.3"], trusted) == "203.0.113.5"  # type: ignore[arg-type]
    assert client_address("127.0.0.1", ["1.2.3.4", "203.0.113.5"], trusted) == "203.0.113.5"  # type: ignore[arg-type]
    assert client_address("127.0.0.1", [], trusted) is None  # type: ignore[arg-type]
    assert client_address("127.0.0.1", ["garbage"], trusted) is None  # type: ignore[arg-type]


# -- the sign-in form: AppTest sessions share the budget ----------------------------------------

PASS = "steering council review"


@pytest.fixture
def clock(store: ResponseStore, seed_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, datetime]:
    """A seeded store with a reviewer passphrase, and the throttle's clock (set ``["now"]``)."""
    import analysis.sign_in_throttle

    monkeypatch.setenv("SURVEY_REVIEWER_PASSPHRASE_HASH", hash_passphrase(PASS, n=2**4, r=1, p=1))
    clock = {"now": T0}
    monkeypatch.setattr(analysis.sign_in_throttle, "now_utc", lambda: clock["now"])
    seed_store(store, seed_path)
    return clock


def _try(at: object, passphrase: str) -> str:
    at.text_input[0].input(passphrase)  # type: ignore[attr-defined]
    at.button[0].click().run()  # type: ignore[attr-defined]
    return " ".join(e.value for e in at.error)  # type: ignore[attr-defined]


def test_new_sessions_do_not_get_new_guesses(clock: dict[str, datetime]) -> None:
    """4 fresh sessions x 3 guesses: only the budget's 10 are checked (AppTest has no client
    address, like every client behind an untrusted proxy), and the lockout holds for a new one."""
    outcomes = []
    for _session in range(4):
        at = open_page("pages/overview.py")
        outcomes += [_try(at, "not the passphrase") for _ in range(3)]
    assert sum("That passphrase is not right." in o for o in outcomes) == 10
    assert all("Too many wrong passphrases for the reviewers' sign-in just now" in o for o in outcomes[10:])
    at = open_page("pages/overview.py")
    assert "Too many wrong passphrases" in _try(at, PASS)  # even the right one waits
    assert not at.metric
    clock["now"] = T0 + timedelta(seconds=4)
    assert _try(at, PASS) == ""
    assert at.metric  # signed in, the overview shows its numbers
