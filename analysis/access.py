"""Reviewer access: passphrase hashing and the reading of reviewer configuration.

No Streamlit here, so the CLI (``python -m analysis hash-passphrase``) and the tests use the same
code as the app. The passphrase is stored as a salted scrypt hash (stdlib ``hashlib.scrypt``: a
memory-hard slow hash, so a leaked ``secrets.toml`` does not give the passphrase away cheaply and
no new dependency is needed). The encoded form is self-describing so the cost can be raised later
without invalidating existing hashes::

    scrypt$<n>$<r>$<p>$<salt, base64>$<hash, base64>

Configuration comes from ``[reviewers]`` in ``.streamlit/secrets.toml`` (``passphrase_hash`` and/or
``allowed_emails``) or from the environment variable ``SURVEY_REVIEWER_PASSPHRASE_HASH``, which wins
so deployments and tests can set it without a secrets file.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PASSPHRASE_HASH_ENV = "SURVEY_REVIEWER_PASSPHRASE_HASH"  # noqa: S105 (a variable name)
SCHEME = "scrypt"
#: scrypt cost: n=2**15, r=8 takes ~0.1 s and 32 MiB per attempt, which slows guessing while
#: keeping a sign-in instant for a person.
DEFAULT_N = 2**15
DEFAULT_R = 8
DEFAULT_P = 1
_KEY_LEN = 32
_SALT_LEN = 16
#: Refuse absurd parameters from a tampered secrets file instead of exhausting memory.
_MAX_N = 2**20
_MIN_PASSPHRASE = 8


class PassphraseError(ValueError):
    """The passphrase offered for hashing is unusable (e.g. too short)."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    maxmem = 128 * r * (n + p + 2) + 1024 * 1024
    return hashlib.scrypt(passphrase.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=_KEY_LEN, maxmem=maxmem)


def hash_passphrase(
    passphrase: str, *, n: int = DEFAULT_N, r: int = DEFAULT_R, p: int = DEFAULT_P, salt: bytes | None = None
) -> str:
    """Encode ``passphrase`` as ``scrypt$n$r$p$salt$hash`` with a fresh random salt.

    A short passphrase is refused: the hash protects nothing if the passphrase can be guessed.
    """
    if len(passphrase) < _MIN_PASSPHRASE:
        raise PassphraseError(f"Use a passphrase of at least {_MIN_PASSPHRASE} characters.")
    salt = salt if salt is not None else secrets.token_bytes(_SALT_LEN)
    digest = _scrypt(passphrase, salt, n, r, p)
    return f"{SCHEME}${n}${r}${p}${_b64(salt)}${_b64(digest)}"


def verify_passphrase(passphrase: str, encoded: str) -> bool:
    """True only when ``passphrase`` matches ``encoded``. Never raises: a malformed hash is a refusal.

    The comparison is constant-time (``hmac.compare_digest``) so timing says nothing about how much
    of the hash matched.
    """
    if not passphrase or not encoded:
        return False
    parts = encoded.strip().split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        return False
    try:
        n, r, p = (int(x) for x in parts[1:4])
        salt = base64.b64decode(parts[4], validate=True)
        expected = base64.b64decode(parts[5], validate=True)
    except (ValueError, binascii.Error):
        return False
    if not (2 <= n <= _MAX_N and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16 and salt and expected):
        return False
    try:
        actual = _scrypt(passphrase, salt, n, r, p)
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(actual, expected)


@dataclass(frozen=True)
class ReviewerConfig:
    """Who may see the review pages. Empty means the app runs open (local use)."""

    passphrase_hash: str | None = None
    allowed_emails: tuple[str, ...] = ()
    #: ``[auth]`` exists in secrets.toml, so ``st.login`` can be offered.
    oidc_available: bool = False

    @property
    def configured(self) -> bool:
        """Reviewers are configured when a passphrase hash or an e-mail allow-list is set.

        An allow-list without an ``[auth]`` section still counts as configured: the review pages
        then stay closed (fail safe) and say that the identity provider is missing.
        """
        return bool(self.passphrase_hash) or bool(self.allowed_emails)

    def email_allowed(self, email: str | None) -> bool:
        """Case-insensitive match against the allow-list; an empty e-mail never matches."""
        if not email:
            return False
        wanted = email.strip().casefold()
        return any(hmac.compare_digest(wanted, allowed) for allowed in self.allowed_emails)


def reviewer_config(secrets_map: Mapping[str, Any] | None, environ: Mapping[str, str] | None = None) -> ReviewerConfig:
    """Build the configuration from a secrets mapping (``st.secrets`` or a dict) and the environment.

    Tolerant of everything a hand-edited TOML file can contain: a wrong type is ignored rather than
    crashing the app.
    """
    environ = os.environ if environ is None else environ
    section: Mapping[str, Any] = {}
    oidc = False
    if secrets_map:
        raw = _get(secrets_map, "reviewers")
        section = raw if isinstance(raw, Mapping) else {}
        oidc = isinstance(_get(secrets_map, "auth"), Mapping)
    phash = environ.get(PASSPHRASE_HASH_ENV) or section.get("passphrase_hash")
    emails_raw = section.get("allowed_emails") or ()
    if isinstance(emails_raw, str):
        emails_raw = [emails_raw]
    emails: tuple[str, ...] = ()
    if isinstance(emails_raw, list | tuple):
        emails = tuple(sorted({str(e).strip().casefold() for e in emails_raw if str(e).strip()}))
    return ReviewerConfig(
        passphrase_hash=str(phash).strip() if isinstance(phash, str) and phash.strip() else None,
        allowed_emails=emails,
        oidc_available=oidc,
    )


def _get(mapping: Mapping[str, Any], key: str) -> Any:
    try:
        return mapping.get(key)
    except Exception:  # noqa: BLE001 (st.secrets raises on a malformed file; treat as absent)
        return None
