"""Parse a JSON list or JSON Lines file of responses, defensively, reporting every problem.

Nothing is stored unless the whole file is valid: the caller gets either a list of validated
responses or a list of errors naming the line (JSON Lines) or item (JSON list) and the key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from analysis.models import SurveyResponse, format_validation_error

#: Larger files are refused before parsing: 100,000 full responses fit comfortably in this.
MAX_IMPORT_BYTES = 512 * 1024 * 1024
MAX_NESTING = 20


@dataclass
class ParseOutcome:
    responses: list[SurveyResponse] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _depth(value: Any, limit: int) -> int:
    depth, stack = 0, [(value, 1)]
    while stack:
        item, d = stack.pop()
        depth = max(depth, d)
        if depth > limit:
            return depth
        if isinstance(item, dict):
            stack.extend((v, d + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, d + 1) for v in item)
    return depth


def _validate(obj: Any, where: str, outcome: ParseOutcome, seen_ids: dict[str, str]) -> None:
    if not isinstance(obj, dict):
        outcome.errors.append(f"{where}: expected a JSON object, got {type(obj).__name__}")
        return
    if _depth(obj, MAX_NESTING) > MAX_NESTING:
        outcome.errors.append(f"{where}: nested too deeply")
        return
    try:
        response = SurveyResponse.model_validate(obj)
    except ValidationError as exc:
        outcome.errors.extend(format_validation_error(exc, prefix=f"{where}: "))
        return
    if response.response_id is not None:
        # Two revisions of one response in one file would be ambiguous (which one is current?).
        first = seen_ids.setdefault(response.response_id, where)
        if first != where:
            outcome.errors.append(f"{where}: response_id: {response.response_id} appears twice (also {first})")
            return
    outcome.responses.append(response)


def _malformed(exc: json.JSONDecodeError | RecursionError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"line {exc.lineno} column {exc.colno}: malformed JSON: {exc.msg}"
    return "malformed JSON: nested too deeply"


def parse_responses(text: str) -> ParseOutcome:
    """Accept a JSON array of objects, a single (possibly pretty-printed) object, or JSON Lines."""
    outcome = ParseOutcome()
    seen_ids: dict[str, str] = {}
    stripped = text.lstrip("\ufeff").strip()
    if not stripped:
        outcome.errors.append("the file is empty")
        return outcome
    if stripped.startswith("["):
        try:
            data = json.loads(stripped)
        except (json.JSONDecodeError, RecursionError) as exc:
            outcome.errors.append(_malformed(exc))
            return outcome
        for i, obj in enumerate(data, start=1):
            _validate(obj, f"item {i}", outcome, seen_ids)
        return outcome
    if stripped.startswith("{") and "\n" in stripped:
        try:  # one pretty-printed object; if that fails it is JSON Lines
            single = json.loads(stripped)
        except (json.JSONDecodeError, RecursionError):
            pass
        else:
            _validate(single, "item 1", outcome, seen_ids)
            return outcome
    for lineno, line in enumerate(stripped.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            msg = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
            outcome.errors.append(f"line {lineno}: malformed JSON: {msg}")
            continue
        _validate(obj, f"line {lineno}", outcome, seen_ids)
    return outcome


def read_responses_file(path: Path) -> ParseOutcome:
    try:
        size = path.stat().st_size
        if size > MAX_IMPORT_BYTES:
            return ParseOutcome(errors=[f"{path}: file is too large ({size:,} bytes; limit {MAX_IMPORT_BYTES:,})"])
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return ParseOutcome(errors=[f"{path}: not UTF-8 text"])
    except OSError as exc:
        return ParseOutcome(errors=[f"{path}: cannot read: {exc.strerror or exc}"])
    return parse_responses(text)


def export_json(responses: list[SurveyResponse], *, include_contacts: bool = True) -> str:
    """The canonical JSON list (round-trips through ``parse_responses``), stable key and item order."""
    exclude = set() if include_contacts else {"contact", "respondent_role"}
    items = [r.model_dump(mode="json", exclude=exclude) for r in responses]
    items.sort(key=lambda d: (d.get("response_id") or "", d["distributor"]))
    return json.dumps(items, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
