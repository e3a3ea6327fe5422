"""``python -m analysis``: the survey's command line, usable without Streamlit.

Each sub-command lives in its own module under ``analysis/commands`` and exposes
``register(subparsers)``; this module only discovers them. A module is named after its command
(``hash_passphrase`` for ``hash-passphrase``, ``import_`` for ``import``), so a run imports only
the module of the command it runs: ``verify`` in a release pipeline does not pay for pandas. Exit codes: 0 success, 1 the operation
ran and found a problem (e.g. verification failed), 2 bad usage or unreadable input.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import pkgutil
import sys
from collections.abc import Iterable, Sequence
from typing import NoReturn

from analysis import __version__, commands
from analysis.secrets_file import SecretsFileError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 already; keep the message short
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def command_modules() -> dict[str, str]:
    """Command name -> module name in ``analysis.commands``."""
    return {
        info.name.rstrip("_").replace("_", "-"): info.name
        for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name)
    }


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser with every command, or with just ``only`` (the command about to run)."""
    parser = _Parser(prog="python -m analysis", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--database-url",
        default=None,
        help=(
            "SQLAlchemy URL of the store (default: $DATABASE_URL, else [database] url in "
            ".streamlit/secrets.toml, else SQLite under $SURVEY_DATA_DIR or ./var)"
        ),
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for command, module_name in command_modules().items():
        if only is None or command == only:
            importlib.import_module(f"analysis.commands.{module_name}").register(sub)
    return parser


def _requested_command(argv: Sequence[str], known: Iterable[str]) -> str | None:
    """The command named on the line, if it is a known one (else the full parser reports)."""
    args = iter(argv)
    for arg in args:
        if arg == "--database-url":
            next(args, None)
        elif not arg.startswith("-"):
            return arg if arg in known else None
    return None


def main(argv: Sequence[str] | None = None, *, process_entry: bool = False) -> int:
    """Run one command; ``process_entry`` when this process is the command (``__main__``), which
    paused the collector for start-up: it resumes here, with start-up's objects frozen."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser(only=_requested_command(argv, command_modules()))
        args = parser.parse_args(argv)
    finally:
        if process_entry:
            gc.freeze()
            gc.enable()
    from analysis.storage.db import StoreUnavailable

    try:
        return int(args.func(args))
    except SecretsFileError as exc:  # the store's configuration is unreadable: never guess another store
        print(f"error: could not read the store configuration {exc}", file=sys.stderr)
        return EXIT_USAGE
    except StoreUnavailable as exc:  # a bad --database-url / $DATABASE_URL is bad usage: one line
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # e.g. `| head`
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
