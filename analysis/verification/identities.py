"""Who is expected to have signed a CPython release, and which release a file name belongs to.

The mapping Python X.Y -> release manager identity + OIDC issuer is a *fact with sources*, so it lives
in ``data/sigstore_identities.csv`` (copied from the shared reference, one row per line, each with
the commit it was read from), never in code. A new release manager is a reviewed data change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from analysis.reference_data import read_csv, version_key

IDENTITIES_FILE = "sigstore_identities.csv"

#: Suffixes of a bundle next to its artifact, longest first so ``.sigstore.json`` wins.
BUNDLE_SUFFIXES: tuple[str, ...] = (".sigstore.json", ".sigstore")

#: ``Python-3.14.0.tgz``, ``Python-3.14.0a1.tar.xz``, ``python-3.13.1-amd64.exe``,
#: ``python-3.13.0-embed-amd64.zip``, ``python-3.14.0-macos11.pkg``, ``Python-3.15.0rc2.tgz``.
#: The micro part is optional so ``python-3.14-docs`` style names still map to a line.
_FILE_VERSION_RE = re.compile(
    r"(?i)(?:^|[^a-z0-9])python-(?P<major>\d+)\.(?P<minor>\d+)(?:\.(?P<micro>\d+))?(?P<pre>(?:a|b|rc)\d+)?(?=$|[.\-_])"
)


class UnknownPythonVersion(LookupError):
    """No identity is on record for this X.Y line (too old for Sigstore, or not yet in the data)."""


@dataclass(frozen=True)
class ExpectedSigner:
    """The identity a release of one X.Y line must carry, with where that fact was read."""

    python_version: str
    release_manager: str
    identity: str
    issuer: str
    source: str

    @property
    def issuer_name(self) -> str:
        """The human name of the OIDC issuer: people say "GitHub" or "Google", not URLs."""
        return issuer_display_name(self.issuer)


def issuer_display_name(issuer: str) -> str:
    """GitHub / Google / GitHub Actions / Microsoft for the usual Sigstore issuers, else the URL."""
    known = {
        "https://github.com/login/oauth": "GitHub",
        "https://accounts.google.com": "Google",
        "https://token.actions.githubusercontent.com": "GitHub Actions",
        "https://login.microsoftonline.com": "Microsoft",
    }
    return known.get(issuer.rstrip("/"), issuer)


@cache
def expected_signers() -> dict[str, ExpectedSigner]:
    """X.Y -> expected signer, oldest line first (cached: the file does not change while running)."""
    rows = read_csv(IDENTITIES_FILE)
    signers = {
        row["python_version"]: ExpectedSigner(
            python_version=row["python_version"],
            release_manager=row["release_manager"],
            identity=row["identity"],
            issuer=row["oidc_issuer"],
            source=row["source"],
        )
        for row in rows
    }
    return dict(sorted(signers.items(), key=lambda item: version_key(item[0])))


def expected_signer(python_version: str) -> ExpectedSigner:
    """The signer of record for ``X.Y``; raises :class:`UnknownPythonVersion` with the known lines."""
    signer = expected_signers().get(python_version.strip())
    if signer is None:
        known = ", ".join(expected_signers())
        raise UnknownPythonVersion(
            f"no Sigstore identity is on record for Python {python_version!r} (known lines: {known})"
        )
    return signer


def strip_bundle_suffix(name: str) -> str:
    """``Python-3.14.0.tgz.sigstore`` -> ``Python-3.14.0.tgz`` (names without a suffix unchanged)."""
    for suffix in BUNDLE_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


@dataclass(frozen=True)
class ReleaseName:
    """What a CPython file name says: the X.Y line and the full release (``3.14.0a1``)."""

    line: str
    release: str


def parse_release_name(file_name: str) -> ReleaseName | None:
    """The release a python.org file name belongs to, or None for anything else.

    Works on artifacts and on their bundles (the ``.sigstore``/``.sigstore.json`` suffix is ignored),
    and on paths (only the last component counts).
    """
    base = strip_bundle_suffix(re.split(r"[/\\]", file_name.strip())[-1])
    match = _FILE_VERSION_RE.search(base)
    if not match:
        return None
    line = f"{int(match['major'])}.{int(match['minor'])}"
    release = line + (f".{int(match['micro'])}" if match["micro"] is not None else "") + (match["pre"] or "").lower()
    return ReleaseName(line=line, release=release)


def infer_python_version(*file_names: str | None) -> str | None:
    """The X.Y line from the first file name that names one (artifact first, then bundle)."""
    for name in file_names:
        if name:
            parsed = parse_release_name(name)
            if parsed:
                return parsed.line
    return None
