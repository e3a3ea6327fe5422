"""Failure reasons that are right: real sigstore-conformance and sigstore-python cases (cases.csv).

Each row is a real upstream file (provenance in the CSV and PROVENANCE.md) whose verdict was right
but whose explanation was wrong or misleading; the test asserts the class and what the person reads.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.verification import FailureClass, TrustRoot, embedded_trust_root, load_trust_root, verify_bundle
from analysis.verification.verify import VerificationResult
from tests.test_verif_helpers import FIXTURES


@dataclass(frozen=True)
class Case:
    case: str
    bundle: Path
    artifact: Path
    trust_root: str
    identity: str
    issuer: str
    expected: str
    source_repo: str
    source_commit: str
    source_path: str

    def root(self) -> TrustRoot:
        if self.trust_root in ("production", "staging"):
            return embedded_trust_root(self.trust_root)  # type: ignore[arg-type]
        path = FIXTURES / self.trust_root
        return load_trust_root(path.read_bytes(), path.name)

    def run(self) -> VerificationResult:
        return verify_bundle(
            self.bundle.read_bytes(),
            hashlib.sha256(self.artifact.read_bytes()).digest(),
            identity=self.identity,
            issuer=self.issuer,
            trust_root=self.root(),
        )


def _cases() -> dict[str, Case]:
    with (FIXTURES / "cases.csv").open(newline="", encoding="utf-8") as fh:
        return {
            r["case"]: Case(
                case=r["case"],
                bundle=FIXTURES / r["bundle"],
                artifact=FIXTURES / r["artifact"],
                trust_root=r["trust_root"],
                identity=r["identity"],
                issuer=r["issuer"],
                expected=r["expected_failure"],
                source_repo=r["source_repo"],
                source_commit=r["source_commit"],
                source_path=r["source_path"],
            )
            for r in csv.DictReader(fh)
        }


CASES = _cases()


@pytest.mark.parametrize("case", list(CASES.values()), ids=lambda c: c.case)
def test_case_file_has_provenance_and_gets_its_class(case: Case) -> None:
    assert case.bundle.is_file() and case.artifact.is_file()
    assert case.source_repo in ("sigstore/sigstore-conformance", "sigstore/sigstore-python")
    assert len(case.source_commit) == 40 and case.source_path.startswith("test/assets/")
    result = case.run()
    if not case.expected:
        assert result.ok, result.summary
        return
    assert not result.ok
    assert result.failure == FailureClass(case.expected), (result.summary, result.detail)
    for text in (result.summary, result.explanation, result.what_to_do):
        assert "Traceback" not in text and len(text) > 20


def test_staging_rekor_v2_bundle_under_the_production_root_is_the_wrong_instance() -> None:
    for name in ("rekor2-staging-with-production-root",):
        result = CASES[name].run()
        assert result.failure is FailureClass.WRONG_TRUST_ROOT
        assert "Sigstore's staging instance" in result.summary
        assert "production trust root" in result.summary
        assert "--staging" in result.what_to_do
        assert "upgrade" not in result.what_to_do.lower()
    # Our own staging Rekor v2 fixture tells the same story.
    bundle = FIXTURES / "staging-rekor-v2.txt.sigstore.json"
    digest = hashlib.sha256((FIXTURES / "staging-rekor-v2.txt").read_bytes()).digest()
    result = verify_bundle(bundle.read_bytes(), digest, identity="jku@goto.fi", issuer="https://github.com/login/oauth")
    assert result.failure is FailureClass.WRONG_TRUST_ROOT


def test_timestamp_outside_the_certificate_is_one_class_naming_the_cause_whatever_the_root() -> None:
    late = [
        CASES[n].run()
        for n in ("late-timestamp-tsa-root", "late-timestamp-production-root", "late-timestamp-staging-root")
    ]
    assert {r.failure for r in late} == {FailureClass.EXPIRED_CERTIFICATE}
    for result in late:
        assert "RFC 3161 timestamp (2025-05-12 19:00:27 UTC)" in result.summary
        assert "lies outside the signing certificate's validity" in result.summary
        assert "another root will not help" in result.explanation
    incorrect = [CASES[n].run() for n in ("timestamp-outside-cert-own-root", "timestamp-outside-cert-production-root")]
    assert {r.failure for r in incorrect} == {FailureClass.EXPIRED_CERTIFICATE}
    assert all("RFC 3161 timestamp" in r.summary for r in incorrect)
    future = CASES["integrated-time-in-future"].run()
    assert "Rekor integrated time" in future.summary and "outside" in future.summary


def test_untrusted_timestamp_authority_is_named_not_malformed() -> None:
    for name in ("untrusted-tsa-with-embedded-cert", "untrusted-tsa-without-embedded-cert"):
        result = CASES[name].run()
        assert result.failure is FailureClass.UNTRUSTED_TIMESTAMP_AUTHORITY
        assert "www.freetsa.org" in result.summary
        assert "does not list" in result.summary
        assert "well formed" in result.explanation


def test_tampered_timestamp_says_do_not_trust_not_upgrade() -> None:
    result = CASES["tampered-timestamp"].run()
    assert result.failure is FailureClass.TIMESTAMP_MISMATCH
    assert "different signature" in result.summary
    assert result.what_to_do.startswith("Do not trust this file.")
    assert "upgrade" not in result.what_to_do.lower()


def test_too_many_and_duplicate_timestamps_have_their_own_message() -> None:
    many = CASES["too-many-timestamps"].run()
    assert many.failure is FailureClass.EXCESS_TIMESTAMPS
    assert "33 RFC 3161 timestamps; at most 32" in many.summary
    duplicate = CASES["duplicate-timestamps"].run()
    assert duplicate.failure is FailureClass.EXCESS_TIMESTAMPS
    assert "same RFC 3161 timestamp more than once" in duplicate.summary


def test_python_org_missing_checkpoint_story_only_for_cpython_bundles() -> None:
    other = CASES["non-cpython-missing-checkpoint"].run()
    assert other.failure is FailureClass.MISSING_INCLUSION_PROOF
    assert "3.12.5" not in other.explanation and "python.org" not in other.explanation
    assert "fix-bundle" not in other.what_to_do and "python.org" not in other.what_to_do
    cpython = verify_bundle(
        (FIXTURES / "Python-3.12.5.tgz.no-checkpoint.sigstore").read_bytes(),
        bytes.fromhex("38dc4e2c261d49c661196066edbfb70fdb16be4a79cc8220c224dfeb5636d405"),
        identity="thomas@python.org",
        issuer="https://accounts.google.com",
    )
    assert cpython.failure is FailureClass.MISSING_INCLUSION_PROOF
    assert "3.12.5" in cpython.explanation and "fix-bundle" in cpython.what_to_do
    assert cpython.evidence.certificate_identities == ("thomas@python.org",)  # read from the JSON


def test_case_classes_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = CASES["tampered-timestamp"]
    args = ["verify", str(case.artifact), "--bundle", str(case.bundle), "--identity", case.identity]
    args += ["--issuer", case.issuer, "--trusted-root", str(FIXTURES / case.trust_root), "--format", "json"]
    assert main(args) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["failure"] == "timestamp-mismatch"
    assert data["what_to_do"].startswith("Do not trust this file.")


# -- --trusted-root given a ClientTrustConfig, or something else ------------------------------------


def test_client_trust_config_is_accepted_and_its_trusted_root_used(capsys: pytest.CaptureFixture[str]) -> None:
    case = CASES["tsa-bundle-with-its-root"]
    args = ["verify", str(case.artifact), "--bundle", str(case.bundle), "--identity", case.identity]
    args += ["--issuer", case.issuer, "--trusted-root", str(FIXTURES / case.trust_root)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "the trustedRoot of a sigstore-python ClientTrustConfig" in out
    config = str(FIXTURES / case.trust_root)
    assert f"python -m sigstore --trust-config {config} verify identity --offline" in out
    assert "--trusted-root trusted_root.json" in out and f"jq .trustedRoot {config} > trusted_root.json" in out
    production_config = FIXTURES / "sigstore-python" / "trust_config" / "config.v1.json"
    b313 = FIXTURES / "Python-3.13.0.tgz.sigstore"
    d313 = "12445c7b3db3126c41190bfdc1c8239c39c719404e844babbd015a1bc3fafcd4"
    assert main(["verify", "--digest", d313, "--bundle", str(b313), "--trusted-root", str(production_config)]) == 0


@pytest.mark.parametrize(
    ("file", "says"),
    [
        ("sigstore-python/trust_config/config.badtype.json", "looks like a sigstore-python ClientTrustConfig"),
        ("Python-3.13.0.tgz.sigstore", "this is a Sigstore bundle (.sigstore), not a trust root"),
    ],
)
def test_trusted_root_that_is_another_file_says_what_it_is(
    file: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    b313 = str(FIXTURES / "Python-3.13.0.tgz.sigstore")
    d313 = "12445c7b3db3126c41190bfdc1c8239c39c719404e844babbd015a1bc3fafcd4"
    assert main(["verify", "--digest", d313, "--bundle", b313, "--trusted-root", str(FIXTURES / file)]) == 2
    err = capsys.readouterr().err
    assert says in err
    assert "validation errors" not in err
