"""Trend data from the revisions: Sigstore status of the counted distributors over time, readiness drift.

Both read every revision and apply the as-of rule of ``analysis.crosstab.asof`` at each date
(through ``RevisionTimeline``, which encodes the revisions once), so the value plotted for a day is
the number the overview would show with that day as its as-of date.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

import numpy as np
import pandas as pd

from analysis.crosstab.asof import RevisionTimeline
from analysis.models import SigstoreStatus
from analysis.schedule import Schedule

#: At most this many dates on the status chart (daily for short spans, then every n days).
MAX_POINTS = 60
Drift = Literal["slipping", "holding", "earlier"]


def date_grid(start: date, end: date, max_points: int = MAX_POINTS) -> list[date]:
    """Evenly spaced days from ``start`` to ``end`` (both included), at most ``max_points``."""
    if end < start:
        return []
    span = (end - start).days
    step = max(1, math.ceil(span / max(1, max_points - 1)))
    days = [start + timedelta(days=i) for i in range(0, span + 1, step)]
    if days[-1] != end:
        days.append(end)
    return days


@dataclass(frozen=True)
class DriftRow:
    distributor: str
    first_likely: date
    last_likely: date
    first_at: date
    last_at: date
    #: How often the likely date moved between the grid days.
    moves: int

    @property
    def days(self) -> int:
        return (self.last_likely - self.first_likely).days

    @property
    def drift(self) -> Drift:
        return "slipping" if self.days > 0 else ("earlier" if self.days < 0 else "holding")


@dataclass(frozen=True)
class Progress:
    """Both trend views, computed in one pass over the grid days."""

    #: ``day`` and one column per Sigstore status code (enum order): counted distributors that day.
    status: pd.DataFrame
    #: Per distributor, its likely date at the first and the last grid day it had one.
    drift: list[DriftRow]


def progress_over_time(revisions: pd.DataFrame, until: date | None = None) -> Progress:
    """Sigstore status counts and readiness drift at the end of each grid day (first answer .. ``until``).

    At each day the counted answer of every distributor is the one the overview shows with that
    day as its as-of date. Drift compares a distributor's ``ready_by.likely`` on the first and last
    grid day it gave one (distributors that never did are left out); sorted most slipping first.
    """
    statuses = [s.value for s in SigstoreStatus]
    if revisions.empty:
        return Progress(pd.DataFrame(columns=["day", *statuses]), [])
    first = pd.to_datetime(revisions["submitted_at"], utc=True).min().date()
    end = until or datetime.now(UTC).date()
    timeline = RevisionTimeline(revisions)
    codes = pd.Categorical(revisions["sigstore_status"], categories=statuses).codes
    likely = pd.to_datetime(revisions["ready_likely"], errors="coerce")
    likely_days = np.where(likely.isna(), -1, (likely - pd.Timestamp("1970-01-01")).dt.days.fillna(-1)).astype(int)
    keys = revisions["distributor_key"].astype(str).to_numpy()
    names = revisions["distributor"].astype(str).to_numpy()
    rows = []
    seen: dict[str, list[tuple[date, int, str]]] = {}
    for day in date_grid(first, end):
        pos = timeline.distributor_positions(day)
        picked = codes[pos]
        counts = np.bincount(picked[picked >= 0], minlength=len(statuses))
        rows.append({"day": day, **dict(zip(statuses, counts.tolist(), strict=True))})
        for p in pos[likely_days[pos] >= 0]:
            history = seen.setdefault(keys[p], [])
            if not history or history[-1][1] != likely_days[p]:
                history.append((day, int(likely_days[p]), names[p]))
            elif history[-1][2] != names[p]:
                history[-1] = (history[-1][0], history[-1][1], names[p])
    epoch = date(1970, 1, 1)
    drift = [
        DriftRow(
            distributor=h[-1][2],
            first_likely=epoch + timedelta(days=h[0][1]),
            last_likely=epoch + timedelta(days=h[-1][1]),
            first_at=h[0][0],
            last_at=h[-1][0],
            moves=len(h) - 1,
        )
        for h in seen.values()
    ]
    drift.sort(key=lambda r: (-r.days, r.distributor.casefold()))
    return Progress(pd.DataFrame(rows, columns=["day", *statuses]), drift)


@dataclass(frozen=True)
class Milestone:
    day: date
    label: str
    stage: str


def release_milestones(schedule: Schedule, start: date, end: date) -> list[Milestone]:
    """First beta, first release candidate and final of each Python line between ``start`` and ``end``."""
    out: list[Milestone] = []
    for line in schedule.lines():
        for stage in ("beta", "rc", "final"):
            try:
                release = schedule.first_of_stage(line, stage)
            except LookupError:
                continue
            if start <= release.date <= end:
                out.append(Milestone(release.date, release.name, stage))
    return sorted(out, key=lambda m: m.day)
