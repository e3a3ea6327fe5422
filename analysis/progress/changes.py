"""Changes since a date: which distributors answered, changed (field: old -> new), or went silent.

"Since DATE" means on or after that day (UTC). The state before is the answers at the end of the
previous day and the state after is the answers at the end of ``until`` (or now), both by the rule of
``analysis.crosstab.asof`` (distributor unit). Each distributor with an answer in either state falls in
exactly one group:

* ``answered``: no answer before, one now (a first answer within the period);
* ``changed``: submitted within the period and its counted answer differs (the fields that moved);
* ``confirmed``: submitted within the period with the same answers;
* ``silent``: answered before, submitted nothing within the period.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from analysis.crosstab.asof import end_of_day, select_unit, state_as_of
from analysis.crosstab.drilldown import COMPARED_FIELDS
from analysis.crosstab.labels import label_for_value, short_label


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class DistributorChange:
    distributor: str
    key: str
    submitted_at: str | None
    changes: tuple[FieldChange, ...] = ()
    last_answer: str | None = None


@dataclass
class Changes:
    since: date
    until: date | None
    answered: list[DistributorChange] = field(default_factory=list)
    changed: list[DistributorChange] = field(default_factory=list)
    confirmed: list[DistributorChange] = field(default_factory=list)
    silent: list[DistributorChange] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat() if self.until else None,
            "answered": [{"distributor": c.distributor, "submitted_at": c.submitted_at} for c in self.answered],
            "changed": [
                {
                    "distributor": c.distributor,
                    "submitted_at": c.submitted_at,
                    "changes": [{"field": f.field, "old": f.old, "new": f.new} for f in c.changes],
                }
                for c in self.changed
            ],
            "confirmed": [{"distributor": c.distributor, "submitted_at": c.submitted_at} for c in self.confirmed],
            "silent": [{"distributor": c.distributor, "last_answer": c.last_answer} for c in self.silent],
        }


def _jsonable(value: Any) -> Any:
    """A frame cell as JSON: lists stay lists, dates ISO, missing values None."""
    if isinstance(value, list | tuple | np.ndarray):
        return [str(v) for v in value]
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _by_key(frame: pd.DataFrame) -> dict[str, pd.Series]:
    if frame.empty:
        return {}
    counted = select_unit(frame, "distributor")
    return {str(k): row for k, (_, row) in zip(counted["distributor_key"], counted.iterrows(), strict=True)}


def _day(value: Any) -> str | None:
    ts = pd.Timestamp(value)
    return None if pd.isna(ts) else ts.isoformat()


def compute_changes(revisions: pd.DataFrame, since: date, until: date | None = None) -> Changes:
    """Changes between the end of the day before ``since`` and the end of ``until`` (None: now)."""
    if until is not None and until < since:
        raise ValueError(f"--since {since} is after --as-of {until}")
    before = _by_key(state_as_of(revisions, since - timedelta(days=1)))
    after = _by_key(state_as_of(revisions, until))
    out = Changes(since=since, until=until)
    start = pd.Timestamp(end_of_day(since - timedelta(days=1)))
    when = pd.to_datetime(revisions["submitted_at"], utc=True) if not revisions.empty else pd.Series(dtype=object)
    in_period = when >= start
    if until is not None:
        in_period &= when < pd.Timestamp(end_of_day(until))
    active = set(revisions.loc[in_period.to_numpy(), "distributor_key"].astype(str)) if len(revisions) else set()
    fields = [f for f in COMPARED_FIELDS if f in revisions]
    names = {k: str(row["distributor"]) for k, row in (*before.items(), *after.items())}
    for key in sorted(names, key=lambda k: (names[k].casefold(), names[k])):
        new, old = after.get(key), before.get(key)
        if new is None:
            continue  # cannot happen (answers are never deleted); kept for safety with odd data
        name = str(new["distributor"])
        submitted = _day(new["submitted_at"])
        if old is None:
            out.answered.append(DistributorChange(name, key, submitted))
            continue
        if key not in active:
            out.silent.append(DistributorChange(name, key, None, last_answer=_day(old["submitted_at"])))
            continue
        moved = tuple(
            FieldChange(f, _jsonable(old[f]), _jsonable(new[f]))
            for f in fields
            if _jsonable(old[f]) != _jsonable(new[f])
        )
        (out.changed if moved else out.confirmed).append(DistributorChange(name, key, submitted, moved))
    return out


def _words(field_name: str, value: Any) -> str:
    if value is None or value == []:
        return "–"
    if isinstance(value, list):
        return ", ".join(label_for_value(field_name, v) for v in value)
    return label_for_value(field_name, value)


def change_lines(change: DistributorChange, escape: Callable[[str], str] = str) -> list[str]:
    """``Field: old -> new`` in words, one per changed field (each part through ``escape``)."""
    return [
        f"{escape(short_label(c.field))}: {escape(_words(c.field, c.old))} -> {escape(_words(c.field, c.new))}"
        for c in change.changes
    ]


def changes_markdown(changes: Changes) -> str:
    """The changes as Markdown (names and answers escaped: they are people's words)."""
    from analysis.reports.markdown import escape

    until = f" (until the end of {changes.until.isoformat()})" if changes.until else ""
    out = [f"### Changes since {changes.since.isoformat()}{until}", ""]
    groups = (
        ("Answered for the first time", changes.answered),
        ("Changed their answers", changes.changed),
        ("Confirmed their answers unchanged", changes.confirmed),
        ("Went silent (answered before, nothing since)", changes.silent),
    )
    for title, items in groups:
        out += [f"**{title}** ({len(items)})", ""]
        if not items:
            out += ["_none_", ""]
            continue
        for c in items:
            out.append(f"- {escape(c.distributor)}" + (f" (last answer {c.last_answer[:10]})" if c.last_answer else ""))
            out += [f"  - {line}" for line in change_lines(c, escape)]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def load_changes(store: Any, since: date, until: date | None = None) -> Changes:
    from analysis.crosstab.fields import ANALYSIS_COLUMNS
    from analysis.storage.history import revisions_frame

    return compute_changes(revisions_frame(store, columns=ANALYSIS_COLUMNS), since, until)
