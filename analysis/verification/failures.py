"""Why a verification failed, in words a packager can act on.

sigstore-python reports failures as exception *messages* (one ``VerificationError`` class for almost
everything), so the classification below matches on those messages, which are stable within the
pinned major version (``sigstore>=4.5,<5``); every branch is exercised by a real fixture in
``tests/fixtures/sigstore``. Anything unrecognised falls back to :attr:`FailureClass.OTHER` with the
library's own words, so a new message degrades to "less helpful", never to "wrong".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from analysis.verification.identities import expected_signers, issuer_display_name
from analysis.verification.timestamps import MAX_TIMESTAMPS, TimestampFacts

REFRESH_COMMAND = "python -m analysis trust-root update --out trusted_root.json"


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
    #: An RFC 3161 timestamp that does not cover this bundle's signature (swapped in or edited).
    TIMESTAMP_MISMATCH = "timestamp-mismatch"
    #: A well-formed timestamp from an authority the trust root does not list.
    UNTRUSTED_TIMESTAMP_AUTHORITY = "untrusted-timestamp-authority"
    #: More timestamps than sigstore accepts, or the same one twice.
    EXCESS_TIMESTAMPS = "excess-timestamps"
    #: ``verify --dir``: no release manager is on record for the file's Python line.
    UNKNOWN_SIGNER = "unknown-signer"
    #: ``verify --dir``: a symlink out of the directory, a FIFO/device, or an unreadable file (not read).
    REFUSED_FILE = "refused-file"
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
    #: The certificate names a CPython release manager on record (the python.org advice applies).
    cpython_bundle: bool = False
    certificate_not_before: datetime | None = None
    certificate_not_after: datetime | None = None
    integrated_time: datetime | None = None
    timestamps: TimestampFacts = field(default_factory=TimestampFacts)


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
        return _diagnose_load(m, ctx)
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
    if "too many signed timestamp" in m or "duplicate timestamp" in m:
        return _excess_timestamps(ctx, duplicate="duplicate" in m)
    # The bundle's own times decide these, whatever root rejected it (see analysis.verification.timestamps).
    outside = _times_outside_certificate(ctx)
    if outside or "not valid at validation time" in m:
        return _outside_certificate(ctx, outside)
    if ctx.timestamps.covers_other_signature and not ctx.integrated_time:
        return _timestamp_mismatch(ctx)
    time_or_chain = (
        "failed to build timestamp certificate chain" in m
        or "failed to verify SCT" in m
        or "sources of verified time" in m
        or m.startswith("invalid log entry")
    )
    if time_or_chain and ctx.bundle_instance:
        return _wrong_instance(ctx)
    if "sources of verified time" in m and ctx.timestamps.count and not ctx.timestamps.listed_by_root:
        return _untrusted_authority(ctx)
    if "failed to build timestamp certificate chain" in m or "failed to verify SCT" in m:
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
            f"Refresh the trust root (`{REFRESH_COMMAND}`) and verify with --trusted-root; if that does"
            " not help, do not trust this bundle.",
        )
    if "sources of verified time" in m or "Timestamp" in m:
        listed_tsa = ctx.timestamps.count and ctx.timestamps.listed_by_root
        return Diagnosis(
            FailureClass.NO_VERIFIED_TIME,
            "No trusted time could be established for the signature.",
            (
                "The bundle's RFC 3161 timestamp is signed by a timestamp authority this trust root lists,"
                " but not while the root trusts it: the time lies outside the authority's validity period in"
                " the root, or outside its certificate chain's validity."
                if listed_tsa
                else "Sigstore needs a log timestamp or an RFC 3161 timestamp it can verify to know the"
                " short-lived certificate was valid. Bundles from a newer log (Rekor v2) need the timestamp"
                " authority in the trust root; an old trust root lacks it."
            ),
            f"Refresh the trust root (`{REFRESH_COMMAND}` on a networked machine) and verify with"
            " --trusted-root trusted_root.json; if it still fails with a current root, do not trust this file.",
        )
    if (
        "Missing bundle message signature" in m
        or "Expected entry type" in m
        or "Unsupported" in m
        or "Integrated time only supported" in m
    ):
        return _unsupported(m)
    return Diagnosis(
        FailureClass.OTHER,
        "Verification failed.",
        f"sigstore-python reported: {m}",
        "Download the artifact and bundle again; if it persists, report it with the bundle attached.",
    )


def _fmt(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC")


def _times_outside_certificate(ctx: FailureContext) -> list[tuple[str, datetime]]:
    """(source, time) of every time the bundle claims that lies outside its certificate's validity."""
    start, end = ctx.certificate_not_before, ctx.certificate_not_after
    if start is None or end is None:
        return []
    claimed = [("Rekor integrated time", ctx.integrated_time)] if ctx.integrated_time else []
    claimed += [("RFC 3161 timestamp", t) for t in ctx.timestamps.times]
    return [(source, t) for source, t in claimed if not start <= t <= end]


def _outside_certificate(ctx: FailureContext, outside: list[tuple[str, datetime]]) -> Diagnosis:
    validity = (
        f" ({_fmt(ctx.certificate_not_before)} → {_fmt(ctx.certificate_not_after)})"
        if ctx.certificate_not_before and ctx.certificate_not_after
        else ""
    )
    if outside:
        source, when = outside[0]
        summary = f"The bundle's {source} ({_fmt(when)}) lies outside the signing certificate's validity{validity}."
    else:
        summary = "The signing certificate was not valid at the time the bundle records for the signature."
    return Diagnosis(
        FailureClass.EXPIRED_CERTIFICATE,
        summary,
        "Sigstore certificates live about 10 minutes, and every time the bundle records for the signature"
        " (the log's integrated time, an RFC 3161 timestamp) must fall inside that window. Here one does"
        " not: the timestamp was requested after the certificate expired, or the certificate or timestamp"
        " was taken from another signing session (the bundle was edited). This is a property of the bundle,"
        " not of the trust root, so another root will not help.",
        "Do not trust this bundle. Download it again from where it was published.",
    )


def _timestamp_mismatch(ctx: FailureContext) -> Diagnosis:
    by = f" from {ctx.timestamps.authority}" if ctx.timestamps.authority else ""
    return Diagnosis(
        FailureClass.TIMESTAMP_MISMATCH,
        f"The bundle's RFC 3161 timestamp{by} was issued for a different signature than this bundle's.",
        "A timestamp authority signs the hash of one signature; this timestamp's hash is not the hash of the"
        " signature in the bundle, so the timestamp was copied from another bundle or the bundle was edited."
        " A newer sigstore or trust root cannot make it match.",
        "Do not trust this file. Download the artifact and its bundle again from where they were published.",
    )


def _wrong_instance(ctx: FailureContext) -> Diagnosis:
    instance = ctx.bundle_instance
    return Diagnosis(
        FailureClass.WRONG_TRUST_ROOT,
        f"This bundle was made on Sigstore's {instance} instance, but it was checked against the {ctx.trust_root_name}.",
        "Each Sigstore instance has its own certificate authority, transparency logs and timestamp"
        " authority; a signature from one never verifies against the other's root (the bundle's log or"
        " timestamp authority is listed only in the embedded "
        f"{instance} root). CPython releases use production; staging is for tests.",
        f"Verify with the {instance} root"
        + (" (--staging)." if instance == "staging" else " (the default, without --staging)."),
    )


def _untrusted_authority(ctx: FailureContext) -> Diagnosis:
    who = ctx.timestamps.authority or "an unknown authority"
    unreadable = (
        " sigstore-python cannot decode this timestamp either (its certificates are not in DER set order)."
        if ctx.timestamps.undecodable
        else ""
    )
    return Diagnosis(
        FailureClass.UNTRUSTED_TIMESTAMP_AUTHORITY,
        f"The bundle's RFC 3161 timestamp was issued by {who}, a timestamp authority the"
        f" {ctx.trust_root_name or 'trust root'} does not list.",
        "The bundle is well formed, but its only trusted time is a timestamp, and that timestamp's signer is"
        " not one of the timestamp authorities in the trust root, so nothing proves when the short-lived"
        " certificate signed." + unreadable,
        "If the authority is Sigstore's and newer than your trust root, refresh it"
        f" (`{REFRESH_COMMAND}`) and verify with --trusted-root; a timestamp from any other authority"
        " means the bundle was not made by the Sigstore service it claims: do not trust it.",
    )


def _excess_timestamps(ctx: FailureContext, *, duplicate: bool) -> Diagnosis:
    count = ctx.timestamps.count
    if duplicate:
        summary = "The bundle carries the same RFC 3161 timestamp more than once."
    else:
        summary = (
            f"The bundle carries {count or 'too many'} RFC 3161 timestamps; at most {MAX_TIMESTAMPS} are accepted."
        )
    return Diagnosis(
        FailureClass.EXCESS_TIMESTAMPS,
        summary,
        "Each timestamp is an independent witness of when the signature was made, so sigstore refuses a"
        " repeated one (it would count one witness twice) and caps how many it checks (a bundle stuffed with"
        " timestamps is a denial-of-service attempt, not a signing tool's output).",
        "Do not trust this bundle. Download it again from where it was published.",
    )


def _unsupported(message: str) -> Diagnosis:
    return Diagnosis(
        FailureClass.UNSUPPORTED_BUNDLE,
        "This bundle is of a kind this check does not support.",
        "CPython artifacts are signed as plain message signatures (hashedrekord). This bundle is a"
        f" different kind (for example a DSSE attestation) or uses a newer format ({message}).",
        "Use the `.sigstore` bundle published next to the artifact on python.org.",
    )


def _diagnose_load(m: str, ctx: FailureContext) -> Diagnosis:
    if "inclusion proof" in m or "checkpoint" in m:
        summary = "The bundle has no inclusion proof with a signed checkpoint, which offline verification needs."
        why = "Offline, the proof that the signature is in the public log must be inside the bundle."
        if ctx.cpython_bundle:  # the python.org story and its remedy are CPython's, not every project's
            return Diagnosis(
                FailureClass.MISSING_INCLUSION_PROOF,
                summary,
                why + " Some bundles python.org published in 2024 (e.g. the first 3.12.5 bundle) predate this"
                " and carry no checkpoint; sigstore-python 3.x and later refuse them (python/cpython#122785).",
                "Download the bundle again: python.org re-issued those bundles with a checkpoint. Or, on a"
                " networked machine, repair it with `python -m sigstore plumbing fix-bundle`.",
            )
        return Diagnosis(
            FailureClass.MISSING_INCLUSION_PROOF,
            summary,
            why + " This bundle only carries the log's promise to include the entry (or nothing), as bundles"
            " from old signing clients did; current sigstore refuses it offline.",
            "Ask the publisher for a bundle made by a current Sigstore client, or, if you trust the publisher"
            " and have a network, fetch the inclusion proof from the log with your Sigstore client.",
        )
    if "Invalid Timestamp Response" in m and ctx.timestamps.authority and not ctx.timestamps.trusted_by_root:
        return _untrusted_authority(ctx)
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
