"""``python -m analysis trust-root``: refresh a Sigstore trust root through TUF, or show one.

``update --out FILE`` refreshes through TUF (python-tuf's ngclient, as sigstore-python does) and
writes FILE plus ``FILE.provenance.json``; ``show [FILE]`` prints a root's age, logs, certificate
authorities and timestamp authorities (default: the production root embedded in sigstore-python).
Exit codes follow :mod:`analysis.cli`: 0 written/shown, 1 the repository was refused (expired,
tampered, unreachable: nothing written), 2 bad usage or an unreadable file.

Only the parser lives here; the work (and the sigstore/tuf imports) is in
:mod:`analysis.verification.trust_root_cli`, imported when the command runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

EXAMPLES = """examples:
  python -m analysis trust-root update --out trusted_root.json
  python -m analysis trust-root show trusted_root.json
  python -m analysis verify Python-3.14.0.tgz --bundle Python-3.14.0.tgz.sigstore --trusted-root trusted_root.json
"""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "trust-root",
        help="refresh a Sigstore trusted_root.json through TUF, or show one",
        description=__doc__.splitlines()[0] if __doc__ else None,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = p.add_subparsers(dest="action", required=True)
    update = actions.add_parser("update", help="refresh through TUF and write FILE (+ FILE.provenance.json)")
    update.add_argument("--out", type=Path, required=True, metavar="FILE", help="where to write trusted_root.json")
    update.add_argument(
        "--url",
        default=None,
        metavar="URL",
        help="TUF repository (default: Sigstore production, https://tuf-repo-cdn.sigstore.dev)",
    )
    update.add_argument("--staging", action="store_true", help="Sigstore's staging TUF repository")
    update.add_argument(
        "--root",
        type=Path,
        metavar="FILE",
        help="initial TUF root.json (needed for repositories other than Sigstore's own)",
    )
    show = actions.add_parser("show", help="print a trust root's age, logs, CAs and timestamp authorities")
    show.add_argument("file", nargs="?", type=Path, help="trusted_root.json (default: the embedded production root)")
    show.add_argument("--staging", action="store_true", help="show the embedded staging root")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from analysis.verification.trust_root_cli import run_trust_root

    return run_trust_root(args)
