"""``python -m analysis``: the survey's command line, usable without Streamlit.

Each sub-command lives in its own module under ``analysis/commands`` and exposes
``register(subparsers)``; this module only discovers them. Exit codes: 0 success, 1 the operation
ran and found a problem (e.g. verification failed), 2 bad usage or unreadable input.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence
from typing import NoReturn

from analysis import __version__, commands

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 already; keep the message short
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m analysis", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--database-url",
        default=None,
        help="SQLAlchemy URL of the store (default: $DATABASE_URL, else SQLite under $SURVEY_DATA_DIR or ./var)",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"analysis.commands.{info.name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except BrokenPipeError:  # e.g. `| head`
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
