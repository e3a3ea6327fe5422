"""How a report's numbers were made, and from what: the methodology text and the provenance table.

Kept apart from the snapshot: nothing here reads the store. The provenance names every input a
reader needs to reproduce the report (the schedule's sources, the reference data's commits and
SHA-256 digests, the app version, the simulator's seed and draws, the answers' digest).
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

import analysis
from analysis.reference_data import data_dir, read_csv
from analysis.reports.model import ReportOptions


def methodology(options: ReportOptions) -> tuple[tuple[str, str], ...]:
    """How the numbers were made, in words a reviewer can check against the code."""
    return (
        (
            "Counting",
            (
                "The counting unit is the distributor: every response's latest revision is read, and when "
                "several responses claim the same distributor only the most recent one counts. A "
                "multi-select answer (blockers, worst cases) counts once per selected value, so its "
                "column can add up to more than the number of distributors. Shares are of distributors."
            ),
        ),
        (
            "Deduplication",
            (
                "Distributor names are normalised before counting: Unicode NFKC, case folded, runs of "
                "spaces collapsed, and known aliases mapped to one name (for example “RHEL” and “Red Hat "
                "Enterprise Linux”; the alias list is in data/survey.toml). The duplicates table lists "
                "every distributor claimed by more than one response."
            ),
        ),
        (
            "Simulator",
            (
                "A policy names the first release published without PGP signatures; older lines keep PGP "
                "until end of life. A distributor starts fetching the affected line at the first release "
                "of its chosen stage plus its stated lag (for “after the final release”: x.y.0 plus lag). "
                "Its first unsigned artifact arrives at the later of the policy release and that start. "
                "It is exposed from then until its most likely ready date; “in production” means no "
                "exposure, and a missing ready date is reported as unknown, never as zero. A release's "
                "date is its actual date when known, else the planned date."
            ),
        ),
        (
            "Uncertainty",
            (
                f"A Monte Carlo run with seed {options.seed} and {options.draws:,} draws samples release "
                "slips from the history of schedule changes (data/release_schedule_revisions.csv) and "
                "ready dates from each answer's earliest/likely/latest (triangular; when only the likely "
                "date is given, the simulator's documented default spread applies). Ranges are the 5th "
                "to 95th percentile across draws. The same seed and draws give the same numbers."
            ),
        ),
        (
            "Severity",
            (
                "Exposure days are weighted by how bad exposure is for the distributor: the highest "
                "level among its worst-case answers, mapped to a weight in data/severity.toml (an "
                "editable file; its SHA-256 is in the provenance). No worst case selected counts as "
                "the file's default level, so an unanswered question never hides an exposure."
            ),
        ),
        (
            "Themes",
            (
                "Free-text answers are tagged by reviewers with themes from a shared codebook. Keyword "
                "suggestions are never applied without a reviewer. A theme counts the distributors whose "
                "counted answer carries it; quotes are the shortest tagged texts."
            ),
        ),
        (
            "Illustrative answers",
            (
                "Answers marked illustrative were derived by the survey team from public statements "
                "(each carries its source), not submitted by the distributor."
            ),
        ),
        (
            "Safety",
            (
                "All free text is escaped (HTML and Markdown show it as text). In CSV and XLSX, a text "
                "cell starting with =, +, -, @, a tab or a carriage return is prefixed with a single quote "
                "(') so spreadsheet programs do not run it as a formula."
            ),
        ),
    )


def schedule_status_lines(generated_at: datetime) -> tuple[str, ...]:
    """The as-of line and the stale-schedule warning, judged on the day the report is generated
    (like ``generated_at``, the one part of a report that depends on the clock)."""
    try:
        from analysis.schedule import schedule_status

        return schedule_status(generated_at.date()).lines
    except (OSError, ValueError) as exc:
        return (f"Release schedule: unavailable ({exc}).",)


def reference_commits() -> list[str]:
    """The commits of the reference data, as stated in data/README.md (``owner/repo `sha```)."""
    try:
        text = (data_dir() / "README.md").read_text(encoding="utf-8")
    except OSError:
        return []
    _, _, tail = text.partition("Reference data commit")
    found = re.findall(r"([\w.-]+/[\w.-]+)\s+`([0-9a-f]{7,40})`", tail or text)
    return [f"{repo}@{sha}" for repo, sha in dict.fromkeys(found)]


def schedule_source() -> str:
    """The PEPs the release schedule comes from, and the file's SHA-256 (it is data, not code)."""
    try:
        rows = read_csv("release_schedule.csv")
        digest = hashlib.sha256((data_dir() / "release_schedule.csv").read_bytes()).hexdigest()
    except OSError:
        return "unavailable"
    peps = sorted({r.get("source", "") for r in rows if r.get("source")})
    return f"data/release_schedule.csv ({', '.join(peps)}), SHA-256 {digest}"


#: The reference files whose content changes a report's numbers or words.
REFERENCE_FILES: tuple[str, ...] = (
    "release_schedule.csv",
    "release_schedule_revisions.csv",
    "support_windows.csv",
    "policies.csv",
    "severity.toml",
    "survey.toml",
)


def reference_digests() -> str:
    """``name sha256`` for each reference file present, so a reader can check the inputs."""
    parts = []
    for name in REFERENCE_FILES:
        path = data_dir() / name
        if path.is_file():
            parts.append(f"{name} {hashlib.sha256(path.read_bytes()).hexdigest()}")
    return "; ".join(parts) or "unavailable"


def provenance(
    options: ReportOptions, snapshot_at: datetime | None, responses: int, distributors: int, answers_sha256: str
) -> tuple[tuple[str, str], ...]:
    contacts_flag = " --include-contacts" if options.include_contacts else ""
    if options.as_of:
        contacts_flag += f" --as-of {options.as_of.isoformat()}"
    return (
        ("Data snapshot", snapshot_at.isoformat() if snapshot_at else "no answers stored"),
        (
            "Responses",
            f"{responses} (latest revision of each"
            + (f" submitted by the end of {options.as_of.isoformat()} UTC" if options.as_of else "")
            + f"), {distributors} distributors counted",
        ),
        ("Personal data", "included" if options.include_contacts else "excluded"),
        ("Release schedule", schedule_source()),
        ("Reference data commits", ", ".join(reference_commits()) or "unknown"),
        ("Reference files (SHA-256)", reference_digests()),
        ("App version", analysis.__version__),
        (
            "Simulation",
            (
                f"seed {options.seed}, {options.draws:,} draws; policies {', '.join(options.policies) or 'built-in'}; "
                f"recommendation threshold {options.threshold:,.0f} severity-weighted days"
            ),
        ),
        ("Answers SHA-256", answers_sha256),
        (
            "Reproduce",
            f"python -m analysis export --format json{contacts_flag} --out answers.json; sha256sum answers.json",
        ),
    )
