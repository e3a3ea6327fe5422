"""``python -m analysis hash-passphrase``: print the reviewer passphrase hash for secrets.toml.

The passphrase is read with ``getpass`` on a terminal (asked twice) or from standard input when
piped, never from the command line, where it would land in the shell history.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from analysis.access import PassphraseError, hash_passphrase


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "hash-passphrase",
        help="hash a reviewer passphrase (read from stdin or prompted) for .streamlit/secrets.toml",
    )
    p.set_defaults(func=run)


def _read_passphrase() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Reviewer passphrase: ")
        if getpass.getpass("Again: ") != first:
            raise PassphraseError("The two passphrases differ.")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def run(args: argparse.Namespace) -> int:
    try:
        encoded = hash_passphrase(_read_passphrase())
    except PassphraseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print("# Paste into .streamlit/secrets.toml (or set SURVEY_REVIEWER_PASSPHRASE_HASH):", file=sys.stderr)
    print("[reviewers]")
    print(f'passphrase_hash = "{encoded}"')
    return 0
