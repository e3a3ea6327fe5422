"""Helpers (no tests) for the verification tests: the real bundles of tests/fixtures/sigstore, driven by
fixtures.csv (observed outcomes with sigstore-python 4.5.1)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from analysis.verification import FailureClass

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sigstore"


@dataclass(frozen=True)
class Row:
    file: str
    artifact_name: str
    sha256: str
    identity: str
    issuer: str
    trust_root: str
    verifies: bool
    expected_error: str
    source: str

    @property
    def bundle_path(self) -> Path:
        return FIXTURES / self.file

    @property
    def artifact_path(self) -> Path | None:
        """The shipped tiny artifact, when there is one (CPython artifacts are not shipped)."""
        path = FIXTURES / self.artifact_name
        return path if self.verifies and path.is_file() else None

    @property
    def id(self) -> str:
        return f"{self.file}::{self.artifact_name}"


def rows() -> list[Row]:
    with (FIXTURES / "fixtures.csv").open(newline="", encoding="utf-8") as fh:
        return [
            Row(
                file=r["file"],
                artifact_name=r["artifact_name"],
                sha256=r["artifact_sha256"],
                identity=r["expected_identity"],
                issuer=r["expected_issuer"],
                trust_root=r["trust_root"],
                verifies=r["offline_verifies"] == "yes",
                expected_error=r["expected_error"],
                source=r["source"],
            )
            for r in csv.DictReader(fh)
        ]


POSITIVE = [r for r in rows() if r.verifies]
NEGATIVE = [r for r in rows() if not r.verifies]
CPYTHON = [r for r in POSITIVE if r.file.lower().startswith("python-")]

#: The observed sigstore-python error (CSV) -> the class our result must carry.
_ERROR_TO_CLASS = [
    ("digest mismatch", FailureClass.DIGEST_MISMATCH),
    ("SANs do not match", FailureClass.IDENTITY_MISMATCH),
    ("OIDCIssuer does not match", FailureClass.ISSUER_MISMATCH),
    ("candidates exhausted", FailureClass.WRONG_TRUST_ROOT),
    ("not valid at validation time", FailureClass.EXPIRED_CERTIFICATE),
    ("Signature is invalid", FailureClass.INVALID_SIGNATURE),
    ("inclusion proof", FailureClass.MISSING_INCLUSION_PROOF),
    ("inconsistent with other materials", FailureClass.LOG_INCONSISTENT),
    ("Invalid JSON", FailureClass.MALFORMED_BUNDLE),
]


def expected_class(row: Row) -> FailureClass:
    for needle, failure in _ERROR_TO_CLASS:
        if needle in row.expected_error:
            return failure
    raise AssertionError(f"no class mapped for {row.expected_error!r}")
