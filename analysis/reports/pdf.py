"""The PDF: the HTML report printed by headless Chromium.

Why Chromium rather than a Python HTML-to-PDF library: the charts are drawn by plotly.js, so only
a browser renders them; printing keeps them as SVG, i.e. vector in the PDF. The browser runs with
networking features off and a throwaway profile; the report itself makes no request (its
Content-Security-Policy forbids them). ``--virtual-time-budget`` lets the inlined scripts finish
drawing before the page is printed.

Page numbers are CSS ``@page`` margin boxes (``counter(page)``), drawn by Chromium itself. The
table of contents gets its page numbers from a first print: Chromium writes the headings as the
PDF's outline (bookmarks, ``--generate-pdf-document-outline``), whose destinations are the pages
the headings landed on; those numbers are filled into the contents and the page is printed again.
Filling in numbers does not move anything (the contents reserve room for them on page 1).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

#: Overridable for machines where Chromium lives elsewhere.
CHROMIUM_ENV = "SURVEY_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
TIMEOUT_SECONDS = 120
#: The page is laid out (and plotly sizes its charts) in a window this wide: the report's side
#: padding (2 x 32 px) plus the printable width of A4 landscape with 12 mm margins (273 mm = 1032
#: CSS px), so the charts fill the printed page instead of keeping a narrower screen size.
WINDOW_SIZE = "1096,1400"
CHROMIUM_FLAGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
#: The empty page-number slot of a contents entry (see ``analysis.reports.html._contents``).
_PAGE_SLOT = re.compile(r'<span class="page" data-num="([0-9.]+)"></span>')
_OUTLINE_NUMBER = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s")


class PdfError(RuntimeError):
    """The PDF could not be produced; the message says what to do."""


def chromium_path() -> str | None:
    """The Chromium executable to use, or None when there is none."""
    candidate = os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM
    if Path(candidate).is_file() and os.access(candidate, os.X_OK):
        return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def html_to_pdf(
    html: str, *, chromium: str | None = None, timeout: float = TIMEOUT_SECONDS, timestamp: datetime | None = None
) -> bytes:
    """Print ``html`` (a self-contained document) to PDF bytes, with page numbers in its contents.

    ``timestamp`` replaces the print time Chromium writes as the document's creation and
    modification dates (the report passes its data snapshot time), so the same HTML always gives
    the same bytes.
    """
    pdf = _print(html, chromium=chromium, timeout=timeout)
    if _PAGE_SLOT.search(html):
        pages = heading_pages(pdf)
        if pages:
            pdf = _print(fill_page_numbers(html, pages), chromium=chromium, timeout=timeout)
    return stamp_dates(pdf, timestamp) if timestamp else pdf


def heading_pages(pdf: bytes) -> dict[str, int]:
    """Section number ("1", "3.2") -> page number (1-based), from the PDF's outline."""
    # pypdf is imported where a PDF is read: every other report format imports this module for
    # ``PdfError`` and need not pay for it (a tenth of an HTML export's start-up).
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError
    from pypdf.generic import Destination

    try:
        reader = PdfReader(io.BytesIO(pdf))
        found: dict[str, int] = {}

        def walk(items: list[object]) -> None:
            for item in items:
                if isinstance(item, list):
                    walk(item)
                    continue
                title = str(getattr(item, "title", "") or "")
                match = _OUTLINE_NUMBER.match(title)
                if not match or match.group(1) in found or not isinstance(item, Destination):
                    continue
                page = reader.get_destination_page_number(item)
                if page is not None:
                    found[match.group(1)] = page + 1

        walk(list(reader.outline))
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise PdfError(f"Chromium wrote a PDF whose outline cannot be read: {exc}") from exc
    return found


def page_count(pdf: bytes) -> int:
    """How many pages ``pdf`` has (what the Reports page tells the reviewer)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        return len(PdfReader(io.BytesIO(pdf)).pages)
    except (PyPdfError, ValueError) as exc:
        raise PdfError(f"the PDF cannot be read back: {exc}") from exc


def fill_page_numbers(html: str, pages: dict[str, int]) -> str:
    """Write each contents entry's page number into its slot (unknown ones stay empty)."""

    def fill(match: re.Match[str]) -> str:
        page = pages.get(match.group(1))
        return match.group(0) if page is None else match.group(0).replace("></span>", f">{page}</span>")

    return _PAGE_SLOT.sub(fill, html)


def _print(html: str, *, chromium: str | None, timeout: float) -> bytes:
    """One headless Chromium print of ``html``."""
    exe = chromium or chromium_path()
    if not exe:
        raise PdfError(
            f"PDF export needs headless Chromium, which was not found at {DEFAULT_CHROMIUM} or on PATH. "
            f"Install it (e.g. apt-get install chromium) or set ${CHROMIUM_ENV}; the HTML report prints "
            "to the same PDF from any browser."
        )
    with tempfile.TemporaryDirectory(prefix="report-pdf-") as tmp:
        page = Path(tmp) / "report.html"
        out = Path(tmp) / "report.pdf"
        page.write_text(html, encoding="utf-8")
        cmd = [
            exe,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={Path(tmp) / 'profile'}",
            "--no-pdf-header-footer",
            "--generate-pdf-document-outline",
            f"--window-size={WINDOW_SIZE}",
            "--virtual-time-budget=10000",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise PdfError(f"Chromium did not finish printing within {timeout:.0f} s") from exc
        except OSError as exc:
            raise PdfError(f"Chromium could not be started ({exe}): {exc}") from exc
        if not out.is_file() or out.stat().st_size == 0:
            tail = (proc.stderr or "").strip().splitlines()[-5:]
            raise PdfError(f"Chromium exited with {proc.returncode} and wrote no PDF: {' / '.join(tail)}")
        return out.read_bytes()


_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:\d{14}[+\-Z]\d{2}'\d{2}'\)")


def stamp_dates(pdf: bytes, when: datetime) -> bytes:
    """Set the Info dictionary's dates to ``when``, in place.

    The replacement has exactly the length of Chromium's own ``D:YYYYMMDDHHMMSS+00'00'``, so the
    cross-reference table's byte offsets stay valid; anything of another shape is left alone.
    """
    stamp = when.astimezone(UTC).strftime("D:%Y%m%d%H%M%S+00'00'").encode()

    def replace(match: re.Match[bytes]) -> bytes:
        new = b"/" + match.group(1) + b" (" + stamp + b")"
        return new if len(new) == len(match.group(0)) else match.group(0)

    return _PDF_DATE.sub(replace, pdf)
