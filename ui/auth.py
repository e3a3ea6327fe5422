"""Reviewer sign-in for the review pages (dashboard, cross-tabs, distributors, coding, simulator, reports).

Call :func:`require_reviewer` at the top of every review page, before anything reads answers. The
survey and the verification page never call it and stay public.

* Reviewers configured (``[reviewers]`` in ``.streamlit/secrets.toml`` or
  ``$SURVEY_REVIEWER_PASSPHRASE_HASH``) and the session not signed in: a sign-in form, then
  ``st.stop()`` so the page renders no data.
* The configuration cannot be read (a malformed secrets file, a value of the wrong type): the
  page says which file and line and stops. It never reads as "nothing configured".
* Nothing configured: the app runs open for local use and says so in a small note.

Two ways to sign in, either or both configured:

* a shared passphrase, stored as a salted scrypt hash (``python -m analysis hash-passphrase``);
  guesses are limited by failure budgets in the store (:mod:`analysis.sign_in_throttle`), and a
  correct one issues a signed, expiring, revocable session (:mod:`analysis.reviewer_sessions`)
  kept in a cookie, so reloads, typed URLs and new tabs stay signed in until sign-out or expiry;
* ``st.login`` with an OIDC provider (``[auth]`` section) and ``[reviewers] allowed_emails``
  (Streamlit keeps that sign-in in its own cookie).

Personal data (contacts) is gated by :func:`is_reviewer`, which is False when the app runs open:
an unconfigured app is assumed to be reachable by people who are not reviewers.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import streamlit as st
from streamlit import config as st_config

from analysis import reviewer_sessions
from analysis.access import (
    ReviewerConfig,
    client_address,
    reviewer_config,
    server_trusted_proxies,
    unreadable_config,
    verify_passphrase,
)
from analysis.secrets_file import SecretsFileError
from analysis.sign_in_throttle import SignInThrottle, describe_wait
from ui.app_secrets import read_secrets
from ui.store import get_store

#: ``(fingerprint of the passphrase hash, id hash of the reviewer session)`` once signed in.
_SESSION_KEY = "_reviewer_session"
_COOKIE_TO_SET = "_reviewer_cookie_to_set"
_COOKIE_TO_CLEAR = "_reviewer_cookie_to_clear"
OPEN_NOTE = "Open for local use: no reviewers configured. Contacts are hidden."
UNREADABLE_TITLE = "Reviewer configuration could not be read"


def current_config() -> ReviewerConfig:
    try:
        return reviewer_config(read_secrets())
    except SecretsFileError as exc:
        return unreadable_config(str(exc))


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


def _cookie() -> str | None:
    try:
        value = st.context.cookies.get(reviewer_sessions.COOKIE_NAME)
    except Exception:  # noqa: BLE001 (no request context, e.g. AppTest or bare mode)
        return None
    return value if isinstance(value, str) else None


def _passphrase_ok(config: ReviewerConfig) -> bool:
    """Signed in with the passphrase: this session's reviewer session, or the browser's cookie.

    Checked against the store on every run, so a sign-out in another tab or replica (a revoked
    session) or an expiry takes effect at the next interaction, not at the next reload.
    """
    if config.error or not config.passphrase_hash:
        return False
    secret = config.passphrase_hash
    engine = get_store().engine
    held = st.session_state.get(_SESSION_KEY)
    if (
        isinstance(held, tuple)
        and held[0] == _fingerprint(secret)
        and reviewer_sessions.is_active(engine, secret, held[1])
    ):
        return True
    st.session_state.pop(_SESSION_KEY, None)
    cookie = _cookie()
    if cookie:
        id_hash = reviewer_sessions.verify(engine, secret, cookie)
        if id_hash:
            st.session_state[_SESSION_KEY] = (_fingerprint(secret), id_hash)
            return True
    return False


def is_reviewer() -> bool:
    """True only for a signed-in reviewer of a configured app (the gate for personal data)."""
    config = current_config()
    if not config.configured or config.error:
        return False
    if _passphrase_ok(config):
        return True
    return config.oidc_available and config.email_allowed(_oidc_email())


def current_reviewer() -> str:
    """Who is acting, for the ``tagged_by`` of reviewer tags: an e-mail, "passphrase" or "local"."""
    config = current_config()
    if not config.configured:
        return "local"
    if config.error:
        return ""
    email = _oidc_email()
    if email and config.email_allowed(email):
        return email
    return "passphrase" if _passphrase_ok(config) else ""


def reviewers_configured() -> bool:
    return current_config().configured


def require_reviewer() -> None:
    """Return when the session may see review pages; otherwise show sign-in and stop the script."""
    config = current_config()
    if config.error:
        st.title(UNREADABLE_TITLE)
        st.error(
            f"The reviewer configuration could not be read: `{config.error}`. "
            "The review pages stay closed until it is fixed; no survey data is shown."
        )
        st.stop()
    if not config.configured:
        st.caption(OPEN_NOTE)
        return
    if is_reviewer():
        _sign_out_control(config)
        return
    _clear_cookie_if_asked()
    st.title("Reviewers only")
    st.write("This page shows survey answers to the Steering Council's reviewers. Please sign in.")
    if config.passphrase_hash:
        _passphrase_form(config)
    if config.allowed_emails:
        _oidc_sign_in(config)
    st.stop()


def _peer_address() -> str | None:
    """The TCP peer of this session's connection, loopback included.

    ``st.context.ip_address`` hides loopback peers (``None``), which is exactly the reverse proxy
    we need to recognise, so this reads the connection's client context the same way Streamlit's
    own ``st.context`` does.
    """
    try:
        from streamlit.runtime.context import _get_client_context

        client_context = _get_client_context()
    except Exception:  # noqa: BLE001 (no runtime, e.g. AppTest: the client is unknown)
        return None
    remote = getattr(client_context, "remote_ip", None) if client_context is not None else None
    return remote if isinstance(remote, str) else None


def _client(config: ReviewerConfig) -> str | None:
    try:
        forwarded = st.context.headers.get_all("X-Forwarded-For")
    except Exception:  # noqa: BLE001 (no request context)
        forwarded = []
    return client_address(_peer_address(), forwarded, config.trusted_proxies, server_trusted_proxies())


def _passphrase_form(config: ReviewerConfig) -> None:
    with st.form("reviewer_sign_in", clear_on_submit=True):
        passphrase = st.text_input("Reviewer passphrase", type="password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        return
    assert config.passphrase_hash is not None
    engine = get_store().engine
    throttle, client = SignInThrottle(engine, config.passphrase_hash), _client(config)
    verdict = throttle.claim(client)
    if not verdict.allowed:
        who = "from your address" if verdict.reason == "client" else "for the reviewers' sign-in just now"
        st.error(f"Too many wrong passphrases {who}. Try again in {describe_wait(verdict.retry_after)}.")
        return
    if verify_passphrase(passphrase, config.passphrase_hash):
        throttle.succeeded(client)
        lifetime = timedelta(hours=config.session_hours)
        cookie = reviewer_sessions.issue(engine, config.passphrase_hash, lifetime)
        id_hash = reviewer_sessions.session_of(config.passphrase_hash, cookie)
        st.session_state[_SESSION_KEY] = (_fingerprint(config.passphrase_hash), id_hash)
        st.session_state[_COOKIE_TO_SET] = (cookie, int(lifetime.total_seconds()))
        st.rerun()
    st.error("That passphrase is not right.")


def _cookie_path() -> str:
    base = str(st_config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else "/"


def _write_cookie(value: str, max_age: int) -> None:
    """Hand the session value to the browser as a cookie (``SameSite=Strict``, ``Secure`` on HTTPS).

    Streamlit gives a script no way to send a ``Set-Cookie`` header, so a one-line script sets
    it; the value is base64url and digits only (checked by its shape), so it cannot break out of
    the string. It is never put in a URL.
    """
    st.html(
        "<script>document.cookie = "
        f"'{reviewer_sessions.COOKIE_NAME}={value}; Max-Age={max_age}; Path={_cookie_path()}; SameSite=Strict'"
        " + (location.protocol === 'https:' ? '; Secure' : '');</script>",
        unsafe_allow_javascript=True,
    )


def _clear_cookie_if_asked() -> None:
    if st.session_state.pop(_COOKIE_TO_CLEAR, False):
        _write_cookie("", 0)


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


def _sign_out(config: ReviewerConfig) -> None:
    held = st.session_state.pop(_SESSION_KEY, None)
    if isinstance(held, tuple):
        reviewer_sessions.revoke(get_store().engine, held[1])
    st.session_state[_COOKIE_TO_CLEAR] = True


def _sign_out_control(config: ReviewerConfig) -> None:
    with st.sidebar:
        pending = st.session_state.pop(_COOKIE_TO_SET, None)
        if pending and reviewer_sessions.session_of(config.passphrase_hash or "", pending[0]):
            _write_cookie(pending[0], pending[1])
        if _passphrase_ok(config):
            st.button("Sign out (reviewer)", key="reviewer_sign_out", on_click=_sign_out, args=(config,))
        else:
            st.caption(f"Signed in as {_oidc_email()}")
            st.button("Sign out", key="reviewer_sign_out", on_click=st.logout)
