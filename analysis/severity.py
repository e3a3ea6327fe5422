"""How bad exposure is for a distributor, from its worst-case answer (survey Q3).

The mapping lives in ``data/severity.toml`` so reviewers can argue about it and change it without
touching code. A distributor's severity is the highest level among the worst cases it selected;
when it selected none, the file's ``default`` applies (``medium``: an unanswered question must not
make an exposure vanish from the weighted totals).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from analysis.models import WorstCase
from analysis.reference_data import data_dir

#: Levels from worst to harmless; the order used to pick "the highest" and to sort tables.
LEVELS: tuple[str, ...] = ("high", "medium", "low", "none")


@dataclass(frozen=True)
class SeverityMapping:
    """The parsed ``severity.toml``: worst case -> level, level -> weight, default level."""

    levels: dict[str, float]
    worst_case: dict[str, str]
    default: str

    def level_of(self, worst_cases: Iterable[str]) -> str:
        """Highest level among ``worst_cases``; the default when the list is empty."""
        found = [self.worst_case.get(str(code), self.default) for code in worst_cases]
        if not found:
            return self.default
        return min(found, key=LEVELS.index)

    def weight(self, level: str) -> float:
        return self.levels[level]


def parse_severity(data: dict[str, object]) -> SeverityMapping:
    """Validate a severity mapping; errors name the offending key so a bad edit is easy to fix."""
    levels = {str(k): float(v) for k, v in dict(data.get("levels", {})).items()}  # type: ignore[call-overload]
    if set(levels) != set(LEVELS):
        raise ValueError(f"severity.toml [levels] must define exactly {', '.join(LEVELS)}")
    mapping = {str(k): str(v) for k, v in dict(data.get("worst_case", {})).items()}  # type: ignore[call-overload]
    codes = {w.value for w in WorstCase}
    if unknown := set(mapping) - codes:
        raise ValueError(f"severity.toml [worst_case] has unknown answer codes: {', '.join(sorted(unknown))}")
    if missing := codes - set(mapping):
        raise ValueError(f"severity.toml [worst_case] misses answer codes: {', '.join(sorted(missing))}")
    if bad := {v for v in mapping.values() if v not in LEVELS}:
        raise ValueError(f"severity.toml [worst_case] uses unknown levels: {', '.join(sorted(bad))}")
    default = str(data.get("default", "medium"))
    if default not in LEVELS:
        raise ValueError(f"severity.toml default must be one of {', '.join(LEVELS)}")
    return SeverityMapping(levels=levels, worst_case=mapping, default=default)


@cache
def load_severity() -> SeverityMapping:
    """The mapping from ``data/severity.toml`` (read once per process)."""
    with (data_dir() / "severity.toml").open("rb") as fh:
        return parse_severity(tomllib.load(fh))
