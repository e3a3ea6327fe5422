"""Which Sigstore trust root a verification uses, how old it is, and the one verifier per root.

Reproducibility rule: a trust root is always *explicit*. ``Verifier.production(offline=True)`` looks
like it uses the root embedded in the sigstore wheel, but it actually reads ``trusted_root.json`` from
the user's cache directory (``platformdirs`` ``sigstore-python/tuf/...``) and only falls back to the
embedded copy when that file is missing, so a stale cached root from an older install would be used
silently and results would depend on who runs the check. We therefore read the embedded file straight
from the installed package (or the bytes the user supplied) and build ``Verifier(trusted_root=...)``
ourselves. Nothing here touches the cache or the network.

Age of a root: ``trusted_root.json`` carries no "issued at" date of its own (the TUF metadata that
ships it does, but offline we only have the target file). The newest ``validFor.start`` among its
transparency logs, certificate authorities, CT logs and timestamp authorities is the best lower bound
on when it was assembled: Sigstore adds a key whenever it rotates or shards a service (a new Rekor
log shard, a new TSA), which has happened every few months. A root whose newest key is older than
:data:`STALE_AFTER_DAYS` has probably missed such a change, so a *new* release signed against the new
service may fail to verify ("untrusted certificate" / unknown log) although nothing is wrong with it.
A stale root does not make an old release's successful verification less valid.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib import metadata, resources
from typing import Any, Literal

from pydantic import ValidationError
from sigstore.errors import Error as SigstoreError
from sigstore.models import TrustedRoot
from sigstore.verify import Verifier
from sigstore_models.trustroot import v1 as trustroot_v1

from analysis.verification.limits import InputRejected, parse_json_limited

#: The command that refreshes a root through TUF (:mod:`analysis.verification.tuf_update`).
REFRESH_COMMAND = "python -m analysis trust-root update --out trusted_root.json"
#: Warn when the newest key of the trust root started more than this many days ago (see module doc).
STALE_AFTER_DAYS = 180
#: A real trusted_root.json is ~10 KB; anything near this is not one.
MAX_TRUST_ROOT_BYTES = 1024 * 1024
#: How many user-supplied roots keep a warm verifier (the embedded two are always kept).
_MAX_CUSTOM_VERIFIERS = 8

Instance = Literal["production", "staging"]
EMBEDDED_INSTANCES: tuple[Instance, ...] = ("production", "staging")
_EMBEDDED_DIRS: dict[Instance, str] = {
    "production": "https%3A%2F%2Ftuf-repo-cdn.sigstore.dev",
    "staging": "https%3A%2F%2Ftuf-repo-cdn.sigstage.dev",
}


class TrustRootError(ValueError):
    """The supplied trusted_root.json cannot be used; the message says why in plain words."""


@dataclass(frozen=True)
class TrustRoot:
    """A parsed trust root plus what a person needs to judge it (name, origin, age)."""

    kind: Literal["production", "staging", "custom"]
    name: str
    #: Stable identity of the root's content: the verifier cache key.
    key: str
    trusted_root: TrustedRoot = field(repr=False, compare=False)
    newest_key_start: datetime | None
    #: base64 Rekor log ids this root trusts (used to tell "wrong instance" from "untrusted").
    log_ids: frozenset[str] = field(default_factory=frozenset)
    log_urls: tuple[str, ...] = ()
    #: The file was a sigstore-python ClientTrustConfig (``--trust-config``) carrying this root.
    from_client_trust_config: bool = False

    def age_days(self, now: datetime | None = None) -> int | None:
        """Days since the newest key in the root became valid (None if the root has no dates)."""
        if self.newest_key_start is None:
            return None
        return ((now or datetime.now(UTC)) - self.newest_key_start).days

    def is_stale(self, now: datetime | None = None) -> bool:
        age = self.age_days(now)
        return age is not None and age > STALE_AFTER_DAYS

    def age_sentence(self, now: datetime | None = None) -> str:
        """One sentence for the page and the CLI (the staleness warning is :meth:`stale_warning`)."""
        age = self.age_days(now)
        if age is None or self.newest_key_start is None:
            return f"{self.name}: no key validity dates, age unknown."
        since = self.newest_key_start.date().isoformat()
        return f"{self.name}: newest key valid since {since} ({age} days ago)."

    def stale_warning(self, now: datetime | None = None) -> str | None:
        """The warning shown once, after the result, when the root is stale (else None)."""
        if not self.is_stale(now):
            return None
        return f"The trust root's newest key is {self.age_days(now)} days old. {self.refresh_advice()}"

    def refresh_advice(self) -> str:
        """What a stale root means and the one command that fixes it (shown once, after the result)."""
        return (
            f"That is more than {STALE_AFTER_DAYS} days: the root may miss a newer Sigstore log or"
            " timestamp authority, so recent releases can fail to verify (a result above stays valid)."
            f" To refresh it, run `{REFRESH_COMMAND}` on a networked machine and verify with"
            " `--trusted-root trusted_root.json`."
        )


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def newest_key_start(doc: dict[str, Any]) -> datetime | None:
    """Newest ``validFor.start`` over tlogs, ctlogs (public keys), CAs and TSAs (see module doc)."""
    starts: list[datetime] = []
    for section in ("tlogs", "ctlogs"):
        for item in doc.get(section) or []:
            if isinstance(item, dict):
                start = _parse_time(((item.get("publicKey") or {}).get("validFor") or {}).get("start"))
                if start:
                    starts.append(start)
    for section in ("certificateAuthorities", "timestampAuthorities"):
        for item in doc.get(section) or []:
            if isinstance(item, dict):
                start = _parse_time((item.get("validFor") or {}).get("start"))
                if start:
                    starts.append(start)
    return max(starts, default=None)


def _log_ids(doc: dict[str, Any]) -> frozenset[str]:
    return frozenset(
        str((t.get("logId") or {}).get("keyId", "")) for t in doc.get("tlogs") or [] if isinstance(t, dict)
    )


CLIENT_TRUST_CONFIG = "application/vnd.dev.sigstore.clienttrustconfig"


def _what_else(doc: dict[str, Any]) -> str | None:
    """Name the Sigstore/TUF file someone passed instead of a trusted root (None: no idea)."""
    media = doc.get("mediaType")
    media = media if isinstance(media, str) else ""
    if media.startswith("application/vnd.dev.sigstore.bundle"):
        return "this is a Sigstore bundle (.sigstore), not a trust root: pass it with --bundle"
    if media.startswith("application/vnd.dev.sigstore.signingconfig"):
        return "this is a Sigstore signing config (which services to sign with), not a trust root"
    if media.startswith(CLIENT_TRUST_CONFIG):
        return "this is a sigstore-python ClientTrustConfig (--trust-config) without a trustedRoot object"
    if isinstance(doc.get("trustedRoot"), dict):
        return (
            f"this looks like a sigstore-python ClientTrustConfig (it has trustedRoot and signingConfig) but its"
            f" mediaType is {media[:80]!r}, not {CLIENT_TRUST_CONFIG}.v0.1+json"
        )
    signed = doc.get("signed")
    if isinstance(signed, dict) and "signatures" in doc:
        role = signed.get("_type")
        return (
            f"this is TUF {role if isinstance(role, str) else 'repository'} metadata, not a trust root;"
            " refresh the root with `python -m analysis trust-root update`, which verifies it"
        )
    return None


def _unwrap(doc: dict[str, Any], data: bytes) -> tuple[dict[str, Any], bytes, str]:
    """A ClientTrustConfig (sigstore-python's --trust-config) carries a trusted root: use that one."""
    media = doc.get("mediaType")
    inner = doc.get("trustedRoot")
    if isinstance(media, str) and media.startswith(CLIENT_TRUST_CONFIG) and isinstance(inner, dict):
        return inner, json.dumps(inner).encode(), " (the trustedRoot of a sigstore-python ClientTrustConfig)"
    return doc, data, ""


def _build(kind: Literal["production", "staging", "custom"], name: str, data: bytes) -> TrustRoot:
    doc = parse_json_limited(data, max_bytes=MAX_TRUST_ROOT_BYTES, what="trusted_root.json")
    if not isinstance(doc, dict):
        raise TrustRootError("trusted_root.json must be a JSON object")
    doc, data, wrapped = _unwrap(doc, data)
    name += wrapped
    try:
        inner = trustroot_v1.TrustedRoot.from_json(data)
        root = TrustedRoot(inner)
        # Building a verifier checks the root has logs and CA certificates; do it now so a bad root
        # is reported as a bad root, not later as a verification failure of the user's bundle.
        root.get_fulcio_certs()
    except (SigstoreError, ValidationError, ValueError, TypeError, KeyError) as exc:
        other = _what_else(doc)
        if other:
            raise TrustRootError(f"not a Sigstore trusted_root.json: {other}") from exc
        raise TrustRootError(f"not a usable Sigstore trusted_root.json: {_short(exc)}") from exc
    urls = tuple(str(t.get("baseUrl", "")) for t in doc.get("tlogs") or [] if isinstance(t, dict))
    return TrustRoot(
        kind=kind,
        name=name,
        key=f"sha256:{hashlib.sha256(data).hexdigest()}",
        trusted_root=root,
        newest_key_start=newest_key_start(doc),
        log_ids=_log_ids(doc),
        log_urls=urls,
        from_client_trust_config=bool(wrapped),
    )


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


def sigstore_version() -> str:
    try:
        return metadata.version("sigstore")
    except metadata.PackageNotFoundError:  # pragma: no cover - sigstore is a hard dependency
        return "unknown"


def embedded_trust_root_bytes(instance: Instance) -> bytes:
    """The trusted_root.json shipped inside the installed sigstore wheel (never the user cache)."""
    path = resources.files("sigstore") / "_store" / _EMBEDDED_DIRS[instance] / "trusted_root.json"
    return path.read_bytes()


@cache
def embedded_trust_root(instance: Instance = "production") -> TrustRoot:
    """Sigstore's production or staging root as embedded in sigstore-python (parsed once)."""
    name = f"{instance} trust root embedded in sigstore-python {sigstore_version()}"
    return _build(instance, name, embedded_trust_root_bytes(instance))


def load_trust_root(data: bytes, name: str = "trusted_root.json") -> TrustRoot:
    """A user-supplied trusted_root.json; raises :class:`TrustRootError` (or InputRejected) if unusable."""
    try:
        return _build("custom", f"user-supplied {name}", data)
    except InputRejected as exc:
        raise TrustRootError(str(exc)) from exc


def which_embedded_root_knows(log_id: str) -> Instance | None:
    """The embedded instance whose root lists this Rekor log id (to name a wrong-instance mistake)."""
    for instance in _EMBEDDED_DIRS:
        if log_id and log_id in embedded_trust_root(instance).log_ids:
            return instance
    return None


_VERIFIERS: OrderedDict[str, tuple[str, Verifier]] = OrderedDict()
_VERIFIERS_LOCK = threading.Lock()


def verifier_for(root: TrustRoot) -> Verifier:
    """One warm ``Verifier`` per trust root content, reused across calls and Streamlit sessions.

    Building one parses all CA certificates (~2 ms); the first verification with it also warms
    cryptography's caches. Keyed by content hash, so two uploads of the same file share a verifier;
    only the least recently used user-supplied roots are evicted, never the embedded ones.
    """
    with _VERIFIERS_LOCK:
        cached = _VERIFIERS.get(root.key)
        if cached is not None:
            _VERIFIERS.move_to_end(root.key)
            return cached[1]
        verifier = Verifier(trusted_root=root.trusted_root)
        _VERIFIERS[root.key] = (root.kind, verifier)
        custom = [key for key, (kind, _) in _VERIFIERS.items() if kind == "custom"]
        while len(custom) > _MAX_CUSTOM_VERIFIERS:
            _VERIFIERS.pop(custom.pop(0), None)
        return verifier


def cached_verifier_count() -> int:
    """How many verifiers are warm (for tests of the reuse promise)."""
    with _VERIFIERS_LOCK:
        return len(_VERIFIERS)
