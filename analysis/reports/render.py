"""One entry point for every format, so the CLI and the page cannot drift apart."""

from __future__ import annotations

from analysis.reports.model import ReportData

FORMATS: tuple[str, ...] = ("html", "md", "csv", "xlsx", "pdf", "json")
MEDIA_TYPES: dict[str, str] = {
    "html": "text/html",
    "md": "text/markdown",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "json": "application/json",
}


def render(data: ReportData, fmt: str, *, html_url: str | None = None) -> str | bytes:
    """The report in ``fmt``: text for html/md/csv/json, bytes for xlsx/pdf."""
    if fmt == "html":
        from analysis.reports.html import render_html

        return render_html(data)
    if fmt == "md":
        from analysis.reports.markdown import render_markdown

        return render_markdown(data, html_url=html_url)
    if fmt == "csv":
        from analysis.reports.tables import render_csv

        return render_csv(data)
    if fmt == "xlsx":
        from analysis.reports.tables import render_xlsx

        return render_xlsx(data)
    if fmt == "pdf":
        from analysis.reports.html import render_html
        from analysis.reports.pdf import html_to_pdf

        return html_to_pdf(render_html(data, for_print=True), timestamp=data.snapshot_at)
    if fmt == "json":
        # The canonical format: the same text whose SHA-256 the report prints.
        if not data.answers_json:
            raise ValueError("this report was built without the JSON answers (build_snapshot(answers_json=True))")
        return data.answers_json
    raise ValueError(f"unknown report format {fmt!r} (one of {', '.join(FORMATS)})")


def render_bytes(data: ReportData, fmt: str, *, html_url: str | None = None) -> bytes:
    """Like ``render`` but always bytes (UTF-8 for the text formats), for files and downloads."""
    out = render(data, fmt, html_url=html_url)
    return out.encode("utf-8") if isinstance(out, str) else out
