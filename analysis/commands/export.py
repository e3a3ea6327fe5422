"""``python -m analysis export --format FORMAT --out PATH``: what leaves the app.

Formats: ``json`` (the canonical response format; round-trips through ``python -m analysis
import``), ``html`` (self-contained report), ``md`` (Discourse-ready Markdown), ``csv`` (latest
answer per distributor), ``xlsx`` (one sheet per section) and ``pdf`` (the HTML printed by headless
Chromium). Personal data (contacts, respondent roles) is left out unless ``--include-contacts``.

Exit codes: 0 written; 1 the export ran but failed (e.g. Chromium missing for PDF); 2 bad usage
(unknown policy, bad URL, unwritable output).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

from analysis.cli_args import add_as_of, parse_date
from analysis.storage import open_store
from analysis.storage.db import resolve_database_url
from analysis.storage.export_rows import hashed_utf8
from analysis.storage.history import export_json_as_of

FORMATS = ["html", "md", "csv", "xlsx", "pdf", "json"]
DEFAULT_SEED = 761
DEFAULT_DRAWS = 2000
MAX_DRAWS = 100_000
DEFAULT_THRESHOLD = 1000.0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "export",
        help="export the answers (json) or a report (html, md, csv, xlsx, pdf)",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    p.add_argument("--format", choices=FORMATS, required=True)
    p.add_argument("--out", type=Path, required=True, help="file to write ('-' for standard output)")
    p.add_argument(
        "--policy",
        action="append",
        default=[],
        metavar="RELEASE",
        help="policy (first release without PGP) to simulate; repeat for several (default: the built-in ones)",
    )
    p.add_argument("--include-contacts", action="store_true", help="include personal data (contact, role)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"simulation seed (default {DEFAULT_SEED})")
    p.add_argument("--draws", type=int, default=DEFAULT_DRAWS, help=f"Monte Carlo draws (default {DEFAULT_DRAWS:,})")
    p.add_argument(
        "--threshold",
        type=float,
        default=DEFAULT_THRESHOLD,
        help=f"severity-weighted exposure days under which a policy is recommended (default {DEFAULT_THRESHOLD:,.0f})",
    )
    p.add_argument("--html-url", default=None, help="where the HTML report will be published (linked from md)")
    add_as_of(p)
    p.add_argument(
        "--changes-since",
        type=parse_date,
        default=None,
        metavar="YYYY-MM-DD",
        help='add a "Changes since DATE" section',
    )
    p.set_defaults(func=run)


def _write(out: Path, payload: str | bytes) -> None:
    if str(out) == "-":
        if isinstance(payload, bytes):
            sys.stdout.buffer.write(payload)
        else:
            sys.stdout.write(payload)
        return
    if isinstance(payload, bytes):
        out.write_bytes(payload)
    else:
        out.write_text(payload, encoding="utf-8", newline="")
    print(f"wrote {out}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    if args.draws < 2 or args.draws > MAX_DRAWS:
        print(f"error: --draws must be between 2 and {MAX_DRAWS:,}", file=sys.stderr)
        return 2
    if str(args.out) != "-" and not args.out.parent.is_dir():
        print(f"error: {args.out.parent} is not a directory", file=sys.stderr)
        return 2
    store = open_store(resolve_database_url(args.database_url))
    if args.format == "json":
        # Unchanged canonical export: no report is built, so nothing else can fail.
        if args.as_of is not None:  # a past state: the revisions that counted then, from raw rows
            _write(args.out, export_json_as_of(store, args.as_of, include_contacts=args.include_contacts))
            return 0
        # Straight from the stored rows (validated on the way in), not through the model; the
        # digest is taken on the way, so the next report of these answers need not encode them.
        generation = store.generation()
        digest = hashlib.sha256()
        pieces = hashed_utf8(store.iter_latest_json(include_contacts=args.include_contacts), digest)
        try:
            if str(args.out) == "-":
                sys.stdout.flush()
                sys.stdout.buffer.writelines(pieces)
                sys.stdout.buffer.flush()
            else:
                with args.out.open("wb") as out:
                    out.writelines(pieces)
                print(f"wrote {args.out}", file=sys.stderr)
        except OSError as exc:
            print(f"error: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
            return 2
        store.remember_digest(digest.hexdigest(), include_contacts=args.include_contacts, generation=generation)
        return 0

    from analysis.reports import ReportOptions, build_snapshot, render
    from analysis.reports.pdf import PdfError
    from analysis.reports.sections import UnknownPolicy, check_policies

    try:
        policies = check_policies(args.policy)
    except UnknownPolicy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.html_url:
        from analysis.reports.markdown import safe_url

        try:
            safe_url(args.html_url)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    options = ReportOptions(
        policies=policies,
        include_contacts=args.include_contacts,
        seed=args.seed,
        draws=args.draws,
        threshold=args.threshold,
        html_url=args.html_url,
        as_of=args.as_of,
        changes_since=args.changes_since,
    )
    # Only HTML and PDF draw charts; the other formats have none to draw.
    data = build_snapshot(store, options, answers_json=False, figures=args.format in ("html", "pdf"))
    for section, reason in data.unavailable:
        print(f"warning: {section} left out: {reason}", file=sys.stderr)
    try:
        payload = render(data, args.format)
    except PdfError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        _write(args.out, payload)
    except OSError as exc:
        print(f"error: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return 0
