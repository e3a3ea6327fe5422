"""The cross-tab explorer's view as URL query parameters: share or bookmark a view.

``/crosstab?row=blockers&col=sigstore_status&show=row&kind=bsd&kind=linux-distribution`` opens the
explorer on that view. Only values that differ from the defaults are written, so the plain page
keeps a plain URL. A link is input from anyone: every value is checked against what the page can
show, and a value that fails is ignored (the default is used) with a note naming the parameter,
never echoing the value and never raising.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Literal, cast

from analysis.crosstab import Filters, Normalize, Unit

Chart = Literal["heatmap", "bars"]
NORMALIZE_VALUES: tuple[str, ...] = ("none", "row", "col", "all")
UNIT_VALUES: tuple[str, ...] = ("distributor", "response")
CHART_VALUES: tuple[str, ...] = ("heatmap", "bars")
#: Longest single value read from a link; anything longer is not a field, code or date.
MAX_VALUE = 100
#: At most this many values of a repeated parameter (there are fewer codes than that).
MAX_VALUES = 50
_ON = ("1", "yes", "on", "true")
_OFF = ("0", "no", "off", "false")


@dataclass(frozen=True)
class CrosstabView:
    """Everything that decides what the explorer shows."""

    row: str = "distributor_kind"
    col: str = "sigstore_status"
    normalize: Normalize = "none"
    unit: Unit = "distributor"
    margins: bool = True
    chart: Chart = "heatmap"
    kinds: tuple[str, ...] = ()
    versions: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    include_illustrative: bool = True

    def filters(self) -> Filters:
        return Filters(
            kinds=self.kinds,
            versions=self.versions,
            statuses=self.statuses,
            date_from=self.date_from,
            date_to=self.date_to,
            include_illustrative=self.include_illustrative,
        )


#: Parameter name in the URL for each view attribute.
PARAMS: dict[str, str] = {
    "row": "row",
    "col": "col",
    "normalize": "show",
    "unit": "unit",
    "margins": "totals",
    "chart": "chart",
    "kinds": "kind",
    "versions": "version",
    "statuses": "status",
    "date_from": "from",
    "date_to": "to",
    "include_illustrative": "illustrative",
}
_MULTI = ("kinds", "versions", "statuses")


@dataclass(frozen=True)
class Choices:
    """What the page can show right now (fields, and the values each filter offers)."""

    fields: Sequence[str]
    kinds: Sequence[str]
    versions: Sequence[str]
    statuses: Sequence[str]


@dataclass(frozen=True)
class ParsedView:
    view: CrosstabView
    #: URL parameter names whose values were ignored (defaults used instead).
    ignored: tuple[str, ...] = field(default=())
    unknown: int = 0

    def note(self) -> str:
        """One sentence for the page, in the app's words (no value from the link)."""
        parts = []
        if self.ignored:
            parts.append(
                "ignored " + ", ".join(f"“{name}”" for name in self.ignored) + " (not a value this page offers)"
            )
        if self.unknown:
            parts.append(f"ignored {self.unknown} parameter(s) this page does not know")
        return ("The link's view was used, but " + "; ".join(parts) + ".") if parts else ""


def _one(values: Sequence[str], allowed: Sequence[str]) -> str | None:
    if len(values) != 1 or len(values[0]) > MAX_VALUE or values[0] not in allowed:
        return None
    return values[0]


def _flag(values: Sequence[str]) -> bool | None:
    if len(values) != 1:
        return None
    word = values[0].strip().lower()
    return True if word in _ON else False if word in _OFF else None


def _day(values: Sequence[str]) -> date | None:
    if len(values) != 1 or len(values[0]) != 10:
        return None
    try:
        return date.fromisoformat(values[0])
    except ValueError:
        return None


def _many(values: Sequence[str], allowed: Sequence[str]) -> tuple[str, ...] | None:
    if len(values) > MAX_VALUES or any(len(v) > MAX_VALUE or v not in allowed for v in values):
        return None
    return tuple(dict.fromkeys(values))


def view_from_query(query: Mapping[str, Sequence[str]], choices: Choices) -> ParsedView:
    """The view a URL asks for; each parameter that fails its check keeps the default."""
    parsers: dict[str, Callable[[Sequence[str]], object]] = {
        "row": lambda v: _one(v, choices.fields),
        "col": lambda v: _one(v, choices.fields),
        "normalize": lambda v: _one(v, NORMALIZE_VALUES),
        "unit": lambda v: _one(v, UNIT_VALUES),
        "margins": _flag,
        "chart": lambda v: _one(v, CHART_VALUES),
        "kinds": lambda v: _many(v, choices.kinds),
        "versions": lambda v: _many(v, choices.versions),
        "statuses": lambda v: _many(v, choices.statuses),
        "date_from": _day,
        "date_to": _day,
        "include_illustrative": _flag,
    }
    updates: dict[str, object] = {}
    ignored: list[str] = []
    for attr, name in PARAMS.items():
        values = list(query.get(name, ()))
        if not values:
            continue
        parsed = parsers[attr](values)
        if parsed is None:
            ignored.append(name)
        else:
            updates[attr] = parsed
    view = replace(CrosstabView(), **updates)  # type: ignore[arg-type]
    if view.date_from and view.date_to and view.date_from > view.date_to:
        view = replace(view, date_from=None, date_to=None)
        ignored.extend(["from", "to"])
    unknown = sum(1 for name in query if name not in PARAMS.values())
    return ParsedView(view, tuple(ignored), unknown)


def view_to_query(view: CrosstabView) -> dict[str, str | list[str]]:
    """The URL parameters for ``view``: only what differs from the default view."""
    default = CrosstabView()
    out: dict[str, str | list[str]] = {}
    for f in fields(CrosstabView):
        value = getattr(view, f.name)
        if value == getattr(default, f.name):
            continue
        name = PARAMS[f.name]
        if f.name in _MULTI:
            out[name] = list(cast("tuple[str, ...]", value))
        elif isinstance(value, bool):
            out[name] = "yes" if value else "no"
        elif isinstance(value, date):
            out[name] = value.isoformat()
        else:
            out[name] = str(value)
    return out
