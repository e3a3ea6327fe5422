"""Reading the upstream release calendar: python/peps' ``python-releases.toml`` and its JSON forms.

python/peps keeps every CPython release in ``release_management/python-releases.toml``
(``[metadata."X.Y"]`` per line, ``[[release."X.Y"]]`` per release with ``stage`` such as
"3.15.0 candidate 2", ``state`` "actual"/"expected" and ``date``); the release PEPs and
peps.python.org's ``api/release-cycle.json`` (metadata only) and ``api/python-releases.json``
(``dataclasses.asdict`` of both tables) are generated from it by ``release_management/serialize.py``.

Why a strict reader: the file's own header says its format "is not guaranteed and may change
without notice", and this data decides which releases a policy can name and when. A key we do not
know, a stage we cannot parse or a date that is not a date is refused with its line (TOML) or its
key path (JSON), so a format change upstream stops the update instead of silently dropping rows.
Only x.y.0 pre-releases and finals are kept; bugfix releases ("3.13.5") are read and skipped.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from analysis.reference_data import version_key

SourceKind = Literal["python-releases.toml", "python-releases.json", "release-cycle.json"]
#: Largest source file read (the real TOML is ~80 KB; 5 MB leaves room for decades of releases).
MAX_SOURCE_BYTES = 5_000_000

_STAGE_RE = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?: (alpha|beta|candidate) ([1-9]\d?)| final)?$")
_LINE_RE = re.compile(r"^\d+\.\d+$")
_STAGE_CODES = {"alpha": ("a", "alpha"), "beta": ("b", "beta"), "candidate": ("rc", "rc")}
_RELEASE_KEYS = {"stage", "state", "date", "note"}
_METADATA_KEYS = {
    "pep",
    "status",
    "branch",
    "release-manager",
    "start-of-development",
    "feature-freeze",
    "first-release",
    "end-of-bugfix",
    "end-of-life",
}
_STATUSES = {"feature", "prerelease", "bugfix", "security", "end-of-life"}
_HEADER_RE = re.compile(r"^\s*\[\[?\s*(metadata|release)\s*\.\s*(?:\"([^\"]*)\"|'([^']*)'|([\w.-]+))\s*\]\]?")


class SourceError(ValueError):
    """Input that is not a release calendar we understand; the message names the line or key."""


@dataclass(frozen=True)
class UpstreamRelease:
    """One x.y.0 pre-release or final as the source lists it."""

    line: str
    name: str
    stage: str
    state: Literal["actual", "expected"]
    date: date
    where: str


@dataclass(frozen=True)
class UpstreamWindow:
    """One line's support window. ``end_of_bugfix`` is absent from release-cycle.json."""

    line: str
    pep: int | None
    first_release: date
    end_of_bugfix: date | None
    end_of_life: date
    where: str


@dataclass(frozen=True)
class Upstream:
    kind: SourceKind
    file_name: str
    sha256: str
    #: ``None`` when the source carries no releases (release-cycle.json).
    releases: tuple[UpstreamRelease, ...] | None
    windows: tuple[UpstreamWindow, ...]

    def pep_of(self, line: str) -> int | None:
        return next((w.pep for w in self.windows if w.line == line), None)


def release_name(stage_text: str) -> tuple[str, str, str] | None:
    """``"3.15.0 candidate 2"`` -> ``("3.15", "3.15.0rc2", "rc")``; ``None`` for a bugfix release.

    Raises :class:`SourceError` for a stage that follows none of the upstream spellings.
    """
    match = _STAGE_RE.match(stage_text)
    if match is None:
        raise SourceError(
            f"stage {stage_text!r} is not of the form 'X.Y.0 alpha|beta|candidate N', 'X.Y.0 final' or 'X.Y.Z'"
        )
    major, minor, micro, kind, number = match.groups()
    line = f"{major}.{minor}"
    if micro != "0":
        return None
    if kind is None:
        return line, f"{line}.0", "final"
    code, stage = _STAGE_CODES[kind]
    return line, f"{line}.0{code}{number}", stage


# -- TOML ---------------------------------------------------------------------------------------


class _TomlLines:
    """Line numbers of ``[metadata."X.Y"]`` / ``[[release."X.Y"]]`` tables and their keys.

    ``tomllib`` keeps no positions, so the tables are located by their headers, in file order:
    the n-th ``[[release."3.15"]]`` header is the n-th item of ``release."3.15"``.
    """

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.tables: dict[tuple[str, str], list[int]] = {}
        for number, raw in enumerate(self.lines, start=1):
            match = _HEADER_RE.match(raw)
            if match:
                table, *keys = match.groups()
                key = next(k for k in keys if k is not None)
                self.tables.setdefault((table, key), []).append(number)

    def table(self, table: str, key: str, index: int = 0) -> int | None:
        found = self.tables.get((table, key), [])
        return found[index] if index < len(found) else None

    def key(self, table: str, key: str, index: int, name: str) -> int | None:
        start = self.table(table, key, index)
        if start is None:
            return None
        for number in range(start + 1, len(self.lines) + 1):
            text = self.lines[number - 1].strip()
            if text.startswith("["):
                break
            if re.match(rf"^{re.escape(name)}\s*=", text) or re.match(rf"^\"{re.escape(name)}\"\s*=", text):
                return number
        return start

    def where(self, table: str, key: str, index: int = 0, name: str | None = None) -> str:
        number = self.key(table, key, index, name) if name else self.table(table, key, index)
        if number is None:
            return f"{table}.{key!r}" + (f"[{index}]" if table == "release" else "")
        return f"line {number}"


def _as_date(value: Any, where: str, key: str) -> date:
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    raise SourceError(f"{where}: {key} must be a date (YYYY-MM-DD, unquoted), not {value!r}")


def _check_line(line: Any, where: str) -> str:
    if not isinstance(line, str) or not _LINE_RE.match(line):
        raise SourceError(f"{where}: {line!r} is not a Python line of the form X.Y")
    return line


def parse_python_releases(data: dict[str, Any], locate: _TomlLines | None = None) -> tuple[list[Any], list[Any]]:
    """Releases and windows of the ``python-releases`` structure (TOML keys, or JSON's ``_`` keys)."""

    def where(table: str, key: str, index: int = 0, name: str | None = None) -> str:
        if locate is not None:
            return locate.where(table, key, index, name)
        path = f"{'releases' if table == 'release' else table}.{key!r}"
        return path + (f"[{index}]" if table == "release" else "") + (f".{name}" if name else "")

    json_form = locate is None
    release_key = "releases" if json_form else "release"
    unknown = set(data) - {"metadata", release_key}
    if unknown or "metadata" not in data or release_key not in data:
        raise SourceError(
            f"top level must hold exactly 'metadata' and '{release_key}' tables; "
            f"found {', '.join(sorted(map(str, data))) or 'nothing'}"
        )
    metadata, all_releases = data["metadata"], data[release_key]
    if not isinstance(metadata, dict) or not isinstance(all_releases, dict):
        raise SourceError(f"'metadata' and '{release_key}' must be tables keyed by Python line")

    windows = []
    for line, meta in metadata.items():
        here = where("metadata", str(line))
        _check_line(line, here)
        if not isinstance(meta, dict):
            raise SourceError(f"{here}: metadata.{line!r} must be a table")
        # JSON spells the keys with "_" (dataclasses.asdict), TOML with "-"; the other spelling is unknown.
        keymap = {(str(k).replace("_", "-") if json_form else str(k)): k for k in meta}
        if unknown_keys := sorted(
            str(original)
            for canonical, original in keymap.items()
            if canonical not in _METADATA_KEYS or (json_form and "-" in str(original))
        ):
            raise SourceError(f"{here}: unknown key(s) {', '.join(unknown_keys)} in metadata.{line!r}")
        keys = set(keymap)
        if missing := {"pep", "first-release", "end-of-bugfix", "end-of-life"} - keys:
            raise SourceError(f"{here}: metadata.{line!r} misses {', '.join(sorted(missing))}")

        def get(key: str, meta: dict[str, Any] = meta, keymap: dict[str, Any] = keymap) -> Any:
            return meta[keymap[key]]

        pep = get("pep")
        if not isinstance(pep, int) or isinstance(pep, bool) or not 0 < pep < 100_000:
            raise SourceError(f"{where('metadata', line, name='pep')}: pep must be a PEP number, not {pep!r}")
        if "status" in keys and get("status") not in _STATUSES:
            raise SourceError(
                f"{where('metadata', line, name='status')}: status {get('status')!r} is not one of "
                f"{', '.join(sorted(_STATUSES))}"
            )
        dates = {}
        for key in ("first-release", "end-of-bugfix", "end-of-life"):
            value = get(key)
            if json_form and isinstance(value, str):
                value = _iso_date(value, where("metadata", line, name=key), key)
            dates[key] = _as_date(value, where("metadata", line, name=key), key)
        windows.append(
            UpstreamWindow(line, pep, dates["first-release"], dates["end-of-bugfix"], dates["end-of-life"], here)
        )

    releases = []
    seen: dict[str, str] = {}
    for line, items in all_releases.items():
        _check_line(line, where("release", str(line)))
        if not isinstance(items, list):
            raise SourceError(f"{where('release', line)}: release.{line!r} must be an array of tables")
        for index, item in enumerate(items):
            here = where("release", line, index)
            if not isinstance(item, dict):
                raise SourceError(f"{here}: each release must be a table")
            if extra := sorted(str(k) for k in set(item) - _RELEASE_KEYS):
                at = where("release", line, index, extra[0])
                raise SourceError(f"{at}: unknown key(s) {', '.join(extra)} in a release")
            if missing := {"stage", "state", "date"} - set(item):
                raise SourceError(f"{here}: a release misses {', '.join(sorted(missing))}")
            stage_text = item["stage"]
            if not isinstance(stage_text, str):
                raise SourceError(f"{where('release', line, index, 'stage')}: stage must be a string")
            try:
                parsed = release_name(stage_text)
            except SourceError as exc:
                raise SourceError(f"{where('release', line, index, 'stage')}: {exc}") from None
            if not stage_text.startswith(f"{line}."):
                raise SourceError(
                    f"{where('release', line, index, 'stage')}: stage {stage_text!r} is listed under release.{line!r}"
                )
            state = item["state"]
            if state not in ("actual", "expected"):
                raise SourceError(
                    f"{where('release', line, index, 'state')}: state must be 'actual' or 'expected', not {state!r}"
                )
            value = item["date"]
            if json_form and isinstance(value, str):
                value = _iso_date(value, where("release", line, index, "date"), "date")
            when = _as_date(value, where("release", line, index, "date"), "date")
            if "note" in item and not isinstance(item["note"], str):
                raise SourceError(f"{where('release', line, index, 'note')}: note must be a string")
            if parsed is None:
                continue
            _, name, stage = parsed
            if name in seen:
                raise SourceError(f"{here}: {name} is listed twice (first at {seen[name]})")
            seen[name] = here
            releases.append(UpstreamRelease(line, name, stage, state, when, here))
    return releases, windows


def _iso_date(text: str, where: str, key: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise SourceError(f"{where}: {key} {text!r} is not a date (YYYY-MM-DD)") from None


def parse_toml(text: str) -> tuple[list[UpstreamRelease], list[UpstreamWindow]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourceError(f"not valid TOML: {exc}") from None
    except RecursionError:
        raise SourceError("not a release calendar: values nested too deeply") from None
    return parse_python_releases(data, _TomlLines(text))


# -- release-cycle.json ---------------------------------------------------------------------------

_CYCLE_KEYS = {"branch", "pep", "status", "first_release", "end_of_life", "release_manager"}


def parse_release_cycle(data: dict[str, Any]) -> list[UpstreamWindow]:
    """peps.python.org's ``api/release-cycle.json``: ``{"X.Y": {first_release, end_of_life, ...}}``.

    ``end_of_life`` is ``YYYY-MM`` for lines still supported (serialize.py strips the ``-01``): it is
    read back as the first of the month, which is what the TOML holds.
    """
    windows = []
    for line, info in data.items():
        here = f"{line!r}"
        _check_line(line, here)
        if not isinstance(info, dict):
            raise SourceError(f"{here}: each line must map to an object")
        if unknown := set(info) - _CYCLE_KEYS:
            raise SourceError(f"{here}: unknown key(s) {', '.join(sorted(unknown))}")
        if missing := {"pep", "first_release", "end_of_life"} - set(info):
            raise SourceError(f"{here}: misses {', '.join(sorted(missing))}")
        pep = info["pep"]
        if not isinstance(pep, int) or isinstance(pep, bool) or not 0 < pep < 100_000:
            raise SourceError(f"{here}.pep: must be a PEP number, not {pep!r}")
        if "status" in info and info["status"] not in _STATUSES:
            raise SourceError(f"{here}.status: {info['status']!r} is not one of {', '.join(sorted(_STATUSES))}")
        first = info["first_release"]
        eol = info["end_of_life"]
        if not isinstance(first, str) or not isinstance(eol, str):
            raise SourceError(f"{here}: first_release and end_of_life must be date strings")
        if re.fullmatch(r"\d{4}-\d{2}", eol):
            eol += "-01"
        windows.append(
            UpstreamWindow(
                line,
                pep,
                _iso_date(first, f"{here}.first_release", "first_release"),
                None,
                _iso_date(eol, f"{here}.end_of_life", "end_of_life"),
                here,
            )
        )
    return windows


def read_source(path: Path) -> Upstream:
    """Read and validate one source file; :class:`SourceError` says exactly what is wrong."""
    try:
        size = path.stat().st_size
        if size > MAX_SOURCE_BYTES:
            raise SourceError(f"{path.name} is {size:,} bytes; a release calendar is under {MAX_SOURCE_BYTES:,}")
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc.strerror or exc}") from None
    digest = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceError(f"line {line}: not UTF-8 text") from None
    if path.suffix.lower() == ".json" or text.lstrip().startswith("{"):
        return _read_json(text, path.name, digest)
    releases, windows = parse_toml(text)
    return _checked(Upstream("python-releases.toml", path.name, digest, tuple(releases), tuple(windows)))


def _read_json(text: str, name: str, digest: str) -> Upstream:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"line {exc.lineno}: not valid JSON: {exc.msg}") from None
    except RecursionError:
        raise SourceError("line 1: JSON nested too deeply") from None
    if not isinstance(data, dict):
        raise SourceError("line 1: expected a JSON object (release-cycle.json or python-releases.json)")
    if "metadata" in data or "releases" in data:
        releases, windows = parse_python_releases(data)
        return _checked(Upstream("python-releases.json", name, digest, tuple(releases), tuple(windows)))
    windows = parse_release_cycle(data)
    return _checked(Upstream("release-cycle.json", name, digest, None, tuple(windows)))


def _checked(upstream: Upstream) -> Upstream:
    if not upstream.windows:
        raise SourceError("the file lists no Python line: not a release calendar")
    if upstream.releases is not None:
        lines = {w.line for w in upstream.windows}
        if orphan := sorted({r.line for r in upstream.releases} - lines, key=version_key):
            raise SourceError(f"{upstream.releases[0].where}: releases of {', '.join(orphan)} have no metadata table")
    return upstream
