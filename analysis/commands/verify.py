"""``python -m analysis verify``: offline Sigstore verification of CPython artifacts.

Exit codes follow :mod:`analysis.cli`: 0 verified, 1 verification ran and failed (the classified
reason is printed), 2 bad usage or unreadable input (missing file, oversized bundle, bad digest,
unknown Python version). ``--dir DIR`` accounts for every artifact of a mirror: ``unsigned`` (no
bundle) and ``no-artifact`` (bundle without its file) make the exit status 1.

Only the argument parser lives here: the CLI imports every command module to build its parser, and
sigstore's import costs ~0.3-0.6 s, so it is imported when ``verify`` actually runs
(:mod:`analysis.verification.cli_run`), not when someone runs ``stats``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

EXAMPLES = """examples:
  python -m analysis verify Python-3.14.0.tgz --bundle Python-3.14.0.tgz.sigstore
  python -m analysis verify --digest sha256:12445c7b... --bundle Python-3.13.0.tgz.sigstore
  python -m analysis verify --dir /srv/mirror/python/3.13.0
  python -m analysis verify --dir /srv/mirror/python --recursive --format json
"""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "verify",
        help="verify a CPython artifact's Sigstore bundle offline",
        description=__doc__.splitlines()[0] if __doc__ else None,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("artifact", nargs="?", type=Path, help="the downloaded file (hashed in 1 MiB chunks)")
    p.add_argument("--digest", metavar="sha256:HEX", help="the artifact's SHA-256 instead of the file")
    p.add_argument("--bundle", type=Path, metavar="FILE", help="the .sigstore / .sigstore.json bundle")
    p.add_argument(
        "--dir",
        type=Path,
        metavar="DIR",
        help="check a mirror: every artifact verified, unsigned artifacts and bundles without their file reported",
    )
    p.add_argument("--recursive", action="store_true", help="with --dir: walk sub-directories (3.14.0/, 3.14.1/, ...)")
    p.add_argument(
        "--any-release-manager",
        action="store_true",
        help="accept any release manager on record in data/sigstore_identities.csv (they sign each other's releases)",
    )
    p.add_argument("--python-version", metavar="X.Y", help="release line (default: from the file name)")
    p.add_argument("--identity", metavar="ID", help="expected signer (overrides the release-manager data)")
    p.add_argument("--issuer", metavar="URL", help="expected OIDC issuer (with --identity)")
    p.add_argument("--trusted-root", type=Path, metavar="FILE", help="a trusted_root.json to use instead")
    p.add_argument("--staging", action="store_true", help="use the embedded staging trust root")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from analysis.verification.cli_run import run_verify

    return run_verify(args)
