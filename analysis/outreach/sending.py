"""Sending invitations and reminders: build the e-mails, send them, record what was sent.

Shared by the CLI (``invite``, ``remind --send``) and the roster page, so both say the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from analysis.outreach.links import invitation_link, survey_link
from analysis.outreach.mail import Outgoing, SmtpConfig, invitation_mail, send
from analysis.outreach.reminders import Reminder
from analysis.storage.invitations import NewInvitation, create_invitation, invitations, mark_mailed
from analysis.storage.store import ResponseStore


@dataclass
class SendOutcome:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    lines: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failed == 0


def _latest_invitation_id(store: ResponseStore, key: str) -> int | None:
    live = [i for i in invitations(store) if i.key == key and i.revoked_at is None]
    return live[0].id if live else None


def mail_invitation(store: ResponseStore, config: SmtpConfig, invitation: NewInvitation, base: str) -> SendOutcome:
    """E-mail a just-created invitation to its contact (the link is in the mail, never stored)."""
    out = SendOutcome()
    if not invitation.contact:
        out.skipped += 1
        out.lines.append(f"not e-mailed: no address for {invitation.distributor} (use --contact)")
        return out
    link = invitation_link(invitation.token, base)
    [result] = send(config, [invitation_mail(invitation.distributor, link, invitation.contact)])
    if result.ok:
        out.sent += 1
        out.lines.append(f"e-mailed to {result.to}")
        from analysis.models import normalise_distributor

        found = _latest_invitation_id(store, normalise_distributor(invitation.distributor))
        if found is not None:
            mark_mailed(store, [found])
    else:
        out.failed += 1
        out.lines.append(f"not e-mailed to {result.to}: {result.error}")
    return out


def send_reminders(store: ResponseStore, config: SmtpConfig, reminders: Sequence[Reminder], base: str) -> SendOutcome:
    """E-mail every reminder that has an address; invited distributors get a fresh invitation link."""
    out = SendOutcome()
    items: list[tuple[Reminder, Outgoing]] = []
    for r in reminders:
        if not r.contact:
            out.skipped += 1
            out.lines.append(f"skipped {r.distributor}: no e-mail address on the roster or invitation")
            continue
        if r.reason == "invited-no-answer":
            fresh = create_invitation(store, r.distributor, r.contact)
            mail = invitation_mail(fresh.distributor, invitation_link(fresh.token, base), r.contact)
            mail = Outgoing(to=mail.to, subject="Reminder: " + mail.subject, body=mail.body)
        else:
            mail = Outgoing(to=r.contact, subject=r.subject(), body=r.body(survey_link(base)))
        items.append((r, mail))
    results = send(config, [m for _, m in items])
    mailed: list[int] = []
    for (r, _), result in zip(items, results, strict=True):
        if result.ok:
            out.sent += 1
            out.lines.append(f"reminded {r.distributor} ({r.reason}) at {result.to}")
            if r.reason == "invited-no-answer":
                found = _latest_invitation_id(store, r.key)
                if found is not None:
                    mailed.append(found)
        else:
            out.failed += 1
            out.lines.append(f"not sent to {r.distributor} at {result.to}: {result.error}")
    mark_mailed(store, mailed)
    out.lines.append(f"{out.sent} sent, {out.failed} failed, {out.skipped} without an address")
    return out
