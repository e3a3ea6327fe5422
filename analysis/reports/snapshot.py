"""Collect everything a report shows, once, from the store and the analysis modules.

Why one place: every format (HTML, Markdown, CSV/XLSX, PDF) renders the same ``ReportData``, so
they cannot disagree. The store is read in one consistent pass: if anything is written while the
snapshot reads (the store's generation changes), it reads again. Determinism rules:

* the report's time is the data snapshot time (the newest ``stored_at``), never "now"; the only
  clock reading is ``generated_at``, which renderers print on a single line of their own;
* every list is sorted by a stable key (distributor name, enum order, theme name);
* the simulator gets an explicit seed and number of draws, both printed in the provenance.

Sections whose analysis module is missing or fails are listed in ``unavailable`` with the reason:
the report says what it cannot show rather than showing made-up numbers. The question summaries
and the distributor table are made in ``summaries``, the methodology and provenance in
``provenance``; this module reads the store and puts the sections together.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

from analysis.counting import headline
from analysis.crosstab import select_unit
from analysis.models import (
    PERSONAL_FIELDS,
    TEXT_FIELDS,
    SigstoreStatus,
    SurveyResponse,
    normalise_distributor,
)
from analysis.reference_data import field_label
from analysis.reports import sections
from analysis.reports.model import (
    QuestionSummary,
    Quote,
    ReportData,
    ReportOptions,
    SimulationSection,
    Table,
    ThemeSummary,
)
from analysis.reports.provenance import methodology, provenance, schedule_status_lines
from analysis.reports.summaries import distributor_table, question_summaries
from analysis.storage import ResponseStore, StoredResponse
from analysis.storage.history import export_json_as_of, frame_as_of, stored_revisions

#: Longest quote a report shows; the full text is in the JSON/CSV export.
QUOTE_CHARS = 280
QUOTES_PER_THEME = 3


def latest_per_distributor(stored: Iterable[StoredResponse]) -> list[StoredResponse]:
    """The counting unit: for each normalised distributor name, its most recent response.

    The same rule as the cross-tab engine (``analysis.crosstab.select_unit``): latest
    ``submitted_at``, then ``stored_at``, revision and ``response_id``, so the report's distributor
    table and its cross-tabs count the same answers. Sorted by distributor name for display.
    """
    best: dict[str, StoredResponse] = {}
    for item in stored:
        key = normalise_distributor(item.response.distributor)
        current = best.get(key)
        if current is None or _recency(item) >= _recency(current):
            best[key] = item
    return sorted(best.values(), key=_by_name)


def _by_name(item: StoredResponse) -> tuple[str, str]:
    """The report's display order of counted answers: distributor name, then response id."""
    return (item.response.distributor.casefold(), item.response.response_id or "")


def _recency(item: StoredResponse) -> tuple[datetime, datetime, int, str]:
    submitted = item.response.submitted_at or item.stored_at
    return (submitted, item.stored_at, item.revision, item.response.response_id or "")


def _without_personal(resp: SurveyResponse) -> SurveyResponse:
    return resp.model_copy(update=dict.fromkeys(PERSONAL_FIELDS))


#: How often a snapshot re-reads when answers keep arriving while it reads (then it goes ahead).
MAX_READS = 3


def build_snapshot(
    store: ResponseStore,
    options: ReportOptions,
    *,
    now: datetime | None = None,
    answers_json: bool = True,
    frame: pd.DataFrame | None = None,
    figures: bool = True,
) -> ReportData:
    """Read the store consistently and build every section of the report.

    ``answers_json=False`` leaves the canonical JSON text out (``ReportData.answers_json`` is then
    empty and the ``json`` format refused): a report prints only its SHA-256, which the store
    remembers per generation, so an HTML or PDF report of 100,000 answers need not encode them all.

    ``frame`` is the analysis frame (``ANALYSIS_COLUMNS``, at ``options.as_of``) when the caller
    holds it already, read at the generation the caller keys its cache on (the Reports page shares
    the review pages' frame); the report is then built once from it, not re-read.

    ``figures=False`` draws no chart (``ReportData.figures`` empty): for the formats without
    charts (Markdown, CSV, XLSX, JSON) and for what the Reports page shows before a download.
    """
    if frame is not None:
        return _build(store, options, now, answers_json, frame, figures)
    for _ in range(MAX_READS):
        before = store.generation()
        data = _build(store, options, now, answers_json, None, figures)
        if store.generation() == before:
            break
    return data


@dataclasses.dataclass(frozen=True)
class _Loaded:
    """What a report reads from the store, in one consistent pass (see :func:`_load`)."""

    frame: Any  #: every response as of the report's date (None: no answers)
    counted: Any  #: its rows that count, one per distributor (``select_unit``), selected once
    latest: list[StoredResponse]  #: the counted answers as models, by distributor name
    answers_json: str  #: the canonical JSON export, empty unless asked for
    answers_sha256: str
    responses: int
    snapshot_at: datetime | None


def _load(store: ResponseStore, options: ReportOptions, with_json: bool, given: pd.DataFrame | None = None) -> _Loaded:
    """The analysis frame and its counted rows, the counted answers as models, the canonical JSON
    export (empty unless ``with_json``) and its SHA-256, the number of responses and the snapshot time.

    Costs stay flat as answers grow (issue 14): every answer is read only through the narrow
    ``response_latest`` table (Arrow) and the raw-row JSON export; models are built only for the
    counted answers (one per distributor), chosen by the cross-tab engine's own rule
    (``select_unit``), so the report's tables and its cross-tabs count the same answers. A past
    state (``as_of``) is rebuilt from the revisions instead (``analysis.storage.history``).
    """
    from analysis.crosstab import ANALYSIS_COLUMNS

    if options.as_of is not None:
        # A past state: the frame from the revisions (the as-of rule), the JSON from raw rows, and
        # models only for the counted answers, as for the current state.
        answers_json = export_json_as_of(store, options.as_of, include_contacts=options.include_contacts)
        sha256 = _sha256(answers_json)
        past = given if given is not None else frame_as_of(store, options.as_of, columns=ANALYSIS_COLUMNS)
        if past.empty:
            return _Loaded(None, None, [], answers_json if with_json else "", sha256, 0, None)
        counted = select_unit(past, "distributor")
        pairs = list(zip(counted["response_id"].astype(str), counted["revision"].astype(int), strict=True))
        latest = sorted(
            stored_revisions(store, pairs),
            key=_by_name,
        )
        snapshot_at = past["stored_at"].max().to_pydatetime()
        return _Loaded(past, counted, latest, answers_json if with_json else "", sha256, len(past), snapshot_at)
    if with_json:
        answers_json = store.export_latest_json(include_contacts=options.include_contacts)
        sha256 = _sha256(answers_json)
    else:
        answers_json, sha256 = "", store.answers_digest(include_contacts=options.include_contacts)
    frame = given if given is not None else store.latest_frame(columns=ANALYSIS_COLUMNS)
    if frame.empty:
        return _Loaded(None, None, [], answers_json, sha256, 0, None)
    counted = select_unit(frame, "distributor")
    latest = sorted(
        store.stored_responses(counted["response_id"].tolist()),
        key=_by_name,
    )
    snapshot_at = frame["stored_at"].max().to_pydatetime()
    return _Loaded(frame, counted, latest, answers_json, sha256, len(frame), snapshot_at)


def answers_json_text(store: ResponseStore, options: ReportOptions) -> str:
    """The canonical JSON answers a report of ``options`` describes (its SHA-256 is the report's)."""
    if options.as_of is not None:
        return export_json_as_of(store, options.as_of, include_contacts=options.include_contacts)
    return store.export_latest_json(include_contacts=options.include_contacts)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _build(
    store: ResponseStore,
    options: ReportOptions,
    now: datetime | None,
    with_json: bool,
    given: pd.DataFrame | None = None,
    draw: bool = True,
) -> ReportData:
    generated_at = (now or datetime.now(UTC)).replace(microsecond=0)
    loaded = _load(store, options, with_json, given)
    frame, per_distributor, latest = loaded.frame, loaded.counted, loaded.latest
    answers_json, answers_sha256 = loaded.answers_json, loaded.answers_sha256
    n_stored, snapshot_at = loaded.responses, loaded.snapshot_at
    responses = [s.response for s in latest]

    unavailable: list[tuple[str, str]] = []
    figures: dict[str, Any] = {}

    def attempt(section: str, build: Callable[[], Any]) -> Any:
        try:
            return build()
        except sections.SectionUnavailable as exc:
            unavailable.append((section, str(exc)))
        return None

    counted = {normalise_distributor(r.distributor): r.distributor for r in responses}
    # Every chart and cross-tab counts distributors (each one's latest answer): they are drawn
    # from those rows only (``per_distributor``), not from all 100,000 answers again each.
    summaries = tuple(question_summaries(responses))
    crosstabs = attempt("Cross-tabs by distributor kind", lambda: sections.crosstabs(per_distributor)) or ()
    if responses and draw:
        figures.update(attempt("Charts", lambda: sections.figures(per_distributor)) or {})
    simulation = None
    if responses:
        result = attempt("Simulator", lambda: sections.simulation(responses, options, draw=draw))
        if result is not None:
            simulation, sim_figures = result
            figures.update(sim_figures)

    summaries = tuple(
        QuestionSummary(s.key, s.title, s.table, s.key if s.key in figures else None, s.note) for s in summaries
    )
    # Before ReportData: a section that fails adds to ``unavailable``, which is frozen below.
    # Coverage counts each distributor's latest answer: the counted rows are all it reads.
    extra = _progress_sections(store, options, attempt, per_distributor)
    return ReportData(
        options=options,
        generated_at=generated_at,
        snapshot_at=snapshot_at,
        responses=n_stored,
        distributors=len(latest),
        illustrative=headline(per_distributor).illustrative_distributors,  # as the dashboard counts them
        summaries=summaries,
        crosstabs=tuple(crosstabs),
        distributor_table=cap_table(
            distributor_table(sorted(responses, key=_need_first), include_contacts=options.include_contacts),
            MAX_DISTRIBUTOR_ROWS,
        ),
        duplicates=cap_table(
            attempt("Duplicate distributors", lambda: sections.duplicates(frame, counted))
            or sections.duplicates(None, {}),
            MAX_SECTION_ROWS,
        ),
        themes=tuple(_themes(store, latest)),
        simulation=_capped_simulation(simulation),
        methodology=methodology(options),
        provenance=(
            *provenance(options, snapshot_at, n_stored, len(latest), answers_sha256),
            ("Release schedule status", " ".join(schedule_status_lines(generated_at))),
        ),
        schedule_status=schedule_status_lines(generated_at),
        answers_json=answers_json,
        answers_sha256=answers_sha256,
        answers=tuple(_without_personal(r) for r in responses) if not options.include_contacts else tuple(responses),
        unavailable=tuple(unavailable),
        figures=figures,
        extra_sections=extra,
    )


def _progress_sections(
    store: ResponseStore, options: ReportOptions, attempt: Callable[[str, Callable[[], Any]], Any], frame: Any
) -> tuple[Any, ...]:
    """Coverage and changes-since sections (``analysis.reports.progress_sections``), from the
    report's own counted rows (one per distributor, read once for the whole report): coverage
    counts each distributor's latest answer, so it need not select them again from every answer."""
    from analysis.reports import progress_sections

    def guarded(build: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> Any:
            try:
                return build()
            except Exception as exc:  # a failure here must not lose the rest of the report
                raise sections.SectionUnavailable(str(exc)) from exc

        return run

    built = (attempt(name, guarded(build)) for name, build in progress_sections.section_builders(store, options, frame))
    # Per-distributor tables stay a summary in the report (issue 14), as the distributor table does.
    return tuple(
        dataclasses.replace(b, tables=tuple(cap_table(t, MAX_DISTRIBUTOR_ROWS) for t in b.tables))
        for b in built
        if b is not None
    )


# -- a report stays a report at any size -------------------------------------------------------------

#: Rows a report prints of the distributor table, and of every other per-distributor table. The
#: full data is in the CSV, the XLSX "Responses" sheet and the JSON; the PDF stays a few dozen pages.
MAX_DISTRIBUTOR_ROWS = 25
MAX_SECTION_ROWS = 10
_STATUS_ORDER = {status: i for i, status in enumerate(SigstoreStatus)}


def _need_first(r: SurveyResponse) -> tuple[int, int, str, str]:
    """What the council needs first: least ready for Sigstore, then no ready date, then the latest date."""
    likely = r.ready_by.likely
    return (
        _STATUS_ORDER[r.sigstore_status],
        0 if likely is None else 1,
        "" if likely is None else f"{9999 - likely.year:04d}{12 - likely.month:02d}{31 - likely.day:02d}",
        r.distributor.casefold(),
    )


def cap_table(table: Table, limit: int) -> Table:
    """The first ``limit`` rows (tables come sorted by what matters first) and a note saying so."""
    if len(table.rows) <= limit:
        return table
    note = (
        f"The first {limit:,} of {len(table.rows):,} rows, most urgent first. Every distributor's answers are "
        "in the CSV, the XLSX (Responses sheet) and the JSON export."
    )
    return dataclasses.replace(table, rows=table.rows[:limit], note=f"{table.note} {note}".strip())


def _capped_simulation(section: SimulationSection | None) -> SimulationSection | None:
    """Per-policy exposure tables and the "who is exposed, and why" list, cut to the most exposed
    (they come sorted that way); the Simulator page and ``python -m analysis simulate`` list all."""
    if section is None:
        return None
    return dataclasses.replace(
        section,
        exposures=tuple(cap_table(t, MAX_SECTION_ROWS) for t in section.exposures),
        exposed=section.exposed[: 2 * MAX_SECTION_ROWS],
    )


# -- coded themes ---------------------------------------------------------------------------------


def _themes(store: ResponseStore, latest: list[StoredResponse]) -> list[ThemeSummary]:
    """Reviewer-applied themes on the counted answers, with a few representative quotes.

    Quotes are the shortest tagged texts first (they read best in a summary), then by
    distributor name, so the choice is stable; they are cut at ``QUOTE_CHARS``.
    """
    by_id = {s.response.response_id: s.response for s in latest}
    tags = store.tags_frame()
    themes = store.themes()
    found: list[ThemeSummary] = []
    for theme in themes:
        hits = tags[(tags["theme"] == theme["name"]) & tags["response_id"].isin(list(by_id))]
        pairs = sorted({(rid, fld) for rid, fld in zip(hits["response_id"], hits["field"], strict=True)})
        quotes: list[Quote] = []
        for rid, fld in pairs:
            resp = by_id[rid]
            text = str(getattr(resp, fld, "") or "") if fld in (*TEXT_FIELDS, "verification_tooling") else ""
            if text.strip():
                quotes.append(Quote(resp.distributor, field_label(fld), _cut(text)))
        quotes.sort(key=lambda q: (len(q.text), q.distributor.casefold(), q.field))
        distributors = len({rid for rid, _ in pairs})
        if distributors == 0:
            continue
        found.append(
            ThemeSummary(
                name=theme["name"],
                label=theme["label"],
                description=theme.get("description") or "",
                distributors=distributors,
                quotes=tuple(quotes[:QUOTES_PER_THEME]),
            )
        )
    # Most widespread first: the order a reader needs; ties by label, then the stable name.
    return sorted(found, key=lambda t: (-t.distributors, t.label.casefold(), t.name))


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"
