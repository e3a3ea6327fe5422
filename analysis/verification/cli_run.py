"""The body of ``python -m analysis verify`` (parser in :mod:`analysis.commands.verify`).

Exit codes follow :mod:`analysis.cli`: 0 verified, 1 verification ran and failed (the classified
reason is printed), 2 bad usage or unreadable input (missing file, oversized bundle, a file that is
not a bundle (``malformed-bundle``, still printed with its reason), bad digest, unknown Python
version). ``--dir DIR`` accounts for every artifact in a mirror (:mod:`analysis.verification.mirror`);
file names are printed escaped (:mod:`.safe_text`).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from analysis.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from analysis.verification import (
    InputRejected,
    TrustRoot,
    TrustRootError,
    UnknownPythonVersion,
    embedded_trust_root,
    equivalent_commands,
    expected_signer,
    infer_python_version,
    load_trust_root,
    parse_sha256,
    verify_bundle_file,
    verify_directory,
)
from analysis.verification.failures import FailureClass
from analysis.verification.identities import issuer_display_name
from analysis.verification.safe_text import printable
from analysis.verification.trust_root import MAX_TRUST_ROOT_BYTES


class UsageProblem(Exception):
    """Bad arguments or unreadable input: reported on stderr with exit code 2."""


def run_verify(args: argparse.Namespace) -> int:
    try:
        _check_usage(args)
        root = _trust_root(args)
        if args.dir is not None:
            return _run_dir(args, root)
        return _run_one(args, root)
    except UsageProblem as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _check_usage(args: argparse.Namespace) -> None:
    if bool(args.identity) != bool(args.issuer):
        raise UsageProblem("--identity and --issuer go together")
    if args.identity and args.python_version:
        raise UsageProblem("give either --python-version or --identity/--issuer, not both")
    if args.any_release_manager and args.identity:
        raise UsageProblem("--any-release-manager accepts the release managers on record; it takes no --identity")
    if args.staging and args.trusted_root:
        raise UsageProblem("give either --staging or --trusted-root, not both")
    if args.dir is not None:
        if args.artifact or args.digest or args.bundle:
            raise UsageProblem("--dir takes no ARTIFACT, --digest or --bundle")
        if not args.dir.is_dir():
            raise UsageProblem(f"{printable(str(args.dir))} is not a directory")
        return
    if args.recursive:
        raise UsageProblem("--recursive goes with --dir DIR")
    if args.bundle is None:
        raise UsageProblem("--bundle FILE is required (or use --dir DIR)")
    if (args.artifact is None) == (args.digest is None):
        raise UsageProblem("give exactly one of ARTIFACT or --digest sha256:HEX")


def _trust_root(args: argparse.Namespace) -> TrustRoot:
    if args.trusted_root is None:
        return embedded_trust_root("staging" if args.staging else "production")
    try:
        with args.trusted_root.open("rb") as fh:
            data = fh.read(MAX_TRUST_ROOT_BYTES + 1)
        return load_trust_root(data, args.trusted_root.name)
    except OSError as exc:
        raise UsageProblem(f"cannot read {printable(str(args.trusted_root))}: {exc.strerror or exc}") from exc
    except TrustRootError as exc:
        raise UsageProblem(f"{printable(str(args.trusted_root))}: {exc}") from exc


def _expected(args: argparse.Namespace) -> tuple[str, str, str | None, str]:
    """(identity, issuer, python version, source) for a single verification."""
    names = [args.artifact.name if args.artifact else None, args.bundle.name]
    version = args.python_version or infer_python_version(*names)
    if args.identity:
        return args.identity, args.issuer, version, "given on the command line"
    if version is None:
        raise UsageProblem(
            "cannot tell the Python version from the file names; give --python-version X.Y"
            " (or --identity ID --issuer URL)"
        )
    try:
        signer = expected_signer(version)
    except UnknownPythonVersion as exc:
        raise UsageProblem(str(exc)) from exc
    return signer.identity, signer.issuer, version, f"data/sigstore_identities.csv: {signer.source}"


def _run_one(args: argparse.Namespace, root: TrustRoot) -> int:
    if not args.bundle.is_file():
        raise UsageProblem(f"cannot read {printable(str(args.bundle))}: no such file")
    identity, issuer, version, source = _expected(args)
    sha256 = None
    if args.digest is not None:
        try:
            sha256 = parse_sha256(args.digest)
        except InputRejected as exc:
            raise UsageProblem(f"--digest: {exc}") from exc
    elif not args.artifact.is_file():
        raise UsageProblem(f"cannot read {printable(str(args.artifact))}: no such file")
    try:
        result = verify_bundle_file(
            args.bundle,
            artifact=args.artifact,
            sha256=sha256,
            identity=identity,
            issuer=issuer,
            trust_root=root,
            python_version=version,
            any_release_manager=args.any_release_manager,
        )
    except InputRejected as exc:
        raise UsageProblem(str(exc)) from exc
    except OSError as exc:
        raise UsageProblem(f"cannot read input: {exc.strerror or exc}") from exc

    commands = equivalent_commands(
        bundle_name=str(args.bundle),
        identity=identity,
        issuer=issuer,
        artifact_name=str(args.artifact) if args.artifact else None,
        sha256_hex=result.evidence.digest_checked,
        instance="staging" if args.staging else "production",
        trusted_root_name=str(args.trusted_root) if args.trusted_root else None,
        bundle_media_type=result.evidence.bundle_media_type,
        trust_config=root.from_client_trust_config,
    )
    if args.format == "json":
        payload: dict[str, Any] = {
            **result.to_json(),
            "python_version": version,
            "expected_source": source,
            "trust_root_age": {
                "days": root.age_days(),
                "stale": root.is_stale(),
                "newest_key_start": root.newest_key_start.isoformat() if root.newest_key_start else None,
            },
            "commands": {"sigstore": commands.sigstore, "cosign": commands.cosign, "notes": list(commands.notes)},
        }
        print(json.dumps(payload, indent=2))
    else:
        print(printable(result.summary))
        if not result.ok:
            print(f"  reason: {result.failure}")
            print(f"  why: {result.explanation}")
            print(f"  what to do: {result.what_to_do}")
        print(f"expected: {identity} via {issuer_display_name(issuer)} ({issuer}); source: {source}")
        if args.any_release_manager:
            print("  (--any-release-manager: any identity + issuer pair in data/sigstore_identities.csv is accepted)")
        print("evidence:")
        for label, value in result.evidence.rows():
            print(f"  {label}: {printable(value)}")
        print(f"trust root: {printable(root.age_sentence())}")
        print("equivalent commands:")
        print(f"  {printable(commands.sigstore)}")
        print(f"  {printable(commands.cosign)}")
        for note in commands.notes:
            print(f"  note: {note}")
    _warn_if_stale(root)
    if result.ok:
        return EXIT_OK
    # A file that is not a bundle at all is unreadable input (2); the classified result is printed anyway.
    return EXIT_USAGE if result.failure is FailureClass.MALFORMED_BUNDLE else EXIT_FAILED


def _warn_if_stale(root: TrustRoot) -> None:
    """Once, after the result (stdout first, so the warning is the last thing a person reads)."""
    warning = root.stale_warning()
    if warning:
        sys.stdout.flush()
        print(f"warning: {warning}", file=sys.stderr)


def _run_dir(args: argparse.Namespace, root: TrustRoot) -> int:
    report = verify_directory(
        args.dir,
        python_version=args.python_version,
        identity=args.identity,
        issuer=args.issuer,
        trust_root=root,
        recursive=args.recursive,
        any_release_manager=args.any_release_manager,
    )
    if not report.entries:
        print(
            f"error: nothing to verify in {printable(str(args.dir))}: no artifacts and no bundles"
            + ("" if args.recursive else " (add --recursive to walk sub-directories)"),
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.format == "json":
        print(json.dumps(report.to_json(), indent=2))
    else:
        for entry in report.entries:
            print(entry.line())
        print(report.summary())
    _warn_if_stale(root)
    return EXIT_OK if report.ok else EXIT_FAILED
