"""The cross-tab engine: any answer field against any other, counted per distributor or per response.

Input is ``ResponseStore.latest_frame()`` (one row per response, its latest revision) and, for the
theme fields, ``ResponseStore.tags_frame()``. No Streamlit: the explorer page, the CLI
(``python -m analysis crosstab``) and the HTML report call the same functions, so they print the
same numbers.

Counting rules (documented once here, relied on everywhere):

* **Unit.** ``unit="distributor"`` (default) keeps each distributor's most recent response
  (distributor names normalised by ``normalise_distributor``; latest ``submitted_at``, then
  ``stored_at``); ``unit="response"`` counts every response.
* **Multi-select.** A multi-select answer counts once per selected value, so a distributor naming
  two blockers appears in two cells. Totals (margins) and percentages are of *units* (distributors
  or responses), not of mentions: row percentages of a multi-select column can add up to more
  than 100 %, which is what "x % of distributors name this blocker" means.
* **Missing answers** are an explicit ``"(no answer)"`` category (an empty multi-select too), shown
  last, so no unit silently drops out of a table.
* **Order** is stable: enum order for enumerated fields (all enum values are shown, also when 0,
  so tables keep their shape), version order for Python versions, chronological for dates, else
  alphabetical.
* **Percentages** are 0-100 floats (``normalize="row"|"col"|"all"``); margins are named ``"Total"``.

Fields are the JSON keys plus derived ones (see :data:`DERIVED_FIELDS`), e.g. ``has_evidence``,
``ready_quarter``, ``lag_bucket`` and the reviewer themes ``themes`` / ``themes_blockers_text`` /
``themes_worst_case_text`` / ``themes_comments``.

Everything is vectorised: long-form (unit position, category code) arrays and one ``np.bincount``
per table, so a cross-tab of 100,000 responses takes milliseconds.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from itertools import chain
from typing import Literal

import numpy as np
import pandas as pd

from analysis.models import ENUM_FIELDS, TEXT_FIELDS, normalise_distributor
from analysis.reference_data import field_label, known_python_versions, option_labels, version_key

Normalize = Literal["none", "row", "col", "all"]
Unit = Literal["distributor", "response"]

NO_ANSWER = "(no answer)"
TOTAL = "Total"
NORMALIZE_CHOICES: tuple[str, ...] = ("none", "row", "col", "all")
UNIT_CHOICES: tuple[str, ...] = ("distributor", "response")

THEMES_FIELD = "themes"
#: One theme field per coded free-text field, plus ``themes`` (any of them).
THEME_FIELDS: dict[str, tuple[str, ...]] = {
    THEMES_FIELD: TEXT_FIELDS,
    **{f"themes_{f}": (f,) for f in TEXT_FIELDS},
}
#: Multi-valued stored fields (lists in the frame).
LIST_FIELDS: tuple[str, ...] = ("python_versions", "blockers", "worst_case")
VERSION_FIELDS: tuple[str, ...] = ("python_versions", "dual_signing_until")
YES_NO = ("yes", "no")
LAG_BUCKETS: tuple[str, ...] = ("same day", "1-7 days", "8-30 days", "31-90 days", "over 90 days")
_LAG_EDGES = [-1, 0, 7, 30, 90, np.inf]

#: Derived fields and their display labels (JSON-key fields take their labels from survey.toml).
DERIVED_FIELDS: dict[str, str] = {
    "has_evidence": "Verification evidence attached",
    "illustrative": "Illustrative (derived from public statements)",
    "ready_quarter": "Expected ready (quarter, most likely date)",
    "ready_year": "Expected ready (year, most likely date)",
    "lag_bucket": "Days after the start release",
    "submitted_month": "Month submitted",
    THEMES_FIELD: "Themes (any free-text answer)",
    "themes_blockers_text": "Themes in blockers (own words)",
    "themes_worst_case_text": "Themes in worst case (own words)",
    "themes_comments": "Themes in comments",
}
#: Short names for axes, pickers and titles (the survey's question wording is too long there).
SHORT_LABELS: dict[str, str] = {
    "distributor": "Distributor",
    "distributor_kind": "Kind of distributor",
    "prerelease_start": "Start stage (Q1)",
    "sigstore_status": "Sigstore status",
    "blockers": "Blockers (Q2)",
    "worst_case": "Worst case (Q3)",
    "verifies_pgp_today": "Verifies PGP today",
    "python_versions": "Python versions shipped",
    "dual_signing_until": "Needs PGP up to",
}
#: Every field a cross-tab accepts, in the order pickers show them.
FIELDS: tuple[str, ...] = (
    "distributor_kind",
    "prerelease_start",
    "lag_bucket",
    "sigstore_status",
    "blockers",
    "worst_case",
    "verifies_pgp_today",
    "python_versions",
    "dual_signing_until",
    "ready_quarter",
    "ready_year",
    "has_evidence",
    "illustrative",
    "distributor",
    "submitted_month",
    *THEME_FIELDS,
)
#: The stored columns the engine and the charts read: pass to ``ResponseStore.latest_frame(columns=)``
#: to skip the free text, most of the loading cost at 100,000 responses.
ANALYSIS_COLUMNS: tuple[str, ...] = (
    "distributor",
    "distributor_kind",
    "python_versions",
    "prerelease_start",
    "prerelease_lag_days",
    "verifies_pgp_today",
    "sigstore_status",
    "blockers",
    "ready_earliest",
    "ready_likely",
    "ready_latest",
    "worst_case",
    "dual_signing_until",
    "illustrative",
    "verification_evidence",
    "submitted_at",
)
MULTI_VALUED: frozenset[str] = frozenset((*LIST_FIELDS, *THEME_FIELDS))


class UnknownFieldError(ValueError):
    """A field name the engine does not know; the message lists the known ones."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown field {name!r}; known fields: {', '.join(FIELDS)}")
        self.name = name


# -- labels --------------------------------------------------------------------------------------


def label_for_field(field: str) -> str:
    """Words for a field name (never show a raw key on a chart)."""
    return DERIVED_FIELDS.get(field) or field_label(field)


def short_label(field: str) -> str:
    """A few words for a field: for axes, legends, pickers."""
    return SHORT_LABELS.get(field) or label_for_field(field)


def label_for_value(field: str, value: object, theme_labels: Mapping[str, str] | None = None) -> str:
    """Words for one value of a field: enum codes via survey.toml, themes via the codebook."""
    text = str(value)
    if text in (NO_ANSWER, TOTAL):
        return text
    if field in ENUM_FIELDS:
        return option_labels(field).get(text, text)
    if field in THEME_FIELDS:
        return (theme_labels or {}).get(text, text)
    if field in ("has_evidence", "illustrative"):
        return text.capitalize()
    return text


def axis_fields(table: pd.DataFrame) -> tuple[str, str]:
    """The (row, column) fields of a cross-tab: ``crosstab`` names its index and columns after them."""
    row, col = table.index.name, table.columns.name
    if not isinstance(row, str) or not isinstance(col, str):
        raise TypeError(f"not a cross-tab: index and columns are named {row!r} and {col!r}, not field names")
    return row, col


def with_labels(table: pd.DataFrame, theme_labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """A copy of a cross-tab with codes replaced by words in the index and columns (for display)."""
    row, col = axis_fields(table)
    out = table.copy()
    out.index = pd.Index([label_for_value(row, v, theme_labels) for v in table.index], name=label_for_field(row))
    out.columns = pd.Index([label_for_value(col, v, theme_labels) for v in table.columns], name=label_for_field(col))
    return out


# -- units and filters ---------------------------------------------------------------------------


def _keys(frame: pd.DataFrame) -> pd.Series:
    if "distributor_key" in frame:
        return frame["distributor_key"]
    return frame["distributor"].map(normalise_distributor)


def _instants(series: pd.Series) -> np.ndarray:
    """Datetimes as int64 for sorting (NaT sorts first); accepts strings in hand-built frames."""
    if not isinstance(series.dtype, pd.DatetimeTZDtype):
        series = pd.to_datetime(series, utc=True, errors="coerce")
    return np.asarray(series.array.asi8)


def _chronological_order(frame: pd.DataFrame) -> np.ndarray:
    """Row positions, oldest first: by ``submitted_at``, then ``stored_at``, then frame order."""
    keys = [_instants(frame[c]) for c in ("stored_at", "submitted_at") if c in frame]
    return np.lexsort(keys) if keys else np.arange(len(frame))


def unit_positions(frame: pd.DataFrame, unit: Unit = "distributor") -> np.ndarray:
    """Positions (``iloc``) of the rows that count, in frame order.

    For distributors: per normalised name, the row with the latest ``submitted_at``, ties broken by
    ``stored_at``, then by frame position. Group maxima instead of a full sort keep this at a few
    milliseconds for 100,000 rows.
    """
    if unit not in UNIT_CHOICES:
        raise ValueError(f"unit must be one of {', '.join(UNIT_CHOICES)}")
    if unit == "response" or frame.empty:
        return np.arange(len(frame))
    key_codes, _ = pd.factorize(_keys(frame))
    rows = np.arange(len(frame))
    for name in ("submitted_at", "stored_at"):
        if name in frame and len(rows):
            when = _instants(frame[name])[rows]
            newest = pd.Series(when).groupby(key_codes[rows]).transform("max").to_numpy()
            rows = rows[when == newest]
    newest_first = rows[::-1]
    _, first = np.unique(key_codes[newest_first], return_index=True)
    return np.sort(newest_first[first])


def select_unit(frame: pd.DataFrame, unit: Unit = "distributor") -> pd.DataFrame:
    """The rows that count: every response, or each distributor's most recent one."""
    if unit == "response":
        return frame
    return frame.iloc[unit_positions(frame, unit)]


def latest_per_distributor(frame: pd.DataFrame) -> pd.DataFrame:
    """Each distributor's most recent response, sorted by display name."""
    latest = select_unit(frame, "distributor")
    return latest.sort_values("distributor", key=lambda s: s.str.casefold(), kind="stable")


@dataclass(frozen=True)
class Filters:
    """What the explorer's filter widgets select; empty means "no restriction"."""

    kinds: tuple[str, ...] = ()
    versions: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    include_illustrative: bool = True


def apply_filters(frame: pd.DataFrame, filters: Filters | None = None) -> pd.DataFrame:
    """Rows matching every filter. A version filter keeps responses naming any of the versions.

    Apply filters *before* choosing the unit, so that a date range gives each distributor's latest
    answer within the range ("the state as of that date").
    """
    if filters is None or frame.empty:
        return frame
    mask = np.ones(len(frame), dtype=bool)
    if filters.kinds:
        mask &= frame["distributor_kind"].isin(filters.kinds).to_numpy()
    if filters.statuses:
        mask &= frame["sigstore_status"].isin(filters.statuses).to_numpy()
    if filters.versions:
        wanted = set(filters.versions)
        mask &= np.fromiter((not wanted.isdisjoint(v) for v in frame["python_versions"]), bool, len(frame))
    if not filters.include_illustrative and "illustrative" in frame:
        mask &= ~frame["illustrative"].fillna(False).astype(bool).to_numpy()
    if filters.date_from or filters.date_to:
        when = pd.to_datetime(frame["submitted_at"], utc=True)
        day = when.dt.date
        if filters.date_from:
            mask &= (day >= filters.date_from).to_numpy()
        if filters.date_to:
            mask &= (day <= filters.date_to).to_numpy()
    return frame.loc[mask]


def filter_options(frame: pd.DataFrame) -> dict[str, list[str]]:
    """The values the filter widgets offer, in display order."""
    versions = sorted({v for vs in frame.get("python_versions", []) for v in vs}, key=version_key)
    return {
        "kinds": [m.value for m in ENUM_FIELDS["distributor_kind"]],
        "statuses": [m.value for m in ENUM_FIELDS["sigstore_status"]],
        "versions": versions,
    }


# -- long form -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Long:
    """A field in long form over ``n`` units: unit positions and category codes (pairs unique)."""

    pos: np.ndarray
    codes: np.ndarray
    categories: list[str]
    single: bool


def _order(field: str, present: Iterable[str]) -> list[str]:
    """Stable category order: enum order (all values) / versions / chronological / alphabetical."""
    values = {v for v in present if v != NO_ANSWER}
    if field in ENUM_FIELDS:
        cats = [m.value for m in ENUM_FIELDS[field]]
        return cats + sorted(values - set(cats))
    if field in ("has_evidence", "illustrative"):
        return list(YES_NO)
    if field == "lag_bucket":
        return list(LAG_BUCKETS)
    if field in VERSION_FIELDS:
        return sorted(values, key=_safe_version_key)
    if field == "distributor":
        return sorted(values, key=lambda v: (v.casefold(), v))
    return sorted(values)


def _safe_version_key(value: str) -> tuple[int, ...]:
    try:
        return version_key(value)
    except ValueError:
        return (10**6,)


def _text(value: object) -> str:
    return str(value)


def _yes_no(value: object) -> str:
    return "yes" if value else "no"


def _quarter(value: object) -> str:
    v = int(value)  # type: ignore[call-overload]
    return f"{v // 10} Q{v % 10}"


def _month(value: object) -> str:
    v = int(value)  # type: ignore[call-overload]
    return f"{v // 100}-{v % 100:02d}"


def _single_raw(frame: pd.DataFrame, pos: np.ndarray, field: str) -> tuple[pd.Series, Callable[[object], str]]:
    """One raw value per unit (NaN/None/"" = missing) and how to print a distinct value.

    Derived fields are computed as numbers where possible (quarter = year * 10 + q) so only the
    few distinct values are formatted, not every row.
    """

    def col(name: str) -> pd.Series:
        return frame[name].take(pos)

    if field == "has_evidence":
        has = np.fromiter(map(len, col("verification_evidence").to_numpy(dtype=object)), np.int64, len(pos)) > 0
        return pd.Series(has), _yes_no
    if field == "illustrative":
        flag = col("illustrative").fillna(False).astype(bool).to_numpy()
        return pd.Series(flag), _yes_no
    if field in ("ready_quarter", "ready_year"):
        likely = pd.to_datetime(col("ready_likely"), errors="coerce")
        if field == "ready_year":
            return likely.dt.year, lambda v: str(int(v))
        return likely.dt.year * 10 + likely.dt.quarter, _quarter
    if field == "lag_bucket":
        lag = pd.to_numeric(col("prerelease_lag_days"), errors="coerce")
        return pd.Series(pd.cut(lag, _LAG_EDGES, labels=list(LAG_BUCKETS))), _text
    if field == "submitted_month":
        when = pd.to_datetime(col("submitted_at"), utc=True, errors="coerce")
        return when.dt.year * 100 + when.dt.month, _month
    return col(field), _text


def _distributor_long(frame: pd.DataFrame, pos: np.ndarray) -> _Long:
    """Distributors as categories, encoded from the normalised key (no string work per row).

    Each distributor is shown under the spelling of its latest response, so "RHEL" and "Red Hat
    Enterprise Linux" are one row, named as the distributor last wrote it.
    """
    key_codes, _ = pd.factorize(_keys(frame))
    latest = unit_positions(frame, "distributor")
    name_by_key = np.empty(int(key_codes.max()) + 1 if len(key_codes) else 0, dtype=object)
    name_by_key[key_codes[latest]] = frame["distributor"].take(latest).to_numpy(dtype=object)
    unit_keys = key_codes[pos]
    present = np.unique(unit_keys)
    ordered = sorted(present.tolist(), key=lambda k: (str(name_by_key[k]).casefold(), str(name_by_key[k])))
    remap = np.full(len(name_by_key), -1, dtype=np.int64)
    remap[ordered] = np.arange(len(ordered))
    cats = [str(name_by_key[k]) for k in ordered]
    return _Long(pos=np.arange(len(pos), dtype=np.int64), codes=remap[unit_keys], categories=cats, single=True)


def _encode(values: pd.Series | np.ndarray, field: str, fmt: Callable[[object], str]) -> tuple[np.ndarray, list[str]]:
    """Category codes (into the returned ordered categories) for raw values; missing -> NO_ANSWER."""
    raw_codes, uniques = pd.factorize(values, use_na_sentinel=True)
    labels = [fmt(u) for u in np.asarray(uniques, dtype=object)]
    labels = [NO_ANSWER if lab == "" else lab for lab in labels]
    has_missing = bool((raw_codes < 0).any()) or NO_ANSWER in labels
    cats = _order(field, labels)
    if has_missing:
        cats.append(NO_ANSWER)
    index = {c: i for i, c in enumerate(cats)}
    remap = np.array([*(index[lab] for lab in labels), index.get(NO_ANSWER, -1)], dtype=np.int64)
    return remap[raw_codes], cats  # raw code -1 picks the last slot: NO_ANSWER


def _to_long(frame: pd.DataFrame, pos: np.ndarray, field: str, tags: pd.DataFrame | None) -> _Long:
    n = len(pos)
    if field in THEME_FIELDS:
        tpos, themes = _theme_pairs(frame, pos, field, tags)
        codes, cats = _encode(themes, field, _text)
        return _Long(pos=tpos, codes=codes, categories=cats, single=False)
    if field in LIST_FIELDS:
        if n == len(frame):  # every row (unit=response, no filter): memoised per frame object
            return _memo(frame, field, lambda: _list_long(frame[field].to_numpy(dtype=object), field))
        return _list_long(frame[field].to_numpy(dtype=object)[pos], field)
    if field == "distributor":
        return _distributor_long(frame, pos)
    raw, fmt = _single_raw(frame, pos, field)
    codes, cats = _encode(raw.to_numpy(dtype=object) if raw.dtype == object else raw, field, fmt)
    return _Long(pos=np.arange(n, dtype=np.int64), codes=codes, categories=cats, single=True)


#: Encodings of list columns over whole frames, keyed by ``id(frame)``. Decoding Python lists is
#: the one per-row cost left, and the app re-runs cross-tabs on the same cached frame object at
#: every click. Entries die with their frame (weakref); frames are treated as immutable.
_MEMO: dict[int, tuple[weakref.ref[pd.DataFrame], int, dict[str, _Long]]] = {}


def _forget(key: int) -> None:
    _MEMO.pop(key, None)


def _memo(frame: pd.DataFrame, field: str, build: Callable[[], _Long]) -> _Long:
    key = id(frame)
    entry = _MEMO.get(key)
    if entry is None or entry[0]() is not frame or entry[1] != len(frame):
        try:
            ref = weakref.ref(frame, lambda _: _forget(key))
        except TypeError:  # not weak-referenceable: no memo
            return build()
        entry = (ref, len(frame), {})
        _MEMO[key] = entry
    found = entry[2].get(field)
    if found is None:
        found = entry[2][field] = build()
    return found


def _known_categories(field: str) -> list[str] | None:
    if field in ENUM_FIELDS:
        return [m.value for m in ENUM_FIELDS[field]]
    if field in VERSION_FIELDS:
        return list(known_python_versions())
    return None


def _list_long(lists: np.ndarray, field: str) -> _Long:
    """Explode a column of lists: one (unit, value) pair per selected value; empty -> NO_ANSWER.

    Known vocabularies (enums, Python versions) are encoded with one dict lookup per value, which
    is several times faster than exploding and factorising object arrays.
    """
    n = len(lists)
    lens = np.fromiter(map(len, lists), np.int64, n)
    total = int(lens.sum())
    empty = np.flatnonzero(lens == 0)
    lpos = np.concatenate([np.repeat(np.arange(n, dtype=np.int64), lens), empty])
    known = _known_categories(field)
    if known is not None:
        lookup = {v: i for i, v in enumerate(known)}
        try:
            flat = np.fromiter(map(lookup.__getitem__, chain.from_iterable(lists)), np.int64, total)
        except KeyError:  # a value outside the vocabulary: take the general path
            known = None
    if known is None:
        values = np.concatenate(
            [
                np.fromiter(chain.from_iterable(lists), dtype=object, count=total),
                np.full(len(empty), None, dtype=object),
            ]
        )
        codes, cats = _encode(values, field, _text)
        return _Long(pos=lpos, codes=codes, categories=cats, single=False)
    cats = list(known)
    if field not in ENUM_FIELDS:  # versions: only those present, in version order
        present = np.flatnonzero(np.bincount(flat, minlength=len(cats)))
        remap = np.full(len(cats), -1, dtype=np.int64)
        remap[present] = np.arange(len(present))
        cats = [cats[i] for i in present]
        flat = remap[flat]
    if len(empty):
        cats.append(NO_ANSWER)
    codes = np.concatenate([flat, np.full(len(empty), len(cats) - 1, dtype=np.int64)])
    return _Long(pos=lpos, codes=codes, categories=cats, single=False)


def _theme_pairs(
    frame: pd.DataFrame, pos: np.ndarray, field: str, tags: pd.DataFrame | None
) -> tuple[np.ndarray, np.ndarray]:
    """(unit position, theme) pairs; a unit without a tag gets one missing (NO_ANSWER) pair."""
    n = len(pos)
    if tags is None or tags.empty or n == 0:
        return np.arange(n, dtype=np.int64), np.full(n, None, dtype=object)
    ids = frame["response_id"].to_numpy(dtype=object)[pos]
    position = pd.Series(np.arange(n, dtype=np.int64), index=ids)
    position = position[~position.index.duplicated()]
    sub = tags[tags["field"].isin(THEME_FIELDS[field])]
    pairs = pd.DataFrame({"pos": sub["response_id"].map(position).to_numpy(), "theme": sub["theme"].to_numpy()})
    pairs = pairs.dropna(subset=["pos"]).drop_duplicates()
    tagged = pairs["pos"].to_numpy(dtype=np.int64)
    untagged = np.setdiff1d(np.arange(n, dtype=np.int64), tagged)
    return (
        np.concatenate([tagged, untagged]),
        np.concatenate([pairs["theme"].to_numpy(dtype=object), np.full(len(untagged), None, dtype=object)]),
    )


#: Above this many indicator cells, multi x multi tables join with pandas instead of a matrix product.
_DENSE_LIMIT = 30_000_000


def _count_by_combination(r: _Long, c: _Long, n: int) -> np.ndarray:
    """Multi x multi: encode each unit's selections as bit masks and count distinct combinations.

    Real answers use few combinations, so the expensive part (expanding a unit's selections into
    value pairs) runs once per distinct combination instead of once per unit.
    """
    nr, nc = len(r.categories), len(c.categories)
    row_mask = np.bincount(r.pos, weights=np.left_shift(1, r.codes).astype(float), minlength=n).astype(np.int64)
    col_mask = np.bincount(c.pos, weights=np.left_shift(1, c.codes).astype(float), minlength=n).astype(np.int64)
    combos, weight = np.unique(np.left_shift(row_mask, nc) | col_mask, return_counts=True)
    row_bits = (np.right_shift(combos, nc)[:, None] >> np.arange(nr)) & 1
    col_bits = ((combos & ((1 << nc) - 1))[:, None] >> np.arange(nc)) & 1
    return np.rint((row_bits * weight[:, None]).T.astype(float) @ col_bits.astype(float)).astype(np.int64)


def _count(r: _Long, c: _Long, n: int) -> np.ndarray:
    """The (row category x col category) count matrix: each unit counts once per value pair."""
    nr, nc = len(r.categories), len(c.categories)
    if nr == 0 or nc == 0:
        return np.zeros((nr, nc), dtype=np.int64)
    if c.single or r.single:
        rc, cc = (r.codes, c.codes[r.pos]) if c.single else (r.codes[c.pos], c.codes)
        return np.bincount(rc * nc + cc, minlength=nr * nc).reshape(nr, nc)
    if nr + nc <= 60:
        return _count_by_combination(r, c, n)
    if n * (nr + nc) <= _DENSE_LIMIT:
        # Indicator matrices: counts = R^T C (one BLAS call instead of a many-to-many join).
        rows = np.zeros((n, nr))
        rows[r.pos, r.codes] = 1.0
        cols = np.zeros((n, nc))
        cols[c.pos, c.codes] = 1.0
        return np.rint(rows.T @ cols).astype(np.int64)
    merged = pd.DataFrame({"pos": r.pos, "r": r.codes}).merge(pd.DataFrame({"pos": c.pos, "c": c.codes}), on="pos")
    return np.bincount(merged["r"].to_numpy() * nc + merged["c"].to_numpy(), minlength=nr * nc).reshape(nr, nc)


def _check(field: str) -> None:
    if field not in FIELDS:
        raise UnknownFieldError(field)


# -- the cross-tab -------------------------------------------------------------------------------


def crosstab(
    frame: pd.DataFrame,
    row: str,
    col: str,
    *,
    normalize: Normalize = "none",
    margins: bool = False,
    unit: Unit = "distributor",
    tags: pd.DataFrame | None = None,
    drop_empty: bool = False,
) -> pd.DataFrame:
    """Counts (int) or percentages (float, 0-100) of ``row`` values by ``col`` values.

    The index is named ``row`` and holds the row field's values (codes), the columns are named
    ``col``; :func:`with_labels` turns them into words. ``drop_empty`` removes enum categories that
    no unit chose (tables keep all of them by default, so their shape is stable).
    """
    _check(row)
    _check(col)
    if normalize not in NORMALIZE_CHOICES:
        raise ValueError(f"normalize must be one of {', '.join(NORMALIZE_CHOICES)}")
    pos = unit_positions(frame, unit)
    r = _to_long(frame, pos, row, tags)
    c = _to_long(frame, pos, col, tags)
    nr, nc = len(r.categories), len(c.categories)
    counts = _count(r, c, len(pos))
    row_tot = np.bincount(r.codes, minlength=nr)
    col_tot = np.bincount(c.codes, minlength=nc)
    grand = len(pos)
    table = pd.DataFrame(counts, index=pd.Index(r.categories, name=row), columns=pd.Index(c.categories, name=col))
    row_total = pd.Series(row_tot, index=table.index)
    col_total = pd.Series(col_tot, index=table.columns)
    if drop_empty:
        keep_r, keep_c = row_total > 0, col_total > 0
        table, row_total, col_total = table.loc[keep_r, keep_c], row_total[keep_r], col_total[keep_c]
    if normalize == "none":
        out = table
        if margins:
            out = _add_margins(out, row_total, col_total, grand)
        return out
    out = _percent(table, row_total, col_total, grand, normalize)
    if margins:
        out = _add_margins(out, *_percent_margins(row_total, col_total, grand, normalize))
    return out


def _percent(table: pd.DataFrame, row_total: pd.Series, col_total: pd.Series, grand: int, how: str) -> pd.DataFrame:
    if how == "row":
        return (table.div(row_total.replace(0, np.nan), axis=0) * 100.0).fillna(0.0)
    if how == "col":
        return (table.div(col_total.replace(0, np.nan), axis=1) * 100.0).fillna(0.0)
    return table * (100.0 / grand) if grand else table.astype(float)


def _percent_margins(
    row_total: pd.Series, col_total: pd.Series, grand: int, how: str
) -> tuple[pd.Series, pd.Series, float]:
    """Margins in the same unit as the cells: "row" -> Total column 100 % and Total row = share."""
    share_r = row_total * (100.0 / grand) if grand else row_total * 0.0
    share_c = col_total * (100.0 / grand) if grand else col_total * 0.0
    full_r = pd.Series(np.where(row_total > 0, 100.0, 0.0), index=row_total.index)
    full_c = pd.Series(np.where(col_total > 0, 100.0, 0.0), index=col_total.index)
    corner = 100.0 if grand else 0.0
    if how == "row":
        return full_r, share_c, corner
    if how == "col":
        return share_r, full_c, corner
    return share_r, share_c, corner


def _add_margins(table: pd.DataFrame, row_total: pd.Series, col_total: pd.Series, grand: float) -> pd.DataFrame:
    """Append the ``Total`` column (units per row) and ``Total`` row (units per column)."""
    out = table.copy()
    out[TOTAL] = row_total.to_numpy()
    bottom = [*col_total.to_numpy().tolist(), grand]
    out.loc[TOTAL] = bottom
    if all(np.issubdtype(t, np.integer) for t in table.dtypes) or table.empty:
        out = out.astype(type(grand) if isinstance(grand, float) else np.int64)
    out.index.name, out.columns.name = table.index.name, table.columns.name
    return out


# -- click-through, duplicates -------------------------------------------------------------------


def cell_members(
    frame: pd.DataFrame,
    row: str,
    row_value: str,
    col: str,
    col_value: str,
    *,
    unit: Unit = "distributor",
    tags: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The responses behind one cell (``"Total"`` as a value means "any"), sorted by distributor.

    Columns: ``distributor``, ``distributor_kind``, ``response_id``, ``submitted_at`` and the two
    fields' values for that response (multi-selects as lists).
    """
    _check(row)
    _check(col)
    pos = unit_positions(frame, unit)
    mask = np.ones(len(pos), dtype=bool)
    for field, value in ((row, row_value), (col, col_value)):
        if value == TOTAL:
            continue
        long = _to_long(frame, pos, field, tags)
        if value not in long.categories:
            mask[:] = False
            continue
        hit = np.zeros(len(pos), dtype=bool)
        hit[long.pos[long.codes == long.categories.index(value)]] = True
        mask &= hit
    cols = [c for c in ("distributor", "distributor_kind", "response_id", "submitted_at", row, col) if c in frame]
    out = frame.iloc[pos[mask]][list(dict.fromkeys(cols))]
    return out.sort_values("distributor", key=lambda s: s.str.casefold(), kind="stable").reset_index(drop=True)


#: Answer fields compared between responses claiming the same distributor.
COMPARED_FIELDS: tuple[str, ...] = (
    "distributor_kind",
    "python_versions",
    "prerelease_start",
    "prerelease_lag_days",
    "verifies_pgp_today",
    "sigstore_status",
    "blockers",
    "ready_likely",
    "worst_case",
    "dual_signing_until",
)


def _hashable(series: pd.Series) -> pd.Series:
    if series.dtype == object:
        return series.map(lambda v: tuple(v) if isinstance(v, list) else v)
    return series


def duplicate_distributors(frame: pd.DataFrame) -> pd.DataFrame:
    """Distributors claimed by several responses, and the fields on which those responses disagree.

    One row per duplicated ``distributor_key``: ``responses`` (count), ``names`` (the spellings
    used, sorted), ``disagreements`` (field names, in :data:`COMPARED_FIELDS` order; empty when all
    answers agree). Sorted by number of responses, then key.
    """
    cols = ["distributor_key", "responses", "names", "disagreements"]
    if frame.empty:
        return pd.DataFrame(columns=cols)
    keys = _keys(frame)
    dup = keys.duplicated(keep=False).to_numpy()
    if not dup.any():
        return pd.DataFrame(columns=cols)
    sub = frame.loc[dup]
    grouped_keys = keys[dup].to_numpy()
    fields = [f for f in COMPARED_FIELDS if f in sub]
    compared = pd.DataFrame({f: _hashable(sub[f]).astype(str).to_numpy() for f in fields})
    compared["_key"] = grouped_keys
    distinct = compared.groupby("_key", sort=True).nunique(dropna=False)
    names = pd.Series(sub["distributor"].to_numpy(), index=grouped_keys).groupby(level=0).agg(lambda s: sorted(set(s)))
    sizes = pd.Series(grouped_keys).value_counts()
    result = pd.DataFrame(
        {
            "distributor_key": distinct.index,
            "responses": sizes.reindex(distinct.index).to_numpy(),
            "names": names.reindex(distinct.index).to_numpy(),
            "disagreements": [[f for f in fields if row[f] > 1] for _, row in distinct.iterrows()],
        }
    )
    return result.sort_values(["responses", "distributor_key"], ascending=[False, True]).reset_index(drop=True)


def disagreements(frame: pd.DataFrame, distributor_key: str) -> dict[str, list[tuple[str, object]]]:
    """For one distributor: field -> [(response_id, value), ...] for every field that differs."""
    rows = frame.loc[(_keys(frame) == distributor_key).to_numpy()]
    rows = rows.iloc[_chronological_order(rows)]
    out: dict[str, list[tuple[str, object]]] = {}
    for f in COMPARED_FIELDS:
        if f not in rows:
            continue
        values = _hashable(rows[f]).astype(str)
        if values.nunique(dropna=False) > 1:
            out[f] = list(zip(rows["response_id"], rows[f], strict=True))
    return out


def table_to_csv(table: pd.DataFrame) -> str:
    """CSV with the row field's values as the first column (its header is the row field's name)."""
    out = table.copy()
    out.columns = [str(c) for c in out.columns]
    text: str = (
        out.reset_index()
        .rename(columns={"index": table.index.name or "value"})
        .to_csv(index=False, float_format="%.1f" if any(out.dtypes == float) else None, lineterminator="\n")
    )
    return text


def table_to_records(table: pd.DataFrame) -> dict[str, object]:
    """JSON-ready form: ``{"row": field, "col": field, "columns": [...], "rows": [{"value", "cells"}]}``."""
    return {
        "row": table.index.name,
        "col": table.columns.name,
        "columns": [str(c) for c in table.columns],
        "rows": [{"value": str(idx), "cells": [_jsonable(v) for v in table.loc[idx].tolist()]} for idx in table.index],
    }


def _jsonable(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float):
        return round(value, 4)
    return value


def field_choices(include_themes: bool = True) -> list[str]:
    """Fields for the pickers (themes only when there is a codebook to tag with)."""
    return [f for f in FIELDS if include_themes or f not in THEME_FIELDS]


def is_multi(field: str) -> bool:
    return field in MULTI_VALUED


def themes_long(frame: pd.DataFrame, tags: pd.DataFrame | None, field: str = THEMES_FIELD) -> pd.DataFrame:
    """(response_id, theme) pairs of the frame's responses for one theme field; untagged = NO_ANSWER."""
    all_rows = np.arange(len(frame))
    pos, values = _theme_pairs(frame, all_rows, field, tags)
    themes = pd.Series(values, dtype=object).fillna(NO_ANSWER).to_numpy()
    return pd.DataFrame({"response_id": frame["response_id"].to_numpy(dtype=object)[pos], "theme": themes})
