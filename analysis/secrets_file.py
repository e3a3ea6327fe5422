"""Reading ``.streamlit/secrets.toml`` without Streamlit, and refusing a file that cannot be read.

The app (through ``st.secrets``) and the command line read the same files in the same order, so
both resolve the same store and the same reviewers. Streamlit searches, last one winning:
``~/.streamlit/secrets.toml``, ``$CWD/.streamlit/secrets.toml`` and the app's own
``.streamlit/secrets.toml``; ``$STREAMLIT_SECRETS_FILES`` (whitespace-separated paths, the
environment form of Streamlit's ``secrets.files`` option) replaces that list for both.

A malformed file is never "nothing configured": that would open the review pages to everybody
and silently switch the app to a new, empty SQLite store. :class:`SecretsFileError` names the
file and, when the TOML parser says so, the line, so the app can keep the review pages closed
and the CLI can exit 2 with a message a person can act on.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

SECRETS_FILES_ENV = "STREAMLIT_SECRETS_FILES"
APP_DIR = Path(__file__).resolve().parent.parent
_LOCATION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_END = re.compile(r"\s*\(at end of document\)\s*$")


class SecretsFileError(Exception):
    """A secrets file exists but cannot be used. ``line`` is 1-based, when known."""

    def __init__(self, path: str, reason: str, line: int | None = None) -> None:
        super().__init__(path, reason, line)
        self.path, self.reason, self.line = path, reason, line

    def __str__(self) -> str:
        where = f"{self.path}, line {self.line}" if self.line else self.path
        return f"{where}: {self.reason}"


def secrets_paths(environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> list[str]:
    """The files Streamlit would read for this project, in the order it reads them."""
    environ = os.environ if environ is None else environ
    override = environ.get(SECRETS_FILES_ENV, "").split()
    if override:
        return override
    cwd = Path.cwd() if cwd is None else cwd
    candidates = [
        Path.home() / ".streamlit" / "secrets.toml",
        cwd / ".streamlit" / "secrets.toml",
        APP_DIR / ".streamlit" / "secrets.toml",
    ]
    out: list[str] = []
    for path in candidates:
        if str(path) not in out:
            out.append(str(path))
    return out


def parse_secrets_text(text: str, path: str) -> dict[str, Any]:
    """Parse one file's text; a syntax error becomes a :class:`SecretsFileError` with its line."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        line: int | None = getattr(exc, "lineno", None)  # Python 3.14 has it; 3.11 only says it
        found = _LOCATION.search(message)
        if found:
            line = line or int(found.group(1))
            message = message[: found.start()]
        elif _END.search(message):
            line = line or text.count("\n") + 1
            message = _END.sub("", message) + " (at the end of the file)"
        raise SecretsFileError(path, f"not valid TOML: {message}", line) from exc


def read_secrets_file(path: str) -> dict[str, Any] | None:
    """One file as a dict; ``None`` when it does not exist (absent is fine, unreadable is not)."""
    if not path.endswith(".toml"):
        if os.path.isdir(path):
            raise SecretsFileError(path, "directory-style secrets are not supported here; use a secrets.toml file")
        raise SecretsFileError(path, "not a .toml file")
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SecretsFileError(path, f"cannot be read ({exc.strerror or exc})") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SecretsFileError(path, "not UTF-8 text", line) from exc
    return parse_secrets_text(text, path)


def load_secrets(paths: Sequence[str] | None = None) -> tuple[dict[str, Any], bool]:
    """Merge the files like Streamlit does (later files win per top-level key).

    Returns the merged mapping and whether any file was found. Raises :class:`SecretsFileError`
    for the first file that exists but cannot be used.
    """
    merged: dict[str, Any] = {}
    found = False
    for path in secrets_paths() if paths is None else paths:
        data = read_secrets_file(str(path))
        if data is not None:
            found = True
            merged.update(data)
    return merged, found


def database_url_from(secrets: Mapping[str, Any], source: str = "secrets.toml") -> str | None:
    """``[database] url`` when set. A section that is there but unusable is an error, not a default."""
    if "database" not in secrets:
        return None
    section = secrets["database"]
    if not isinstance(section, Mapping):
        raise SecretsFileError(source, "[database] must be a table with a url")
    url = section.get("url")
    if url is None:
        return None
    if not isinstance(url, str) or not url.strip():
        raise SecretsFileError(source, "[database] url must be a non-empty string (a SQLAlchemy URL)")
    return url.strip()
