"""Loaders for the files under ``data/``.

Facts (release dates, identities, labels) live in those files, never in code, so that a schedule
revision or a new release manager is a data change reviewed on its own. Loaders are cached: the
files are small and immutable while the process runs.
"""

from __future__ import annotations

import csv
import os
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

#: Overridable so that tests and deployments can point at another copy of the reference data.
DATA_DIR_ENV = "SURVEY_REFERENCE_DIR"


def data_dir() -> Path:
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "data"


def read_csv(name: str) -> list[dict[str, str]]:
    with (data_dir() / name).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@cache
def survey_definition() -> dict[str, Any]:
    with (data_dir() / "survey.toml").open("rb") as fh:
        return tomllib.load(fh)


def field_label(field: str) -> str:
    """The words a person sees for a JSON key (charts and tables never show raw keys)."""
    spec = survey_definition()["fields"].get(field)
    return spec["label"] if spec else field.replace("_", " ").capitalize()


def field_help(field: str) -> str:
    spec = survey_definition()["fields"].get(field)
    return spec.get("help", "") if spec else ""


def option_labels(field: str) -> dict[str, str]:
    """Code -> words for an enumerated field, in the enum's order (empty for free fields)."""
    spec = survey_definition()["fields"].get(field, {})
    return dict(spec.get("options", {}))


def option_label(field: str, code: str) -> str:
    return option_labels(field).get(code, code)


def version_key(version: str) -> tuple[int, ...]:
    """Sort key for "X.Y" strings so that 3.10 sorts after 3.9."""
    return tuple(int(part) for part in version.split("."))


@cache
def known_python_versions() -> tuple[str, ...]:
    """Every X.Y line the reference data knows, oldest first."""
    versions = {row["python_version"] for row in read_csv("support_windows.csv")}
    versions |= {row["python_version"] for row in read_csv("release_schedule.csv")}
    versions |= {row["python_version"] for row in read_csv("sigstore_identities.csv")}
    return tuple(sorted(versions, key=version_key))


@cache
def known_version_rank() -> dict[str, int]:
    """Known X.Y line -> its place, oldest first: membership and sort order in one dict lookup
    (the model checks every version of every imported answer)."""
    return {version: rank for rank, version in enumerate(known_python_versions())}


@cache
def distributor_aliases() -> dict[str, str]:
    """Lower-cased alias -> canonical key, from ``[aliases]`` in survey.toml."""
    mapping: dict[str, str] = {}
    for canonical, aliases in survey_definition().get("aliases", {}).items():
        mapping[canonical] = canonical
        for alias in aliases:
            mapping[alias] = canonical
    return mapping
