"""What a bundle says (signer, times, log entry, digests), read defensively from untrusted JSON.

Shown whatever the outcome, so it is read from the bundle's JSON (stable protobuf-JSON field names)
and from the leaf certificate, and it must never raise: a bundle with ``"logIndex": "²"`` (a digit
to ``str.isdigit`` but not to ``int``) or a certificate whose SubjectAlternativeName does not parse
still gets a classified result, with the fields that could not be read left empty. When sigstore
cannot load the bundle at all, the certificate is read straight from the JSON, so the person still
sees who the bundle claims signed it (and the missing-checkpoint advice can tell a CPython bundle
from another project's).
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.x509.oid import ObjectIdentifier
from sigstore.models import Bundle

from analysis.verification.identities import issuer_display_name

_OIDC_ISSUER_V1 = ObjectIdentifier("1.3.6.1.4.1.57264.1.1")
_OIDC_ISSUER_V2 = ObjectIdentifier("1.3.6.1.4.1.57264.1.8")
_OTHERNAME = ObjectIdentifier("1.3.6.1.4.1.57264.1.7")
_UINT = re.compile(r"[0-9]{1,20}")  # ASCII digits only: "²".isdigit() is True, int("²") raises
#: What reading a hostile certificate or JSON value can raise (pydantic/binascii errors are ValueErrors).
_READ_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError)


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


def _ext_text(cert: x509.Certificate, oid: ObjectIdentifier) -> str | None:
    try:
        raw = cert.extensions.get_extension_for_oid(oid).value
    except (x509.ExtensionNotFound, *_READ_ERRORS):
        return None
    value = getattr(raw, "value", b"")
    if not isinstance(value, bytes):
        return None
    if oid == _OIDC_ISSUER_V2 and len(value) >= 2 and value[0] == 0x0C and value[1] < 0x80:
        value = value[2 : 2 + value[1]]  # DER UTF8String with a short length
    return value.decode("utf-8", errors="replace")


def certificate_identities(cert: x509.Certificate) -> tuple[str, ...]:
    """E-mail, URI and Sigstore OtherName SANs: the values sigstore's ``Identity`` policy compares.

    A SubjectAlternativeName that does not parse yields no identity (the verification then fails
    and is classified; reading the evidence must not be what breaks)."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        values = list(san.get_values_for_type(x509.RFC822Name))
        values += san.get_values_for_type(x509.UniformResourceIdentifier)
        values += [
            o.value.decode("utf-8", "replace")
            for o in san.get_values_for_type(x509.OtherName)
            if o.type_id == _OTHERNAME
        ]
    except (x509.ExtensionNotFound, *_READ_ERRORS):
        return ()
    return tuple(values)


def certificate_issuer(cert: x509.Certificate) -> str | None:
    return _ext_text(cert, _OIDC_ISSUER_V1) or _ext_text(cert, _OIDC_ISSUER_V2)


def _epoch(value: object) -> datetime | None:
    if not isinstance(value, str | int) or isinstance(value, bool) or not _UINT.fullmatch(str(value)):
        return None
    seconds = int(str(value))
    return datetime.fromtimestamp(seconds, tz=UTC) if 0 < seconds < 2**33 else None


def _uint(value: object) -> int | None:
    if isinstance(value, str | int) and not isinstance(value, bool) and _UINT.fullmatch(str(value)):
        return int(str(value))
    return None


def json_object(value: object) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one (a bundle's JSON is untrusted input)."""
    return value if isinstance(value, dict) else {}


def leaf_certificate_from_json(doc: dict[str, Any]) -> x509.Certificate | None:
    """The signing certificate as the JSON carries it (v0.3 ``certificate`` or a v0.1/0.2 chain)."""
    material = json_object(doc.get("verificationMaterial"))
    raw = json_object(material.get("certificate")).get("rawBytes")
    if raw is None:
        chain = json_object(material.get("x509CertificateChain")).get("certificates")
        raw = json_object(chain[0]).get("rawBytes") if isinstance(chain, list) and chain else None
    if not isinstance(raw, str) or len(raw) > 100_000:
        return None
    try:
        return x509.load_der_x509_certificate(base64.b64decode(raw, validate=True))
    except (binascii.Error, *_READ_ERRORS):
        return None


def signed_digest(doc: dict[str, Any]) -> str | None:
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
    except Exception:  # noqa: BLE001 - evidence is best effort; the verdict comes from the verifier
        return None


def read_evidence(doc: dict[str, Any], bundle: Bundle | None, digest: bytes, trust_root_name: str) -> Evidence:
    """Everything readable from the JSON and the leaf certificate; never raises (see module doc)."""
    material = json_object(doc.get("verificationMaterial"))
    entries = material.get("tlogEntries")
    entry = json_object(entries[0]) if isinstance(entries, list) and entries else {}
    kind = json_object(entry.get("kindVersion"))
    log_id = json_object(entry.get("logId"))
    integrated = _epoch(entry.get("integratedTime"))
    media_type = doc.get("mediaType")
    key_id = log_id.get("keyId")
    fields: dict[str, Any] = {
        "digest_checked": digest.hex() if len(digest) == 32 else "",
        "digest_signed": signed_digest(doc),
        "bundle_media_type": media_type[:200] if isinstance(media_type, str) else None,
        "rekor_log_index": _uint(entry.get("logIndex")),
        "rekor_integrated_time": integrated,
        "rekor_entry_kind": f"{str(kind.get('kind'))[:40]} {str(kind.get('version'))[:20]}" if kind else None,
        "rekor_log_id": key_id[:100] if isinstance(key_id, str) and key_id else None,
        "trust_root": trust_root_name,
    }
    if integrated:
        fields["signing_time"], fields["signing_time_source"] = integrated, "Rekor integrated time"
    cert: x509.Certificate | None
    try:
        cert = bundle.signing_certificate if bundle is not None else leaf_certificate_from_json(doc)
    except _READ_ERRORS:
        cert = None
    if cert is not None:
        fields["certificate_identities"] = certificate_identities(cert)
        fields["certificate_issuer"] = certificate_issuer(cert)
        try:
            fields["certificate_not_before"] = cert.not_valid_before_utc
            fields["certificate_not_after"] = cert.not_valid_after_utc
        except _READ_ERRORS:
            pass
        if not integrated:
            tsa = _tsa_time(bundle) if bundle is not None else None
            start = fields.get("certificate_not_before")
            fields["signing_time"] = tsa or start
            fields["signing_time_source"] = (
                "RFC 3161 timestamp" if tsa else ("certificate start (no log time)" if start else None)
            )
    return Evidence(**fields)
