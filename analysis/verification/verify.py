"""Verify one Sigstore bundle against an artifact digest, offline, and explain the outcome.

Always verifies a *digest* (``Hashed``): files are hashed by the caller in 1 MiB chunks
(:mod:`analysis.verification.limits`), so a 30 MB installer never sits in memory and a pasted
SHA-256 goes through exactly the same path as an uploaded file. The CPython bundles are
``hashedrekord`` message signatures over that digest, so nothing is lost.

Nothing here raises for a bad bundle: every outcome is a :class:`VerificationResult`, because the
public page and the CLI must answer a hostile upload with a sentence, not a traceback.
"""

from __future__ import annotations

import base64
import binascii
import logging
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.x509.oid import ObjectIdentifier
from sigstore.errors import Error as SigstoreError
from sigstore.hashes import Hashed
from sigstore.models import Bundle
from sigstore.verify import policy
from sigstore_models.common.v1 import HashAlgorithm

from analysis.verification.failures import Diagnosis, FailureClass, FailureContext, diagnose
from analysis.verification.identities import issuer_display_name
from analysis.verification.limits import (
    MAX_BUNDLE_BYTES,
    InputRejected,
    parse_json_limited,
    read_limited,
    sha256_file,
)
from analysis.verification.trust_root import TrustRoot, embedded_trust_root, verifier_for, which_embedded_root_knows

_OIDC_ISSUER_V1 = ObjectIdentifier("1.3.6.1.4.1.57264.1.1")
_OIDC_ISSUER_V2 = ObjectIdentifier("1.3.6.1.4.1.57264.1.8")
_OTHERNAME = ObjectIdentifier("1.3.6.1.4.1.57264.1.7")
#: Errors a hostile-but-parseable bundle can raise from inside sigstore/cryptography/pydantic.
#: (pydantic's ValidationError and binascii.Error are ValueErrors.)
_DATA_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError, RecursionError)

TOOL_NAME = "pep761-survey verify (sigstore-python {version}, offline)"

# sigstore logs a warning for every root-of-trust load and for some 0.1 bundles; our result says it all.
logging.getLogger("sigstore").setLevel(logging.ERROR)


@dataclass(frozen=True)
class Evidence:
    """What the bundle says, shown whatever the outcome (empty fields when the bundle is unreadable)."""

    digest_checked: str = ""
    #: The SHA-256 the bundle itself records as signed (hashedrekord bundles carry it).
    digest_signed: str | None = None
    bundle_media_type: str | None = None
    certificate_identities: tuple[str, ...] = ()
    certificate_issuer: str | None = None
    certificate_not_before: datetime | None = None
    certificate_not_after: datetime | None = None
    signing_time: datetime | None = None
    signing_time_source: str | None = None
    rekor_log_index: int | None = None
    rekor_integrated_time: datetime | None = None
    rekor_entry_kind: str | None = None
    rekor_log_id: str | None = None
    trust_root: str = ""

    def rows(self) -> list[tuple[str, str]]:
        """(label, value) pairs for tables: the evidence a person reads, in reading order."""

        def fmt(value: datetime | None) -> str:
            return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else "—"

        issuer = self.certificate_issuer
        return [
            ("Certificate identity (SAN)", ", ".join(self.certificate_identities) or "—"),
            ("OIDC issuer", f"{issuer_display_name(issuer)} ({issuer})" if issuer else "—"),
            ("Signing time", f"{fmt(self.signing_time)} ({self.signing_time_source or 'unknown source'})"),
            ("Certificate valid", f"{fmt(self.certificate_not_before)} → {fmt(self.certificate_not_after)}"),
            ("Rekor log index", "—" if self.rekor_log_index is None else str(self.rekor_log_index)),
            ("Rekor integrated time", fmt(self.rekor_integrated_time)),
            ("Rekor entry", self.rekor_entry_kind or "—"),
            ("Digest checked", f"sha256:{self.digest_checked}" if self.digest_checked else "—"),
            ("Digest the bundle signed", f"sha256:{self.digest_signed}" if self.digest_signed else "—"),
            ("Bundle media type", self.bundle_media_type or "—"),
            ("Trust root", self.trust_root or "—"),
        ]


@dataclass(frozen=True)
class VerificationResult:
    ok: bool
    #: One sentence: pass or fail, and the essential why.
    summary: str
    failure: FailureClass | None
    explanation: str
    what_to_do: str
    expected_identity: str
    expected_issuer: str
    evidence: Evidence = field(default_factory=Evidence)
    #: The library's own message (for bug reports); empty on success.
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["failure"] = self.failure.value if self.failure else None
        for key, value in data["evidence"].items():
            if isinstance(value, datetime):
                data["evidence"][key] = value.isoformat()
            elif isinstance(value, tuple):
                data["evidence"][key] = list(value)
        return data


def _ext_text(cert: x509.Certificate, oid: ObjectIdentifier) -> str | None:
    try:
        raw = cert.extensions.get_extension_for_oid(oid).value
    except x509.ExtensionNotFound:
        return None
    value = getattr(raw, "value", b"")
    if not isinstance(value, bytes):
        return None
    if oid == _OIDC_ISSUER_V2 and len(value) >= 2 and value[0] == 0x0C and value[1] < 0x80:
        value = value[2 : 2 + value[1]]  # DER UTF8String with a short length
    return value.decode("utf-8", errors="replace")


def certificate_identities(cert: x509.Certificate) -> tuple[str, ...]:
    """E-mail, URI and Sigstore OtherName SANs: the values sigstore's ``Identity`` policy compares."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return ()
    values = list(san.get_values_for_type(x509.RFC822Name))
    values += san.get_values_for_type(x509.UniformResourceIdentifier)
    values += [
        o.value.decode("utf-8", "replace") for o in san.get_values_for_type(x509.OtherName) if o.type_id == _OTHERNAME
    ]
    return tuple(values)


def certificate_issuer(cert: x509.Certificate) -> str | None:
    return _ext_text(cert, _OIDC_ISSUER_V1) or _ext_text(cert, _OIDC_ISSUER_V2)


def _epoch(value: object) -> datetime | None:
    try:
        seconds = int(str(value))
    except (TypeError, ValueError):
        return None
    return datetime.fromtimestamp(seconds, tz=UTC) if 0 < seconds < 2**33 else None


def _json_object(value: object) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one (a bundle's JSON is untrusted input)."""
    return value if isinstance(value, dict) else {}


def _evidence(doc: dict[str, Any], bundle: Bundle | None, digest: bytes, root: TrustRoot) -> Evidence:
    """Read the evidence from the JSON (stable protobuf-JSON field names) and the leaf certificate."""
    material = _json_object(doc.get("verificationMaterial"))
    entries = material.get("tlogEntries")
    entry = _json_object(entries[0]) if isinstance(entries, list) and entries else {}
    kind = _json_object(entry.get("kindVersion"))
    log_id = _json_object(entry.get("logId"))
    integrated = _epoch(entry.get("integratedTime"))
    fields: dict[str, Any] = {
        "digest_checked": digest.hex(),
        "digest_signed": _signed_digest(doc),
        "bundle_media_type": doc.get("mediaType") if isinstance(doc.get("mediaType"), str) else None,
        "rekor_log_index": int(entry["logIndex"]) if str(entry.get("logIndex", "")).isdigit() else None,
        "rekor_integrated_time": integrated,
        "rekor_entry_kind": f"{kind.get('kind')} {kind.get('version')}" if kind else None,
        "rekor_log_id": str(log_id.get("keyId")) if log_id.get("keyId") else None,
        "trust_root": root.name,
    }
    if integrated:
        fields["signing_time"], fields["signing_time_source"] = integrated, "Rekor integrated time"
    if bundle is not None:
        cert = bundle.signing_certificate
        fields["certificate_identities"] = certificate_identities(cert)
        fields["certificate_issuer"] = certificate_issuer(cert)
        fields["certificate_not_before"] = cert.not_valid_before_utc
        fields["certificate_not_after"] = cert.not_valid_after_utc
        if not integrated:
            tsa = _tsa_time(bundle)
            fields["signing_time"] = tsa or cert.not_valid_before_utc
            fields["signing_time_source"] = "RFC 3161 timestamp" if tsa else "certificate start (no log time)"
    return Evidence(**fields)


def _signed_digest(doc: dict[str, Any]) -> str | None:
    signature = doc.get("messageSignature")
    message_digest = signature.get("messageDigest") if isinstance(signature, dict) else None
    value = message_digest.get("digest") if isinstance(message_digest, dict) else None
    if not isinstance(value, str) or len(value) > 100:
        return None
    try:
        raw = base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error):
        return None
    return raw.hex() if len(raw) == 32 else None


def _tsa_time(bundle: Bundle) -> datetime | None:
    try:
        data = bundle.verification_material.timestamp_verification_data
        stamps = data.rfc3161_timestamps if data else []
        return stamps[0].tst_info.gen_time.astimezone(UTC) if stamps else None
    except (*_DATA_ERRORS, SigstoreError):
        return None


def _fail(diagnosis: Diagnosis, identity: str, issuer: str, evidence: Evidence, detail: str) -> VerificationResult:
    return VerificationResult(
        ok=False,
        summary=f"Not verified: {diagnosis.summary}",
        failure=diagnosis.failure,
        explanation=diagnosis.explanation,
        what_to_do=diagnosis.what_to_do,
        expected_identity=identity,
        expected_issuer=issuer,
        evidence=evidence,
        detail=detail,
    )


def verify_bundle(
    bundle_bytes: bytes,
    sha256: bytes,
    *,
    identity: str,
    issuer: str,
    trust_root: TrustRoot | None = None,
    python_version: str | None = None,
    artifact_name: str = "",
) -> VerificationResult:
    """Verify ``bundle_bytes`` offline against an artifact's SHA-256 and the expected signer.

    ``trust_root`` defaults to the production root embedded in sigstore-python (never the user
    cache). ``python_version`` and ``artifact_name`` only make the messages more specific.
    """
    root = trust_root or embedded_trust_root("production")
    ctx = FailureContext(
        expected_identity=identity,
        expected_issuer=issuer,
        python_version=python_version,
        trust_root_name=root.name,
    )
    empty = Evidence(digest_checked=sha256.hex() if len(sha256) == 32 else "", trust_root=root.name)
    if len(sha256) != 32:
        return _fail(diagnose("digest must be 32 bytes", ctx), identity, issuer, empty, "bad digest length")

    # 1. Load: size/depth/JSON limits first, then sigstore's own model (InvalidBundle is *not* a
    #    VerificationError, and cryptography/pydantic errors can escape from_json: catch them all).
    try:
        doc = parse_json_limited(bundle_bytes, max_bytes=MAX_BUNDLE_BYTES, what="the bundle")
        if not isinstance(doc, dict):
            raise InputRejected(f"the bundle must be a JSON object, not {_json_kind(doc)}")
        _check_media_type(doc.get("mediaType"))
        bundle = Bundle.from_json(bytes(bundle_bytes))
    except (InputRejected, SigstoreError, *_DATA_ERRORS) as exc:
        evidence = _evidence(doc, None, sha256, root) if "doc" in locals() and isinstance(doc, dict) else empty
        message = " ".join(str(exc).split())[:400] or type(exc).__name__
        return _fail(diagnose(message, ctx, loading=True), identity, issuer, evidence, message)

    evidence = _evidence(doc, bundle, sha256, root)
    ctx = FailureContext(
        expected_identity=identity,
        expected_issuer=issuer,
        python_version=python_version,
        found_identities=evidence.certificate_identities,
        found_issuer=evidence.certificate_issuer,
        trust_root_name=root.name,
        bundle_instance=_other_instance(evidence.rekor_log_id, root),
        checked_digest=evidence.digest_checked,
        signed_digest=evidence.digest_signed,
    )

    # 2. Verify with the warm verifier for this root.
    try:
        verifier_for(root).verify_artifact(
            Hashed(algorithm=HashAlgorithm.SHA2_256, digest=sha256),
            bundle,
            policy.Identity(identity=identity, issuer=issuer),
        )
    except SigstoreError as exc:
        return _fail(diagnose(str(exc), ctx), identity, issuer, evidence, str(exc))
    except _DATA_ERRORS as exc:
        message = f"{type(exc).__name__}: {exc}"
        return _fail(diagnose(message, ctx, loading=True), identity, issuer, evidence, message)

    return VerificationResult(
        ok=True,
        summary=_success_sentence(evidence, artifact_name, identity, issuer, root),
        failure=None,
        explanation=(
            "The certificate chains to the Sigstore root, names the expected release manager and OIDC"
            " provider, the signature covers exactly this SHA-256, and the bundle's transparency-log"
            " proof checks out, all without a network connection."
        ),
        what_to_do="Nothing: this file is the one the release manager signed. Keep the bundle with it.",
        expected_identity=identity,
        expected_issuer=issuer,
        evidence=evidence,
    )


def _json_kind(value: object) -> str:
    kinds = {list: "an array", str: "a string", int: "a number", float: "a number", bool: "true/false"}
    return "null" if value is None else kinds.get(type(value), type(value).__name__)


def _check_media_type(media_type: object) -> None:
    """Name an unknown bundle format before pydantic reports it as a pattern mismatch."""
    if isinstance(media_type, str) and media_type not in {t.value for t in Bundle.BundleType}:
        known = ", ".join(t.value for t in Bundle.BundleType)
        raise InputRejected(f"unsupported bundle format: {media_type[:100]!r} (sigstore-python 4 reads {known})")


def _other_instance(log_id: str | None, root: TrustRoot) -> str | None:
    """The embedded instance that knows the bundle's log when the root in use does not."""
    if not log_id or log_id in root.log_ids:
        return None
    other = which_embedded_root_knows(log_id)
    return other if other and other != root.kind else None


def _success_sentence(evidence: Evidence, artifact_name: str, identity: str, issuer: str, root: TrustRoot) -> str:
    what = artifact_name or f"sha256:{evidence.digest_checked[:12]}…"
    when = evidence.signing_time.strftime("%Y-%m-%d") if evidence.signing_time else "an unknown date"
    where = f" (Rekor log index {evidence.rekor_log_index})" if evidence.rekor_log_index is not None else ""
    return (
        f"Verified: {what} was signed by {identity} via {issuer_display_name(issuer)} on {when}{where},"
        f" checked offline against the {root.kind} trust root."
    )


def verify_bundle_file(
    bundle_path: Path,
    *,
    artifact: Path | None = None,
    sha256: bytes | None = None,
    identity: str,
    issuer: str,
    trust_root: TrustRoot | None = None,
    python_version: str | None = None,
) -> VerificationResult:
    """File-based convenience for the CLI and benchmarks: reads the bundle (size-capped) and hashes
    ``artifact`` in chunks unless ``sha256`` is given. I/O errors propagate as ``OSError``/InputRejected."""
    data = read_limited(bundle_path, max_bytes=MAX_BUNDLE_BYTES, what="bundle")
    if sha256 is None:
        if artifact is None:
            raise ValueError("give the artifact or its sha256")
        sha256 = sha256_file(artifact)
    return verify_bundle(
        data,
        sha256,
        identity=identity,
        issuer=issuer,
        trust_root=trust_root,
        python_version=python_version,
        artifact_name=artifact.name if artifact else "",
    )
