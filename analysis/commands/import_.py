"""``python -m analysis import FILE``: load responses, all or nothing, in bounded memory.

The file is parsed and validated as a stream while the store writes it in one transaction; a bad
item anywhere rolls the whole import back (see ``analysis.importer``). The first batch is checked
before the store is opened, so a file that is bad from the start touches no store at all.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

from analysis.importer import ImportRejected, ParseOutcome, iter_batches, open_import_file, prefetched
from analysis.storage import open_store
from analysis.storage.db import resolve_database_url


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("import", help="import responses from a JSON list or JSON Lines file (all or nothing)")
    p.add_argument("file", type=Path, help="JSON list or JSON Lines of survey responses")
    p.set_defaults(func=run)


def _report(path: Path, outcome: ParseOutcome) -> int:
    print(f"error: {path}: nothing imported, {outcome.error_count} problem(s):", file=sys.stderr)
    for line in outcome.errors:
        print(f"  {line}", file=sys.stderr)
    if outcome.error_count > len(outcome.errors):
        print(f"  ... and {outcome.error_count - len(outcome.errors)} more", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    path: Path = args.file
    opened = open_import_file(path)
    if isinstance(opened, str):
        print(f"error: {opened}", file=sys.stderr)
        return 2
    outcome = ParseOutcome()
    with opened:
        try:
            batches = prefetched(iter_batches(opened, outcome))
            first = list(itertools.islice(batches, 1))
            if not outcome.ok:
                raise ImportRejected(outcome)
            store = open_store(resolve_database_url(args.database_url))
            result = store.import_batches(itertools.chain(first, batches), keep_ids=False)
        except ImportRejected:
            return _report(path, outcome)
        except UnicodeDecodeError:
            print(f"error: {path}: nothing imported: not UTF-8 text", file=sys.stderr)
            return 2
        except OSError as exc:
            print(f"error: {path}: nothing imported: cannot read: {exc.strerror or exc}", file=sys.stderr)
            return 2
    total = result.created + result.revised + result.unchanged
    print(
        f"imported {total} response(s) from {path}: "
        f"{result.created} new, {result.revised} revised, {result.unchanged} unchanged"
    )
    return 0
