"""``python -m analysis stats``: counts of what the store holds."""

from __future__ import annotations

import argparse
import json

from analysis.cli_args import add_as_of
from analysis.storage import open_store
from analysis.storage.db import resolve_database_url


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("stats", help="print counts of responses, distributors and revisions")
    p.add_argument("--format", choices=["table", "json"], default="table")
    add_as_of(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    store = open_store(resolve_database_url(args.database_url))
    if args.as_of is None:
        stats = store.stats()
    else:
        from analysis.storage.history import stats_as_of

        stats = stats_as_of(store, args.as_of)
    if args.format == "json":
        print(json.dumps(stats, indent=2))
    else:
        for key, value in stats.items():
            print(f"{key.replace('_', ' '):<14} {value if value is not None else '-'}")
    return 0
