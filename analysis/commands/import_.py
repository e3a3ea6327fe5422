"""``python -m analysis import FILE``: load responses, all or nothing."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis.importer import read_responses_file
from analysis.storage import open_store
from analysis.storage.db import resolve_database_url


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("import", help="import responses from a JSON list or JSON Lines file (all or nothing)")
    p.add_argument("file", type=Path, help="JSON list or JSON Lines of survey responses")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    outcome = read_responses_file(args.file)
    if not outcome.ok:
        print(f"error: {args.file}: nothing imported, {len(outcome.errors)} problem(s):", file=sys.stderr)
        for line in outcome.errors[:200]:
            print(f"  {line}", file=sys.stderr)
        if len(outcome.errors) > 200:
            print(f"  ... and {len(outcome.errors) - 200} more", file=sys.stderr)
        return 2
    store = open_store(resolve_database_url(args.database_url))
    result = store.import_responses(outcome.responses)
    print(
        f"imported {len(outcome.responses)} response(s) from {args.file}: "
        f"{result.created} new, {result.revised} revised, {result.unchanged} unchanged"
    )
    return 0
