"""Check a whole release mirror: every artifact accounted for, every bundle verified.

A mirror check exists to catch the release-day failure python/cpython#123807, #127601 and #132288
describe: an artifact published *without* its signature. So the unit is the artifact, not the
bundle. Every file in the directory (or tree, with ``recursive``) ends in exactly one of:

* ``verified``: a bundle ``X.sigstore`` / ``X.sigstore.json`` verifies the file ``X`` next to it;
* ``failed``: the bundle does not verify, or the file cannot be checked (its class says why:
  ``unknown-signer`` when no release manager is on record for its line, ``refused-file`` for a
  symlink leading out of the directory or a FIFO/device);
* ``unsigned``: an artifact with no bundle;
* ``no-artifact``: a bundle whose file is absent (and no ``X.sha256`` stands in for it).

**Which files are artifacts** (:func:`artifact_kind`): every regular file except bundles
(``.sigstore``, ``.sigstore.json``), detached signatures, certificates and keys (``.sig``, ``.asc``,
``.crt``, ``.cert``, ``.pem``, ``.pub``, ``.minisig``, ``.p7s``), checksum files (``.sha256``,
``.sha512``, ``.md5``, ``.sha1``, ``SHA256SUMS``-style names), SBOMs and attestations
(``.spdx.json``, ``.spdx``, ``.cdx.json``, ``.intoto.jsonl``), trust-root provenance files, and
hidden files (``.listing`` from wget, ``.DS_Store``). Those are metadata *about* artifacts; python.org
publishes ``.spdx.json`` SBOMs and (for 3.13 and older) ``.asc`` signatures next to the files, and
neither is itself signed with Sigstore.

``X.sha256`` convention: when ``X`` is absent but ``X.sha256`` (``HEX`` or ``sha256sum``'s
``HEX  X``) is present, the recorded digest is verified instead and the summary says so (the bundle
is then proven to sign that digest, not that a local file has it).

**Symlinks**: a link whose target lies outside the directory is never followed (a mirror must not
make the checker read, say, ``/etc/shadow``'s size or hash); it is reported as ``refused-file``.
Links to directories are not descended (a loop would never end; the real directory is walked),
nor are hidden directories (``.git/``, ``.cache/``).

The Python line of each file comes from its name (``Python-3.14.1.tgz``) or, for names that carry
none, from the nearest directory that looks like a release (``3.14.1/``), so a python.org-style tree
(``3.14.0/``, ``3.14.1/``, ...) is checked with the right release manager per file.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from analysis.verification.failures import FailureClass
from analysis.verification.identities import (
    BUNDLE_SUFFIXES,
    UnknownPythonVersion,
    expected_signer,
    infer_python_version,
    strip_bundle_suffix,
)
from analysis.verification.limits import InputRejected, parse_sha256, read_limited
from analysis.verification.safe_text import printable
from analysis.verification.trust_root import TrustRoot
from analysis.verification.verify import VerificationResult, verify_bundle_file

_NOT_ARTIFACT_SUFFIXES = (
    # detached signatures, certificates, keys
    ".sig", ".asc", ".crt", ".cert", ".pem", ".pub", ".minisig", ".p7s",
    # checksums
    ".sha256", ".sha512", ".sha1", ".md5", ".sha256sum", ".sha512sum",
    # SBOMs, attestations, provenance
    ".spdx.json", ".spdx", ".cdx.json", ".intoto.jsonl", ".provenance.json",
)  # fmt: skip
_CHECKSUM_NAMES = re.compile(r"(?i)^(?:sha\d+|md5|b2)?sums(?:\.txt|\.asc)?$|^checksums?(?:\.txt)?$|^sha\d+sums")
_RELEASE_DIR = re.compile(r"^(?P<major>\d+)\.(?P<minor>\d+)(?:\.\d+)?(?:(?:a|b|rc)\d+)?$")
_LABELS = {"verified": "OK  ", "failed": "FAIL", "unsigned": "UNSIGNED", "no-artifact": "NO-ARTIFACT"}


def artifact_kind(name: str) -> str:
    """``bundle``, ``metadata`` (not an artifact: see module doc) or ``artifact`` for a file name."""
    lower = name.lower()
    if any(lower.endswith(s) for s in BUNDLE_SUFFIXES):
        return "bundle"
    if name.startswith(".") or lower.endswith(_NOT_ARTIFACT_SUFFIXES) or _CHECKSUM_NAMES.match(name):
        return "metadata"
    return "artifact"


@dataclass(frozen=True)
class DirectoryEntry:
    """One line of the report: an artifact, a bundle, or the pair (paths relative to the directory)."""

    artifact: str | None
    bundle: str | None
    #: "verified", "failed", "unsigned" or "no-artifact".
    status: str
    failure: str | None
    summary: str
    result: VerificationResult | None = None

    def line(self) -> str:
        """One terminal line; every name is escaped, so a file name can neither forge nor break a line."""
        name = self.artifact if self.artifact is not None else self.bundle or ""
        reason = f"[{self.failure}] " if self.failure else ""
        return f"{_LABELS[self.status]} {printable(name)}: {reason}{printable(self.summary)}"

    def to_json(self) -> dict[str, Any]:
        return {
            "artifact": self.artifact,
            "bundle": self.bundle,
            "status": self.status,
            "failure": self.failure,
            "summary": self.summary,
        }


@dataclass(frozen=True)
class DirectoryReport:
    entries: tuple[DirectoryEntry, ...]
    #: Files that are not artifacts by the rule (signatures, checksums, SBOMs...), for the text summary.
    metadata_files: int = 0

    def count(self, status: str) -> int:
        return sum(e.status == status for e in self.entries)

    @property
    def verified(self) -> int:
        return self.count("verified")

    @property
    def failed(self) -> int:
        return self.count("failed")

    @property
    def ok(self) -> bool:
        return bool(self.entries) and all(e.status == "verified" for e in self.entries)

    def summary_counts(self) -> dict[str, int]:
        return {
            "verified": self.verified,
            "failed": self.failed,
            "unsigned": self.count("unsigned"),
            "no_artifact": self.count("no-artifact"),
        }

    def to_json(self) -> dict[str, Any]:
        return {"summary": self.summary_counts(), "files": [e.to_json() for e in self.entries]}

    def summary(self) -> str:
        c = self.summary_counts()
        text = (
            f"{len(self.entries)} checked: {c['verified']} verified, {c['failed']} failed,"
            f" {c['unsigned']} unsigned, {c['no_artifact']} bundle(s) without artifact"
        )
        if self.metadata_files:
            text += f"; {self.metadata_files} signature/checksum/SBOM file(s) not counted as artifacts"
        return text


@dataclass(frozen=True)
class _Walk:
    files: dict[str, Path]
    refused: dict[str, str]


def _walk(directory: Path, recursive: bool) -> _Walk:
    """Regular files by relative POSIX path; symlinks out of the directory and special files refused."""
    base = directory.resolve()
    files: dict[str, Path] = {}
    refused: dict[str, str] = {}
    pending = [(directory, PurePosixPath())]
    while pending:
        current, rel = pending.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError as exc:
            refused[str(rel) or "."] = f"cannot list this directory ({exc.strerror or exc})"
            continue
        for entry in entries:
            rel_path = str(rel / entry.name)
            path = Path(entry.path)
            try:
                if entry.is_symlink():
                    target = path.resolve()
                    if not target.is_relative_to(base):
                        refused[rel_path] = "symlink to outside the directory: not followed"
                    elif target.is_file():
                        files[rel_path] = path
                    continue  # links to directories are not descended (loops); the real one is walked
                mode = entry.stat(follow_symlinks=False).st_mode
            except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop on resolve()
                refused[rel_path] = f"cannot read it ({getattr(exc, 'strerror', None) or exc})"
                continue
            if stat.S_ISDIR(mode):
                if recursive and not entry.name.startswith("."):  # .git/, .cache/: not part of the mirror
                    pending.append((path, rel / entry.name))
            elif stat.S_ISREG(mode):
                files[rel_path] = path
            else:
                refused[rel_path] = "not a regular file (FIFO, socket or device): not read"
    return _Walk(files, refused)


def _line_from_dirs(rel: str) -> str | None:
    for part in reversed(PurePosixPath(rel).parts[:-1]):
        match = _RELEASE_DIR.match(part)
        if match:
            return f"{int(match['major'])}.{int(match['minor'])}"
    return None


def _read_digest_file(path: Path) -> bytes:
    text = read_limited(path, max_bytes=4096, what="digest file").decode("ascii", errors="replace")
    first = text.strip().split()[0] if text.strip() else ""
    return parse_sha256(first)


def _failed(artifact: str | None, bundle: str | None, failure: FailureClass, summary: str) -> DirectoryEntry:
    return DirectoryEntry(artifact, bundle, "failed", failure.value, summary)


def verify_directory(
    directory: Path,
    *,
    python_version: str | None = None,
    identity: str | None = None,
    issuer: str | None = None,
    trust_root: TrustRoot | None = None,
    recursive: bool = False,
    any_release_manager: bool = False,
) -> DirectoryReport:
    """Account for every file (see module doc); the signer is per file unless given explicitly."""
    walk = _walk(directory, recursive)
    kinds = {rel: artifact_kind(PurePosixPath(rel).name) for rel in walk.files}
    artifacts = {rel for rel, kind in kinds.items() if kind == "artifact"}
    entries: list[DirectoryEntry] = []
    signed: set[str] = set()
    bundles = sorted(r for r, kind in kinds.items() if kind == "bundle")
    bundle_of = {str(PurePosixPath(b).with_name(strip_bundle_suffix(PurePosixPath(b).name) or "_")): b for b in bundles}
    for rel, reason in walk.refused.items():
        kind = artifact_kind(PurePosixPath(rel).name)
        if kind == "metadata":
            continue
        if kind == "bundle":
            entries.append(_failed(None, rel, FailureClass.REFUSED_FILE, reason))
            signed.add(strip_bundle_suffix(rel))
        else:  # a refused artifact carries its bundle, which is then not checked on its own
            entries.append(_failed(rel, bundle_of.get(rel), FailureClass.REFUSED_FILE, reason))
            signed.add(rel)
    for rel in bundles:
        posix = PurePosixPath(rel)
        name = strip_bundle_suffix(posix.name)
        if not name:
            entries.append(
                DirectoryEntry(None, rel, "no-artifact", None, f"a bundle named {posix.name!r} names no artifact")
            )
            continue
        artifact_rel = str(posix.with_name(name))
        if artifact_rel in walk.refused:
            continue
        signed.add(artifact_rel)
        entries.append(
            _check_pair(
                walk,
                artifact_rel if artifact_rel in artifacts else None,
                artifact_rel,
                rel,
                python_version=python_version,
                identity=identity,
                issuer=issuer,
                trust_root=trust_root,
                any_release_manager=any_release_manager,
            )
        )
    for rel in sorted(artifacts - signed):
        entries.append(
            DirectoryEntry(
                rel,
                None,
                "unsigned",
                None,
                f"no Sigstore bundle next to it (expected {PurePosixPath(rel).name}.sigstore): unsigned or not yet mirrored",
            )
        )
    entries.sort(key=lambda e: (e.artifact or e.bundle or "", e.bundle or ""))
    metadata = sum(kind == "metadata" for kind in kinds.values())
    return DirectoryReport(tuple(entries), metadata)


def _check_pair(
    walk: _Walk,
    artifact_rel: str | None,
    wanted_rel: str,
    bundle_rel: str,
    *,
    python_version: str | None,
    identity: str | None,
    issuer: str | None,
    trust_root: TrustRoot | None,
    any_release_manager: bool,
) -> DirectoryEntry:
    digest_path = walk.files.get(f"{wanted_rel}.sha256")
    if artifact_rel is None and digest_path is None:
        return DirectoryEntry(
            None,
            bundle_rel,
            "no-artifact",
            None,
            f"{PurePosixPath(wanted_rel).name} is missing next to its bundle (and no .sha256 file stands in for it)",
        )
    version = (
        python_version
        or infer_python_version(PurePosixPath(wanted_rel).name, PurePosixPath(bundle_rel).name)
        or _line_from_dirs(bundle_rel)
    )
    try:
        if identity and issuer:
            want_identity, want_issuer = identity, issuer
        else:
            if version is None:
                raise UnknownPythonVersion(
                    "cannot tell the Python version from the file or directory name; give --python-version X.Y"
                )
            signer = expected_signer(version)
            want_identity, want_issuer = signer.identity, signer.issuer
    except UnknownPythonVersion as exc:
        return _failed(artifact_rel, bundle_rel, FailureClass.UNKNOWN_SIGNER, str(exc))
    try:
        sha256 = None if artifact_rel is not None else _read_digest_file(digest_path)  # type: ignore[arg-type]
        result = verify_bundle_file(
            walk.files[bundle_rel],
            artifact=walk.files[artifact_rel] if artifact_rel is not None else None,
            sha256=sha256,
            identity=want_identity,
            issuer=want_issuer,
            trust_root=trust_root,
            python_version=version,
            any_release_manager=any_release_manager,
        )
    except InputRejected as exc:
        return _failed(artifact_rel or wanted_rel, bundle_rel, FailureClass.MALFORMED_BUNDLE, str(exc))
    except OSError as exc:
        return _failed(artifact_rel, bundle_rel, FailureClass.REFUSED_FILE, f"cannot read it ({exc.strerror or exc})")
    summary = result.summary
    if artifact_rel is None:
        summary += f" (digest from {PurePosixPath(wanted_rel).name}.sha256: the file itself is not in the mirror)"
    return DirectoryEntry(
        artifact_rel if artifact_rel is not None else wanted_rel,
        bundle_rel,
        "verified" if result.ok else "failed",
        result.failure.value if result.failure else None,
        summary,
        result,
    )
