"""``verify --dir``: every artifact accounted for, python.org trees, hostile names and symlinks,
and ``--any-release-manager`` (real bundles; CPython artifacts stand in as ``X.sha256`` files)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.verification.mirror import artifact_kind
from tests.test_verif_helpers import CPYTHON, FIXTURES

D313 = "12445c7b3db3126c41190bfdc1c8239c39c719404e844babbd015a1bc3fafcd4"
D314 = "88d2da4eed42fa9a5f42ff58a8bc8988881bd6c547e297e46682c2687638a851"
B313 = FIXTURES / "Python-3.13.0.tgz.sigstore"
B314 = FIXTURES / "Python-3.14.0.tgz.sigstore"


def run_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    code = main([*args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def test_an_artifact_without_bundle_is_unsigned_and_fails_the_mirror(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "Python-3.14.0.tgz").write_bytes(b"not really a tarball")
    assert main(["verify", "--dir", str(tmp_path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("UNSIGNED Python-3.14.0.tgz: no Sigstore bundle next to it")
    assert out[-1] == "1 checked: 0 verified, 0 failed, 1 unsigned, 0 bundle(s) without artifact"


def test_json_is_exactly_the_documented_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(B313, tmp_path / B313.name)
    (tmp_path / "Python-3.13.0.tgz.sha256").write_text(f"{D313}  Python-3.13.0.tgz\n")
    (tmp_path / "Python-3.14.0.tgz").write_bytes(b"unsigned")
    shutil.copy(B314, tmp_path / B314.name)  # and its artifact is missing
    shutil.copy(B314, tmp_path / "python-3.14.0-amd64.exe.sigstore")
    (tmp_path / "python-3.14.0-amd64.exe").write_bytes(b"other file")
    code, data = run_json(["verify", "--dir", str(tmp_path)], capsys)
    assert code == 1
    assert list(data) == ["summary", "files"]
    assert data["summary"] == {"verified": 1, "failed": 2, "unsigned": 0, "no_artifact": 0}
    files = data["files"]
    assert isinstance(files, list)
    for entry in files:
        assert list(entry) == ["artifact", "bundle", "status", "failure", "summary"]
    by_artifact = {e["artifact"]: e for e in files}
    assert by_artifact["Python-3.13.0.tgz"]["status"] == "verified"
    assert by_artifact["Python-3.13.0.tgz"]["bundle"] == "Python-3.13.0.tgz.sigstore"
    exe = by_artifact["python-3.14.0-amd64.exe"]
    assert (exe["status"], exe["failure"]) == ("failed", "digest-mismatch")
    # Python-3.14.0.tgz is there and so is its bundle: verified against the real file, which differs.
    assert by_artifact["Python-3.14.0.tgz"]["failure"] == "digest-mismatch"


def test_bundle_without_its_file_is_no_artifact(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(B314, tmp_path / B314.name)
    code, data = run_json(["verify", "--dir", str(tmp_path)], capsys)
    assert code == 1
    assert data["summary"] == {"verified": 0, "failed": 0, "unsigned": 0, "no_artifact": 1}
    assert data["files"] == [
        {
            "artifact": None,
            "bundle": "Python-3.14.0.tgz.sigstore",
            "status": "no-artifact",
            "failure": None,
            "summary": "Python-3.14.0.tgz is missing next to its bundle (and no .sha256 file stands in for it)",
        }
    ]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Python-3.14.0.tgz", "artifact"),
        ("python-3.14.0-amd64.exe", "artifact"),
        ("Python-3.14.0.tgz.sigstore", "bundle"),
        ("Python-3.14.0.tgz.sigstore.json", "bundle"),
        ("Python-3.13.0.tgz.asc", "metadata"),
        ("Python-3.14.0.tgz.sig", "metadata"),
        ("Python-3.14.0.tgz.crt", "metadata"),
        ("key.pem", "metadata"),
        ("Python-3.14.0.tgz.spdx.json", "metadata"),
        ("Python-3.14.0.tgz.sha256", "metadata"),
        ("SHA256SUMS", "metadata"),
        ("trusted_root.json.provenance.json", "metadata"),
        (".listing", "metadata"),
        ("trusted_root.json", "artifact"),
    ],
)
def test_artifact_rule(name: str, kind: str) -> None:
    assert artifact_kind(name) == kind


def test_signatures_checksums_and_sboms_are_not_counted_as_unsigned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(B313, tmp_path / B313.name)
    (tmp_path / "Python-3.13.0.tgz.sha256").write_text(D313)
    for name in ("Python-3.13.0.tgz.asc", "Python-3.13.0.tgz.spdx.json", "SHA256SUMS", "Python-3.13.0.tgz.crt"):
        (tmp_path / name).write_text("metadata")
    code, data = run_json(["verify", "--dir", str(tmp_path)], capsys)
    assert code == 0
    assert data["summary"] == {"verified": 1, "failed": 0, "unsigned": 0, "no_artifact": 0}


def make_tree(root: Path) -> None:
    """A python.org-style tree: one directory per release, and one file whose name carries no version."""
    for row in CPYTHON:
        release = row.artifact_name.split("-")[1].removesuffix(".tgz")  # 3.13.0 (exe: 3.13.0)
        folder = root / release
        folder.mkdir(exist_ok=True)
        shutil.copy(row.bundle_path, folder / row.file)
        (folder / f"{row.artifact_name}.sha256").write_text(f"{row.sha256}  {row.artifact_name}\n")
    # No version in the name: the directory 3.13.0/ says the line (3.13 -> thomas@python.org).
    shutil.copy(B313, root / "3.13.0" / "source.tgz.sigstore")
    (root / "3.13.0" / "source.tgz.sha256").write_text(D313)


def test_recursive_walks_a_release_tree_taking_the_line_from_name_or_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_tree(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "index").write_bytes(b"not part of the mirror")
    assert main(["verify", "--dir", str(tmp_path)]) == 2  # nothing at the top level
    assert "--recursive" in capsys.readouterr().err
    code, data = run_json(["verify", "--dir", str(tmp_path), "--recursive"], capsys)
    assert code == 0, data
    assert data["summary"] == {"verified": 6, "failed": 0, "unsigned": 0, "no_artifact": 0}
    artifacts = {e["artifact"] for e in data["files"]}  # type: ignore[union-attr]
    assert "3.13.0/source.tgz" in artifacts and "3.14.0/Python-3.14.0.tgz" in artifacts
    source = next(e for e in data["files"] if e["artifact"] == "3.13.0/source.tgz")  # type: ignore[union-attr]
    assert "thomas@python.org" in source["summary"]
    # The same bundle under 3.14.0/ must be Hugo's: the directory decides and the check fails.
    shutil.copy(B313, tmp_path / "3.14.0" / "source.tgz.sigstore")
    (tmp_path / "3.14.0" / "source.tgz.sha256").write_text(D313)
    code, data = run_json(["verify", "--dir", str(tmp_path), "--recursive"], capsys)
    assert code == 1
    wrong = next(e for e in data["files"] if e["artifact"] == "3.14.0/source.tgz")  # type: ignore[union-attr]
    assert wrong["failure"] == "identity-mismatch" and "expected hugo@python.org" in wrong["summary"]


def test_symlinks_out_of_the_directory_are_refused_not_followed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    shutil.copy(B313, mirror / B313.name)
    (mirror / "Python-3.13.0.tgz.sha256").write_text(D313)
    (mirror / "Python-3.14.0.tgz").symlink_to(outside / "secret.txt")
    (mirror / "Python-3.14.1.tgz.sigstore").symlink_to(B314)  # a bundle outside, too
    (mirror / "etc").symlink_to("/etc")  # a directory link is never descended
    inside = mirror / "Python-3.13.0.tgz.copy.sigstore"
    inside.symlink_to(mirror / B313.name)  # inside the directory: fine
    code, data = run_json(["verify", "--dir", str(mirror), "--recursive"], capsys)
    assert code == 1
    refused = {(e["artifact"], e["bundle"]): e for e in data["files"] if e["failure"] == "refused-file"}  # type: ignore[union-attr]
    assert set(refused) == {("Python-3.14.0.tgz", None), (None, "Python-3.14.1.tgz.sigstore"), ("etc", None)}
    assert all("symlink to outside the directory: not followed" in e["summary"] for e in refused.values())
    assert not any("etc/" in str(e["artifact"]) for e in data["files"])  # type: ignore[union-attr]
    inside_entry = next(e for e in data["files"] if e["bundle"] == inside.name)  # type: ignore[union-attr]
    assert inside_entry["status"] == "no-artifact"  # followed (inside), and its file is absent


def test_a_fifo_is_refused_without_blocking(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.mkfifo(tmp_path / "Python-3.14.0.tgz")
    shutil.copy(B314, tmp_path / B314.name)
    code, data = run_json(["verify", "--dir", str(tmp_path)], capsys)
    assert code == 1
    assert data["files"] == [
        {
            "artifact": "Python-3.14.0.tgz",
            "bundle": "Python-3.14.0.tgz.sigstore",
            "status": "failed",
            "failure": "refused-file",
            "summary": "not a regular file (FIFO, socket or device): not read",
        }
    ]


def test_names_are_escaped_no_escape_sequence_reaches_the_terminal_no_forged_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(B313, tmp_path / B313.name)
    (tmp_path / "Python-3.13.0.tgz.sha256").write_text(D313)
    (tmp_path / "evil\x1b]0;pwned\x07.tgz").write_bytes(b"x")
    (tmp_path / "x\nOK   Python-3.14.0.tgz: Verified: fine.tgz").write_bytes(b"x")
    (tmp_path / "rtl\u202eexe.tgz").write_bytes(b"x")
    assert main(["verify", "--dir", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    lines = out.splitlines()
    assert len(lines) == 5  # 4 entries + the summary: the newline did not make a line
    assert [line.split(" ", 1)[0] for line in lines[:4]].count("OK") == 1
    assert "UNSIGNED evil\\x1b]0;pwned\\x07.tgz:" in out
    assert "UNSIGNED x\\x0aOK   Python-3.14.0.tgz: Verified: fine.tgz:" in out
    assert "UNSIGNED rtl\\u202eexe.tgz:" in out


def test_a_file_named_dot_sigstore_is_reported_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(B313, tmp_path / ".sigstore")
    assert main(["verify", "--dir", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert "NO-ARTIFACT .sigstore: a bundle named '.sigstore' names no artifact" in captured.out
    assert "Traceback" not in captured.err


# -- --any-release-manager -------------------------------------------------------------------------


def test_any_release_manager_accepts_another_rm_and_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["verify", "--digest", D314, "--bundle", str(B314), "--python-version", "3.13"]
    assert main(args) == 1  # strict default: 3.13 is Thomas's line
    assert "identity-mismatch" in capsys.readouterr().out
    code, data = run_json([*args, "--any-release-manager"], capsys)
    assert code == 0
    assert data["ok"] is True
    assert data["signer"] == {
        "identity": "hugo@python.org",
        "issuer": "https://github.com/login/oauth",
        "release_manager_for": ["3.14", "3.15"],
    }
    assert "another release manager" in str(data["summary"])
    assert "not by thomas@python.org" in str(data["summary"])


def test_any_release_manager_in_a_mirror(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(B314, tmp_path / "Python-3.13.9.tgz.sigstore")  # Hugo signed a 3.13 file
    (tmp_path / "Python-3.13.9.tgz.sha256").write_text(D314)
    assert main(["verify", "--dir", str(tmp_path)]) == 1
    capsys.readouterr()
    code, data = run_json(["verify", "--dir", str(tmp_path), "--any-release-manager"], capsys)
    assert code == 0
    assert data["files"][0]["summary"].startswith("Verified (another release manager)")  # type: ignore[index]


def test_any_release_manager_still_refuses_someone_else(capsys: pytest.CaptureFixture[str]) -> None:
    bundle = FIXTURES / "bundle_v3_github.whl.sigstore"
    artifact = FIXTURES / "bundle_v3_github.whl"
    code, data = run_json(
        ["verify", str(artifact), "--bundle", str(bundle), "--python-version", "3.14", "--any-release-manager"],
        capsys,
    )
    assert code == 1
    assert data["failure"] == "identity-mismatch"
    assert "not a CPython release manager on record" in str(data["summary"])
    assert "signer" not in data
