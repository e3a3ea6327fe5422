"""``python -m analysis export --format FORMAT --out PATH``: what leaves the app."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis.importer import export_json
from analysis.storage import open_store

FORMATS = ["json"]


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("export", help="export the latest answer of every response")
    p.add_argument("--format", choices=FORMATS, required=True)
    p.add_argument("--out", type=Path, required=True, help="file to write ('-' for standard output)")
    p.add_argument("--include-contacts", action="store_true", help="include personal data (contact, role)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    store = open_store(args.database_url)
    text = export_json([s.response for s in store.latest()], include_contacts=args.include_contacts)
    if str(args.out) == "-":
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    return 0
