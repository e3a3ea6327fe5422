"""Coverage: roster against answers. Who answered, who was invited and has not, who was never invited.

Every roster distributor has exactly one status, so ``roster == answered + invited + not_invited``;
answers from distributors not on the roster are counted apart (``off_roster``, status
``answered``, ``on_roster: false``). "Answered" means a counted answer exists at the as-of date
(the rule of ``analysis.crosstab.asof``, distributor unit); an invitation counts from its creation
until it is revoked (a used one always counts). ``answered_via`` says whether the counted answer came
through an invitation, was self-declared, or is illustrative (transcribed by the survey team from
public statements, not submitted by the distributor).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

import pandas as pd

from analysis.crosstab.asof import end_of_day, select_unit
from analysis.storage.invitations import InvitationRecord
from analysis.storage.roster import RosterRecord

if TYPE_CHECKING:
    from analysis.storage.store import ResponseStore

Status = Literal["answered", "invited", "not-invited"]
STATUSES: tuple[Status, ...] = ("answered", "invited", "not-invited")
Via = Literal["invitation", "self-declared", "illustrative"]


def _via(invited: bool, illustrative: bool) -> Via:
    if invited:
        return "invitation"
    return "illustrative" if illustrative else "self-declared"


@dataclass(frozen=True)
class CoverageRow:
    distributor: str
    key: str
    status: Status
    on_roster: bool
    last_answer: date | None
    invited_at: date | None
    answered_via: Via | None

    def as_json(self) -> dict[str, object]:
        return {
            "distributor": self.distributor,
            "status": self.status,
            "on_roster": self.on_roster,
            "last_answer": self.last_answer.isoformat() if self.last_answer else None,
            "invited_at": self.invited_at.isoformat() if self.invited_at else None,
            "answered_via": self.answered_via,
        }


@dataclass(frozen=True)
class Coverage:
    rows: list[CoverageRow]
    as_of: date | None

    def count(self, status: Status, on_roster: bool = True) -> int:
        return sum(1 for r in self.rows if r.status == status and r.on_roster == on_roster)

    def as_json(self) -> dict[str, object]:
        """The issue's JSON: ``roster``, ``answered``, ``invited``, ``not_invited``, ``off_roster``, ``distributors``."""
        return {
            "roster": sum(1 for r in self.rows if r.on_roster),
            "answered": self.count("answered"),
            "invited": self.count("invited"),
            "not_invited": self.count("not-invited"),
            "off_roster": sum(1 for r in self.rows if not r.on_roster),
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "distributors": [r.as_json() for r in self.rows],
        }


def _invited_by_key(invitations: Sequence[InvitationRecord], as_of: date | None) -> dict[str, datetime]:
    cutoff = end_of_day(as_of) if as_of else None
    out: dict[str, datetime] = {}
    for inv in invitations:
        if cutoff is not None and inv.created_at >= cutoff:
            continue
        revoked = inv.revoked_at is not None and (cutoff is None or inv.revoked_at < cutoff)
        if revoked and inv.response_id is None:
            continue
        if inv.key not in out or inv.created_at > out[inv.key]:
            out[inv.key] = inv.created_at
    return out


def compute_coverage(
    roster: Sequence[RosterRecord],
    frame: pd.DataFrame,
    invitations: Sequence[InvitationRecord],
    invited_response_ids: Collection[str],
    as_of: date | None = None,
) -> Coverage:
    """Coverage from the roster, the counting frame (already as of ``as_of``) and the invitations."""
    counted = select_unit(frame, "distributor") if not frame.empty else frame
    answers: dict[str, tuple[str, date | None, Via]] = {}
    if not counted.empty:
        keys = counted["distributor_key"] if "distributor_key" in counted else counted["distributor"]
        when = pd.to_datetime(counted["submitted_at"], utc=True)
        flags = counted["illustrative"] if "illustrative" in counted else pd.Series(False, index=counted.index)
        for key, name, ts, rid, flag in zip(
            keys, counted["distributor"], when, counted["response_id"], flags, strict=True
        ):
            via = _via(str(rid) in invited_response_ids, bool(flag))
            answers[str(key)] = (str(name), ts.date() if pd.notna(ts) else None, via)
    invited = _invited_by_key(invitations, as_of)
    rows: list[CoverageRow] = []
    for entry in roster:
        answer = answers.get(entry.key)
        inv = invited.get(entry.key)
        status: Status = "answered" if answer else ("invited" if inv else "not-invited")
        rows.append(
            CoverageRow(
                distributor=entry.distributor,
                key=entry.key,
                status=status,
                on_roster=True,
                last_answer=answer[1] if answer else None,
                invited_at=inv.date() if inv else None,
                answered_via=answer[2] if answer else None,
            )
        )
    on_roster = {e.key for e in roster}
    for key, (name, last, via) in answers.items():
        if key in on_roster:
            continue
        inv = invited.get(key)
        rows.append(
            CoverageRow(
                distributor=name,
                key=key,
                status="answered",
                on_roster=False,
                last_answer=last,
                invited_at=inv.date() if inv else None,
                answered_via=via,
            )
        )
    rows.sort(key=lambda r: (not r.on_roster, r.distributor.casefold(), r.distributor))
    return Coverage(rows=rows, as_of=as_of)


def coverage_table(cov: Coverage) -> list[list[str]]:
    """Rows for a text table or a report: distributor, status, on roster, last answer, invited, via."""
    return [
        [
            r.distributor,
            r.status,
            "yes" if r.on_roster else "no",
            r.last_answer.isoformat() if r.last_answer else "-",
            r.invited_at.isoformat() if r.invited_at else "-",
            r.answered_via or "-",
        ]
        for r in cov.rows
    ]


COVERAGE_HEADERS: tuple[str, ...] = ("Distributor", "Status", "On roster", "Last answer", "Invited", "Answered via")


def load_coverage(store: ResponseStore, as_of: date | None = None, frame: pd.DataFrame | None = None) -> Coverage:
    """Coverage of a store at the end of ``as_of`` (None: now). The roster is today's roster.

    ``frame`` is the analysis frame at that date when the caller already has it (a report does),
    or just its counted rows (``select_unit``, which coverage counts): at 100,000 answers reading it
    again is most of the cost.
    """
    from analysis.crosstab.fields import ANALYSIS_COLUMNS
    from analysis.storage.history import frame_as_of
    from analysis.storage.invitations import invitations, invited_response_ids
    from analysis.storage.roster import roster_entries

    if frame is None:
        frame = frame_as_of(store, as_of, columns=ANALYSIS_COLUMNS)
    return compute_coverage(roster_entries(store), frame, invitations(store), invited_response_ids(store), as_of)
