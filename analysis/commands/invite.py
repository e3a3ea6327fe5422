"""``python -m analysis invite DISTRIBUTOR [--contact EMAIL]``: a private survey link for one distributor."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "invite", help="print a private survey link for a distributor (a new one revokes the previous unused one)"
    )
    p.add_argument("distributor")
    p.add_argument("--contact", metavar="EMAIL", help="where the invitation goes (default: the roster's contact)")
    p.add_argument("--base-url", help="the app's public URL (default: $SURVEY_BASE_URL or http://127.0.0.1:8501)")
    p.add_argument("--revoke", action="store_true", help="revoke the distributor's unused invitations instead")
    p.add_argument("--no-mail", action="store_true", help="do not e-mail it even when [smtp] is configured")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from analysis.models import format_validation_error
    from analysis.outreach.links import base_url, invitation_link
    from analysis.storage import open_store
    from analysis.storage.db import resolve_database_url
    from analysis.storage.invitations import create_invitation, revoke_invitations

    store = open_store(resolve_database_url(args.database_url))
    if args.revoke:
        n = revoke_invitations(store, args.distributor)
        print(f"revoked {n} unused invitation(s) for {args.distributor}")
        return 0
    try:
        base = base_url(args.base_url)
        invitation = create_invitation(store, args.distributor, args.contact)
    except ValidationError as exc:
        for line in format_validation_error(exc):
            print(f"error: {line}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    link = invitation_link(invitation.token, base)
    if invitation.revoked_previous:
        print(f"revoked {invitation.revoked_previous} earlier unused invitation(s)", file=sys.stderr)
    print(f"invitation for {invitation.distributor} (shown once, keep it private):")
    print(link)
    if args.no_mail:
        return 0
    from analysis.outreach.mail import MailConfigError, configured_smtp_for_cli
    from analysis.outreach.sending import mail_invitation

    try:
        config = configured_smtp_for_cli()
    except MailConfigError as exc:
        print(f"warning: not e-mailed: {exc}", file=sys.stderr)
        return 1
    if config is None:
        return 0
    outcome = mail_invitation(store, config, invitation, base)
    for line in outcome.lines:
        print(line, file=sys.stderr)
    return 0 if outcome.ok else 1
