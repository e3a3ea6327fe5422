"""Reviewer access: passphrase hashing and the reading of reviewer configuration.

No Streamlit here, so the CLI (``python -m analysis hash-passphrase``) and the tests use the same
code as the app. The passphrase is stored as a salted scrypt hash (stdlib ``hashlib.scrypt``: a
memory-hard slow hash, so a leaked ``secrets.toml`` does not give the passphrase away cheaply and
no new dependency is needed). The encoded form is self-describing so the cost can be raised later
without invalidating existing hashes::

    scrypt$<n>$<r>$<p>$<salt, base64>$<hash, base64>

Configuration comes from ``[reviewers]`` in ``.streamlit/secrets.toml`` (``passphrase_hash`` and/or
``allowed_emails``, ``trusted_proxies``, ``session_hours``) or from the environment variables
``SURVEY_REVIEWER_PASSPHRASE_HASH``, ``SURVEY_TRUSTED_PROXIES`` and ``SURVEY_REVIEWER_SESSION_HOURS``,
which win so deployments and tests can set them without a secrets file.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import os
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

PASSPHRASE_HASH_ENV = "SURVEY_REVIEWER_PASSPHRASE_HASH"  # noqa: S105 (a variable name)
TRUSTED_PROXIES_ENV = "SURVEY_TRUSTED_PROXIES"
SESSION_HOURS_ENV = "SURVEY_REVIEWER_SESSION_HOURS"
#: uvicorn's own list of proxies whose X-Forwarded-For it believes (Streamlit serves through it).
SERVER_TRUSTED_ENV = "FORWARDED_ALLOW_IPS"
#: A passphrase sign-in lasts a working day by default, a month at most.
DEFAULT_SESSION_HOURS = 12.0
MAX_SESSION_HOURS = 24.0 * 30
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


def _parse_hash(encoded: str) -> tuple[int, int, int, bytes, bytes] | None:
    """``(n, r, p, salt, hash)`` of a well-formed encoded hash with sane costs, else ``None``."""
    parts = encoded.strip().split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        return None
    try:
        n, r, p = (int(x) for x in parts[1:4])
        salt = base64.b64decode(parts[4], validate=True)
        expected = base64.b64decode(parts[5], validate=True)
    except (ValueError, binascii.Error):
        return None
    if not (2 <= n <= _MAX_N and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16 and salt and expected):
        return None
    return n, r, p, salt, expected


def verify_passphrase(passphrase: str, encoded: str) -> bool:
    """True only when ``passphrase`` matches ``encoded``. Never raises: a malformed hash is a refusal.

    The comparison is constant-time (``hmac.compare_digest``) so timing says nothing about how much
    of the hash matched.
    """
    if not passphrase or not encoded:
        return False
    parsed = _parse_hash(encoded)
    if parsed is None:
        return False
    n, r, p, salt, expected = parsed
    try:
        actual = _scrypt(passphrase, salt, n, r, p)
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(actual, expected)


@dataclass(frozen=True)
class ReviewerConfig:
    """Who may see the review pages, and how sign-in is protected. Empty means the app runs open.

    ``error`` says why the configuration cannot be used (an unreadable secrets file, a value of the
    wrong type): the review pages then stay closed and show it. A broken configuration never
    reads as "nothing configured", which would open the pages to everybody.
    """

    passphrase_hash: str | None = None
    allowed_emails: tuple[str, ...] = ()
    #: ``[auth]`` exists in secrets.toml, so ``st.login`` can be offered.
    oidc_available: bool = False
    #: Peers whose ``X-Forwarded-For`` is believed (the reverse proxy in front of the app).
    trusted_proxies: tuple[IPNetwork, ...] = ()
    #: How long a passphrase sign-in lasts before the reviewer must sign in again.
    session_hours: float = DEFAULT_SESSION_HOURS
    error: str | None = None

    @property
    def configured(self) -> bool:
        """Reviewers are configured when a passphrase hash or an e-mail allow-list is set.

        An allow-list without an ``[auth]`` section still counts as configured: the review pages
        then stay closed (fail safe) and say that the identity provider is missing. So does a
        configuration that could not be read.
        """
        return bool(self.passphrase_hash) or bool(self.allowed_emails) or self.error is not None

    def email_allowed(self, email: str | None) -> bool:
        """Case-insensitive match against the allow-list; an empty e-mail never matches."""
        if self.error or not email:
            return False
        wanted = email.strip().casefold()
        return any(hmac.compare_digest(wanted, allowed) for allowed in self.allowed_emails)


class _ConfigProblem(ValueError):
    pass


def reviewer_config(secrets_map: Mapping[str, Any] | None, environ: Mapping[str, str] | None = None) -> ReviewerConfig:
    """Build the configuration from a secrets mapping (``st.secrets`` or a dict) and the environment.

    A value of the wrong type, a malformed hash or an unparsable proxy address is an error that
    keeps the review pages closed (see :attr:`ReviewerConfig.error`), never a silent default.
    """
    environ = os.environ if environ is None else environ
    try:
        return _build_config(secrets_map or {}, environ)
    except _ConfigProblem as problem:
        return ReviewerConfig(error=str(problem))


def unreadable_config(reason: str) -> ReviewerConfig:
    """The configuration when the secrets file itself cannot be read."""
    return ReviewerConfig(error=reason)


def _build_config(secrets_map: Mapping[str, Any], environ: Mapping[str, str]) -> ReviewerConfig:
    raw = secrets_map.get("reviewers")
    if raw is not None and not isinstance(raw, Mapping):
        raise _ConfigProblem("[reviewers] must be a table")
    section: Mapping[str, Any] = raw or {}
    phash = environ.get(PASSPHRASE_HASH_ENV) or section.get("passphrase_hash")
    if phash is not None:
        if not isinstance(phash, str) or _parse_hash(phash) is None:
            raise _ConfigProblem(
                "[reviewers] passphrase_hash is not a hash made by `python -m analysis hash-passphrase`"
            )
        phash = phash.strip()
    emails = _string_list(section.get("allowed_emails"), "allowed_emails")
    if raw is not None and not phash and not emails:
        raise _ConfigProblem("[reviewers] sets neither passphrase_hash nor allowed_emails")
    proxies_raw: Any = section.get("trusted_proxies")
    if proxies_raw is None:  # by default, the same peers Streamlit's server believes
        proxies_raw = [str(n) for n in server_trusted_proxies(environ)]
    if environ.get(TRUSTED_PROXIES_ENV):
        proxies_raw = environ[TRUSTED_PROXIES_ENV].replace(",", " ").split()
    proxies: list[IPNetwork] = []
    for entry in _string_list(proxies_raw, "trusted_proxies"):
        try:
            proxies.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise _ConfigProblem(f"[reviewers] trusted_proxies: {entry!r} is not an IP address or network") from None
    hours: Any = environ.get(SESSION_HOURS_ENV) or section.get("session_hours", DEFAULT_SESSION_HOURS)
    try:
        session_hours = float(hours)
    except (TypeError, ValueError):
        session_hours = -1.0
    if isinstance(hours, bool) or not (0 < session_hours <= MAX_SESSION_HOURS):
        raise _ConfigProblem(
            f"[reviewers] session_hours must be a number of hours, above 0 and at most {MAX_SESSION_HOURS}"
        )
    return ReviewerConfig(
        passphrase_hash=phash or None,
        allowed_emails=tuple(sorted({e.casefold() for e in emails})),
        oidc_available=isinstance(secrets_map.get("auth"), Mapping),
        trusted_proxies=tuple(proxies),
        session_hours=session_hours,
    )


def _string_list(value: Any, name: str) -> list[str]:
    """A string or a list of strings, stripped, empties dropped; anything else is an error."""
    if value is None:
        return []
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(v, str) for v in items):
        raise _ConfigProblem(f"[reviewers] {name} must be a list of strings")
    return [v.strip() for v in items if v.strip()]


def server_trusted_proxies(environ: Mapping[str, str] | None = None) -> tuple[IPNetwork, ...]:
    """The peers whose ``X-Forwarded-For`` Streamlit's own server (uvicorn) already believes.

    Streamlit 1.67 serves through uvicorn with proxy headers on: for a peer listed in
    ``$FORWARDED_ALLOW_IPS`` (default ``127.0.0.1,::1``) it replaces the connection's address by
    the forwarded one before the app sees it. The app's rule must account for that.
    """
    environ = os.environ if environ is None else environ
    raw = environ.get(SERVER_TRUSTED_ENV, "127.0.0.1,::1")
    nets: list[IPNetwork] = []
    for entry in raw.replace(",", " ").split():
        if entry == "*":
            return (ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0"))
        try:
            nets.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            continue  # uvicorn treats it as a literal host name; it can never equal an address
    return tuple(nets)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        return ip.ipv4_mapped
    return ip


def _inside(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, nets: Sequence[IPNetwork]) -> bool:
    return any(ip.version == net.version and ip in net for net in nets)


def _covered(inner: Sequence[IPNetwork], outer: Sequence[IPNetwork]) -> bool:
    """Every network of ``inner`` is trusted by ``outer`` (loopback counts as one place: trusting
    127.0.0.1 trusts ::1, the same local proxy over IPv6)."""
    local = any(o.is_loopback for o in outer)
    return all(
        (local and n.is_loopback) or any(n.version == o.version and n.subnet_of(o) for o in outer)  # type: ignore[arg-type]
        for n in inner
    )


def _rightmost_untrusted(hops: Sequence[str], trusted: Sequence[IPNetwork]) -> str | None:
    for hop in reversed(hops):
        ip = _ip(hop)
        if ip is None:
            return None  # a garbled header: do not guess
        if not _inside(ip, trusted):
            return str(ip)
    return None


def client_address(
    peer: str | None,
    forwarded_for: Sequence[str],
    trusted_proxies: Sequence[IPNetwork],
    server_trusted: Sequence[IPNetwork] = (),
) -> str | None:
    """The address a sign-in attempt comes from, or ``None`` when it cannot be known.

    ``peer`` is the connection's address as Streamlit reports it. ``X-Forwarded-For`` is believed
    only from a trusted proxy; then the client is the right-most hop that is not itself a trusted
    proxy (the left part of the header is whatever the client chose to send). From any other peer
    the header is ignored, so a client cannot pick its own address to escape its budget.

    * A loopback peer that is not trusted is a local proxy (or the developer's browser): everyone
      behind it would share one address, so it counts as unknown rather than letting one guesser
      lock every reviewer out.
    * ``server_trusted`` (:func:`server_trusted_proxies`): when the server already replaced its peer
      by a forwarded hop, the real peer was one of those. If the app was told not to trust them,
      the address cannot be known: unknown, never the forwarded value.
    """
    peer_ip = _ip(peer) if peer else None
    if peer_ip is None:
        return None
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",") if hop.strip()]
    if hops and server_trusted:
        replaced = _rightmost_untrusted(hops, server_trusted)
        if replaced is not None and replaced == str(peer_ip):
            if not _covered(server_trusted, trusted_proxies):
                return None
            return _rightmost_untrusted(hops, trusted_proxies)
    if _inside(peer_ip, trusted_proxies):
        return _rightmost_untrusted(hops, trusted_proxies)
    return None if peer_ip.is_loopback else str(peer_ip)
