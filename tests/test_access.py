"""Reviewer access: the passphrase hash, the configuration reader, and the gate on review pages."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analysis.access import (
    PASSPHRASE_HASH_ENV,
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
    assert not reviewer_config({}, {}).configured
    assert not reviewer_config(None, {}).configured
    cfg = reviewer_config({"reviewers": {"passphrase_hash": "scrypt$1"}}, {})
    assert cfg.configured and cfg.passphrase_hash == "scrypt$1"
    cfg = reviewer_config({}, {PASSPHRASE_HASH_ENV: "scrypt$env"})
    assert cfg.passphrase_hash == "scrypt$env"
    cfg = reviewer_config({"reviewers": {"allowed_emails": ["A@Example.org "]}, "auth": {"redirect_uri": "x"}}, {})
    assert cfg.configured and cfg.oidc_available
    assert cfg.email_allowed("a@example.ORG") and not cfg.email_allowed("b@example.org") and not cfg.email_allowed("")


def test_config_tolerates_wrong_types() -> None:
    assert not reviewer_config({"reviewers": "oops"}, {}).configured
    assert not reviewer_config({"reviewers": {"allowed_emails": 3, "passphrase_hash": 5}}, {}).configured


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


@pytest.mark.parametrize("page", [*PAGES, "pages/simulator.py", "pages/reports.py"])
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


def test_repeated_wrong_passphrases_lock_the_client_out(seeded: ResponseStore, reviewers: None) -> None:
    from analysis.sign_in_throttle import MAX_FAILURES

    at = open_page("pages/overview.py")
    for _ in range(MAX_FAILURES):
        at.text_input[0].input("not the passphrase")
        at.button[0].click().run()
    at.text_input[0].input(REVIEW_PASSPHRASE)  # even the right one is refused while locked out
    at.button[0].click().run()
    assert any("Too many wrong passphrases" in e.value for e in at.error)
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


def test_malformed_secrets_do_not_crash(tmp_path: Path) -> None:
    import streamlit as st
    from streamlit import config

    import ui.auth
    import ui.store
    from ui.app_secrets import read_secrets

    bad = tmp_path / "secrets.toml"
    bad.write_text('[reviewers\npassphrase_hash = "scrypt$', encoding="utf-8")
    old = config.get_option("secrets.files")
    config.set_option("secrets.files", [str(bad)])
    st.secrets._reset()
    try:
        assert read_secrets() == {}
        assert not ui.auth.current_config().configured
        assert ui.store.configured_database_url() is None
    finally:
        config.set_option("secrets.files", old)
        st.secrets._reset()
