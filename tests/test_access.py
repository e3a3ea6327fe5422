"""Reviewer access: the passphrase hash, the configuration reader, and the gate on review pages."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analysis.access import (
    PASSPHRASE_HASH_ENV,
    TRUSTED_PROXIES_ENV,
    PassphraseError,
    hash_passphrase,
    reviewer_config,
    verify_passphrase,
)
from analysis.cli import main
from analysis.storage import ResponseStore
from tests.review_support import APP, CONTACT, PAGES, all_text, open_page, seed_store

PASSPHRASE = "correct horse battery staple"
REVIEW_PASSPHRASE = "steering council review"
# Cheap parameters keep the tests fast; the format and the code path are the same.
FAST = {"n": 2**4, "r": 1, "p": 1}


def test_hash_then_verify() -> None:
    encoded = hash_passphrase(PASSPHRASE, **FAST)
    assert encoded.startswith("scrypt$16$1$1$")
    assert verify_passphrase(PASSPHRASE, encoded)


def test_hash_is_salted() -> None:
    assert hash_passphrase(PASSPHRASE, **FAST) != hash_passphrase(PASSPHRASE, **FAST)


def test_wrong_passphrase_refused() -> None:
    encoded = hash_passphrase(PASSPHRASE, **FAST)
    assert not verify_passphrase("correct horse battery stapler", encoded)
    assert not verify_passphrase("", encoded)


@pytest.mark.parametrize(
    "encoded",
    ["", "scrypt", "bcrypt$16$1$1$AAAA$AAAA", "scrypt$16$1$1$!!!$AAAA", "scrypt$17$1$1$AAAA$AAAA", "scrypt$x$1$1$A$A"],
)
def test_malformed_hash_is_a_refusal_not_a_crash(encoded: str) -> None:
    assert not verify_passphrase(PASSPHRASE, encoded)


def test_absurd_cost_refused() -> None:
    assert not verify_passphrase(PASSPHRASE, "scrypt$4194304$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAA")


def test_short_passphrase_refused() -> None:
    with pytest.raises(PassphraseError):
        hash_passphrase("short")


def test_config_from_secrets_and_env() -> None:
    good = hash_passphrase(PASSPHRASE, **FAST)
    assert not reviewer_config({}, {}).configured
    assert not reviewer_config(None, {}).configured
    cfg = reviewer_config({"reviewers": {"passphrase_hash": good}}, {})
    assert cfg.configured and cfg.passphrase_hash == good and cfg.error is None
    cfg = reviewer_config({}, {PASSPHRASE_HASH_ENV: good})
    assert cfg.passphrase_hash == good
    cfg = reviewer_config({"reviewers": {"allowed_emails": ["A@Example.org "]}, "auth": {"redirect_uri": "x"}}, {})
    assert cfg.configured and cfg.oidc_available
    assert cfg.email_allowed("a@example.ORG") and not cfg.email_allowed("b@example.org") and not cfg.email_allowed("")
    cfg = reviewer_config(
        {"reviewers": {"passphrase_hash": good, "trusted_proxies": ["127.0.0.1", "10.0.0.0/8"], "session_hours": 2}},
        {},
    )
    assert [str(n) for n in cfg.trusted_proxies] == ["127.0.0.1/32", "10.0.0.0/8"] and cfg.session_hours == 2
    cfg = reviewer_config({"reviewers": {"passphrase_hash": good}}, {TRUSTED_PROXIES_ENV: "::1, 127.0.0.1"})
    assert [str(n) for n in cfg.trusted_proxies] == ["::1/128", "127.0.0.1/32"]


@pytest.mark.parametrize(
    ("reviewers", "message"),
    [
        ("oops", "[reviewers] must be a table"),
        ({"allowed_emails": 3}, "allowed_emails must be a list of strings"),
        ({"passphrase_hash": 5}, "passphrase_hash is not a hash"),
        ({"passphrase_hash": "scrypt$1"}, "passphrase_hash is not a hash"),
        ({}, "sets neither passphrase_hash nor allowed_emails"),
        ({"allowed_emails": ["a@b.org"], "trusted_proxies": ["proxy.local"]}, "'proxy.local' is not an IP address"),
        ({"allowed_emails": ["a@b.org"], "session_hours": 0}, "session_hours must be a number of hours"),
        ({"allowed_emails": ["a@b.org"], "session_hours": "soon"}, "session_hours must be a number of hours"),
    ],
)
def test_a_wrong_value_keeps_the_review_pages_closed(reviewers: object, message: str) -> None:
    """A hand-edited value of the wrong type is an error that keeps the pages closed, never "open"."""
    cfg = reviewer_config({"reviewers": reviewers}, {})
    assert cfg.configured and cfg.error is not None and message in cfg.error
    assert not cfg.email_allowed("a@b.org")


def test_cli_hash_passphrase(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSPHRASE + "\n"))
    assert main(["hash-passphrase"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("[reviewers]\n")
    encoded = out.split('"')[1]
    assert verify_passphrase(PASSPHRASE, encoded)


def test_cli_hash_passphrase_refuses_short(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("abc\n"))
    assert main(["hash-passphrase"]) == 2


# -- the gate on review pages (AppTest) -----------------------------------------------------------


@pytest.fixture
def seeded(store: ResponseStore, seed_path: Path) -> ResponseStore:
    return seed_store(store, seed_path)


@pytest.fixture
def reviewers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSPHRASE_HASH_ENV, hash_passphrase(REVIEW_PASSPHRASE, n=2**4, r=1, p=1))


@pytest.mark.parametrize("page", [*PAGES, "pages/simulator.py", "pages/reports.py", "pages/roster.py"])
def test_review_page_without_sign_in_shows_no_data(seeded: ResponseStore, reviewers: None, page: str) -> None:
    at = open_page(page)
    assert not at.exception
    text = all_text(at)
    assert "Reviewers only" in text
    assert not at.dataframe and not at.metric
    assert "Debian" not in text and "Red Hat" not in text


def test_wrong_passphrase_refused_on_page(seeded: ResponseStore, reviewers: None) -> None:
    at = open_page("pages/overview.py")
    at.text_input[0].input("not the passphrase")
    at.button[0].click().run()
    assert "That passphrase is not right." in [e.value for e in at.error]
    assert not at.metric


def test_sign_in_then_contacts_visible(seeded: ResponseStore, reviewers: None) -> None:
    at = open_page("pages/distributors.py")
    at.text_input[0].input(REVIEW_PASSPHRASE)
    at.button[0].click().run()
    assert not at.exception
    at.text_input(key="dist_query").input("rhel").run()
    text = all_text(at)
    assert CONTACT in text
    assert "Contacts are shown" in text


def test_public_pages_stay_public(reviewers: None) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "Reviewers only" not in all_text(at)


def test_oidc_allow_list_without_provider_stays_closed(seeded: ResponseStore) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["reviewers"] = {"allowed_emails": ["reviewer@example.org"]}
    at.run()
    at.switch_page("pages/overview.py").run()
    assert not at.exception
    text = all_text(at)
    assert "Reviewers only" in text and not at.metric
    assert any("[auth]" in str(w.value) for w in at.warning)


def test_passphrase_from_secrets(seeded: ResponseStore) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["reviewers"] = {"passphrase_hash": hash_passphrase(REVIEW_PASSPHRASE, n=2**4, r=1, p=1)}
    at.run()
    at.switch_page("pages/crosstab.py").run()
    assert "Reviewers only" in all_text(at)
    at.text_input[0].input(REVIEW_PASSPHRASE)
    at.button[0].click().run()
    assert not at.exception
    assert at.dataframe


AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-cookie-secret",
    "client_id": "id",
    "client_secret": "secret",
    "server_metadata_url": "https://idp.example.org/.well-known/openid-configuration",
}


def _oidc_app(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["reviewers"] = {"allowed_emails": ["Reviewer@Example.org"]}
    at.secrets["auth"] = AUTH
    at.run()
    at.switch_page(page).run()
    return at


def test_oidc_not_logged_in_offers_sign_in(seeded: ResponseStore) -> None:
    at = _oidc_app("pages/overview.py")
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in with your identity provider"]
    assert not at.metric


def test_oidc_allowed_email_sees_data_and_contacts(seeded: ResponseStore, monkeypatch: pytest.MonkeyPatch) -> None:
    import ui.auth
    import ui.store

    monkeypatch.setattr(ui.auth, "_user", lambda: {"is_logged_in": True, "email": "reviewer@example.org"})
    at = _oidc_app("pages/distributors.py")
    assert not at.exception
    at.text_input(key="dist_query").input("rhel").run()
    assert CONTACT in all_text(at)


def test_oidc_other_email_refused(seeded: ResponseStore, monkeypatch: pytest.MonkeyPatch) -> None:
    import ui.auth
    import ui.store

    monkeypatch.setattr(ui.auth, "_user", lambda: {"is_logged_in": True, "email": "mallory@example.org"})
    at = _oidc_app("pages/crosstab.py")
    assert not at.exception
    assert any("not on the reviewers' list" in str(e.value) for e in at.error)
    assert not at.dataframe
