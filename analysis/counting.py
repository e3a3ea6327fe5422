"""What counts: the headline numbers and which answers are the counted ones, one rule for every page.

"How many answers are illustrative?" had two answers: the overview summed the flag over every
response, the report over each distributor's counted (latest) answer. Both now ask this module,
so a Steering Council member sees the same number on the screen and in the exported report.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.crosstab import Filters, Unit, apply_filters, select_unit


@dataclass(frozen=True)
class Headline:
    """What the headline metrics show for one choice of the illustrative filter."""

    #: Distinct distributors and responses that count (after the illustrative filter).
    distributors: int
    responses: int
    #: Distributors whose counted (latest) answer is illustrative, and responses flagged so, in
    #: the whole store: with the filter off these are the answers that were left out.
    illustrative_distributors: int
    illustrative_responses: int
    include_illustrative: bool

    def illustrative(self, unit: Unit = "distributor") -> int:
        """Illustrative answers in the counting unit (the report uses the distributor unit)."""
        return self.illustrative_distributors if unit == "distributor" else self.illustrative_responses

    def counted(self, unit: Unit = "distributor") -> int:
        return self.distributors if unit == "distributor" else self.responses


def _flags(frame: pd.DataFrame) -> pd.Series:
    if "illustrative" not in frame:
        return pd.Series(False, index=frame.index)
    return frame["illustrative"].fillna(False).astype(bool)


def headline(frame: pd.DataFrame | None, *, include_illustrative: bool = True) -> Headline:
    """Count ``frame`` (the latest revision of every response) the way the dashboard shows it."""
    if frame is None or frame.empty:
        return Headline(0, 0, 0, 0, include_illustrative)
    counted = apply_filters(frame, Filters(include_illustrative=include_illustrative))
    return Headline(
        distributors=int(counted["distributor_key"].nunique()),
        responses=len(counted),
        illustrative_distributors=int(_flags(select_unit(frame, "distributor")).sum()),
        illustrative_responses=int(_flags(frame).sum()),
        include_illustrative=include_illustrative,
    )


def counted_response_ids(frame: pd.DataFrame) -> set[str]:
    """Responses that are their distributor's counted (latest) answer; the others are superseded.

    The same rule as the charts, cross-tabs and report (``select_unit``): a superseded answer
    counts only when a reviewer counts every response.
    """
    if frame.empty:
        return set()
    return set(select_unit(frame, "distributor")["response_id"])
