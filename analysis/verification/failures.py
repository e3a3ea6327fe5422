"""Why a verification failed, in words a packager can act on.

sigstore-python reports failures as exception *messages* (one ``VerificationError`` class for almost
everything), so the classification below matches on those messages, which are stable within the
pinned major version (``sigstore>=4.5,<5``); every branch is exercised by a real fixture in
``tests/fixtures/sigstore``. Anything unrecognised falls back to :attr:`FailureClass.OTHER` with the
library's own words, so a new message degrades to "less helpful", never to "wrong".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from analysis.verification.identities import expected_signers, issuer_display_name


class FailureClass(StrEnum):
    """Stable codes (CLI ``--format json`` and tests use them); the words live in :func:`diagnose`."""

    DIGEST_MISMATCH = "digest-mismatch"
    IDENTITY_MISMATCH = "identity-mismatch"
    ISSUER_MISMATCH = "issuer-mismatch"
    MALFORMED_BUNDLE = "malformed-bundle"
    UNSUPPORTED_BUNDLE = "unsupported-bundle"
    MISSING_INCLUSION_PROOF = "missing-inclusion-proof"
    WRONG_TRUST_ROOT = "wrong-trust-root"
    UNTRUSTED_CERTIFICATE = "untrusted-certificate"
    EXPIRED_CERTIFICATE = "expired-certificate"
    INVALID_SIGNATURE = "invalid-signature"
    LOG_INCONSISTENT = "log-inconsistent"
    INVALID_LOG_ENTRY = "invalid-log-entry"
    NO_VERIFIED_TIME = "no-verified-time"
    OTHER = "verification-error"


@dataclass(frozen=True)
class Diagnosis:
    failure: FailureClass
    #: One sentence: what is wrong.
    summary: str
    #: Why it happens, in plain language.
    explanation: str
    #: What the user should do next.
    what_to_do: str


@dataclass(frozen=True)
class FailureContext:
    """What we know besides the error message, to make the explanation specific."""

    expected_identity: str
    expected_issuer: str
    python_version: str | None = None
    found_identities: tuple[str, ...] = ()
    found_issuer: str | None = None
    trust_root_name: str = ""
    #: "production"/"staging" when the bundle's log belongs to the *other* embedded root.
    bundle_instance: str | None = None
    checked_digest: str | None = None
    #: The digest recorded in the bundle (hashedrekord message digest), if any.
    signed_digest: str | None = None


ISSUE_1204 = "https://github.com/sigstore/sigstore-python/issues/1204"


def _lines_signed_by(identity: str) -> list[str]:
    return [v for v, s in expected_signers().items() if s.identity == identity]


def _describe_lines(lines: list[str]) -> str:
    if not lines:
        return ""
    return lines[0] if len(lines) == 1 else f"{lines[0]}-{lines[-1]}"


def _identity_mismatch(ctx: FailureContext) -> Diagnosis:
    found = ", ".join(ctx.found_identities) or "an unknown identity"
    lines = _lines_signed_by(ctx.found_identities[0]) if ctx.found_identities else []
    if lines:
        other = f", not {ctx.python_version}" if ctx.python_version and ctx.python_version not in lines else ""
        reason = (
            f"this release was made by another release manager ({found} signs Python {_describe_lines(lines)}{other})"
        )
    else:
        reason = "that identity is not a CPython release manager on record"
    explanation = (
        "Sigstore proves *who* signed: the certificate names the signer's e-mail (or workflow), and the"
        " check only passes if it equals the identity you expect. "
        + (
            "The bundle belongs to a different release line than the one you chose, or the file was renamed."
            if lines
            else "Someone other than a CPython release manager made this signature."
        )
    )
    todo = (
        "Check the Python version (the file name decides it unless you chose one) and download the bundle"
        " that sits next to the artifact on python.org."
        if lines
        else "Do not trust this file. Download the artifact and its bundle again from python.org."
    )
    if ctx.found_issuer and ctx.found_issuer != ctx.expected_issuer:
        explanation += (
            f" The OIDC issuer differs too ({issuer_display_name(ctx.found_issuer)} instead of"
            f" {issuer_display_name(ctx.expected_issuer)})."
        )
    return Diagnosis(
        FailureClass.IDENTITY_MISMATCH,
        f"Signed by {found}, expected {ctx.expected_identity}: {reason}.",
        explanation,
        todo,
    )


def _issuer_mismatch(ctx: FailureContext) -> Diagnosis:
    found = ctx.found_issuer or "another issuer"
    found_name = issuer_display_name(found)
    expected_name = issuer_display_name(ctx.expected_issuer)
    summary = f"The signer logged in with {found_name} ({found}), expected {expected_name} ({ctx.expected_issuer})."
    explanation = (
        "A Sigstore identity is an e-mail address *plus* the OIDC provider that vouched for it, so the same"
        " address signed through GitHub and through Google are two different identities. CPython release"
        " managers use different providers: Pablo and Thomas (3.10-3.13) sign with Google, Hugo (3.14-3.15)"
        " and Savannah (3.16+) with GitHub. Known documentation slip: python.org's Sigstore page once listed"
        f" Google for hugo@python.org while 3.14 is signed via GitHub ({ISSUE_1204})."
    )
    todo = (
        f"Use the issuer from the release-tools data shown on this page ({expected_name} for this line)"
        " rather than one copied from older documentation; if the identity and issuer really are the"
        " ones on record, the bundle was not made by the release manager and must not be trusted."
    )
    return Diagnosis(FailureClass.ISSUER_MISMATCH, summary, explanation, todo)


def diagnose(message: str, ctx: FailureContext, *, loading: bool = False) -> Diagnosis:
    """Map a sigstore-python error message (plus context) to a class and plain-language advice."""
    m = message
    if loading:
        return _diagnose_load(m)
    policy_failed = ("OIDCIssuer" in m or "SANs" in m) and "does not match" in m
    # sigstore checks the issuer before the SAN, so a release by another release manager who uses
    # another provider surfaces as an issuer error; the person is the more useful fact to report.
    if policy_failed and ctx.found_identities and ctx.expected_identity not in ctx.found_identities:
        return _identity_mismatch(ctx)
    if "OIDCIssuer" in m and "does not match" in m:
        return _issuer_mismatch(ctx)
    if "SANs do not match" in m:
        return _identity_mismatch(ctx)
    if "message digest mismatch" in m:
        which = (
            f" (sha256:{ctx.checked_digest[:12]}…, the bundle signed sha256:{ctx.signed_digest[:12]}…)"
            if ctx.checked_digest and ctx.signed_digest
            else ""
        )
        return Diagnosis(
            FailureClass.DIGEST_MISMATCH,
            f"The file's SHA-256 is not the one this bundle signed{which}: it is a different file.",
            "A bundle signs exactly one file. The digest you gave (or of the file you uploaded) differs,"
            " so this is another release, another platform's installer, an incomplete download, or a"
            " modified file.",
            "Check the file name matches the bundle name (minus .sigstore), download the file again, and"
            " compare with `sha256sum FILE`.",
        )
    if "failed to build timestamp certificate chain" in m or "failed to verify SCT" in m:
        if "not valid at validation time" in m:
            return Diagnosis(
                FailureClass.EXPIRED_CERTIFICATE,
                "The signing certificate was not valid when the signature was logged.",
                "Sigstore certificates live about 10 minutes; the log's timestamp must fall inside that"
                " window. Here it does not, which happens when the certificate in the bundle was taken from"
                " another signing session (the bundle was edited) or the bundle is corrupted.",
                "Do not trust this bundle. Download it again from python.org.",
            )
        if ctx.bundle_instance:
            return Diagnosis(
                FailureClass.WRONG_TRUST_ROOT,
                f"This bundle was made on Sigstore's {ctx.bundle_instance} instance, but it was checked"
                f" against the {ctx.trust_root_name}.",
                "Each Sigstore instance has its own certificate authority and log; a signature from one"
                " never chains to the other's root. CPython releases use production; staging is for tests.",
                f"Verify with the {ctx.bundle_instance} root"
                + (" (--staging)." if ctx.bundle_instance == "staging" else " (the default, without --staging)."),
            )
        return Diagnosis(
            FailureClass.UNTRUSTED_CERTIFICATE,
            f"The signing certificate does not chain to the {ctx.trust_root_name or 'trust root'}.",
            "The certificate was not issued by a certificate authority in the trust root used: the bundle"
            " comes from another Sigstore instance, the trust root is out of date or wrong, or the"
            " certificate was forged.",
            "Check you are using the production trust root (or an up-to-date trusted_root.json); if you"
            " are, do not trust this bundle.",
        )
    if "Signature is invalid for input" in m:
        return Diagnosis(
            FailureClass.INVALID_SIGNATURE,
            "The signature does not match the certificate's key for this file.",
            "The bundle's signature and certificate do not belong together for this digest: the bundle"
            " was altered (signature bytes or certificate changed) or assembled from parts of others.",
            "Do not trust this bundle. Download it again from python.org.",
        )
    if "inconsistent with other materials" in m:
        return Diagnosis(
            FailureClass.LOG_INCONSISTENT,
            "The transparency log entry in the bundle records a different signing than the bundle itself.",
            "The log entry, signature and certificate must describe one event. Here they do not, a pattern"
            " of the CVE-2022-36056 attack where a valid log entry from another signing is reused.",
            "Do not trust this bundle. Download it again from python.org and report it if it persists.",
        )
    if m.startswith("invalid log entry") or "inclusion" in m or "checkpoint" in m:
        return Diagnosis(
            FailureClass.INVALID_LOG_ENTRY,
            "The bundle's proof of inclusion in the Rekor transparency log does not check out.",
            "Offline verification relies on the inclusion proof and signed checkpoint carried in the"
            " bundle. They do not verify against the log keys in the trust root: the bundle was altered,"
            " or the log key is missing from an outdated trust root.",
            "Update the trust root (upgrade sigstore or supply a current trusted_root.json); if that does"
            " not help, do not trust this bundle.",
        )
    if "sources of verified time" in m or "Timestamp" in m:
        return Diagnosis(
            FailureClass.NO_VERIFIED_TIME,
            "No trusted time could be established for the signature.",
            "Sigstore needs a log timestamp or an RFC 3161 timestamp it can verify to know the short-lived"
            " certificate was valid. Bundles from a newer log (Rekor v2) need the timestamp authority in"
            " the trust root; an old trust root or client lacks it.",
            "Upgrade sigstore or supply a current trusted_root.json.",
        )
    if "Missing bundle message signature" in m or "Expected entry type" in m or "Unsupported" in m:
        return _unsupported(m)
    return Diagnosis(
        FailureClass.OTHER,
        "Verification failed.",
        f"sigstore-python reported: {m}",
        "Download the artifact and bundle again; if it persists, report it with the bundle attached.",
    )


def _unsupported(message: str) -> Diagnosis:
    return Diagnosis(
        FailureClass.UNSUPPORTED_BUNDLE,
        "This bundle is of a kind this check does not support.",
        "CPython artifacts are signed as plain message signatures (hashedrekord). This bundle is a"
        f" different kind (for example a DSSE attestation) or uses a newer format ({message}).",
        "Use the `.sigstore` bundle published next to the artifact on python.org.",
    )


def _diagnose_load(m: str) -> Diagnosis:
    if "inclusion proof" in m or "checkpoint" in m:
        return Diagnosis(
            FailureClass.MISSING_INCLUSION_PROOF,
            "The bundle has no inclusion proof with a signed checkpoint, which offline verification needs.",
            "Offline, the proof that the signature is in the public log must be inside the bundle."
            " Some bundles python.org published in 2024 (e.g. the first 3.12.5 bundle) predate this and"
            " carry no checkpoint; sigstore-python 3.x and later refuse them (python/cpython#122785).",
            "Download the bundle again: python.org re-issued those bundles with a checkpoint. Or, on a"
            " networked machine, repair it with `python -m sigstore plumbing fix-bundle`.",
        )
    if "unsupported bundle format" in m or "Expected log entry version" in m:
        return _unsupported(m)
    detail = _clean(m)
    ours = detail.startswith("the bundle ")  # our own input-limit messages are already plain words
    return Diagnosis(
        FailureClass.MALFORMED_BUNDLE,
        (detail[0].upper() + detail[1:] + ("" if detail.endswith(("?", ".")) else "."))
        if ours
        else "This file is not a valid Sigstore bundle.",
        "The file is not a Sigstore bundle as published next to python.org downloads: it may be truncated,"
        " edited, or another file (a .sig, a certificate, an HTML error page)."
        + ("" if ours else f" Details: {detail}"),
        "Download the `.sigstore` file next to the artifact on python.org again and use it unchanged.",
    )


def _clean(message: str) -> str:
    """Drop pydantic's noise (input echoes, doc links) from a loader message."""
    text = re.sub(r"\s*\[type=.*?input_type=\w+\]", "", message)
    text = re.sub(r"\s*\[type=[^\]]*\]", "", text)
    text = re.sub(r"\s*For further information visit \S+", "", text)
    return text.strip()[:300]
