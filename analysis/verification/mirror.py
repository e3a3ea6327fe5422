"""Verify every artifact + bundle pair in one directory (a python.org release mirror).

Pairing rule: a bundle ``X.sigstore`` or ``X.sigstore.json`` goes with the file ``X`` next to it.
When ``X`` itself is absent but ``X.sha256`` is present (``HEX`` or ``sha256sum`` format ``HEX  X``),
that recorded digest is verified instead and the line says so: the bundle is then proven to sign
that digest, not that a local file has it. Files without a bundle (``.asc``, ``.spdx.json``...) are
counted, not checked. Each artifact is hashed in 1 MiB chunks; one warm verifier serves the directory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from analysis.verification.identities import (
    BUNDLE_SUFFIXES,
    UnknownPythonVersion,
    expected_signer,
    infer_python_version,
    strip_bundle_suffix,
)
from analysis.verification.limits import InputRejected, parse_sha256, read_limited
from analysis.verification.trust_root import TrustRoot
from analysis.verification.verify import VerificationResult, verify_bundle_file


@dataclass(frozen=True)
class DirectoryEntry:
    artifact: str
    bundle: str
    #: "verified", "failed" (verification ran and said no) or "error" (could not be checked).
    status: str
    message: str
    result: VerificationResult | None = None
    digest_source: str = "file"

    def line(self) -> str:
        label = {"verified": "OK  ", "failed": "FAIL", "error": "ERR "}[self.status]
        suffix = " (digest from .sha256 file)" if self.digest_source == "sha256-file" else ""
        return f"{label} {self.artifact}{suffix}: {self.message}"


@dataclass(frozen=True)
class DirectoryReport:
    entries: tuple[DirectoryEntry, ...]
    unpaired_bundles: int = 0

    @property
    def verified(self) -> int:
        return sum(e.status == "verified" for e in self.entries)

    @property
    def failed(self) -> int:
        return sum(e.status != "verified" for e in self.entries)

    @property
    def ok(self) -> bool:
        return bool(self.entries) and self.failed == 0

    def summary(self) -> str:
        text = f"{len(self.entries)} checked: {self.verified} verified, {self.failed} failed"
        if self.unpaired_bundles:
            text += f"; {self.unpaired_bundles} bundle(s) without artifact or .sha256 file skipped"
        return text


def find_pairs(directory: Path) -> Iterator[tuple[Path, Path, Path | None]]:
    """(bundle, artifact path, digest file or None) for each bundle, in name order."""
    for bundle in sorted(p for p in directory.iterdir() if p.is_file()):
        if not any(bundle.name.lower().endswith(s) for s in BUNDLE_SUFFIXES):
            continue
        artifact = bundle.with_name(strip_bundle_suffix(bundle.name))
        digest_file = artifact.with_name(artifact.name + ".sha256")
        yield bundle, artifact, (digest_file if digest_file.is_file() else None)


def _read_digest_file(path: Path) -> bytes:
    text = read_limited(path, max_bytes=4096, what="digest file").decode("ascii", errors="replace")
    first = text.strip().split()[0] if text.strip() else ""
    return parse_sha256(first)


def verify_directory(
    directory: Path,
    *,
    python_version: str | None = None,
    identity: str | None = None,
    issuer: str | None = None,
    trust_root: TrustRoot | None = None,
) -> DirectoryReport:
    """Verify each pair; the expected signer is per file (from its name) unless given explicitly."""
    entries: list[DirectoryEntry] = []
    unpaired = 0
    for bundle, artifact, digest_file in find_pairs(directory):
        has_artifact = artifact.is_file()
        if not has_artifact and digest_file is None:
            unpaired += 1
            continue
        source = "file" if has_artifact else "sha256-file"
        try:
            if identity and issuer:
                want_identity, want_issuer = identity, issuer
                version = python_version or infer_python_version(artifact.name)
            else:
                version = python_version or infer_python_version(artifact.name, bundle.name)
                if version is None:
                    raise UnknownPythonVersion("cannot tell the Python version from the file name")
                signer = expected_signer(version)
                want_identity, want_issuer = signer.identity, signer.issuer
            sha256 = None if has_artifact else _read_digest_file(digest_file)  # type: ignore[arg-type]
            result = verify_bundle_file(
                bundle,
                artifact=artifact if has_artifact else None,
                sha256=sha256,
                identity=want_identity,
                issuer=want_issuer,
                trust_root=trust_root,
                python_version=version,
            )
        except (UnknownPythonVersion, InputRejected, OSError) as exc:
            entries.append(DirectoryEntry(artifact.name, bundle.name, "error", str(exc), None, source))
            continue
        status = "verified" if result.ok else "failed"
        message = result.summary if result.ok else f"[{result.failure}] {result.summary}"
        entries.append(DirectoryEntry(artifact.name, bundle.name, status, message, result, source))
    return DirectoryReport(tuple(entries), unpaired)
