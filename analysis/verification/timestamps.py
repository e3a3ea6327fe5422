"""What a bundle's own timestamps say, independent of the trust root that rejected it.

sigstore-python reports a failed time check as one sentence ("not enough sources of verified time",
"cert is not valid at validation time", or a chain error), and which sentence it is depends on the
trust root in use: the same bundle whose RFC 3161 timestamp lies outside its certificate's lifetime
was reported three different ways under three roots. The *cause* is in the bundle, so we read it
from the bundle: every time it claims (the Rekor v1 integrated time, each RFC 3161 ``genTime``),
whether each timestamp covers the bundle's signature (its message imprint), who signed it, and
whether a timestamp authority of the root in use, or of the other embedded Sigstore instance,
vouches for it. :mod:`analysis.verification.failures` then names the cause once, whatever the root.

Only called on a failure (the diagnosis path), never on a successful verification, and it reads
the bundle's JSON rather than sigstore's model, because a timestamp that sigstore cannot decode
(a TSA that orders its certificate SET differently, e.g. FreeTSA) still has a signer to name.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import rfc3161_client
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID
from rfc3161_client import TimeStampResponse, VerifierBuilder

from analysis.verification.trust_root import EMBEDDED_INSTANCES, TrustRoot, embedded_trust_root

#: sigstore-python refuses more than this many RFC 3161 timestamps (``MAX_ALLOWED_TIMESTAMP``).
MAX_TIMESTAMPS = 32
_HASHES = {
    x509.ObjectIdentifier("2.16.840.1.101.3.4.2.1"): hashlib.sha256,
    x509.ObjectIdentifier("2.16.840.1.101.3.4.2.2"): hashlib.sha384,
    x509.ObjectIdentifier("2.16.840.1.101.3.4.2.3"): hashlib.sha512,
}
_ERRORS = (ValueError, TypeError, KeyError, IndexError, OverflowError, rfc3161_client.VerificationError)


@dataclass(frozen=True)
class TimestampFacts:
    """The bundle's RFC 3161 timestamps as far as they can be read (all empty for a Rekor v1 bundle)."""

    count: int = 0
    #: ``genTime`` of every decodable timestamp that covers this bundle's signature (the ones
    #: sigstore uses; a timestamp over another signature is ignored by it, so it is no time here).
    times: tuple[datetime, ...] = ()
    #: Every decodable timestamp's message imprint is the hash of some other signature.
    covers_other_signature: bool = False
    #: A timestamp sigstore-python cannot decode.
    undecodable: bool = False
    #: Common name of the authority that signed the first timestamp (from its certificate or SignerInfo).
    authority: str | None = None
    #: A timestamp authority of the root in use signed one of them (None: not checked / no timestamps).
    trusted_by_root: bool | None = None
    #: The signer's certificate (by issuer and serial, or embedded) is one of the root's TSA certificates,
    #: even if the signature did not verify with it (e.g. its chain was not valid at ``genTime``).
    listed_by_root: bool = False
    #: "production"/"staging" when only the other embedded Sigstore instance's TSA signed it.
    other_instance: str | None = None


def _b64(value: object) -> bytes | None:
    if not isinstance(value, str) or len(value) > 200_000:
        return None
    try:
        return base64.b64decode("".join(value.split()), validate=True)  # `base64` wraps lines
    except (ValueError, binascii.Error):
        return None


def _raw_timestamps(doc: dict[str, Any]) -> list[bytes]:
    material = doc.get("verificationMaterial")
    data = material.get("timestampVerificationData") if isinstance(material, dict) else None
    stamps = data.get("rfc3161Timestamps") if isinstance(data, dict) else None
    if not isinstance(stamps, list):
        return []
    raws = [_b64(s.get("signedTimestamp")) if isinstance(s, dict) else None for s in stamps[: MAX_TIMESTAMPS + 8]]
    return [r for r in raws if r]


def _signature(doc: dict[str, Any]) -> bytes | None:
    signature = doc.get("messageSignature")
    if isinstance(signature, dict):
        return _b64(signature.get("signature"))
    envelope = doc.get("dsseEnvelope")
    sigs = envelope.get("signatures") if isinstance(envelope, dict) else None
    if isinstance(sigs, list) and sigs and isinstance(sigs[0], dict):
        return _b64(sigs[0].get("sig"))
    return None


def _der_element(buf: bytes, pos: int) -> tuple[int, int]:
    """(content start, end) of the DER element at ``pos`` (definite lengths only)."""
    if pos + 2 > len(buf):
        raise ValueError("truncated DER")
    length, start = buf[pos + 1], pos + 2
    if length & 0x80:
        n = length & 0x7F
        if n == 0 or n > 4:
            raise ValueError("unsupported DER length")
        length, start = int.from_bytes(buf[start : start + n], "big"), start + n
    if start + length > len(buf):
        raise ValueError("truncated DER")
    return start, start + length


def _embedded_certificates(raw: bytes) -> list[x509.Certificate]:
    """Certificates inside a TimeStampResp's token, read with cryptography (no rfc3161 decoding)."""
    try:
        body, _ = _der_element(raw, 0)  # TimeStampResp SEQUENCE
        _, status_end = _der_element(raw, body)  # PKIStatusInfo
        _, token_end = _der_element(raw, status_end)  # timeStampToken ContentInfo
        with warnings.catch_warnings():  # "falling back to BER": the very case we read it for
            warnings.simplefilter("ignore")
            return list(pkcs7.load_der_pkcs7_certificates(raw[status_end:token_end]))
    except ValueError:
        return []


def _common_name(name: x509.Name) -> str:
    try:
        names = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    except ValueError:
        return name.rfc4514_string()[:120]
    value = names[0].value if names else name.rfc4514_string()
    return str(value)[:120]


def _signed_by(response: TimeStampResponse, message: bytes, root: TrustRoot) -> bool:
    """Whether one of the root's timestamp authorities signed this timestamp (sigstore's own check,
    without the validity window, which is reported separately)."""
    for authority in root.trusted_root.get_timestamp_authorities():
        try:
            chain = authority.certificates(allow_expired=True)
            if len(chain) < 2:
                continue
            builder = VerifierBuilder().tsa_certificate(chain[0]).add_root_certificate(chain[-1])
            for middle in chain[1:-1]:
                builder = builder.add_intermediate_certificate(middle)
            if builder.build().verify_message(response, message):
                return True
        except _ERRORS:
            continue
    return False


def _authority_certificates(root: TrustRoot) -> list[x509.Certificate]:
    certs: list[x509.Certificate] = []
    for authority in root.trusted_root.get_timestamp_authorities():
        try:
            certs += authority.certificates(allow_expired=True)
        except _ERRORS:
            continue
    return certs


def timestamp_facts(doc: dict[str, Any], root: TrustRoot) -> TimestampFacts:
    """Read the bundle's RFC 3161 timestamps (see module doc); never raises for a hostile bundle."""
    raws = _raw_timestamps(doc)
    if not raws:
        return TimestampFacts()
    signature = _signature(doc)
    times: list[datetime] = []
    matched = mismatched = 0
    undecodable = listed = False
    authority: str | None = None
    trusted = False
    other: str | None = None
    root_tsa_certs = _authority_certificates(root)
    for raw in raws[:MAX_TIMESTAMPS]:
        try:
            response = rfc3161_client.decode_timestamp_response(raw)
            info = response.tst_info
            gen_time = info.gen_time.astimezone(UTC)
            listed = listed or any(
                (c.issuer, c.serial_number) == (si.issuer, si.serial_number)
                for si in response.signed_data.signer_infos
                for c in root_tsa_certs
            )
            hasher = _HASHES.get(info.message_imprint.hash_algorithm)
        except _ERRORS:
            undecodable = True
            embedded = _embedded_certificates(raw)
            authority = authority or (_common_name(embedded[0].subject) if embedded else None)
            listed = listed or any(c in root_tsa_certs for c in embedded)
            continue
        if authority is None:
            signers = response.signed_data.signer_infos
            certs = response.signed_data.certificates
            if certs:
                try:
                    authority = _common_name(x509.load_der_x509_certificate(min(certs)).subject)
                except ValueError:
                    authority = None
            if authority is None and signers:
                authority = f"a certificate issued by {_common_name(next(iter(signers)).issuer)}"
        if signature is None or hasher is None:
            times.append(gen_time)
            continue
        if hasher(signature).digest() != info.message_imprint.message:
            mismatched += 1
            continue
        matched += 1
        times.append(gen_time)
        if _signed_by(response, signature, root):
            trusted = True
        elif other is None:
            other = next(
                (
                    i
                    for i in EMBEDDED_INSTANCES
                    if i != root.kind and _signed_by(response, signature, embedded_trust_root(i))
                ),
                None,
            )
    return TimestampFacts(
        count=len(raws),
        times=tuple(times),
        covers_other_signature=mismatched > 0 and matched == 0,
        undecodable=undecodable,
        authority=authority,
        trusted_by_root=trusted,
        listed_by_root=listed or trusted,
        other_instance=None if trusted else other,
    )
