"""Benchmark: offline Sigstore verification in-process (warm verifier) vs the sigstore CLI.

Run with ``.venv/bin/python -m bench.bench_verify [--repeat R] [--cli-runs N] [--skip-cli-dir]``.

What is measured, honestly:

* **one bundle**: ``Python-3.13.0.tgz.sigstore`` verified by its SHA-256 (the CPython artifacts are
  not shipped; the bundle is a hashedrekord over that digest, so this is the full check).
  In-process = ``verify_bundle`` with the verifier already built (median of R calls; each call parses
  the JSON, loads the bundle and verifies). CLI = ``python -m sigstore verify identity --offline ...
  sha256:HEX`` as a fresh subprocess (median of N), which pays interpreter start + imports each time.
  The subprocess gets a private, pre-populated ``XDG_CACHE_HOME``/``XDG_DATA_HOME`` so it neither
  reads a stale user cache nor pays the first-run copy of the embedded root.
* **a directory of 50 bundles**: the five real CPython bundles copied 10 times under distinct
  release-like names, each with an ``X.sha256`` digest file (the ``--dir`` convention for mirrors
  that keep digests instead of artifacts). Timed as ``verify_directory`` in-process (warm), as one
  ``python -m analysis verify --dir`` process (what a pipeline runs; it also accounts for every file:
  unsigned artifacts, bundles without their file), and as 50 ``python -m sigstore`` processes; the
  headline ratio is 50 sigstore processes / one ``verify --dir`` process.
* **hashing**: SHA-256 of a generated 25 MB file in 1 MiB chunks, the extra per-artifact cost when a
  mirror holds the real files (Python-3.13.0.tgz is 27 MB).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from analysis.verification import embedded_trust_root, sha256_file, verifier_for, verify_bundle, verify_directory

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "sigstore"
BUNDLE = FIXTURES / "Python-3.13.0.tgz.sigstore"
DIGEST = "12445c7b3db3126c41190bfdc1c8239c39c719404e844babbd015a1bc3fafcd4"
IDENTITY, ISSUER = "thomas@python.org", "https://accounts.google.com"
CPYTHON = {
    "Python-3.11.0.tgz": "64424e96e2457abbac899b90f9530985b51eef2905951febd935f0e73414caeb",
    "Python-3.12.5.tgz": "38dc4e2c261d49c661196066edbfb70fdb16be4a79cc8220c224dfeb5636d405",
    "Python-3.13.0.tgz": DIGEST,
    "python-3.13.0-amd64.exe": "78156ad0cf0ec4123bfb5333b40f078596ebf15f2d062a10144863680afbdefc",
    "Python-3.14.0.tgz": "88d2da4eed42fa9a5f42ff58a8bc8988881bd6c547e297e46682c2687638a851",
}
SIGNERS = {"3.11": "pablogsal@python.org", "3.12": IDENTITY, "3.13": IDENTITY, "3.14": "hugo@python.org"}
ISSUERS = {"3.11": ISSUER, "3.12": ISSUER, "3.13": ISSUER, "3.14": "https://github.com/login/oauth"}


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def sigstore_cli(bundle: Path, digest: str, identity: str, issuer: str) -> list[str]:
    return [
        sys.executable, "-m", "sigstore", "verify", "identity", "--offline", "--bundle", str(bundle),
        "--cert-identity", identity, "--cert-oidc-issuer", issuer, f"sha256:{digest}",
    ]  # fmt: skip


def run_ok(cmd: list[str], env: dict[str, str]) -> None:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")


def make_mirror(directory: Path, copies: int) -> list[tuple[Path, str, str, str]]:
    """50 pairs: bundle + X.sha256; returns (bundle, digest, identity, issuer) for the CLI loop."""
    pairs = []
    for i in range(copies):
        for artifact, digest in CPYTHON.items():
            version = artifact.split("-")[1].split(".tgz")[0]  # 3.13.0
            name = artifact.replace(version, f"{version}-c{i:02d}", 1)
            bundle = directory / f"{name}.sigstore"
            shutil.copy(FIXTURES / f"{artifact}.sigstore", bundle)
            (directory / f"{name}.sha256").write_text(f"{digest}  {name}\n")
            line = ".".join(version.split(".")[:2])
            pairs.append((bundle, digest, SIGNERS[line], ISSUERS[line]))
    return pairs


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=200, help="in-process repetitions")
    parser.add_argument("--cli-runs", type=int, default=7, help="subprocess repetitions")
    parser.add_argument("--skip-cli-dir", action="store_true", help="skip the 50 sigstore subprocesses")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        env = {**os.environ, "XDG_CACHE_HOME": str(tmpdir / "cache"), "XDG_DATA_HOME": str(tmpdir / "data")}
        env["PYTHONWARNINGS"] = "ignore"

        # -- one bundle -------------------------------------------------------------------------
        data = BUNDLE.read_bytes()
        digest = bytes.fromhex(DIGEST)
        embedded_trust_root.cache_clear()
        parse = timed(lambda: embedded_trust_root("production"), 1)[0]
        root = embedded_trust_root("production")
        build = timed(lambda: verifier_for(root), 1)[0]
        first = timed(lambda: verify_bundle(data, digest, identity=IDENTITY, issuer=ISSUER, trust_root=root), 1)[0]
        assert verify_bundle(data, digest, identity=IDENTITY, issuer=ISSUER, trust_root=root).ok
        warm = timed(
            lambda: verify_bundle(data, digest, identity=IDENTITY, issuer=ISSUER, trust_root=root), args.repeat
        )
        cmd = sigstore_cli(BUNDLE, DIGEST, IDENTITY, ISSUER)
        run_ok(cmd, env)  # populate the private cache once (first run copies the embedded root)
        cli = timed(lambda: run_ok(cmd, env), args.cli_runs)
        ours_cli = timed(
            lambda: run_ok(
                [sys.executable, "-m", "analysis", "verify", "--digest", DIGEST, "--bundle", str(BUNDLE)], env
            ),
            args.cli_runs,
        )

        print("== one bundle (Python-3.13.0.tgz.sigstore, by digest) ==")
        print(f"parse embedded trust root (once)       {fmt(parse)}")
        print(f"build verifier (once per trust root)   {fmt(build)}")
        print(f"first verification in process         {fmt(first)}")
        print(f"in-process, warm verifier (median/{args.repeat})  {fmt(statistics.median(warm))}"
              f"  (min {fmt(min(warm))}, max {fmt(max(warm))})")  # fmt: skip
        print(f"python -m sigstore subprocess (median/{args.cli_runs}) {fmt(statistics.median(cli))}"
              f"  (min {fmt(min(cli))}, max {fmt(max(cli))})")  # fmt: skip
        print(f"python -m analysis verify subprocess   {fmt(statistics.median(ours_cli))}")
        print(f"ratio sigstore CLI / in-process warm   {statistics.median(cli) / statistics.median(warm):,.0f}x")

        # -- 50 bundles ---------------------------------------------------------------------------
        mirror = tmpdir / "mirror"
        mirror.mkdir()
        pairs = make_mirror(mirror, copies=10)
        report = verify_directory(mirror, trust_root=root)
        assert report.ok and report.verified == 50, report.summary()
        in_proc = timed(lambda: verify_directory(mirror, trust_root=root), 5)
        dir_cli = timed(lambda: run_ok([sys.executable, "-m", "analysis", "verify", "--dir", str(mirror)], env), 3)
        print(f"\n== directory of {len(pairs)} bundles (.sha256 digest files) ==")
        print(f"verify_directory in-process, warm (median/5)    {fmt(statistics.median(in_proc))}"
              f"  ({fmt(statistics.median(in_proc) / len(pairs))} per bundle)")  # fmt: skip
        print(f"python -m analysis verify --dir (one process)   {fmt(statistics.median(dir_cli))}")
        if not args.skip_cli_dir:
            start = time.perf_counter()
            for bundle, dig, ident, iss in pairs:
                run_ok(sigstore_cli(bundle, dig, ident, iss), env)
            loop = time.perf_counter() - start
            print(f"{len(pairs)} x python -m sigstore subprocess           {fmt(loop)}")
            print(f"ratio 50 sigstore processes / one verify --dir {loop / statistics.median(dir_cli):,.0f}x")
            print(f"ratio 50 sigstore processes / in-process dir   {loop / statistics.median(in_proc):,.0f}x")

        # -- hashing a real-size artifact -----------------------------------------------------------
        big = tmpdir / "artifact.bin"
        with big.open("wb") as fh:
            for _ in range(25):
                fh.write(os.urandom(1024 * 1024))
        hashing = timed(lambda: sha256_file(big), 3)
        print(f"\nSHA-256 of a 25 MB file in 1 MiB chunks (median/3)  {fmt(statistics.median(hashing))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
