"""Who to remind: invited and not answered, or answered with a readiness date that has passed.

A reminder carries the roster's contact (else the invitation's), the public channel, and a
``mailto:`` link with a ready subject and body. Contacts and channels are people's data: the CSV
and JSON leave them (and the address in the mailto link) out unless asked to include them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal
from urllib.parse import quote

import pandas as pd

from analysis.crosstab.asof import select_unit
from analysis.outreach.coverage import Coverage
from analysis.storage.invitations import InvitationRecord
from analysis.storage.roster import RosterRecord

if TYPE_CHECKING:
    from analysis.storage.store import ResponseStore

Reason = Literal["invited-no-answer", "readiness-date-passed"]
REMINDER_COLUMNS: tuple[str, ...] = ("distributor", "reason", "detail", "contact", "channel", "mailto")


@dataclass(frozen=True)
class Reminder:
    distributor: str
    key: str
    reason: Reason
    detail: str
    contact: str | None
    channel: str | None

    def subject(self) -> str:
        if self.reason == "invited-no-answer":
            return f"Reminder: PEP 761 downstream survey for {self.distributor}"
        return f"PEP 761 survey: is {self.distributor} ready for Sigstore?"

    def body(self, survey_url: str) -> str:
        if self.reason == "invited-no-answer":
            return (
                f"Hello,\n\nthe Python Steering Council would like to hear from {self.distributor} about PEP 761 "
                "(CPython release artifacts signed with Sigstore only, no PGP).\n\n"
                f"Please answer the survey using the private invitation link we sent you, or at {survey_url}\n\n"
                "Thank you."
            )
        return (
            f"Hello,\n\nyour answer for {self.distributor} to the PEP 761 downstream survey said you expected to "
            f"verify Sigstore by now ({self.detail}).\n\n"
            "Could you update your answer with the private edit link you received when you answered, "
            f"or at {survey_url}?\n\nThank you."
        )

    def mailto(self, survey_url: str, include_contacts: bool) -> str:
        to = quote(self.contact, safe="@") if include_contacts and self.contact else ""
        return f"mailto:{to}?subject={quote(self.subject())}&body={quote(self.body(survey_url))}"


def compute_reminders(
    coverage: Coverage,
    frame: pd.DataFrame,
    roster: Sequence[RosterRecord],
    invitations: Sequence[InvitationRecord],
    today: date,
) -> list[Reminder]:
    """Reminders at ``today`` (the as-of date): coverage's invited rows, then overdue answers."""
    by_key = {r.key: r for r in roster}
    invited_contact: dict[str, str] = {}
    for inv in sorted(invitations, key=lambda i: i.created_at):
        if inv.contact:
            invited_contact[inv.key] = inv.contact

    def contact(key: str) -> str | None:
        entry = by_key.get(key)
        return (entry.contact if entry and entry.contact else None) or invited_contact.get(key)

    def channel(key: str) -> str | None:
        entry = by_key.get(key)
        return entry.channel if entry else None

    out: list[Reminder] = []
    for row in coverage.rows:
        if row.status == "invited":
            detail = f"invited {row.invited_at.isoformat()}" if row.invited_at else "invited"
            out.append(
                Reminder(row.distributor, row.key, "invited-no-answer", detail, contact(row.key), channel(row.key))
            )
    if not frame.empty:
        counted = select_unit(frame, "distributor")
        likely = pd.to_datetime(counted["ready_likely"], errors="coerce")
        overdue = (likely.dt.date < today).fillna(False) & (counted["sigstore_status"] != "in-production")
        for (_, answer), when in zip(counted.loc[overdue.to_numpy()].iterrows(), likely[overdue], strict=True):
            key = str(answer["distributor_key"])
            detail = f"most likely ready date {when.date().isoformat()}, status {answer['sigstore_status']}"
            out.append(
                Reminder(str(answer["distributor"]), key, "readiness-date-passed", detail, contact(key), channel(key))
            )
    return sorted(out, key=lambda r: (r.reason, r.distributor.casefold()))


def reminders_csv(reminders: Sequence[Reminder], survey_url: str, include_contacts: bool) -> str:
    """CSV (formula-looking cells neutralised); contact and channel only with ``include_contacts``."""
    from analysis.reports.tables import neutralise

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(REMINDER_COLUMNS)
    for r in reminders:
        cells = [
            r.distributor,
            r.reason,
            r.detail,
            (r.contact or "") if include_contacts else "",
            (r.channel or "") if include_contacts else "",
            r.mailto(survey_url, include_contacts),
        ]
        writer.writerow([neutralise(c) for c in cells])
    return buffer.getvalue()


def reminders_json(reminders: Sequence[Reminder], survey_url: str, include_contacts: bool) -> list[dict[str, object]]:
    return [
        {
            "distributor": r.distributor,
            "reason": r.reason,
            "detail": r.detail,
            **({"contact": r.contact, "channel": r.channel} if include_contacts else {}),
            "mailto": r.mailto(survey_url, include_contacts),
        }
        for r in reminders
    ]


def load_reminders(store: ResponseStore, as_of: date | None = None) -> list[Reminder]:
    """Reminders of a store at the end of ``as_of`` (None: today, UTC)."""
    from datetime import UTC, datetime

    from analysis.crosstab.fields import ANALYSIS_COLUMNS
    from analysis.outreach.coverage import compute_coverage
    from analysis.storage.history import frame_as_of
    from analysis.storage.invitations import invitations, invited_response_ids
    from analysis.storage.roster import roster_entries

    frame = frame_as_of(store, as_of, columns=ANALYSIS_COLUMNS)
    roster, invites = roster_entries(store), invitations(store)
    coverage = compute_coverage(roster, frame, invites, invited_response_ids(store), as_of)
    return compute_reminders(coverage, frame, roster, invites, as_of or datetime.now(UTC).date())
