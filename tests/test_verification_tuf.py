"""``trust-root update`` against a real TUF repository built with python-tuf and served on 127.0.0.1.

The repository is the real thing (ed25519 keys, signed root v1 -> v2 rotation, targets, snapshot,
timestamp, consistent snapshots as Sigstore's own repository uses); its target is the staging
trusted_root.json embedded in sigstore-python, so the refreshed file then verifies a real staging
bundle. Expired and tampered metadata must each give a clear message, exit 1, and write nothing.
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import Metadata, MetaFile, Root, Snapshot, TargetFile, Targets, Timestamp
from tuf.api.serialization.json import JSONSerializer

from analysis.cli import main
from analysis.verification.trust_root import embedded_trust_root_bytes
from tests.test_verif_helpers import FIXTURES

TARGET = embedded_trust_root_bytes("staging")


@dataclass(frozen=True)
class Served:
    """A directory served over HTTP on 127.0.0.1 and its URL."""

    directory: Path
    url: str


def build_repository(directory: Path, *, timestamp_expires: datetime | None = None) -> Path:
    """Write a signed TUF repository into ``directory``; returns the bootstrap root (v1) file."""
    later = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    signers = {role: CryptoSigner.generate_ed25519() for role in ("root", "targets", "snapshot", "timestamp")}
    root = Root(expires=later, consistent_snapshot=True)
    for role, signer in signers.items():
        root.add_key(signer.public_key, role)
    targets = Targets(expires=later)
    target = TargetFile.from_data("trusted_root.json", TARGET, ["sha256"])
    targets.targets[target.path] = target
    snapshot = Snapshot(expires=later)
    snapshot.meta["targets.json"] = MetaFile(version=targets.version)
    timestamp = Timestamp(expires=timestamp_expires or later)
    timestamp.snapshot_meta = MetaFile(version=snapshot.version)

    serializer = JSONSerializer(compact=False)
    (directory / "targets").mkdir(parents=True)
    root_md = Metadata(root)
    root_md.sign(signers["root"])
    (directory / "1.root.json").write_bytes(root_md.to_bytes(serializer))
    root.version = 2  # a root rotation the client must walk: provenance then says version 2
    root_v2 = Metadata(root)
    root_v2.sign(signers["root"])
    (directory / "2.root.json").write_bytes(root_v2.to_bytes(serializer))
    for name, signed in (("1.targets.json", targets), ("1.snapshot.json", snapshot), ("timestamp.json", timestamp)):
        md = Metadata(signed)
        md.sign(signers[name.split(".")[-2] if name != "timestamp.json" else "timestamp"])
        (directory / name).write_bytes(md.to_bytes(serializer))
    (directory / "targets" / f"{hashlib.sha256(TARGET).hexdigest()}.trusted_root.json").write_bytes(TARGET)
    return directory / "1.root.json"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """Serve tmp_path/repo on 127.0.0.1 (a real HTTP server thread)."""
    directory = tmp_path / "repo"
    directory.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(directory, f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()


def update(served: Served, out: Path, root: Path) -> int:
    return main(["trust-root", "update", "--out", str(out), "--url", served.url, "--root", str(root)])


def test_update_writes_the_tuf_target_with_provenance_and_it_verifies_a_bundle(
    served: Served, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = build_repository(served.directory)
    out = tmp_path / "trusted_root.json"
    assert update(served, out, root) == 0
    printed = capsys.readouterr().out
    assert out.read_bytes() == TARGET  # byte-identical to the target TUF pinned
    provenance = json.loads((tmp_path / "trusted_root.json.provenance.json").read_text())
    assert provenance["tuf_repository"] == served.url
    assert provenance["root_version"] == 2
    assert provenance["sha256"] == hashlib.sha256(TARGET).hexdigest()
    assert datetime.fromisoformat(provenance["fetched_at"]) <= datetime.now(UTC)
    assert f"from TUF repository {served.url}, root version 2" in printed

    assert main(["trust-root", "show", str(out)]) == 0
    shown = capsys.readouterr().out
    assert f"source: TUF repository {served.url}, root version 2, fetched at" in shown
    assert "transparency logs (4):" in shown and "https://rekor.sigstage.dev" in shown
    assert "certificate authorities (" in shown and "https://fulcio.sigstage.dev" in shown
    assert "timestamp authorities (1):" in shown and "timestamp.sigstage.dev" in shown
    assert "age: newest key valid since" in shown

    bundle, artifact = FIXTURES / "bundle_v3.txt.sigstore", FIXTURES / "bundle_v3.txt"
    args = ["verify", str(artifact), "--bundle", str(bundle), "--identity", "william@yossarian.net"]
    assert main([*args, "--issuer", "https://github.com/login/oauth", "--trusted-root", str(out)]) == 0


def test_expired_metadata_is_refused_and_nothing_is_written(
    served: Served, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = build_repository(
        served.directory, timestamp_expires=datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    )
    out = tmp_path / "trusted_root.json"
    out.write_bytes(b"the previous root, kept")
    assert update(served, out, root) == 1
    err = capsys.readouterr().err
    assert "serves expired metadata" in err and "Nothing was written" in err
    assert "Traceback" not in err
    assert out.read_bytes() == b"the previous root, kept"
    assert not (tmp_path / "trusted_root.json.provenance.json").exists()


def test_tampered_metadata_is_refused_and_nothing_is_written(
    served: Served, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = build_repository(served.directory)
    targets = json.loads((served.directory / "1.targets.json").read_text())
    targets["signed"]["targets"]["trusted_root.json"]["length"] += 1  # edited after signing
    (served.directory / "1.targets.json").write_text(json.dumps(targets))
    out = tmp_path / "trusted_root.json"
    assert update(served, out, root) == 1
    err = capsys.readouterr().err
    assert "is not signed by the keys that must sign it" in err and "tampered" in err
    assert not out.exists()


def test_tampered_target_file_is_refused(served: Served, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = build_repository(served.directory)
    target = served.directory / "targets" / f"{hashlib.sha256(TARGET).hexdigest()}.trusted_root.json"
    target.write_bytes(TARGET.replace(b"rekor.sigstage.dev", b"rekor.evil.example"))
    out = tmp_path / "trusted_root.json"
    assert update(served, out, root) == 1
    err = capsys.readouterr().err
    assert "does not match the length or hash its signed metadata records" in err
    assert not out.exists()


def test_another_repository_needs_its_initial_root(
    served: Served, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build_repository(served.directory)
    out = tmp_path / "trusted_root.json"
    assert main(["trust-root", "update", "--out", str(out), "--url", served.url]) == 2
    assert "--root FILE" in capsys.readouterr().err
    not_root = tmp_path / "x.json"
    not_root.write_text("{}")
    assert main(["trust-root", "update", "--out", str(out), "--url", served.url, "--root", str(not_root)]) == 2
    assert "not TUF root metadata" in capsys.readouterr().err
    assert not out.exists()


def test_unreachable_repository_is_a_clear_failure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    directory = tmp_path / "r"
    directory.mkdir()
    root = build_repository(directory)
    out = tmp_path / "trusted_root.json"
    code = main(["trust-root", "update", "--out", str(out), "--url", f"http://127.0.0.1:{port}", "--root", str(root)])
    assert code == 1
    err = capsys.readouterr().err
    assert "could not download" in err or "was refused" in err
    assert not out.exists()


def test_show_defaults_to_the_embedded_root_and_warns_once_after(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trust-root", "show"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("production trust root embedded in sigstore-python")
    assert "https://rekor.sigstore.dev" in captured.out and "https://timestamp.sigstore.dev" in captured.out
    assert captured.err.count("python -m analysis trust-root update --out trusted_root.json") == 1
