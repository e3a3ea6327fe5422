"""Offline Sigstore verification of CPython artifacts (no Streamlit here: the page and CLI share it).

Modules: :mod:`.identities` (expected signer per X.Y, version from file names), :mod:`.trust_root`
(explicit embedded or user root, its age, one warm verifier per root), :mod:`.tuf_update` (refresh a
root through TUF), :mod:`.limits` (input caps, linear JSON depth, chunked hashing), :mod:`.evidence`
(what a bundle says, read defensively), :mod:`.timestamps` (what its own timestamps say),
:mod:`.verify` (one bundle -> classified result), :mod:`.failures` (plain-language explanations),
:mod:`.commands` (equivalent sigstore/cosign command lines), :mod:`.mirror` (a whole mirror, every
artifact accounted for), :mod:`.safe_text` (names safe for a terminal or Markdown).
"""

from analysis.verification.commands import EquivalentCommands, equivalent_commands
from analysis.verification.failures import FailureClass
from analysis.verification.identities import (
    ExpectedSigner,
    UnknownPythonVersion,
    expected_signer,
    expected_signers,
    infer_python_version,
    parse_release_name,
    strip_bundle_suffix,
)
from analysis.verification.limits import (
    MAX_BUNDLE_BYTES,
    InputRejected,
    parse_sha256,
    sha256_file,
    sha256_stream,
)
from analysis.verification.mirror import DirectoryReport, artifact_kind, verify_directory
from analysis.verification.trust_root import (
    REFRESH_COMMAND,
    STALE_AFTER_DAYS,
    TrustRoot,
    TrustRootError,
    embedded_trust_root,
    load_trust_root,
    verifier_for,
)
from analysis.verification.verify import Evidence, VerificationResult, verify_bundle, verify_bundle_file

__all__ = [
    "MAX_BUNDLE_BYTES",
    "REFRESH_COMMAND",
    "STALE_AFTER_DAYS",
    "DirectoryReport",
    "EquivalentCommands",
    "Evidence",
    "ExpectedSigner",
    "FailureClass",
    "InputRejected",
    "TrustRoot",
    "TrustRootError",
    "UnknownPythonVersion",
    "VerificationResult",
    "artifact_kind",
    "embedded_trust_root",
    "equivalent_commands",
    "expected_signer",
    "expected_signers",
    "infer_python_version",
    "load_trust_root",
    "parse_release_name",
    "parse_sha256",
    "sha256_file",
    "sha256_stream",
    "strip_bundle_suffix",
    "verifier_for",
    "verify_bundle",
    "verify_bundle_file",
    "verify_directory",
]
