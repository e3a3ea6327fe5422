"""``python -m analysis verify``: exit codes 0/1/2, text and JSON output, ``--dir`` on a mirror."""

from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path

import pytest

from analysis.cli import main
from tests.test_verif_helpers import CPYTHON, FIXTURES

D313 = "12445c7b3db3126c41190bfdc1c8239c39c719404e844babbd015a1bc3fafcd4"
B313 = str(FIXTURES / "Python-3.13.0.tgz.sigstore")
B314 = str(FIXTURES / "Python-3.14.0.tgz.sigstore")


def test_verified_by_digest_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--digest", f"sha256:{D313}", "--bundle", B313]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Verified: ")
    assert "thomas@python.org" in out and "Rekor log index: 137592587" in out
    assert "python -m sigstore verify identity --offline --bundle" in out
    assert "cosign verify-blob --bundle" in out


def test_failed_verification_exits_1_with_the_class(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--digest", D313, "--bundle", B314]) == 1
    out = capsys.readouterr().out
    assert out.startswith("Not verified: ")
    assert "reason: digest-mismatch" in out and "what to do:" in out


def test_identity_mismatch_via_explicit_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--digest", D313, "--bundle", B313, "--python-version", "3.14"]) == 1
    out = capsys.readouterr().out
    assert "Signed by thomas@python.org, expected hugo@python.org" in out


def test_json_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--digest", D313, "--bundle", B313, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is True and data["failure"] is None
    assert data["python_version"] == "3.13"
    assert data["evidence"]["certificate_identities"] == ["thomas@python.org"]
    assert data["evidence"]["rekor_log_index"] == 137592587
    assert data["trust_root_age"]["days"] > 0
    assert data["commands"]["sigstore"].startswith("python -m sigstore verify identity --offline")


def test_json_format_failure(capsys: pytest.CaptureFixture[str]) -> None:
    bundle = str(FIXTURES / "Python-3.12.5.tgz.no-checkpoint.sigstore")
    digest = next(r.sha256 for r in CPYTHON if r.file == "Python-3.12.5.tgz.sigstore")
    assert main(["verify", "--digest", digest, "--bundle", bundle, "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["failure"] == "missing-inclusion-proof"


def test_artifact_file_with_explicit_identity_and_staging(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["verify", str(FIXTURES / "bundle_v3.txt"), "--bundle", str(FIXTURES / "bundle_v3.txt.sigstore")]
    args += ["--identity", "william@yossarian.net", "--issuer", "https://github.com/login/oauth"]
    assert main([*args, "--staging"]) == 0
    assert main(args) == 1  # production root
    assert "wrong-trust-root" in capsys.readouterr().out


def test_trusted_root_file(tmp_path: Path) -> None:
    from analysis.verification.trust_root import embedded_trust_root_bytes

    root = tmp_path / "trusted_root.json"
    root.write_bytes(embedded_trust_root_bytes("production"))
    assert main(["verify", "--digest", D313, "--bundle", B313, "--trusted-root", str(root)]) == 0


@pytest.mark.parametrize(
    "args",
    [
        ["verify", "--digest", D313],  # no bundle
        ["verify", "--bundle", B313],  # neither artifact nor digest
        ["verify", "x.tgz", "--digest", D313, "--bundle", B313],  # both
        ["verify", "--digest", "sha256:1234", "--bundle", B313],  # bad digest
        ["verify", "--digest", D313, "--bundle", "/nonexistent/Python-3.13.0.tgz.sigstore"],
        ["verify", "/nonexistent/Python-3.13.0.tgz", "--bundle", B313],
        ["verify", "--digest", D313, "--bundle", str(FIXTURES / "bundle.txt.sigstore")],  # version unknown
        ["verify", "--digest", D313, "--bundle", B313, "--python-version", "2.7"],
        ["verify", "--digest", D313, "--bundle", B313, "--identity", "a@b"],  # identity without issuer
        ["verify", "--digest", D313, "--bundle", B313, "--python-version", "3.13", "--identity", "a", "--issuer", "b"],
        ["verify", "--digest", D313, "--bundle", B313, "--staging", "--trusted-root", B313],
        ["verify", "--digest", D313, "--bundle", B313, "--trusted-root", B313],  # a bundle is not a root
        ["verify", "--digest", D313, "--bundle", B313, "--trusted-root", "/nonexistent.json"],
        ["verify", "--dir", "/nonexistent"],
        ["verify", "--dir", str(FIXTURES), "--bundle", B313],
        ["verify", "--format", "xml", "--digest", D313, "--bundle", B313],
    ],
)
def test_bad_usage_or_unreadable_input_exits_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) if "xml" in args else _no_raise():
        assert main(args) == 2
    err = capsys.readouterr().err
    assert "error" in err and "Traceback" not in err


def test_oversized_bundle_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    big = tmp_path / "Python-3.13.0.tgz.sigstore"
    big.write_bytes(b"{" + b" " * (600 * 1024) + b"}")
    assert main(["verify", "--digest", D313, "--bundle", str(big)]) == 2
    assert "512 KB" in capsys.readouterr().err


def test_malformed_bundle_is_unreadable_input_exit_2_with_its_class(capsys: pytest.CaptureFixture[str]) -> None:
    bundle = str(FIXTURES / "neg-Python-3.13.0.tgz.truncated.sigstore")
    assert main(["verify", "--digest", D313, "--bundle", bundle]) == 2
    assert "reason: malformed-bundle" in capsys.readouterr().out


def test_stale_root_warning_once_after_the_result(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--digest", D313, "--bundle", B313]) == 0
    captured = capsys.readouterr()
    assert "more than 180 days" not in captured.out  # the result and evidence are not interrupted
    assert captured.err.count("warning:") == 1
    assert "python -m analysis trust-root update --out trusted_root.json" in captured.err
    assert "--trusted-root trusted_root.json" in captured.err


def test_printed_cosign_command_works_offline_with_a_root_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from analysis.verification.trust_root import embedded_trust_root_bytes

    root = tmp_path / "trusted_root.json"
    root.write_bytes(embedded_trust_root_bytes("production"))
    assert main(["verify", "--digest", D313, "--bundle", B313, "--trusted-root", str(root), "--format", "json"]) == 0
    cosign = shlex.split(json.loads(capsys.readouterr().out)["commands"]["cosign"])
    assert cosign[:2] == ["cosign", "verify-blob"]
    assert "--new-bundle-format" in cosign
    assert cosign[cosign.index("--trusted-root") + 1] == str(root)
    assert cosign[-1] == str(FIXTURES / "Python-3.13.0.tgz")  # next to the bundle: cosign needs the file


def test_any_release_manager_takes_no_identity(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["verify", "--digest", D313, "--bundle", B313, "--any-release-manager", "--identity", "a", "--issuer", "b"]
    assert main(args) == 2
    assert "takes no --identity" in capsys.readouterr().err


class _no_raise:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return False


# -- --dir --------------------------------------------------------------------------------------------


def make_mirror(tmp_path: Path) -> Path:
    """The five CPython bundles with ``X.sha256`` digest files (artifacts are 10-30 MB, not shipped)."""
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    for row in CPYTHON:
        shutil.copy(row.bundle_path, mirror / row.file)
        (mirror / f"{row.artifact_name}.sha256").write_text(f"{row.sha256}  {row.artifact_name}\n")
    (mirror / "Python-3.13.0.tgz.asc").write_text("-----BEGIN PGP SIGNATURE-----\n")  # ignored
    return mirror


def test_dir_all_verified_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--dir", str(make_mirror(tmp_path))]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 6
    assert all(line.startswith("OK ") for line in lines[:5])
    assert "(digest from Python-3.13.0.tgz.sha256: the file itself is not in the mirror)" in "\n".join(lines)
    assert lines[-1] == (
        "5 checked: 5 verified, 0 failed, 0 unsigned, 0 bundle(s) without artifact;"
        " 6 signature/checksum/SBOM file(s) not counted as artifacts"
    )


def test_dir_with_a_bad_pair_and_a_bundle_without_artifact_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mirror = make_mirror(tmp_path)
    # A 3.14 bundle posing as 3.13.1's: other release manager and other digest.
    shutil.copy(FIXTURES / "Python-3.14.0.tgz.sigstore", mirror / "Python-3.13.1.tgz.sigstore")
    (mirror / "Python-3.13.1.tgz.sha256").write_text(D313)
    # A bundle with no artifact and no digest: reported, and it fails the mirror.
    shutil.copy(FIXTURES / "Python-3.11.0.tgz.sigstore", mirror / "Python-3.11.1.tgz.sigstore")
    assert main(["verify", "--dir", str(mirror)]) == 1
    out = capsys.readouterr().out
    assert "FAIL Python-3.13.1.tgz: [identity-mismatch] Not verified: Signed by hugo@python.org" in out
    assert "NO-ARTIFACT Python-3.11.1.tgz.sigstore: Python-3.11.1.tgz is missing next to its bundle" in out
    assert (
        out.strip()
        .splitlines()[-1]
        .startswith("7 checked: 5 verified, 1 failed, 0 unsigned, 1 bundle(s) without artifact")
    )


def test_dir_hashes_real_artifacts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mirror = tmp_path / "staging"
    mirror.mkdir()
    for name in ("bundle_v3.txt", "bundle_v3.txt.sigstore"):
        shutil.copy(FIXTURES / name, mirror / name)
    args = ["verify", "--dir", str(mirror), "--staging", "--identity", "william@yossarian.net"]
    args += ["--issuer", "https://github.com/login/oauth", "--format", "json"]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"] == {"verified": 1, "failed": 0, "unsigned": 0, "no_artifact": 0}
    assert data["files"][0]["artifact"] == "bundle_v3.txt"
    (mirror / "bundle_v3.txt").write_bytes(b"tampered\n")
    assert main(args) == 1
    assert json.loads(capsys.readouterr().out)["files"][0]["failure"] == "digest-mismatch"


def test_dir_without_anything_to_verify_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--dir", str(tmp_path)]) == 2
    assert "nothing to verify" in capsys.readouterr().err


def test_dir_unknown_version_is_a_classified_failure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(FIXTURES / "bundle.txt", tmp_path / "bundle.txt")
    shutil.copy(FIXTURES / "bundle.txt.sigstore", tmp_path / "bundle.txt.sigstore")
    assert main(["verify", "--dir", str(tmp_path)]) == 1
    assert "FAIL bundle.txt: [unknown-signer] cannot tell the Python version" in capsys.readouterr().out


def test_dir_pairs_sigstore_json_bundles_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("staging-rekor-v2.txt", "staging-rekor-v2.txt.sigstore.json"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    args = ["verify", "--dir", str(tmp_path), "--staging", "--identity", "jku@goto.fi"]
    assert main([*args, "--issuer", "https://github.com/login/oauth"]) == 0
    assert capsys.readouterr().out.startswith("OK   staging-rekor-v2.txt: Verified")
