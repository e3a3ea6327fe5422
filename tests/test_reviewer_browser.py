"""A reviewer stays signed in across reloads, typed URLs and new tabs until sign-out or expiry.

A real ``streamlit run`` and headless Chromium, on SQLite and on PostgreSQL (the app server uses
the test's store). Screenshots land in test-results/screenshots/.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from analysis import reviewer_sessions as rs
from analysis.access import hash_passphrase
from analysis.storage import ResponseStore
from tests.conftest import running_app
from tests.review_support import seed_store

pytestmark = pytest.mark.browser

PASS = "steering council review"
HASH = hash_passphrase(PASS, n=2**4, r=1, p=1)
WAIT = 60_000


@pytest.fixture
def reviewer_app(store: ResponseStore, seed_path: Path, tmp_path: Path) -> Iterator[tuple[str, ResponseStore]]:
    seed_store(store, seed_path)
    env = {}
    if store.engine.dialect.name == "postgresql":
        env["DATABASE_URL"] = store.engine.url.render_as_string(hide_password=False)
    else:
        env["DATABASE_URL"] = str(store.engine.url)
    secrets = f'[reviewers]\npassphrase_hash = "{HASH}"\nsession_hours = 2\n'
    with running_app(tmp_path, seed=False, secrets=secrets, env=env) as base:
        yield base, store


def _signed_in(page: Page, title: str) -> None:
    expect(page.get_by_role("heading", name=title)).to_be_visible(timeout=WAIT)
    expect(page.get_by_role("button", name="Sign out (reviewer)")).to_be_visible(timeout=WAIT)
    expect(page.get_by_role("heading", name="Reviewers only")).to_have_count(0)


def _sign_in_shown(page: Page) -> None:
    expect(page.get_by_role("heading", name="Reviewers only")).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("Survey overview")).to_have_count(0)


def _cookie(context: BrowserContext) -> dict[str, object] | None:
    return next((c for c in context.cookies() if c["name"] == rs.COOKIE_NAME), None)  # type: ignore[misc]


def _with_cookie(browser: Browser, base: str, value: str) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_cookies([{"name": rs.COOKIE_NAME, "value": value, "url": base}])
    page = context.new_page()
    page.goto(f"{base}/overview")
    return context, page


def test_reviewer_stays_signed_in_until_sign_out(
    browser: Browser, reviewer_app: tuple[str, ResponseStore], screenshot_dir: Path
) -> None:
    base, _store = reviewer_app
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{base}/overview")
    _sign_in_shown(page)
    page.get_by_label("Reviewer passphrase").fill(PASS)
    page.get_by_role("button", name="Sign in").click()
    _signed_in(page, "Survey overview")
    page.wait_for_function(f"document.cookie.includes('{rs.COOKIE_NAME}=v1.')", timeout=WAIT)
    cookie = _cookie(context)
    assert cookie is not None and cookie["sameSite"] == "Strict"
    assert 0 < float(cookie["expires"]) - datetime.now(UTC).timestamp() <= 2 * 3600 + 60  # type: ignore[arg-type]
    assert PASS not in str(cookie["value"]) and "token" not in page.url and "v1." not in page.url
    page.screenshot(path=str(screenshot_dir / "reviewer_signed_in.png"))

    page.reload()
    _signed_in(page, "Survey overview")
    page.goto(f"{base}/crosstab")  # a typed URL is a new session too
    _signed_in(page, "Cross-tab explorer")
    tab = context.new_page()
    tab.goto(f"{base}/distributors")
    _signed_in(tab, "Distributors")

    kept = str(cookie["value"])
    page.get_by_role("button", name="Sign out (reviewer)").click()
    _sign_in_shown(page)
    page.wait_for_function(f"!document.cookie.includes('{rs.COOKIE_NAME}=v1.')", timeout=WAIT)
    page.reload()
    _sign_in_shown(page)
    page.screenshot(path=str(screenshot_dir / "reviewer_signed_out.png"))
    # A browser that kept the cookie is refused too: the session is revoked in the store.
    other, replay = _with_cookie(browser, base, kept)
    _sign_in_shown(replay)
    other.close()
    context.close()


def test_expired_or_tampered_credentials_are_refused(browser: Browser, reviewer_app: tuple[str, ResponseStore]) -> None:
    base, store = reviewer_app
    fresh = rs.issue(store.engine, HASH, timedelta(hours=1))
    expired = rs.issue(store.engine, HASH, timedelta(hours=1), now=datetime.now(UTC) - timedelta(hours=2))
    version, sid, expiry, mac = fresh.split(".")
    stretched = f"{version}.{sid}.{int(expiry) + 30 * 86_400}.{mac}"
    forged = rs.issue(store.engine, "another secret", timedelta(hours=1))  # signed with the wrong key
    context, page = _with_cookie(browser, base, fresh)  # the control: a good one is accepted
    _signed_in(page, "Survey overview")
    context.close()
    for value in (expired, stretched, forged, fresh[:-2] + "AA"):
        context, page = _with_cookie(browser, base, value)
        _sign_in_shown(page)
        context.close()


def _failures(db: Path) -> dict[str, int]:
    """Failures per budget kind in the app's store: {"cred": n, "client:<digest>": n, ...}."""
    import sqlite3

    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT key, failures FROM sign_in_budget").fetchall()
    return {("cred" if k.startswith("cred:") else "client:" + k.rsplit(":", 1)[1]): int(n) for k, n in rows}


def _wrong_attempt(page: Page, db: Path, expected_total: int) -> None:
    page.get_by_label("Reviewer passphrase").fill("not the passphrase")
    page.get_by_role("button", name="Sign in").click()
    # Wait until the store counted it (each attempt is claimed before the passphrase is checked).
    deadline = time.monotonic() + 60
    while _failures(db).get("cred", 0) < expected_total:
        assert time.monotonic() < deadline, _failures(db)
        time.sleep(0.2)


@pytest.mark.parametrize("trusted", [True, False], ids=["trusted-proxy", "untrusted-peer"])
def test_forwarded_for_is_believed_only_from_a_trusted_proxy(browser: Browser, tmp_path: Path, trusted: bool) -> None:
    """Behind a trusted proxy each forwarded address has its own budget; otherwise the header is
    ignored and a loopback peer is an unknown client (only the short credential budget)."""
    proxies = '["127.0.0.1"]' if trusted else '["10.9.9.9"]'
    secrets = f'[reviewers]\npassphrase_hash = "{HASH}"\ntrusted_proxies = {proxies}\n'
    db = tmp_path / "survey.sqlite3"
    with running_app(tmp_path, seed=False, secrets=secrets) as base:
        contexts = {
            ip: browser.new_context(extra_http_headers={"X-Forwarded-For": f"192.0.2.1, {ip}"})
            for ip in ("203.0.113.5", "198.51.100.7")
        }
        attacker = contexts["203.0.113.5"].new_page()
        attacker.goto(f"{base}/overview")
        _sign_in_shown(attacker)
        for i in range(5):
            _wrong_attempt(attacker, db, i + 1)
        clients = {k: v for k, v in _failures(db).items() if k != "cred"}
        assert list(clients.values()) == ([5] if trusted else [])
        attacker.get_by_label("Reviewer passphrase").fill(PASS)
        attacker.get_by_role("button", name="Sign in").click()
        if trusted:
            expect(attacker.get_by_text("Too many wrong passphrases from your address")).to_be_visible(timeout=WAIT)
            _sign_in_shown(attacker)
            other = contexts["198.51.100.7"].new_page()  # another address behind the proxy is not locked out
            other.goto(f"{base}/overview")
            other.get_by_label("Reviewer passphrase").fill(PASS)
            other.get_by_role("button", name="Sign in").click()
            _signed_in(other, "Survey overview")
        else:
            _signed_in(attacker, "Survey overview")
        for context in contexts.values():
            context.close()
