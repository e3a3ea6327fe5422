"""``python -m analysis remind``: who to remind (invited, not answered; readiness date passed), as CSV,
JSON or e-mails.

``--send`` e-mails every reminder that has an address, through ``[smtp]`` in secrets.toml. A
reminder to an invited distributor carries a fresh invitation link (the earlier token is stored
only hashed, so it cannot be repeated; the new invitation revokes the old one).
"""

from __future__ import annotations

import argparse
import json
import sys

from analysis.cli_args import add_as_of


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("remind", help="list (or e-mail) who to remind: invited and silent, or readiness date passed")
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.add_argument("--include-contacts", action="store_true", help="include contacts and channels (people's data)")
    p.add_argument("--send", action="store_true", help="e-mail the reminders through [smtp] in secrets.toml")
    p.add_argument("--base-url", help="the app's public URL (default: $SURVEY_BASE_URL or http://127.0.0.1:8501)")
    add_as_of(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from analysis.outreach.links import base_url, survey_link
    from analysis.outreach.reminders import load_reminders, reminders_csv, reminders_json
    from analysis.storage import open_store
    from analysis.storage.db import resolve_database_url

    try:
        base = base_url(args.base_url)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    store = open_store(resolve_database_url(args.database_url))
    reminders = load_reminders(store, args.as_of)
    url = survey_link(base)
    if not args.send:
        if args.format == "json":
            print(json.dumps(reminders_json(reminders, url, args.include_contacts), indent=2, ensure_ascii=False))
        else:
            sys.stdout.write(reminders_csv(reminders, url, args.include_contacts))
        return 0
    from analysis.outreach.mail import MailConfigError, configured_smtp_for_cli
    from analysis.outreach.sending import send_reminders

    try:
        config = configured_smtp_for_cli()
    except MailConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if config is None:
        print("error: --send needs an [smtp] section in secrets.toml", file=sys.stderr)
        return 2
    outcome = send_reminders(store, config, reminders, base)
    for line in outcome.lines:
        print(line)
    return 0 if outcome.ok else 1
