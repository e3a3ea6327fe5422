"""The CPython release calendar as the simulator sees it: release dates, policies and slips.

All facts come from ``data/`` (``release_schedule.csv``, ``release_schedule_revisions.csv``,
``support_windows.csv``, ``policies.csv``); this module only interprets them:

* A release's **date** is its actual date when known, else its planned date. ``3.15.0a5`` was an
  unscheduled extra alpha and has no planned date; its actual date is used like any other.
* A **policy** is the name of the first release published without PGP signatures. Any release in
  the schedule is a valid policy; the built-in ones (with a one-line description) are listed in
  ``data/policies.csv``. Older lines keep PGP until their end of life (PEP 761), so a policy only
  affects its own line and later ones.
* The **slip distribution** per stage is what the Monte Carlo draws release-date errors from. See
  :func:`slip_samples` for which baseline a slip is measured against and why.
* The schedule is **as of** the date its source file was read (``read_on``, written by
  ``python -m analysis schedule update``); a planned date before today with no actual date means the
  data is older than the world, and :func:`schedule_status` says so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Literal

from analysis.reference_data import read_csv, version_key

#: Stages in release order. ``post-final`` is a survey answer, not a release stage: it is measured
#: from the x.y.0 final release.
STAGES: tuple[str, ...] = ("alpha", "beta", "rc", "final")
STAGE_WORDS: dict[str, str] = {
    "alpha": "alpha",
    "beta": "beta",
    "rc": "release candidate",
    "final": "final",
    "post-final": "after the final release",
}
SlipBasis = Literal["last", "first"]


class UnknownPolicyError(ValueError):
    """A policy that names no release of the schedule."""


@dataclass(frozen=True)
class Release:
    """One scheduled release. ``date`` is the one the simulator uses (actual, else planned)."""

    line: str
    name: str
    stage: str
    planned: date | None
    actual: date | None
    source: str
    source_file: str = ""
    read_on: date | None = None

    @property
    def date(self) -> date:
        value = self.actual or self.planned
        if value is None:  # the loader refuses such rows; this keeps type checkers honest
            raise ValueError(f"{self.name} has neither an actual nor a planned date")
        return value

    @property
    def is_actual(self) -> bool:
        return self.actual is not None


@dataclass(frozen=True)
class SupportWindow:
    """First release, end of bugfix and end of life of a line. End of life of lines that are still
    supported is month precision in the source (``YYYY-10-01`` means "October YYYY")."""

    line: str
    first_release: date
    end_of_bugfix: date
    end_of_life: date


@dataclass(frozen=True)
class Policy:
    """A candidate discontinuation point: the first release without PGP."""

    release: Release
    description: str
    builtin: bool

    @property
    def name(self) -> str:
        return self.release.name

    @property
    def line(self) -> str:
        return self.release.line

    @property
    def date(self) -> date:
        return self.release.date


def _date_or_none(text: str) -> date | None:
    return date.fromisoformat(text) if text.strip() else None


@dataclass(frozen=True)
class Schedule:
    """All releases, in date order, with the lookups the simulator needs."""

    releases: tuple[Release, ...]

    def __post_init__(self) -> None:
        # Lookups the simulator makes per distributor and policy (thousands per report): built
        # once here, so each is a dict lookup, not a scan of every release.
        by_line: dict[str, list[Release]] = {}
        first: dict[tuple[str, str], Release] = {}
        for r in self.releases:
            by_line.setdefault(r.line, []).append(r)
            key = (r.line, r.stage)
            if key not in first or r.date < first[key].date:
                first[key] = r
        object.__setattr__(self, "_by_name", {r.name: r for r in self.releases})
        object.__setattr__(self, "_by_line", {line: tuple(rs) for line, rs in by_line.items()})
        object.__setattr__(self, "_first", first)

    def get(self, name: str) -> Release | None:
        return self._by_name.get(name.strip())  # type: ignore[attr-defined]

    def names(self) -> list[str]:
        return [r.name for r in self.releases]

    def lines(self) -> list[str]:
        return sorted({r.line for r in self.releases}, key=version_key)

    def line_releases(self, line: str) -> list[Release]:
        return list(self._by_line.get(line, ()))  # type: ignore[attr-defined]

    def newest_released_line(self) -> str | None:
        """The newest line whose x.y.0 final has actually been released (what most people verify)."""
        released = [r.line for r in self.releases if r.stage == "final" and r.is_actual]
        return max(released, key=version_key) if released else None

    def first_of_stage(self, line: str, stage: str) -> Release:
        """The first release of ``stage`` in ``line``; ``post-final`` maps to the x.y.0 final."""
        wanted = "final" if stage == "post-final" else stage
        found: Release | None = self._first.get((line, wanted))  # type: ignore[attr-defined]
        if found is None:
            raise LookupError(f"The schedule has no {STAGE_WORDS.get(stage, stage)} release of {line}")
        return found


@cache
def load_schedule() -> Schedule:
    """Read ``release_schedule.csv``. Sorted by date, then by line, so the order is stable."""
    releases = []
    for row in read_csv("release_schedule.csv"):
        release = Release(
            line=row["python_version"],
            name=row["release"],
            stage=row["stage"],
            planned=_date_or_none(row["planned_date"]),
            actual=_date_or_none(row["actual_date"]),
            source=row["source"],
            source_file=row.get("source_file") or "",
            read_on=_date_or_none(row.get("read_on") or ""),
        )
        if release.planned is None and release.actual is None:
            raise ValueError(f"release_schedule.csv: {release.name} has no date at all")
        if release.stage not in STAGES:
            raise ValueError(f"release_schedule.csv: {release.name} has unknown stage {release.stage!r}")
        releases.append(release)
    releases.sort(key=lambda r: (r.date, version_key(r.line)))
    return Schedule(tuple(releases))


@cache
def load_support_windows() -> dict[str, SupportWindow]:
    """Line -> support window, from ``support_windows.csv``."""
    return {
        row["python_version"]: SupportWindow(
            line=row["python_version"],
            first_release=date.fromisoformat(row["first_release"]),
            end_of_bugfix=date.fromisoformat(row["end_of_bugfix"]),
            end_of_life=date.fromisoformat(row["end_of_life"]),
        )
        for row in read_csv("support_windows.csv")
    }


@cache
def builtin_policy_descriptions() -> dict[str, str]:
    """Release name -> one-line description, in the order of ``data/policies.csv``."""
    return {row["policy"]: row["description"] for row in read_csv("policies.csv")}


def resolve_policy(name: str, schedule: Schedule | None = None) -> Policy:
    """The policy stopping PGP at ``name``; :class:`UnknownPolicyError` with the valid choices
    when ``name`` is not a release in the schedule."""
    schedule = schedule or load_schedule()
    release = schedule.get(name)
    if release is None:
        builtins = ", ".join(builtin_policy_descriptions())
        raise UnknownPolicyError(
            f"'{name}' is not a release in data/release_schedule.csv. Built-in policies: {builtins}; "
            f"any release from {schedule.releases[0].name} to {schedule.releases[-1].name} can be chosen."
        )
    descriptions = builtin_policy_descriptions()
    description = descriptions.get(release.name, f"Stop PGP from {release.name} on")
    return Policy(release=release, description=description, builtin=release.name in descriptions)


def builtin_policies(schedule: Schedule | None = None) -> list[Policy]:
    """The built-in policies, earliest first."""
    schedule = schedule or load_schedule()
    policies = [resolve_policy(name, schedule) for name in builtin_policy_descriptions()]
    return sorted(policies, key=lambda p: p.date)


@cache
def _revisions() -> tuple[dict[str, str], ...]:
    return tuple(read_csv("release_schedule_revisions.csv"))


def _revision_source(row: dict[str, str]) -> str:
    """What recorded a revision row: its peps commit, or for rows appended by ``schedule update``
    (no commit) the SHA-256 of the file read. One update is treated like one commit."""
    return row["pep_commit"] or f"sha256:{row.get('source_sha256', '')}"


def _renumbered_releases() -> set[str]:
    """Releases whose name moved to another slot when an unscheduled release was inserted.

    ``3.15.0a5`` was inserted without a plan and the former a5–a7 slots were renamed a6–a8 in the
    same commit, so their "original plan" rows belong to a different slot (a fake slip of about
    -4 weeks). A release is treated as renumbered when its expected date changed in the commit that
    recorded the actual date of a release with no planned date.
    """
    schedule = load_schedule()
    unscheduled = {r.name for r in schedule.releases if r.planned is None}
    insert_commits = {
        _revision_source(row) for row in _revisions() if row["release"] in unscheduled and row["listed_as"] == "actual"
    }
    return {
        row["release"]
        for row in _revisions()
        if row["listed_as"] == "expected"
        and _revision_source(row) in insert_commits
        and row["release"] not in unscheduled
    } | unscheduled


@cache
def slip_samples(basis: SlipBasis = "last") -> dict[str, tuple[int, ...]]:
    """Stage -> observed slips in days (actual date minus a planned date) of every made release.

    ``basis="last"`` (default) measures against the **last** date announced before the release
    (``planned_date`` in the schedule). That is the right error model for the simulator, because
    the date it uses for a release not yet made *is* its currently announced date: what matters is
    how far the actual date ends up from that. ``basis="first"`` measures against the **original**
    plan (first ``expected`` row) and includes rescheduling months ahead (3.13.0 final moved 6 days
    when rc3 was added); it suits dates read straight off a freshly accepted schedule PEP.
    Releases without a plan (3.15.0a5) are left out of both, and for ``"first"`` so are the slots
    renumbered around it (see :func:`_renumbered_releases`). Dropped releases (3.13.0a7) never
    have an actual date and so never contribute.
    """
    slips: dict[str, list[int]] = defaultdict(list)
    if basis == "last":
        for release in load_schedule().releases:
            if release.actual is not None and release.planned is not None:
                slips[release.stage].append((release.actual - release.planned).days)
    elif basis == "first":
        skip = _renumbered_releases()
        first: dict[str, date] = {}
        actual: dict[str, tuple[str, date]] = {}
        for row in _revisions():
            name, when = row["release"], date.fromisoformat(row["date"])
            if row["listed_as"] == "expected":
                first.setdefault(name, when)
            elif row["listed_as"] == "actual":
                actual[name] = (row["stage"], when)
        for name, (stage, when) in actual.items():
            if name in first and name not in skip:
                slips[stage].append((when - first[name]).days)
    else:
        raise ValueError(f"basis must be 'last' or 'first', not {basis!r}")
    return {stage: tuple(sorted(slips.get(stage, ()))) for stage in STAGES}


def release_dates_as_days(schedule: Schedule, epoch: date) -> dict[str, int]:
    """Release name -> days since ``epoch``: the integer time axis of the vectorised simulation."""
    return {r.name: (r.date - epoch).days for r in schedule.releases}


@dataclass(frozen=True)
class ScheduleStatus:
    """How current the schedule is: "as of DATE (source)", and planned dates already past."""

    as_of: date | None
    source: str
    #: Releases with a planned date before ``today`` and no actual date, earliest first.
    overdue: tuple[Release, ...]
    today: date

    @property
    def as_of_line(self) -> str:
        when = self.as_of.isoformat() if self.as_of else "an unknown date"
        return f"Release schedule as of {when} ({self.source})."

    @property
    def warning(self) -> str | None:
        """``None`` when no planned date has passed; else the sentence that says the data is stale."""
        if not self.overdue:
            return None
        named = [f"{r.name} (planned {r.planned.isoformat() if r.planned else '?'})" for r in self.overdue[:4]]
        if len(self.overdue) > 4:
            named.append(f"{len(self.overdue) - 4} more")
        shown = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
        return (
            f"{shown} should have happened by {self.today.isoformat()}, but the schedule has no actual date for "
            f"{'it' if len(self.overdue) == 1 else 'them'}: the schedule data is older than the world. The simulator "
            "uses the planned dates; refresh the schedule with `python -m analysis schedule update FILE`."
        )

    @property
    def lines(self) -> tuple[str, ...]:
        """The as-of line, then the warning when there is one (what reports print)."""
        return (self.as_of_line,) + ((f"Warning: {self.warning}",) if self.warning else ())


def schedule_status(today: date, schedule: Schedule | None = None) -> ScheduleStatus:
    """The schedule's as-of date (newest ``read_on``), its source (the file read that day, else the
    PEPs named in ``source``) and the releases overdue on ``today``."""
    schedule = schedule or load_schedule()
    dated = [r for r in schedule.releases if r.read_on is not None]
    as_of = max((r.read_on for r in dated if r.read_on), default=None)
    files = sorted({r.source_file for r in dated if r.read_on == as_of and r.source_file})
    source = "; ".join(files) or ", ".join(sorted({r.source for r in schedule.releases if r.source})) or "unknown"
    overdue = tuple(
        sorted(
            (r for r in schedule.releases if r.actual is None and r.planned is not None and r.planned < today),
            key=lambda r: r.date,
        )
    )
    return ScheduleStatus(as_of=as_of, source=source, overdue=overdue, today=today)


def clear_caches() -> None:
    """Forget what was read from ``data/`` (after ``schedule update`` wrote new files in-process)."""
    from analysis import reference_data

    for loader in (load_schedule, load_support_windows, builtin_policy_descriptions, _revisions, slip_samples):
        loader.cache_clear()
    reference_data.known_python_versions.cache_clear()
    reference_data.known_version_rank.cache_clear()
