"""report.html opens from disk in headless Chromium and its charts render."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .deliverable_builder import Built

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip

pytestmark = pytest.mark.browser


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs /usr/bin/chromium (apt-get install chromium)")
def test_charts_render_in_chromium_offline(oig_report: Built, artifacts: Path, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.on("request", lambda r: requests.append(r.url))
            page.goto((oig_report.out / "report.html").as_uri())
            assert page.locator("svg .mark-rect path").count() > 0
            for chart in ("figure1", "figure2", "ports", "claims", "consistency", "port_month", "estimate"):
                box = page.locator(f'[data-chart="{chart}"] svg').bounding_box()
                assert box is not None, chart
                assert box["width"] > 100, chart
                assert box["height"] > 50, chart
            bars = page.locator('[data-chart="figure1"] svg .mark-rect path').count()
            assert bars >= 4
            labels = page.locator('[data-chart="figure1"] svg .mark-text text').all_text_contents()
            assert {"35", "13", "10", "2"} <= set(labels)
            shot = tmp_path / "report.png"
            page.screenshot(path=str(shot), full_page=True)
            shutil.copyfile(shot, artifacts / "report.png")
        finally:
            browser.close()
    assert all(url.startswith("file://") for url in requests), "the page fetched something from the network"
