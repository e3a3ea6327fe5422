"""Reports for Steering Council review: HTML, Markdown, CSV/XLSX, PDF and JSON.

``build_snapshot`` reads the store once into a ``ReportData``; each format module renders that
snapshot. No Streamlit here: the CLI (``python -m analysis export``), the reports page and the
tests all call ``render``.
"""

from __future__ import annotations

from analysis.reports.model import ReportData, ReportOptions, Table
from analysis.reports.render import FORMATS, MEDIA_TYPES, render, render_bytes
from analysis.reports.snapshot import build_snapshot, latest_per_distributor

__all__ = [
    "FORMATS",
    "MEDIA_TYPES",
    "ReportData",
    "ReportOptions",
    "Table",
    "build_snapshot",
    "latest_per_distributor",
    "render",
    "render_bytes",
]
