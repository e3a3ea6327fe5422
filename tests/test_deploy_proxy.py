"""The shared deployment end to end: real nginx (the shipped site file) in front of two real app
replicas on one PostgreSQL, driven by headless Chromium.

* an answer submitted through the proxy appears on a review page served by the OTHER replica
  (which replica served is read from nginx's access log, WebSocket included, and the
  ``X-Survey-Replica`` header);
* a replica killed with SIGKILL mid-session loses no acknowledged answer, and the proxy serves that
  browser's next request from the other replica.
"""

from __future__ import annotations

import os
import re
import signal
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import create_engine, text

from analysis.storage import open_store
from deploy.local import Cluster, cluster
from tests.conftest import IN_CI
from tests.survey_browser_support import fill_required_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.postgres]
LOAD = 60_000


@pytest.fixture
def rig(pg_url: str, tmp_path: Path) -> Iterator[Cluster]:
    if not Path("/usr/sbin/nginx").exists():
        if IN_CI:
            pytest.fail("CI=true but nginx is missing: .ci/run installs it")
        pytest.skip("nginx not installed")
    open_store(pg_url).engine.dispose()  # migrated once, as `python -m analysis migrate` would
    with cluster(pg_url, replicas=2, env={"SURVEY_DATA_DIR": str(tmp_path / "var")}) as running:
        yield running


def replica_of(rig: Cluster, sticky: str) -> int:
    """The replica port nginx sends a browser with this sticky cookie to (asked through nginx)."""
    req = urllib.request.Request(f"{rig.url}/_stcore/health", headers={"Cookie": f"survey_replica={sticky}"})  # noqa: S310
    with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 - loopback
        return int(resp.headers["X-Survey-Replica"].rsplit(":", 1)[1])


def stream_ports(rig: Cluster, sticky: str, expected: set[int]) -> set[int]:
    """Replicas that served this browser's WebSocket (/_stcore/stream), per nginx's access log.

    nginx logs a WebSocket when it closes: the caller closes the browser first, and this waits a
    little for the line to appear.
    """
    deadline = time.monotonic() + 15
    while True:
        ports = set()
        for line in rig.access_log.read_text().splitlines():
            if "/_stcore/stream" in line and f"sticky={sticky}" in line:
                ports.update(int(p) for p in re.findall(r"127\.0\.0\.1:(\d+)", line.split("upstream=", 1)[1]))
        if ports == expected or time.monotonic() > deadline:
            return ports
        time.sleep(0.2)


def browser_on(browser: Browser, rig: Cluster, sticky: str) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 2400})
    context.add_cookies([{"name": "survey_replica", "value": sticky, "url": rig.url}])
    return context, context.new_page()


def submit(page: Page, rig: Cluster, name: str) -> None:
    page.goto(f"{rig.url}/survey")
    expect(page.get_by_role("heading", name="Answer the survey")).to_be_visible(timeout=LOAD)
    fill_required_in_browser(page, name)
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_text(f"your answers for {name} are saved")).to_be_visible(timeout=LOAD)


def stored_names(pg_url: str) -> list[str]:
    engine = create_engine(pg_url)
    try:
        with engine.connect() as conn:
            return [r[0] for r in conn.execute(text("SELECT distributor FROM response_latest ORDER BY distributor"))]
    finally:
        engine.dispose()


def test_submit_through_the_proxy_and_review_on_the_other_replica(
    rig: Cluster, browser: Browser, pg_url: str, screenshot_dir: Path
) -> None:
    # Two browsers whose sticky cookies land on different replicas.
    first = "respondent-a"
    port_a = replica_of(rig, first)
    second = next(s for s in (f"reviewer-{i}" for i in range(200)) if replica_of(rig, s) != port_a)
    port_b = replica_of(rig, second)
    assert {port_a, port_b} == set(rig.replicas)

    ctx_a, page_a = browser_on(browser, rig, first)
    submit(page_a, rig, "Proxy Linux")
    ctx_a.close()
    assert stream_ports(rig, first, {port_a}) == {port_a}
    assert stored_names(pg_url) == ["Proxy Linux"]

    ctx_b, page_b = browser_on(browser, rig, second)
    response = page_b.goto(f"{rig.url}/distributors")
    assert response is not None and response.headers["x-survey-replica"].endswith(f":{port_b}")
    expect(page_b.get_by_role("heading", name="Proxy Linux")).to_be_visible(timeout=LOAD)
    page_b.screenshot(path=str(screenshot_dir / "proxy-review-other-replica.png"))
    ctx_b.close()
    assert stream_ports(rig, second, {port_b}) == {port_b}


def test_a_replica_killed_mid_session_loses_no_acknowledged_answer(
    rig: Cluster, browser: Browser, pg_url: str, screenshot_dir: Path
) -> None:
    sticky = "killed-session"
    victim = replica_of(rig, sticky)
    (survivor,) = set(rig.replicas) - {victim}
    ctx, page = browser_on(browser, rig, sticky)
    submit(page, rig, "Acknowledged Linux")  # the edit link was shown: the answer is acknowledged

    os.kill(rig.replicas[victim].pid, signal.SIGKILL)
    rig.replicas[victim].wait(timeout=10)

    # The same browser's next request: nginx finds the replica gone and asks the other one.
    response = page.goto(f"{rig.url}/distributors")
    assert response is not None and response.status == 200
    assert response.headers["x-survey-replica"].endswith(f":{survivor}")
    expect(page.get_by_role("heading", name="Acknowledged Linux")).to_be_visible(timeout=LOAD)
    page.screenshot(path=str(screenshot_dir / "proxy-after-kill.png"))
    # And in the database, whoever reads it.
    assert stored_names(pg_url) == ["Acknowledged Linux"]
    # Submitting again goes on working on the survivor.
    submit(page, rig, "After Kill Linux")
    assert stored_names(pg_url) == ["Acknowledged Linux", "After Kill Linux"]
    ctx.close()
    # The session's WebSocket ran on the victim until the kill, then on the survivor.
    assert stream_ports(rig, sticky, {victim, survivor}) == {victim, survivor}
