"""Reports for Steering Council review: HTML, Markdown, CSV/XLSX, PDF and JSON.

``build_snapshot(store, ReportOptions(...))`` reads the store once into a ``ReportData``; each
format module renders that snapshot, so the formats cannot disagree. No Streamlit here: the CLI,
the Reports page and the tests all call ``render``::

    from analysis.reports import ReportOptions, build_snapshot, render
    data = build_snapshot(store, ReportOptions(policies=("3.14.0b1",), seed=761, draws=2000))
    html = render(data, "html")          # str; "md", "csv", "json" are str too
    xlsx = render(data, "xlsx")          # bytes; "pdf" too (headless Chromium)

    python -m analysis export --format html|md|csv|xlsx|pdf|json --out PATH \
        [--policy P ...] [--include-contacts] [--seed S] [--draws N] [--threshold T] [--html-url URL]

Modules: ``model`` (the immutable data), ``snapshot`` (collection, counting unit, provenance),
``sections`` (adapters to the cross-tab engine, charts and simulator), ``html``, ``markdown``,
``tables`` (CSV/XLSX, formula neutralisation), ``pdf`` and ``render`` (format dispatch).

Determinism: the same data, options and seed give byte-identical HTML/Markdown except the single
"Report generated" line, byte-identical CSV, XLSX and JSON, and a PDF whose only difference is that
printed line (its document dates are the data snapshot time).
"""

from __future__ import annotations

from analysis.reports.model import ReportData, ReportOptions, Table
from analysis.reports.render import FORMATS, MEDIA_TYPES, render, render_bytes
from analysis.reports.snapshot import answers_json_text, build_snapshot, latest_per_distributor

__all__ = [
    "FORMATS",
    "MEDIA_TYPES",
    "ReportData",
    "ReportOptions",
    "Table",
    "answers_json_text",
    "build_snapshot",
    "latest_per_distributor",
    "render",
    "render_bytes",
]
