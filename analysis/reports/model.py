"""The report's data model: plain, immutable values that every output format renders.

A report is assembled once (``snapshot.build_snapshot``) and then rendered by each format without
touching the store again, so the HTML, Markdown, spreadsheet and PDF of one export cannot disagree.
Nothing here knows about HTML or Markdown; cells are plain Python values and every string is
untrusted (it may contain a respondent's free text) until a renderer escapes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Self

if TYPE_CHECKING:
    from analysis.plain_figure import PlainFigure

#: What a table cell may hold. Renderers format numbers; ``None`` shows as an empty cell.
Cell = str | int | float | None


class Share(str):
    """A share of distributors as every report prints it ("44 %"), keeping the exact fraction.

    It is text to every renderer (the HTML, Markdown, CSV and PDF show the rounded percentage),
    and the spreadsheet writes :attr:`fraction` as a number formatted as a percentage, so a
    reader's sums and sorts there use 4/9, not 0.44 read back from the rounded text.
    """

    part: int
    total: int

    def __new__(cls, part: int, total: int) -> Self:
        share = super().__new__(cls, f"{100 * part / total:.0f} %" if total else "–")
        share.part, share.total = part, total
        return share

    @property
    def fraction(self) -> float | None:
        """``part / total``; None when there is nothing to share (no distributor answered)."""
        return self.part / self.total if self.total else None

    def __reduce__(self) -> tuple[type[Share], tuple[int, int]]:  # copies and caches keep the numbers
        return (Share, (self.part, self.total))


@dataclass(frozen=True)
class Table:
    """A titled grid. ``key`` is stable across exports (used for ids, anchors and sheet names)."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.rows


@dataclass(frozen=True)
class QuestionSummary:
    """One survey question answered at a glance: a count table and, for HTML, a chart."""

    key: str
    title: str
    table: Table
    figure_key: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Quote:
    distributor: str
    field: str
    text: str


@dataclass(frozen=True)
class ThemeSummary:
    name: str
    label: str
    description: str
    distributors: int
    quotes: tuple[Quote, ...]


@dataclass(frozen=True)
class PolicyExposure:
    """How one distributor is exposed under one policy."""

    policy: str
    exposed_days: int
    #: The first release without PGP signatures it fetches, and when.
    first_unsigned: str


@dataclass(frozen=True)
class ExposedDistributor:
    """A distributor exposed under at least one policy, said once with every policy it is exposed
    under (the per-policy sentences repeated the same start and ready dates under each policy)."""

    distributor: str
    #: What the simulation assumes about it, e.g. "starts at Beta +14 days, expects to verify
    #: Sigstore on 2025-09-01".
    basis: str
    policies: tuple[PolicyExposure, ...]

    @property
    def sentence(self) -> str:
        """The one line every format prints (plain text; renderers escape it)."""
        under = "; ".join(f"{p.policy}: {p.exposed_days} days from {p.first_unsigned}" for p in self.policies)
        n = len(self.policies)
        return f"{self.distributor} {self.basis}. Exposed under {n} polic{'y' if n == 1 else 'ies'} ({under})."


@dataclass(frozen=True)
class SimulationSection:
    """The simulator's view of the chosen policies (built from ``analysis.simulate``)."""

    comparison: Table
    recommendation: str
    exposures: tuple[Table, ...] = ()
    #: Every distributor exposed under any compared policy, once, in the policies' order.
    exposed: tuple[ExposedDistributor, ...] = ()
    figure_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExtraSection:
    """A section added after the distributors (coverage, changes since a date): text and tables."""

    key: str
    title: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()


@dataclass(frozen=True)
class ReportOptions:
    """What the reviewer chose. Part of every cache key, so it must stay hashable."""

    policies: tuple[str, ...] = ()
    include_contacts: bool = False
    seed: int = 761
    draws: int = 2000
    #: Severity-weighted exposure days under which a policy is acceptable (the recommendation).
    threshold: float = 1000.0
    html_url: str | None = None
    #: The answers as they stood at the end of this day (UTC); None: now.
    as_of: date | None = None
    #: Adds the "Changes since DATE" section.
    changes_since: date | None = None


@dataclass(frozen=True)
class ReportData:
    """Everything a report shows, collected once, in a deterministic order."""

    options: ReportOptions
    generated_at: datetime
    snapshot_at: datetime | None
    responses: int
    distributors: int
    illustrative: int
    summaries: tuple[QuestionSummary, ...]
    crosstabs: tuple[Table, ...]
    distributor_table: Table
    duplicates: Table
    themes: tuple[ThemeSummary, ...]
    simulation: SimulationSection | None
    methodology: tuple[tuple[str, str], ...]
    provenance: tuple[tuple[str, str], ...]
    answers_json: str
    answers_sha256: str
    #: The counted answers (latest per distributor, by name), personal fields blanked unless included.
    answers: tuple[Any, ...] = ()
    #: Sections that could not be built, with the reason, shown in the report instead of numbers.
    unavailable: tuple[tuple[str, str], ...] = ()
    #: "Release schedule as of DATE (source)." and, when planned dates are already past on the
    #: generation date, the warning that the schedule is older than the world (one line each).
    schedule_status: tuple[str, ...] = ()
    #: Charts by key, in display order (HTML and PDF only), as plain plotly data
    #: (``analysis.plain_figure.PlainFigure``: no plotly import to draw them). Not compared or hashed.
    figures: dict[str, PlainFigure] = field(default_factory=dict, compare=False)
    #: Coverage, changes since a date: see ``analysis.reports.progress_sections``.
    extra_sections: tuple[ExtraSection, ...] = ()

    @property
    def is_empty(self) -> bool:
        return self.responses == 0

    @property
    def personal_data_note(self) -> str:
        if self.options.include_contacts:
            return "This report INCLUDES personal data (contacts and respondent roles). Do not publish it."
        return "Personal data (contacts and respondent roles) is excluded from this report."


def is_number(value: object) -> bool:
    """Whether a cell is a number to the renderers (right-aligned): a count, a measure or a
    ``Share`` (a number in words), never a boolean."""
    return isinstance(value, int | float | Share) and not isinstance(value, bool)


def format_cell(value: Cell) -> str:
    """A cell as text, the same in every format: integers plain, other numbers to one decimal."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.1f}"
    return value
