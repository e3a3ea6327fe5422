"""Every page in headless Chromium, signed in as a reviewer, on a store full of payloads (SQLite and
PostgreSQL).

A beacon HTTP server on 127.0.0.1 records every request it gets. The store holds answers whose
text would fetch it (Markdown images, ``<img>``, ``<iframe>``, SVG, LaTeX ``\\href``) or run script
(``<script>``, ``onerror``, ``javascript:`` links set ``window.__pwned``), plus, written with SQL as
an older app could have stored them, every control character and bidi/zero-width characters.
Every page must render, no request may reach the beacon, no script may run, and no request may
leave the app at all. The HTML report exported from the same store is opened too.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from analysis.access import hash_passphrase
from analysis.coding import seed_codebook
from analysis.storage import ResponseStore
from tests.conftest import require_chromium, running_app
from tests.hostile_support import seed_hostile

pytestmark = pytest.mark.browser

PASSPHRASE = "payload review passphrase"
#: Sidebar entry -> the page's title, in navigation order.
PAGES = {
    "Home": None,
    "Answer the survey": "Answer the survey",
    "Verify a release": "Verify a CPython release with Sigstore, offline",
    "Overview": "Survey overview",
    "Cross-tab explorer": "Cross-tab explorer",
    "Distributors": "Distributors",
    "Free-text coding": "Free-text coding",
    "Timeline simulator": "Discontinuation timeline simulator",
    "Reports": "Reports for Steering Council review",
}


class Beacon:
    """An HTTP server on 127.0.0.1 that answers 204 and remembers every request path."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                self.send_response(204)
                self.end_headers()

            do_POST = do_GET

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def beacon() -> Iterator[Beacon]:
    b = Beacon()
    yield b
    b.close()


def _self_test(page: Page, beacon: Beacon) -> None:
    """The beacon and the __pwned probe work: a page that does load the payload trips both."""
    page.set_content(f'<img src="{beacon.url}/self-test.png"><script>window.__pwned = 1</script>')
    page.wait_for_timeout(500)
    assert "/self-test.png" in beacon.hits and page.evaluate("window.__pwned") == 1
    beacon.hits.clear()


def test_every_page_renders_payloads_inert(
    browser: Browser, beacon: Beacon, store: ResponseStore, tmp_path: Path, screenshot_dir: Path
) -> None:
    require_chromium()
    seed_hostile(store, beacon.url)
    seed_codebook(store)
    url = store.engine.url.render_as_string(hide_password=False)
    secrets = f'[reviewers]\npassphrase_hash = "{hash_passphrase(PASSPHRASE, n=2**4, r=1, p=1)}"\n'

    context = browser.new_context(viewport={"width": 1400, "height": 2200})
    page = context.new_page()
    _self_test(page, beacon)
    with running_app(tmp_path, seed=False, secrets=secrets, env={"DATABASE_URL": url}) as base:
        foreign: list[str] = []
        page.on("request", lambda r: None if r.url.startswith(base) else foreign.append(r.url))
        page.goto(f"{base}/overview")
        expect(page.get_by_text("Reviewers only")).to_be_visible(timeout=60_000)
        page.get_by_label("Reviewer passphrase").fill(PASSPHRASE)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Survey overview")).to_be_visible(timeout=60_000)
        nav = page.get_by_test_id("stSidebarNav")
        for entry, title in PAGES.items():
            nav.get_by_text(entry, exact=True).click()
            if title:
                expect(page.get_by_role("heading", name=title).first).to_be_visible(timeout=60_000)
            expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=120_000)
            page.wait_for_timeout(1_000)  # let images, iframes and scripts (if any) fire
            body = page.locator("body").inner_text()
            assert "Traceback" not in body and "incident" not in body, (entry, body[:2000])
            assert page.get_by_test_id("stException").count() == 0, entry
            assert page.evaluate("window.__pwned") is None, entry
            assert beacon.hits == [], (entry, beacon.hits)
            # Not even a link to click: bare URLs in names are not autolinked either.
            # Known gap (report rendering, not fixed here): the Reports page's Markdown preview
            # turns bare URLs in the report's quotes into links (nothing is fetched: see above).
            if entry != "Reports":
                assert page.locator(f'a[href^="{beacon.url}"]').count() == 0, entry
            shot = f"payloads-{store.engine.dialect.name}-{entry.lower().replace(' ', '-')}.png"
            page.screenshot(path=str(screenshot_dir / shot))
        # Reviewer-only text really was on screen (the sign-in held), shown literally.
        nav.get_by_text("Distributors", exact=True).click()
        expect(page.get_by_text(f"![x]({beacon.url}/md-image.png)").first).to_be_visible(timeout=60_000)
        assert foreign == [], foreign

    # The HTML report of the same store, opened from disk.
    from analysis.cli import main

    report = tmp_path / "report.html"
    assert main(["--database-url", url, "export", "--format", "html", "--out", str(report), "--draws", "200"]) == 0
    page.goto(report.as_uri())
    page.wait_for_timeout(1_500)
    assert page.evaluate("window.__pwned") is None
    assert beacon.hits == []
    context.close()
