"""Coding the free-text answers with themes: the codebook, keyword suggestions, tags for cross-tabs.

Reviewers tag ``blockers_text``, ``worst_case_text`` and ``comments`` with themes. Tags live in the
store's ``theme_tags`` table, apart from the answers, so coding never changes what a respondent
wrote. The default codebook is ``data/codebook.toml``; :func:`seed_codebook` adds its themes to a
store without touching themes reviewers already edited.

Keyword rules only *suggest* themes (:func:`suggest_themes`); nothing here writes a tag. A reviewer
confirms every tag on the coding page, which calls ``ResponseStore.set_tags``.

No Streamlit import: the report and the CLI use the same helpers.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from analysis.crosstab import NO_ANSWER, THEME_FIELDS, themes_long
from analysis.models import TEXT_FIELDS
from analysis.reference_data import data_dir

CODEBOOK_FILE = "codebook.toml"
_NAME_RE = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Theme:
    """One code of the codebook. ``name`` is the stable id stored with tags; ``label`` is shown."""

    name: str
    label: str
    description: str = ""
    keywords: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Suggestion:
    """A theme the keyword rules suggest for a text, with the keywords that matched (evidence)."""

    theme: str
    label: str
    matched: tuple[str, ...]


class ThemeStore(Protocol):
    """The part of ``ResponseStore`` this module needs (keeps tests free to pass a fake)."""

    def themes(self) -> list[dict[str, Any]]: ...

    def upsert_theme(self, name: str, label: str, description: str = "", keywords: Iterable[str] = ()) -> None: ...


# -- the codebook --------------------------------------------------------------------------------


def slugify(label: str) -> str:
    """A theme id from a label: lowercase ASCII words joined by dashes ("Offline / TUF" -> "offline-tuf")."""
    return _NAME_RE.sub("-", label.casefold()).strip("-")[:80]


def parse_keywords(text: str) -> list[str]:
    """Keywords typed by a reviewer: comma- or line-separated, trimmed, lower-cased, de-duplicated."""
    words = (w.strip().casefold() for w in re.split(r"[,\n;]", text))
    return list(dict.fromkeys(w for w in words if w))


def load_codebook(path: Path | None = None) -> list[Theme]:
    """The default codebook from ``data/codebook.toml`` (or ``path``), in file order."""
    with (path or data_dir() / CODEBOOK_FILE).open("rb") as fh:
        raw = tomllib.load(fh)
    return [
        Theme(
            name=name,
            label=str(spec.get("label") or name),
            description=str(spec.get("description", "")),
            keywords=tuple(k.casefold() for k in spec.get("keywords", [])),
        )
        for name, spec in raw.get("themes", {}).items()
    ]


@cache
def default_codebook() -> tuple[Theme, ...]:
    return tuple(load_codebook())


def themes_from_records(records: Iterable[Mapping[str, Any]]) -> list[Theme]:
    """Themes from ``ResponseStore.themes()`` rows."""
    return [
        Theme(
            name=str(r["name"]),
            label=str(r.get("label") or r["name"]),
            description=str(r.get("description") or ""),
            keywords=tuple(r.get("keywords") or ()),
        )
        for r in records
    ]


def seed_codebook(store: ThemeStore, themes: Sequence[Theme] | None = None) -> int:
    """Add the default themes a store lacks; returns how many were added. Existing themes are kept
    as reviewers left them (their labels and keywords win over the file)."""
    existing = {t["name"] for t in store.themes()}
    added = 0
    for theme in themes if themes is not None else default_codebook():
        if theme.name not in existing:
            store.upsert_theme(theme.name, theme.label, theme.description, theme.keywords)
            added += 1
    return added


def theme_labels(themes: Iterable[Theme]) -> dict[str, str]:
    return {t.name: t.label for t in themes}


# -- suggestions ---------------------------------------------------------------------------------


def _pattern(keywords: Iterable[str]) -> re.Pattern[str] | None:
    """One case-insensitive regex per theme; keywords match on word boundaries ("pin" != "spin")."""
    words = sorted({k.strip() for k in keywords if k.strip()}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE)


def suggest_themes(text: str, themes: Iterable[Theme]) -> list[Suggestion]:
    """Themes whose keywords occur in ``text``, most matched keywords first. Suggestions only."""
    if not text or not text.strip():
        return []
    found: list[Suggestion] = []
    for theme in themes:
        pattern = _pattern(theme.keywords)
        if pattern is None:
            continue
        matched = tuple(dict.fromkeys(m.casefold() for m in pattern.findall(text)))
        if matched:
            found.append(Suggestion(theme=theme.name, label=theme.label, matched=matched))
    return sorted(found, key=lambda s: (-len(s.matched), s.label.casefold()))


def suggestions_frame(
    frame: pd.DataFrame, themes: Iterable[Theme], fields: Sequence[str] = TEXT_FIELDS
) -> pd.DataFrame:
    """Every suggestion for every response's free text: ``response_id, field, theme`` rows.

    One vectorised ``str.contains`` per theme and field, so the coding page can show counts of
    suggested-but-untagged texts without looping over responses.
    """
    rows: list[pd.DataFrame] = []
    for theme in themes:
        pattern = _pattern(theme.keywords)
        if pattern is None:
            continue
        for f in fields:
            if f not in frame:
                continue
            hit = frame[f].fillna("").astype(str).str.contains(pattern, regex=True)
            if hit.any():
                rows.append(
                    pd.DataFrame({"response_id": frame.loc[hit, "response_id"], "field": f, "theme": theme.name})
                )
    if not rows:
        return pd.DataFrame(columns=["response_id", "field", "theme"])
    return pd.concat(rows, ignore_index=True)


# -- tags joined to the answers ------------------------------------------------------------------


def attach_themes(frame: pd.DataFrame, tags: pd.DataFrame | None) -> pd.DataFrame:
    """The frame plus list columns ``themes`` and ``themes_<text field>`` (sorted theme ids).

    For tables and cards; the cross-tab engine reads the tags directly (pass ``tags=`` to
    ``crosstab``), which is faster.
    """
    out = frame.copy()
    for name in THEME_FIELDS:
        if frame.empty:
            out[name] = pd.Series([], dtype=object)
            continue
        pairs = themes_long(frame, tags, name)
        pairs = pairs[pairs["theme"] != NO_ANSWER]
        grouped = pairs.groupby("response_id")["theme"].agg(lambda s: sorted(set(s)))
        out[name] = [grouped.get(rid, []) for rid in frame["response_id"]]
    return out


def coding_progress(
    frame: pd.DataFrame, tags: pd.DataFrame | None, fields: Sequence[str] = TEXT_FIELDS
) -> pd.DataFrame:
    """Per text field: how many answers have text, and how many of those carry at least one tag."""
    tagged_pairs: set[tuple[str, str]] = set()
    if tags is not None and not tags.empty:
        tagged_pairs = set(zip(tags["response_id"], tags["field"], strict=True))
    rows = []
    for f in fields:
        has_text = frame[f].fillna("").astype(str).str.strip() != "" if f in frame else pd.Series(dtype=bool)
        ids = frame.loc[has_text, "response_id"] if len(has_text) else []
        tagged = sum((rid, f) in tagged_pairs for rid in ids)
        rows.append({"field": f, "with_text": int(has_text.sum()) if len(has_text) else 0, "tagged": tagged})
    return pd.DataFrame(rows, columns=["field", "with_text", "tagged"])


def tags_for(tags: pd.DataFrame | None, response_id: str, field_name: str) -> list[str]:
    """The themes one text field of one response is tagged with (sorted)."""
    if tags is None or tags.empty:
        return []
    hit = (tags["response_id"] == response_id) & (tags["field"] == field_name)
    return sorted(tags.loc[hit, "theme"])
