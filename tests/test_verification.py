"""Offline verification against the real bundles in tests/fixtures/sigstore (no mocked verifier)."""

from __future__ import annotations

import hashlib
import shlex
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from analysis.verification import (
    FailureClass,
    TrustRootError,
    UnknownPythonVersion,
    embedded_trust_root,
    equivalent_commands,
    expected_signer,
    infer_python_version,
    load_trust_root,
    parse_release_name,
    sha256_file,
    verifier_for,
    verify_bundle,
    verify_bundle_file,
)
from analysis.verification import trust_root as trust_root_module
from analysis.verification.trust_root import STALE_AFTER_DAYS, embedded_trust_root_bytes
from tests.test_verif_helpers import CPYTHON, FIXTURES, NEGATIVE, POSITIVE, Row, expected_class


def run_row(row: Row, **overrides: object):
    kwargs: dict[str, object] = {
        "identity": row.identity,
        "issuer": row.issuer,
        "trust_root": embedded_trust_root(row.trust_root),  # type: ignore[arg-type]
    }
    kwargs.update(overrides)
    return verify_bundle(row.bundle_path.read_bytes(), bytes.fromhex(row.sha256), **kwargs)  # type: ignore[arg-type]


# -- the positive fixtures -----------------------------------------------------------------------


def test_the_five_cpython_bundles_are_all_there() -> None:
    assert {r.file for r in CPYTHON} == {
        "Python-3.11.0.tgz.sigstore",
        "Python-3.12.5.tgz.sigstore",
        "Python-3.13.0.tgz.sigstore",
        "python-3.13.0-amd64.exe.sigstore",
        "Python-3.14.0.tgz.sigstore",
    }


@pytest.mark.parametrize("row", CPYTHON, ids=lambda r: r.file)
def test_cpython_bundle_verifies_offline_from_its_sha256_and_the_data_file_identity(row: Row) -> None:
    version = infer_python_version(row.artifact_name)
    assert version is not None
    signer = expected_signer(version)
    assert (signer.identity, signer.issuer) == (row.identity, row.issuer)  # data file agrees with fixtures

    result = run_row(row, identity=signer.identity, issuer=signer.issuer, python_version=version)

    assert result.ok, result.summary
    assert result.failure is None
    assert result.summary.startswith("Verified:")
    ev = result.evidence
    assert ev.certificate_identities == (row.identity,)
    assert ev.certificate_issuer == row.issuer
    assert ev.digest_checked == row.sha256
    assert ev.digest_signed == row.sha256  # the bundle records what it signed
    assert ev.rekor_log_index is not None and ev.rekor_log_index > 0
    assert ev.rekor_integrated_time is not None
    assert ev.certificate_not_before <= ev.signing_time <= ev.certificate_not_after  # type: ignore[operator]
    assert ev.bundle_media_type and ev.bundle_media_type.startswith("application/vnd.dev.sigstore.bundle")


def test_cpython_bundles_cover_three_bundle_formats() -> None:
    media = {run_row(r).evidence.bundle_media_type for r in CPYTHON}
    assert len(media) == 3, media


@pytest.mark.parametrize("row", [r for r in POSITIVE if r.artifact_path], ids=lambda r: r.file)
def test_test_suite_bundles_verify_with_their_tiny_artifacts(row: Row) -> None:
    assert row.artifact_path is not None
    assert sha256_file(row.artifact_path).hex() == row.sha256
    result = verify_bundle_file(
        row.bundle_path,
        artifact=row.artifact_path,
        identity=row.identity,
        issuer=row.issuer,
        trust_root=embedded_trust_root(row.trust_root),  # type: ignore[arg-type]
    )
    assert result.ok, result.summary
    assert row.artifact_name in result.summary
    assert f"{row.trust_root} trust root" in result.summary


def test_rekor_v2_bundle_takes_its_signing_time_from_the_timestamp_authority() -> None:
    row = next(r for r in POSITIVE if r.file == "staging-rekor-v2.txt.sigstore.json")
    result = run_row(row)
    assert result.ok
    assert result.evidence.rekor_entry_kind == "hashedrekord 0.0.2"
    assert result.evidence.signing_time_source == "RFC 3161 timestamp"
    assert result.evidence.signing_time is not None


# -- every negative fixture fails with its class and a readable message ---------------------------


@pytest.mark.parametrize("row", NEGATIVE, ids=lambda r: r.id)
def test_negative_fixture_fails_with_its_class(row: Row) -> None:
    result = run_row(row)
    assert not result.ok
    assert result.failure == expected_class(row), result.summary
    assert result.summary.startswith("Not verified: ")
    # Plain language: a sentence, an explanation and an action, no Python exception names.
    for text in (result.summary, result.explanation, result.what_to_do):
        assert len(text) > 20
        assert "Error" not in text.replace("error page", "")
        assert "Traceback" not in text


def test_digest_mismatch_names_both_digests() -> None:
    row = next(r for r in NEGATIVE if "other release artifact digest" in r.artifact_name)
    result = run_row(row)
    assert "sha256:12445c7b3db3" in result.summary and "the bundle signed sha256:88d2da4eed42" in result.summary


def test_missing_checkpoint_bundle_is_missing_inclusion_proof_and_says_what_to_do() -> None:
    row = next(r for r in NEGATIVE if r.file == "Python-3.12.5.tgz.no-checkpoint.sigstore")
    result = run_row(row)
    assert result.failure is FailureClass.MISSING_INCLUSION_PROOF
    assert "checkpoint" in result.summary
    assert "Download the bundle again" in result.what_to_do


def test_cve_2022_36056_bundle_fails() -> None:
    row = next(r for r in NEGATIVE if "cve" in r.file)
    artifact = FIXTURES / row.artifact_name
    assert sha256_file(artifact).hex() == row.sha256
    result = verify_bundle_file(
        row.bundle_path,
        artifact=artifact,
        identity=row.identity,
        issuer=row.issuer,
        trust_root=embedded_trust_root("staging"),
    )
    assert result.failure is FailureClass.LOG_INCONSISTENT
    assert "CVE-2022-36056" in result.explanation


def test_identity_mismatch_names_found_and_expected_signer() -> None:
    row = next(r for r in NEGATIVE if "wrong identity" in r.artifact_name)
    result = run_row(row, python_version="3.14")
    assert result.failure is FailureClass.IDENTITY_MISMATCH
    assert "signed by thomas@python.org, expected hugo@python.org" in result.summary.lower()
    assert "another release manager" in result.summary
    assert "3.12-3.13" in result.summary


def test_issuer_mismatch_names_github_google_and_the_314_documentation_slip() -> None:
    row = next(r for r in NEGATIVE if "wrong issuer" in r.artifact_name)
    result = run_row(row)
    assert result.failure is FailureClass.ISSUER_MISMATCH
    assert "Google" in result.summary and "GitHub" in result.summary
    assert "3.14" in result.explanation and "python.org" in result.explanation
    assert "1204" in result.explanation


def test_the_314_issuer_as_once_documented_on_python_org_fails_as_issuer_mismatch() -> None:
    row = next(r for r in CPYTHON if r.file == "Python-3.14.0.tgz.sigstore")
    result = run_row(row, issuer="https://accounts.google.com")
    assert result.failure is FailureClass.ISSUER_MISMATCH
    assert "logged in with GitHub" in result.summary


def test_wrong_trust_root_names_the_instance_the_bundle_belongs_to() -> None:
    row = next(r for r in NEGATIVE if "staging trust root" in r.artifact_name)
    result = run_row(row)
    assert result.failure is FailureClass.WRONG_TRUST_ROOT
    assert "production instance" in result.summary


# -- hostile and broken input: a clear result, never an exception ----------------------------------

GOOD = (FIXTURES / "Python-3.13.0.tgz.sigstore").read_bytes()
DIGEST = bytes.fromhex("12445c7b3db3126c41190bfdc1c8239c39c719404e844babbd015a1bc3fafcd4")

HOSTILE = {
    "huge": b'{"mediaType": "' + b"x" * (600 * 1024) + b'"}',
    "deeply nested": b"[" * 200_000 + b"]" * 200_000,
    "nested objects": b'{"a":' * 100 + b"1" + b"}" * 100,
    "not json": b"\x89PNG\r\n\x1a\n\x00\x00binary",
    "html error page": b"<html><body>404 Not Found</body></html>",
    "empty": b"",
    "json list": b"[]",
    "json null": b"null",
    "json string": b'"a bundle"',
    "media type is a number": GOOD.replace(b'"application/vnd.dev.sigstore.bundle.v0.3+json"', b"5"),
    "verification material is a list": b'{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",'
    b' "verificationMaterial": [], "messageSignature": {}}',
    "log index is an object": GOOD.replace(b'"logIndex": "137592587"', b'"logIndex": {"a": [1, 2]}'),
    "certificate is not base64": GOOD.replace(b'"rawBytes": "MII', b'"rawBytes": "!!!', 1),
    "certificate is not DER": GOOD.replace(b'"rawBytes": "MII', b'"rawBytes": "AAAA', 1),
    "unknown media type": GOOD.replace(
        b"application/vnd.dev.sigstore.bundle.v0.3+json", b"application/vnd.dev.sigstore.bundle.v9+json"
    ),
    "invalid utf-8": b'{"mediaType": "\xff\xfe"}',
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_bundle_gets_a_clear_error_not_a_traceback(name: str) -> None:
    data = HOSTILE[name]
    if name not in ("huge", "deeply nested", "nested objects", "not json", "html error page", "empty"):
        assert data != GOOD or name.startswith("json")  # the edit really happened
    result = verify_bundle(data, DIGEST, identity="thomas@python.org", issuer="https://accounts.google.com")
    assert not result.ok
    assert result.failure in (FailureClass.MALFORMED_BUNDLE, FailureClass.UNSUPPORTED_BUNDLE)
    assert result.summary.startswith("Not verified")
    assert "Traceback" not in result.explanation


def test_huge_and_deep_bundles_are_refused_with_the_limit_named() -> None:
    huge = verify_bundle(HOSTILE["huge"], DIGEST, identity="x", issuer="y")
    assert "512 KB" in huge.summary
    deep = verify_bundle(HOSTILE["deeply nested"], DIGEST, identity="x", issuer="y")
    assert "nests 200000 levels" in deep.summary


def test_unknown_media_type_is_unsupported_not_malformed() -> None:
    result = verify_bundle(HOSTILE["unknown media type"], DIGEST, identity="x", issuer="y")
    assert result.failure is FailureClass.UNSUPPORTED_BUNDLE


# -- offline, cache-independent, verifier reuse ---------------------------------------------------


def test_verification_makes_no_network_call_and_never_touches_the_user_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    cache, home = tmp_path / "cache", tmp_path / "home"
    cache.mkdir()
    home.mkdir()
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket.socket, "connect_ex", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    # Cold start under the patch: parse the embedded roots and build the verifiers anew.
    embedded_trust_root.cache_clear()
    monkeypatch.setattr(trust_root_module, "_VERIFIERS", type(trust_root_module._VERIFIERS)())

    for row in [*CPYTHON, *(r for r in POSITIVE if r.trust_root == "staging")]:
        assert run_row(row).ok, row.file
    assert list(cache.rglob("*")) == []
    assert list(home.rglob("*")) == []


def test_a_stale_or_wrong_root_in_the_user_cache_is_ignored(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """sigstore's offline=True would prefer this cached file; we must not read it at all."""
    cached = tmp_path / "sigstore-python" / "tuf" / "https%3A%2F%2Ftuf-repo-cdn.sigstore.dev"
    cached.mkdir(parents=True)
    (cached / "trusted_root.json").write_bytes(embedded_trust_root_bytes("staging"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    embedded_trust_root.cache_clear()
    assert run_row(CPYTHON[0]).ok


def test_verifier_is_built_once_per_trust_root_and_reused() -> None:
    root = embedded_trust_root("production")
    first = verifier_for(root)
    for _ in range(3):
        run_row(CPYTHON[0])
    assert verifier_for(root) is first
    same_bytes = load_trust_root(embedded_trust_root_bytes("production"))
    assert verifier_for(same_bytes) is first  # keyed by content, not by object


# -- trust roots -----------------------------------------------------------------------------------


def test_user_supplied_trusted_root_is_used() -> None:
    staging = load_trust_root(embedded_trust_root_bytes("staging"), "my_root.json")
    row = next(r for r in POSITIVE if r.file == "bundle_v3.txt.sigstore")
    assert run_row(row, trust_root=staging).ok
    assert not run_row(CPYTHON[0], trust_root=staging).ok
    assert staging.kind == "custom" and "my_root.json" in staging.name


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not json",
        b"[]",
        b'{"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1"}',
        b'{"mediaType": "text/plain"}',
        b"[" * 10_000,
    ],
)
def test_unusable_trusted_root_is_a_clear_error(data: bytes) -> None:
    with pytest.raises(TrustRootError):
        load_trust_root(data)


def test_trust_root_age_uses_the_newest_key_start_and_warns_when_stale() -> None:
    root = embedded_trust_root("production")
    assert root.newest_key_start == datetime(2025, 9, 23, tzinfo=UTC)  # log2025-1.rekor.sigstore.dev
    fresh = root.newest_key_start + timedelta(days=30)
    stale = root.newest_key_start + timedelta(days=STALE_AFTER_DAYS + 1)
    assert root.age_days(fresh) == 30 and not root.is_stale(fresh)
    assert root.is_stale(stale)
    warning = root.stale_warning(stale)
    assert warning is not None and "more than 180 days" in warning
    assert "python -m analysis trust-root update --out trusted_root.json" in warning
    assert "--trusted-root trusted_root.json" in warning
    assert root.stale_warning(fresh) is None
    assert "more than" not in root.age_sentence(stale)  # the sentence states the age; the warning comes once, after


# -- identities and file names --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "line", "release"),
    [
        ("Python-3.14.0.tgz", "3.14", "3.14.0"),
        ("Python-3.14.0a1.tar.xz", "3.14", "3.14.0a1"),
        ("python-3.13.1-amd64.exe", "3.13", "3.13.1"),
        ("python-3.13.0-embed-amd64.zip", "3.13", "3.13.0"),
        ("python-3.14.0-macos11.pkg", "3.14", "3.14.0"),
        ("Python-3.14.0.tgz.sigstore", "3.14", "3.14.0"),
        ("python-3.15.0rc2-arm64.exe.sigstore.json", "3.15", "3.15.0rc2"),
        ("/srv/mirror/3.10.12/Python-3.10.12.tar.xz", "3.10", "3.10.12"),
    ],
)
def test_release_inferred_from_file_name(name: str, line: str, release: str) -> None:
    parsed = parse_release_name(name)
    assert parsed is not None and (parsed.line, parsed.release) == (line, release)


@pytest.mark.parametrize("name", ["bundle.txt", "cpython-3.14.tgz", "Python-3.tgz", "", "mypython-3.13.0.tgz"])
def test_no_version_from_other_names(name: str) -> None:
    assert infer_python_version(name) is None


def test_expected_signers_come_from_the_data_file_with_sources() -> None:
    s314 = expected_signer("3.14")
    assert (s314.identity, s314.issuer_name) == ("hugo@python.org", "GitHub")
    assert "release-tools" in s314.source
    assert expected_signer("3.12").issuer_name == "Google"
    with pytest.raises(UnknownPythonVersion, match="known lines"):
        expected_signer("2.7")


# -- equivalent commands ----------------------------------------------------------------------------


def test_equivalent_commands_are_filled_in_and_shell_safe() -> None:
    nasty = "Python-3.14.0 $(rm -rf ~);x.tgz.sigstore"
    cmds = equivalent_commands(
        bundle_name=nasty, identity="hugo@python.org", issuer="https://github.com/login/oauth", sha256_hex="ab" * 32
    )
    sig = shlex.split(cmds.sigstore)
    assert sig[:6] == ["python", "-m", "sigstore", "verify", "identity", "--offline"]
    assert sig[sig.index("--bundle") + 1] == nasty
    assert sig[sig.index("--cert-identity") + 1] == "hugo@python.org"
    assert sig[sig.index("--cert-oidc-issuer") + 1] == "https://github.com/login/oauth"
    assert sig[-1] == "sha256:" + "ab" * 32
    cos = shlex.split(cmds.cosign)
    assert cos[:2] == ["cosign", "verify-blob"]
    assert cos[cos.index("--certificate-identity") + 1] == "hugo@python.org"
    assert cos[cos.index("--certificate-oidc-issuer") + 1] == "https://github.com/login/oauth"
    assert cos[-1] == "Python-3.14.0 $(rm -rf ~);x.tgz"


def test_equivalent_commands_for_staging_and_a_custom_root() -> None:
    cmds = equivalent_commands(
        bundle_name="b.sigstore",
        identity="i",
        issuer="u",
        artifact_name="b",
        instance="staging",
        trusted_root_name="root.json",
    )
    assert "python -m sigstore --staging verify identity" in cmds.sigstore
    assert "--trusted-root root.json" in cmds.cosign
    assert shlex.split(cmds.sigstore)[-1] == "b"


def test_sha256_file_streams_in_chunks(tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    with big.open("wb") as fh:
        for i in range(5):
            fh.write(bytes([i]) * (1024 * 1024 + 7))
    assert sha256_file(big) == hashlib.sha256(big.read_bytes()).digest()
