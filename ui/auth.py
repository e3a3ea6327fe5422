"""Reviewer sign-in for the review pages (dashboard, cross-tabs, distributors, coding, simulator, reports).

Call :func:`require_reviewer` at the top of every review page, before anything reads answers. The
survey and the verification page never call it and stay public.

* Reviewers configured (``[reviewers]`` in ``.streamlit/secrets.toml`` or
  ``$SURVEY_REVIEWER_PASSPHRASE_HASH``) and the session not signed in: a sign-in form, then
  ``st.stop()`` so the page renders no data.
* Nothing configured: the app runs open for local use and says so in a small note.

Two ways to sign in, either or both configured:

* a shared passphrase, stored as a salted scrypt hash (``python -m analysis hash-passphrase``);
* ``st.login`` with an OIDC provider (``[auth]`` section) and ``[reviewers] allowed_emails``.

Personal data (contacts) is gated by :func:`is_reviewer`, which is False when the app runs open:
an unconfigured app is assumed to be reachable by people who are not reviewers.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from typing import Any

import streamlit as st

from analysis.access import ReviewerConfig, reviewer_config, verify_passphrase
from analysis.sign_in_throttle import SignInThrottle
from ui.app_secrets import read_secrets

_SESSION_KEY = "_reviewer_passphrase_ok"
OPEN_NOTE = "Open for local use: no reviewers configured. Contacts are hidden."


def current_config() -> ReviewerConfig:
    return reviewer_config(read_secrets())


def _fingerprint(encoded: str) -> str:
    # Binds a passphrase sign-in to the hash in force: rotating the hash signs everybody out.
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def _user() -> dict[str, Any]:
    try:
        return dict(st.user.to_dict())
    except Exception:  # noqa: BLE001 (no auth configured / no script context: nobody signed in)
        return {}


def _oidc_email() -> str | None:
    user = _user()
    if not user.get("is_logged_in"):
        return None
    email = user.get("email")
    return str(email) if email else None


def _passphrase_ok(config: ReviewerConfig) -> bool:
    if not config.passphrase_hash:
        return False
    return st.session_state.get(_SESSION_KEY) == _fingerprint(config.passphrase_hash)


def is_reviewer() -> bool:
    """True only for a signed-in reviewer of a configured app (the gate for personal data)."""
    config = current_config()
    if not config.configured:
        return False
    if _passphrase_ok(config):
        return True
    return config.oidc_available and config.email_allowed(_oidc_email())


def current_reviewer() -> str:
    """Who is acting, for the ``tagged_by`` of reviewer tags: an e-mail, "passphrase" or "local"."""
    config = current_config()
    if not config.configured:
        return "local"
    email = _oidc_email()
    if email and config.email_allowed(email):
        return email
    return "passphrase" if _passphrase_ok(config) else ""


def reviewers_configured() -> bool:
    return current_config().configured


def require_reviewer() -> None:
    """Return when the session may see review pages; otherwise show sign-in and stop the script."""
    config = current_config()
    if not config.configured:
        st.caption(OPEN_NOTE)
        return
    if is_reviewer():
        _sign_out_control(config)
        return
    st.title("Reviewers only")
    st.write("This page shows survey answers to the Steering Council's reviewers. Please sign in.")
    if config.passphrase_hash:
        _passphrase_form(config)
    if config.allowed_emails:
        _oidc_sign_in(config)
    st.stop()


@st.cache_resource
def _throttle() -> SignInThrottle:
    """One throttle per app process, shared by all sessions."""
    return SignInThrottle()


def _client_key() -> str:
    """The client's address when Streamlit knows it, else this session (a new tab is a new one)."""
    try:
        address = st.context.ip_address
    except Exception:  # noqa: BLE001 (no request context, e.g. bare mode)
        address = None
    if isinstance(address, str) and address:
        return f"ip:{address}"
    return "session:" + str(st.session_state.setdefault("_sign_in_client", secrets.token_hex(8)))


def _passphrase_form(config: ReviewerConfig) -> None:
    throttle, client = _throttle(), _client_key()
    with st.form("reviewer_sign_in", clear_on_submit=True):
        passphrase = st.text_input("Reviewer passphrase", type="password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        return
    wait = throttle.retry_after(client)
    if wait:
        st.error(f"Too many wrong passphrases. Try again in {math.ceil(wait / 60)} minute(s).")
        return
    assert config.passphrase_hash is not None
    if verify_passphrase(passphrase, config.passphrase_hash):
        throttle.record_success(client)
        st.session_state[_SESSION_KEY] = _fingerprint(config.passphrase_hash)
        st.rerun()
    throttle.record_failure(client)
    st.error("That passphrase is not right.")


def _oidc_sign_in(config: ReviewerConfig) -> None:
    if not config.oidc_available:
        st.warning("Sign-in with an identity provider is configured without an `[auth]` section in secrets.toml.")
        return
    email = _oidc_email()
    if email is not None:
        st.error(f"{email} is not on the reviewers' list.")
        st.button("Sign out", on_click=st.logout)
        return
    st.button("Sign in with your identity provider", on_click=st.login)


def _sign_out_control(config: ReviewerConfig) -> None:
    with st.sidebar:
        if _passphrase_ok(config):
            if st.button("Sign out (reviewer)", key="reviewer_sign_out"):
                st.session_state.pop(_SESSION_KEY, None)
                st.rerun()
        else:
            st.caption(f"Signed in as {_oidc_email()}")
            st.button("Sign out", key="reviewer_sign_out", on_click=st.logout)
