"""Bring ``data/release_schedule*.csv`` and ``support_windows.csv`` up to date from an upstream file.

What an update does, per x.y.0 release of the lines the schedule follows (its oldest line onwards;
a new line upstream, such as 3.17, is followed too):

* a release new to the schedule is added: ``expected`` gives its planned date; ``actual`` with no
  plan we ever saw gives an actual date and no planned one (an unscheduled extra release, like
  3.15.0a5 or 3.15.0rc3: it becomes a policy, and stays out of the slip statistics);
* an ``expected`` date that changed moves the planned date ("moved");
* ``expected`` -> ``actual`` keeps the last planned date and records the actual one
  ("planned -> actual"): that pair is one more observed slip for the Monte Carlo;
* every changed date is also appended to ``release_schedule_revisions.csv``, as the PEP history
  rows there are, with the file's SHA-256 instead of a peps commit;
* a release the schedule holds as made but the file lists as expected means the file is older than
  the data: refused, nothing written;
* support windows (first release, end of bugfix, end of life) follow the ``metadata`` tables.

Every row the file confirms gets the file's name, SHA-256 and the date it was read, so the app and
reports can say "release schedule as of DATE (source)". The three files are written together:
temporary files in the same directory, then renamed, under a lock; a failure restores the previous
files, so readers see either the old data or the new data, never a mix.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import io
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from analysis.reference_data import version_key
from analysis.schedule_sources import SourceError, Upstream, UpstreamRelease

SCHEDULE = "release_schedule.csv"
REVISIONS = "release_schedule_revisions.csv"
WINDOWS = "support_windows.csv"
SOURCE_COLUMNS = ("source_file", "source_sha256", "read_on")
SCHEDULE_COLUMNS = ("python_version", "release", "stage", "planned_date", "actual_date", "source", *SOURCE_COLUMNS)
REVISION_COLUMNS = (
    "python_version",
    "release",
    "stage",
    "listed_as",
    "date",
    "pep_commit_date",
    "pep_commit",
    "source",
    "source_file",
    "source_sha256",
)
WINDOW_COLUMNS = ("python_version", "first_release", "end_of_bugfix", "end_of_life", *SOURCE_COLUMNS)


@dataclass(frozen=True)
class Change:
    """One line of the report: ``kind`` is "new release", "moved", "planned -> actual", …"""

    kind: str
    subject: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.subject} {self.detail}".rstrip()


@dataclass
class UpdatePlan:
    """The new content of the three files and what changed; nothing is written until :func:`apply`."""

    source: Upstream
    label: str
    read_on: date
    schedule: list[dict[str, str]]
    revisions: list[dict[str, str]]
    windows: list[dict[str, str]]
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def _read(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise SourceError(f"cannot read {path}: {exc}") from None
    return [{c: (row.get(c) or "") for c in columns} for row in rows]


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def plan_update(source: Upstream, data_dir: Path, read_on: date, label: str | None = None) -> UpdatePlan:
    """Compare ``source`` with the files in ``data_dir``; :class:`SourceError` if they contradict."""
    label = label or source.file_name
    stamp = {"source_file": label, "source_sha256": source.sha256, "read_on": read_on.isoformat()}
    schedule = _read(data_dir / SCHEDULE, SCHEDULE_COLUMNS)
    revisions = _read(data_dir / REVISIONS, REVISION_COLUMNS)
    windows = _read(data_dir / WINDOWS, WINDOW_COLUMNS)
    plan = UpdatePlan(source, label, read_on, schedule, revisions, windows)
    if source.releases is not None:
        _plan_releases(plan, source.releases, stamp)
    else:
        plan.notes.append(f"{source.kind} carries no releases: only support windows are compared")
    _plan_windows(plan, stamp)
    return plan


def _revision(release: UpstreamRelease, listed_as: str, plan: UpdatePlan, source: str) -> dict[str, str]:
    return {
        "python_version": release.line,
        "release": release.name,
        "stage": release.stage,
        "listed_as": listed_as,
        "date": release.date.isoformat(),
        "pep_commit_date": plan.read_on.isoformat(),
        "pep_commit": "",
        "source": source,
        "source_file": plan.label,
        "source_sha256": plan.source.sha256,
    }


def _plan_releases(plan: UpdatePlan, releases: tuple[UpstreamRelease, ...], stamp: dict[str, str]) -> None:
    by_name = {row["release"]: row for row in plan.schedule}
    followed = [row["python_version"] for row in plan.schedule]
    oldest = min(followed, key=version_key) if followed else None
    upstream_names = set()
    for release in releases:
        if oldest is not None and version_key(release.line) < version_key(oldest):
            continue
        upstream_names.add(release.name)
        pep = plan.source.pep_of(release.line)
        row = by_name.get(release.name)
        when = release.date.isoformat()
        if row is None:
            source = f"PEP {pep}" if pep else plan.label
            row = {
                "python_version": release.line,
                "release": release.name,
                "stage": release.stage,
                "planned_date": when if release.state == "expected" else "",
                "actual_date": when if release.state == "actual" else "",
                "source": source,
                **stamp,
            }
            plan.schedule.append(row)
            by_name[release.name] = row
            plan.revisions.append(_revision(release, release.state, plan, source))
            what = f"planned {when}" if release.state == "expected" else f"released {when}, never planned (unscheduled)"
            plan.changes.append(Change("new release", release.name, f"{what}, {release.where}"))
            continue
        row.update(stamp)
        if release.state == "expected":
            if row["actual_date"]:
                raise SourceError(
                    f"{release.where}: {release.name} is listed as expected on {when}, but {SCHEDULE} already "
                    f"has it released on {row['actual_date']}: the file is older than the data"
                )
            if row["planned_date"] != when:
                plan.changes.append(
                    Change("moved", release.name, f"planned {row['planned_date'] or '(none)'} -> {when}")
                )
                row["planned_date"] = when
                plan.revisions.append(_revision(release, "expected", plan, row["source"]))
        elif row["actual_date"] != when:
            if row["actual_date"]:
                plan.changes.append(Change("actual date corrected", release.name, f"{row['actual_date']} -> {when}"))
            else:
                slip = ""
                if row["planned_date"]:
                    days = (release.date - date.fromisoformat(row["planned_date"])).days
                    slip = f", {days:+d} day{'' if abs(days) == 1 else 's'}" if days else ", on its planned date"
                plan.changes.append(
                    Change(
                        "planned -> actual",
                        release.name,
                        f"planned {row['planned_date'] or '(none)'}, actual {when}{slip}",
                    )
                )
            row["actual_date"] = when
            plan.revisions.append(_revision(release, "actual", plan, row["source"]))
    for name in sorted(set(by_name) - upstream_names):
        plan.notes.append(f"{name} is not in {plan.label}: kept unchanged")
    plan.schedule.sort(
        key=lambda r: (version_key(r["python_version"]), r["actual_date"] or r["planned_date"], _stage_order(r))
    )


def _stage_order(row: dict[str, str]) -> tuple[int, str]:
    return ("alpha", "beta", "rc", "final").index(row["stage"]), row["release"]


def _plan_windows(plan: UpdatePlan, stamp: dict[str, str]) -> None:
    by_line = {row["python_version"]: row for row in plan.windows}
    oldest = min(by_line, key=version_key) if by_line else None
    for window in sorted(plan.source.windows, key=lambda w: version_key(w.line)):
        if oldest is not None and version_key(window.line) < version_key(oldest):
            continue
        row = by_line.get(window.line)
        values = {
            "first_release": window.first_release.isoformat(),
            "end_of_life": window.end_of_life.isoformat(),
        }
        if window.end_of_bugfix is not None:
            values["end_of_bugfix"] = window.end_of_bugfix.isoformat()
        if row is None:
            if window.end_of_bugfix is None:
                plan.notes.append(f"{window.line}: new line without an end-of-bugfix date in {plan.label}: not added")
                continue
            row = {"python_version": window.line, **values, **stamp}
            plan.windows.append(row)
            by_line[window.line] = row
            plan.changes.append(Change("new line", window.line, f"first release {values['first_release']}"))
            continue
        for key, value in values.items():
            if row[key] != value:
                words = key.replace("_", " ")
                plan.changes.append(Change("support window", window.line, f"{words} {row[key]} -> {value}"))
                row[key] = value
        row.update(stamp)
    plan.windows.sort(key=lambda r: version_key(r["python_version"]))


def _render(rows: list[dict[str, str]], columns: tuple[str, ...]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


@contextlib.contextmanager
def _locked(data_dir: Path) -> Iterator[None]:
    """One update at a time per data directory (two at once would each miss the other's rows)."""
    fd = os.open(data_dir, os.O_RDONLY)  # the directory itself: no lock file left in data/
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def update(source: Upstream, data_dir: Path, read_on: date, label: str | None = None, *, write: bool) -> UpdatePlan:
    """Plan, and with ``write`` apply, under the data directory's lock (the plan is made from the
    files as they are once the lock is held)."""
    if not data_dir.is_dir():
        raise SourceError(f"data directory {data_dir} does not exist")
    # Without the current files there is nothing to compare with (and no oldest line to follow
    # from): an empty or wrong directory must not fill up with every release since Python 1.6.
    if missing := [name for name in (SCHEDULE, WINDOWS) if not (data_dir / name).is_file()]:
        raise SourceError(f"{data_dir} has no {' or '.join(missing)}: not a reference data directory")
    if label is not None and (not label.strip() or len(label) > 300 or not label.isprintable()):
        raise SourceError("--source must be one printable line of at most 300 characters")
    with _locked(data_dir):
        plan = plan_update(source, data_dir, read_on, label)
        if write:
            _write_all(
                data_dir,
                {
                    SCHEDULE: _render(plan.schedule, SCHEDULE_COLUMNS),
                    REVISIONS: _render(plan.revisions, REVISION_COLUMNS),
                    WINDOWS: _render(plan.windows, WINDOW_COLUMNS),
                },
            )
    return plan


def _write_all(data_dir: Path, contents: dict[str, str]) -> None:
    """All files or none: write temporaries, keep backups, rename; restore the backups on failure."""
    temps: dict[str, Path] = {}
    backups: dict[str, Path] = {}
    replaced: list[str] = []
    try:
        for name, text in contents.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=data_dir)
            temps[name] = Path(tmp)
            target = data_dir / name
            # mkstemp makes 0600 files: keep the mode of the file replaced (readable data stays readable).
            os.chmod(fd, (target.stat().st_mode & 0o777) if target.exists() else 0o644)
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            if target.exists():
                fd, backup = tempfile.mkstemp(prefix=f".{name}.", suffix=".bak", dir=data_dir)
                os.close(fd)
                shutil.copy2(target, backup)
                backups[name] = Path(backup)
        for name, tmp_path in temps.items():
            os.replace(tmp_path, data_dir / name)
            replaced.append(name)
    except BaseException:
        for name in replaced:
            if name in backups:
                os.replace(backups.pop(name), data_dir / name)
        raise
    finally:
        for path in [*temps.values(), *backups.values()]:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
