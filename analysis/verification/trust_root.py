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

#: Warn when the newest key of the trust root started more than this many days ago (see module doc).
STALE_AFTER_DAYS = 180
#: A real trusted_root.json is ~10 KB; anything near this is not one.
MAX_TRUST_ROOT_BYTES = 1024 * 1024
#: How many user-supplied roots keep a warm verifier (the embedded two are always kept).
_MAX_CUSTOM_VERIFIERS = 8

Instance = Literal["production", "staging"]
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

    def age_days(self, now: datetime | None = None) -> int | None:
        """Days since the newest key in the root became valid (None if the root has no dates)."""
        if self.newest_key_start is None:
            return None
        return ((now or datetime.now(UTC)) - self.newest_key_start).days

    def is_stale(self, now: datetime | None = None) -> bool:
        age = self.age_days(now)
        return age is not None and age > STALE_AFTER_DAYS

    def age_sentence(self, now: datetime | None = None) -> str:
        """One sentence for the page and the CLI, with the staleness warning built in."""
        age = self.age_days(now)
        if age is None or self.newest_key_start is None:
            return f"{self.name}: no key validity dates, age unknown."
        since = self.newest_key_start.date().isoformat()
        text = f"{self.name}: newest key valid since {since} ({age} days ago)."
        if self.is_stale(now):
            text += (
                f" That is more than {STALE_AFTER_DAYS} days: the root may miss a newer Sigstore log or"
                " timestamp authority, so recent releases can fail to verify. Update sigstore"
                " (`pip install -U sigstore`) or supply a current trusted_root.json (on a networked machine"
                " `python -m sigstore plumbing update-trust-root` writes one to sigstore-python's cache)."
            )
        return text


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


def _build(kind: Literal["production", "staging", "custom"], name: str, data: bytes) -> TrustRoot:
    doc = parse_json_limited(data, max_bytes=MAX_TRUST_ROOT_BYTES, what="trusted_root.json")
    if not isinstance(doc, dict):
        raise TrustRootError("trusted_root.json must be a JSON object")
    try:
        inner = trustroot_v1.TrustedRoot.from_json(data)
        root = TrustedRoot(inner)
        # Building a verifier checks the root has logs and CA certificates; do it now so a bad root
        # is reported as a bad root, not later as a verification failure of the user's bundle.
        root.get_fulcio_certs()
    except (SigstoreError, ValidationError, ValueError, TypeError, KeyError) as exc:
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
