"""Refresh a Sigstore trusted_root.json through TUF, once, for builders that verify offline.

Gentoo's request (sigstore/sigstore-python#1172): a networked machine refreshes the trust root and
ships the file to offline builders. This uses the client sigstore-python itself uses
(``tuf.ngclient.Updater``, as in ``sigstore/_internal/tuf.py``), so the file is exactly the TUF target
``trusted_root.json``: its length and hash are pinned by targets metadata that chains to a root of
trust, and every metadata file is checked for signatures, versions and expiry. What TUF refuses
(expired or tampered metadata, a target whose hash differs) is a :class:`TrustRootUpdateError`
with a sentence, and *nothing is written*: the old file stays in place.

Bootstrap: for Sigstore's production and staging repositories the initial ``root.json`` is the one
embedded in the sigstore wheel (as sigstore-python does); any other repository needs ``--root FILE``,
because trusting whatever root a URL serves on first use would make TUF's guarantees void.

Provenance goes next to the file (``FILE.provenance.json``: repository, root version, fetched at,
SHA-256), not inside it: sigstore-go and cosign parse trusted_root.json as strict protobuf JSON and
reject unknown fields, so the shipped file stays byte-identical to the TUF target.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from urllib import parse

from tuf.api import exceptions as tuf_errors
from tuf.api.metadata import Metadata, Root
from tuf.ngclient import Updater, UpdaterConfig

from analysis.verification.trust_root import (
    MAX_TRUST_ROOT_BYTES,
    TrustRoot,
    TrustRootError,
    load_trust_root,
    sigstore_version,
)

PRODUCTION_TUF_URL = "https://tuf-repo-cdn.sigstore.dev"
STAGING_TUF_URL = "https://tuf-repo-cdn.sigstage.dev"
TARGET_NAME = "trusted_root.json"
PROVENANCE_SUFFIX = ".provenance.json"


class TrustRootUpdateError(Exception):
    """TUF refused the repository (or could not reach it); nothing was written."""


class BootstrapError(ValueError):
    """The initial root.json is missing or unreadable (bad usage, exit 2)."""


@dataclass(frozen=True)
class Provenance:
    """Where a trusted_root.json came from; written next to it as JSON."""

    tuf_repository: str
    root_version: int
    fetched_at: str
    sha256: str
    client: str

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2) + "\n"


def provenance_path(path: Path) -> Path:
    return path.with_name(path.name + PROVENANCE_SUFFIX)


def read_provenance(path: Path) -> Provenance | None:
    """The provenance written next to ``path`` by :func:`update_trust_root`, if present and readable."""
    side = provenance_path(path)
    try:
        data = json.loads(side.read_bytes()[:65536])
        return Provenance(
            tuf_repository=str(data["tuf_repository"]),
            root_version=int(data["root_version"]),
            fetched_at=str(data["fetched_at"]),
            sha256=str(data["sha256"]),
            client=str(data.get("client", "")),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def embedded_bootstrap_root(url: str) -> bytes | None:
    """The root.json embedded in sigstore-python for Sigstore's own repositories (None for others)."""
    directory = parse.quote(url.rstrip("/"), safe="")
    path = resources.files("sigstore") / "_store" / directory / "root.json"
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None


def _explain(exc: Exception, url: str) -> str:
    """One sentence per thing TUF can refuse, saying what it means for the person refreshing."""
    if isinstance(exc, tuf_errors.ExpiredMetadataError):
        return (
            f"the TUF repository {url} serves expired metadata ({exc}): it has not been re-signed in time,"
            " or a mirror is replaying old files. Nothing was written; try again later or report it to the"
            " repository's operators."
        )
    if isinstance(exc, tuf_errors.LengthOrHashMismatchError):
        return (
            f"a file from {url} does not match the length or hash its signed metadata records ({exc}):"
            " it was altered in transit or on the server. Nothing was written; do not use files from it."
        )
    if isinstance(exc, tuf_errors.UnsignedMetadataError):
        return (
            f"metadata from {url} is not signed by the keys that must sign it ({exc}): it was tampered with,"
            " or it does not belong to the root you bootstrapped from. Nothing was written."
        )
    if isinstance(exc, tuf_errors.BadVersionNumberError):
        return (
            f"the TUF repository {url} offered an older version than one already trusted ({exc}),"
            " a rollback. Nothing was written."
        )
    if isinstance(exc, tuf_errors.DownloadError):
        return f"could not download from {url} ({exc}). Nothing was written."
    if isinstance(exc, tuf_errors.RepositoryError):
        return f"the TUF repository {url} was refused: {exc}. Nothing was written."
    return f"refreshing from {url} failed ({type(exc).__name__}: {exc}). Nothing was written."


def _write_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def update_trust_root(
    out: Path,
    *,
    url: str = PRODUCTION_TUF_URL,
    bootstrap_root: bytes | None = None,
    now: datetime | None = None,
) -> tuple[TrustRoot, Provenance]:
    """Refresh through TUF and write ``out`` plus its provenance; raises before writing anything."""
    url = url.rstrip("/")
    bootstrap = bootstrap_root if bootstrap_root is not None else embedded_bootstrap_root(url)
    if bootstrap is None:
        raise BootstrapError(f"no root.json is embedded for {url}: give the repository's initial root with --root FILE")
    try:
        Metadata[Root].from_bytes(bootstrap)
    except Exception as exc:
        raise BootstrapError(f"the initial root.json is not TUF root metadata ({type(exc).__name__})") from exc
    with tempfile.TemporaryDirectory(prefix="tuf-") as tmp:
        metadata_dir, target_dir = Path(tmp) / "metadata", Path(tmp) / "targets"
        metadata_dir.mkdir()
        target_dir.mkdir()
        try:
            updater = Updater(
                metadata_dir=str(metadata_dir),
                metadata_base_url=url,
                target_base_url=parse.urljoin(f"{url}/", "targets/"),
                target_dir=str(target_dir),
                config=UpdaterConfig(app_user_agent=f"pep761-survey (sigstore-python {sigstore_version()})"),
                bootstrap=bootstrap,
            )
            updater.refresh()
            info = updater.get_targetinfo(TARGET_NAME)
            if info is None:
                raise TrustRootUpdateError(f"the TUF repository {url} has no {TARGET_NAME} target")
            if info.length > MAX_TRUST_ROOT_BYTES:
                raise TrustRootUpdateError(f"{TARGET_NAME} from {url} is {info.length:,} bytes: not a trust root")
            data = Path(updater.download_target(info)).read_bytes()
            root_version = Metadata[Root].from_bytes((metadata_dir / "root.json").read_bytes()).signed.version
        except TrustRootUpdateError:
            raise
        except (tuf_errors.RepositoryError, tuf_errors.DownloadError, OSError, ValueError) as exc:
            raise TrustRootUpdateError(_explain(exc, url)) from exc
    try:
        root = load_trust_root(data, out.name)
    except TrustRootError as exc:
        raise TrustRootUpdateError(f"{TARGET_NAME} from {url} passed TUF but is not usable: {exc}") from exc
    provenance = Provenance(
        tuf_repository=url,
        root_version=root_version,
        fetched_at=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
        sha256=hashlib.sha256(data).hexdigest(),
        client=f"python-tuf ngclient via pep761-survey, sigstore-python {sigstore_version()}",
    )
    _write_atomically(out, data)
    _write_atomically(provenance_path(out), provenance.to_json().encode())
    return root, provenance
