"""Verify one Sigstore bundle against an artifact digest, offline, and explain the outcome.

Always verifies a *digest* (``Hashed``): files are hashed by the caller in 1 MiB chunks
(:mod:`analysis.verification.limits`), so a 30 MB installer never sits in memory and a pasted
SHA-256 goes through exactly the same path as an uploaded file. The CPython bundles are
``hashedrekord`` message signatures over that digest, so nothing is lost.

Nothing here raises for a bad bundle: every outcome is a :class:`VerificationResult`, because the
public page and the CLI must answer a hostile upload with a sentence, not a traceback.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sigstore.errors import Error as SigstoreError
from sigstore.hashes import Hashed
from sigstore.models import Bundle
from sigstore.verify import policy
from sigstore_models.common.v1 import HashAlgorithm

from analysis.verification.evidence import Evidence, read_evidence
from analysis.verification.failures import Diagnosis, FailureClass, FailureContext, diagnose
from analysis.verification.identities import expected_signers, issuer_display_name
from analysis.verification.limits import (
    MAX_BUNDLE_BYTES,
    InputRejected,
    parse_json_limited,
    read_limited,
    sha256_file,
)
from analysis.verification.timestamps import timestamp_facts
from analysis.verification.trust_root import TrustRoot, embedded_trust_root, verifier_for, which_embedded_root_knows

#: Errors a hostile-but-parseable bundle can raise from inside sigstore/cryptography/pydantic.
#: (pydantic's ValidationError and binascii.Error are ValueErrors.)
_DATA_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError, RecursionError)

TOOL_NAME = "pep761-survey verify (sigstore-python {version}, offline)"

# sigstore logs a warning for every root-of-trust load and for some 0.1 bundles; our result says it all.
logging.getLogger("sigstore").setLevel(logging.ERROR)

__all__ = ["TOOL_NAME", "Evidence", "Signer", "VerificationResult", "verify_bundle", "verify_bundle_file"]


@dataclass(frozen=True)
class Signer:
    """The release manager whose certificate signed (``--any-release-manager``)."""

    identity: str
    issuer: str
    release_manager_for: tuple[str, ...]


def release_manager_pairs() -> dict[tuple[str, str], tuple[str, ...]]:
    """(identity, issuer) -> the Python lines data/sigstore_identities.csv has that pair for."""
    pairs: dict[tuple[str, str], list[str]] = {}
    for version, signer in expected_signers().items():
        pairs.setdefault((signer.identity, signer.issuer), []).append(version)
    return {pair: tuple(lines) for pair, lines in pairs.items()}


def _policy(identity: str, issuer: str, any_release_manager: bool) -> policy.VerificationPolicy:
    if not any_release_manager:
        return policy.Identity(identity=identity, issuer=issuer)
    # Release managers sign each other's releases (python/release-tools#111): any pair on record.
    children: list[policy.VerificationPolicy] = [
        policy.Identity(identity=i, issuer=u) for i, u in release_manager_pairs()
    ]
    return policy.AnyOf(children)


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
    #: ``any_release_manager`` mode, verified: who signed and which lines they are on record for.
    signer: Signer | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["failure"] = self.failure.value if self.failure else None
        if self.signer is None:
            data.pop("signer")
        else:
            data["signer"]["release_manager_for"] = list(self.signer.release_manager_for)
        for key, value in data["evidence"].items():
            if isinstance(value, datetime):
                data["evidence"][key] = value.isoformat()
            elif isinstance(value, tuple):
                data["evidence"][key] = list(value)
        return data


def _failure_context(
    base: FailureContext, doc: dict[str, Any] | None, evidence: Evidence, root: TrustRoot
) -> FailureContext:
    """Everything besides the message that makes the explanation right (only built on a failure)."""
    facts = timestamp_facts(doc, root) if doc is not None else None
    log_instance = _other_instance(evidence.rekor_log_id, root)
    rm_identities = {s.identity for s in expected_signers().values()}
    return FailureContext(
        expected_identity=base.expected_identity,
        expected_issuer=base.expected_issuer,
        python_version=base.python_version,
        found_identities=evidence.certificate_identities,
        found_issuer=evidence.certificate_issuer,
        trust_root_name=root.name,
        bundle_instance=log_instance or (facts.other_instance if facts else None),
        checked_digest=evidence.digest_checked or None,
        signed_digest=evidence.digest_signed,
        cpython_bundle=any(i in rm_identities for i in evidence.certificate_identities),
        certificate_not_before=evidence.certificate_not_before,
        certificate_not_after=evidence.certificate_not_after,
        integrated_time=evidence.rekor_integrated_time,
        **({"timestamps": facts} if facts else {}),
    )


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
    any_release_manager: bool = False,
) -> VerificationResult:
    """Verify ``bundle_bytes`` offline against an artifact's SHA-256 and the expected signer.

    With ``any_release_manager`` the bundle is verified when its signer is *any* identity + issuer
    pair in data/sigstore_identities.csv (``identity``/``issuer`` are then the line's own RM, used
    to say that another release manager signed).

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
        parsed = doc if "doc" in locals() and isinstance(doc, dict) else None
        evidence = read_evidence(parsed, None, sha256, root.name) if parsed is not None else empty
        message = " ".join(str(exc).split())[:400] or type(exc).__name__
        ctx = _failure_context(ctx, parsed, evidence, root)
        return _fail(diagnose(message, ctx, loading=True), identity, issuer, evidence, message)

    evidence = read_evidence(doc, bundle, sha256, root.name)

    # 2. Verify with the warm verifier for this root.
    try:
        verifier_for(root).verify_artifact(
            Hashed(algorithm=HashAlgorithm.SHA2_256, digest=sha256),
            bundle,
            _policy(identity, issuer, any_release_manager),
        )
    except SigstoreError as exc:
        ctx = _failure_context(ctx, doc, evidence, root)
        message = str(exc)
        if any_release_manager and "policies succeeded" in message:
            message = "Certificate's SANs do not match any release manager on record"
        return _fail(diagnose(message, ctx), identity, issuer, evidence, str(exc))
    except _DATA_ERRORS as exc:
        message = f"{type(exc).__name__}: {exc}"[:400]
        ctx = _failure_context(ctx, doc, evidence, root)
        return _fail(diagnose(message, ctx, loading=True), identity, issuer, evidence, message)

    signer = _signer(evidence) if any_release_manager else None
    summary = _success_sentence(evidence, artifact_name, identity, issuer, root)
    if signer is not None and (signer.identity, signer.issuer) != (identity, issuer):
        summary = _another_rm_sentence(evidence, artifact_name, signer, identity, python_version, root)
    return VerificationResult(
        ok=True,
        summary=summary,
        signer=signer,
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


def _signer(evidence: Evidence) -> Signer | None:
    pairs = release_manager_pairs()
    for found in evidence.certificate_identities:
        lines = pairs.get((found, evidence.certificate_issuer or ""))
        if lines:
            return Signer(found, evidence.certificate_issuer or "", lines)
    return None


def _another_rm_sentence(
    evidence: Evidence, artifact_name: str, signer: Signer, identity: str, version: str | None, root: TrustRoot
) -> str:
    what = artifact_name or f"sha256:{evidence.digest_checked[:12]}…"
    when = evidence.signing_time.strftime("%Y-%m-%d") if evidence.signing_time else "an unknown date"
    lines = ", ".join(signer.release_manager_for)
    line = f"Python {version}'s" if version else "this line's"
    return (
        f"Verified (another release manager): {what} was signed by {signer.identity} via"
        f" {issuer_display_name(signer.issuer)} on {when}, release manager for {lines}, not by"
        f" {identity}, {line} release manager on record; accepted because any release manager was"
        f" allowed. Checked offline against the {root.kind} trust root."
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
    any_release_manager: bool = False,
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
        any_release_manager=any_release_manager,
    )
