"""The verification page in a real browser: what a person sees after verifying a real bundle."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.test_verif_helpers import FIXTURES

pytestmark = pytest.mark.browser

D313 = "12445c7b3db3126c41190bfdc1c8239c39c719404e844babbd015a1bc3fafcd4"


@pytest.mark.parametrize("width", [1024, 1600])
def test_result_digests_and_trust_root_warning_as_seen(
    page: Page, app_server: str, screenshot_dir: Path, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 2400})
    page.goto(f"{app_server}/verify")
    expect(page.get_by_role("heading", name="Verify a CPython release with Sigstore, offline")).to_be_visible(
        timeout=30_000
    )
    page.locator("input[type=file]").first.set_input_files(str(FIXTURES / "Python-3.13.0.tgz.sigstore"))
    expect(page.get_by_text("Expected signer for Python 3.13:")).to_be_visible(timeout=30_000)
    digest_box = page.get_by_role("textbox", name="SHA-256 of the artifact")
    digest_box.fill(D313)
    digest_box.press("Enter")
    page.get_by_role("button", name="Verify", exact=True).click()

    success = page.get_by_test_id("stAlertContentSuccess")
    expect(success).to_contain_text("Verified: sha256:12445c7b3db3", timeout=30_000)
    # The full digest is on screen, wrapped inside its block (nothing cut or scrolled away).
    block = page.get_by_test_id("stCode").filter(has_text=f"sha256:{D313}").first
    expect(block).to_be_visible(timeout=30_000)
    assert D313 in block.inner_text().replace("\n", "")
    box = block.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    scroll, client = block.locator("pre").first.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert scroll <= client + 1, (scroll, client)

    # The stale-root warning: once, after (below) the result, saying exactly what to run.
    warning = page.get_by_test_id("stAlertContentWarning")
    expect(warning).to_have_count(1, timeout=30_000)
    expect(warning).to_contain_text("python -m analysis trust-root update --out trusted_root.json")
    success_box, warning_box = success.bounding_box(), warning.bounding_box()
    assert success_box is not None and warning_box is not None
    assert warning_box["y"] > success_box["y"] + success_box["height"]
    page.screenshot(path=str(screenshot_dir / f"verify-{width}.png"), full_page=True)
