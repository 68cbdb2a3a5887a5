"""End to end in a real browser (Playwright driving /usr/bin/chromium, headless) against a real server.

An officer records a mother and two children, proposes a separation for IMMIGRATION_HISTORY, sees the
verdicts as they choose the reason, sees it refused without a justification, adds one; the supervisor
approves; headquarters sees it on the dashboard; the officer records the reunification; the audit log
verifies. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import PASSWORD, Web, make_web, write_deliverable

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _chromium() -> None:
    """Skip without /usr/bin/chromium, unless REUNIFY_REQUIRE_BROWSER=1 (CI): then fail."""
    if not CHROMIUM.exists():
        if os.environ.get("REUNIFY_REQUIRE_BROWSER") == "1":
            pytest.fail("REUNIFY_REQUIRE_BROWSER=1 but /usr/bin/chromium is missing")
        pytest.skip("needs /usr/bin/chromium")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Web]]:
    import uvicorn

    web = make_web(f"sqlite:///{tmp_path / 'browser.db'}", write_deliverable(tmp_path / "deliverable"))
    port = _free_port()
    srv = uvicorn.Server(
        uvicorn.Config(web.app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", web
    srv.should_exit = True
    thread.join(timeout=10)
    web.app.state.engine.dispose()


def test_the_whole_flow_in_a_browser(server: tuple[str, Web]) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, web = server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(15_000)
        shot = 0

        def snap(name: str) -> None:
            nonlocal shot
            shot += 1
            page.screenshot(path=str(ARTIFACTS / f"{shot:02d}-{name}.png"), full_page=True)

        def sign_in(username: str) -> None:
            page.goto(f"{base}/login")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")

        def sign_out() -> None:
            page.click("form.signout button")
            expect(page).to_have_url(f"{base}/login")

        # --- the officer records the family
        sign_in("officer")
        expect(page).to_have_url(f"{base}/officer")
        page.click("text=Record an encounter")
        page.select_option("select[name=port_code]", "2304")
        page.fill("input[name=encounter_date]", "2018-05-21")
        people = [
            ("Maria", "Garcia Lopez", "1992-02-03", "F", "PARENT"),
            ("Ana", "Garcia", "2010-06-01", "F", "CHILD"),
            ("Luis", "Garcia", "2017-12-24", "M", "CHILD"),
        ]
        for i, (given, family, dob, sex, role) in enumerate(people):
            page.fill(f"input[name=given_name_{i}]", given)
            page.fill(f"input[name=family_name_{i}]", family)
            page.fill(f"input[name=dob_{i}]", dob)
            page.select_option(f"select[name=sex_{i}]", sex)
            page.select_option(f"select[name=role_{i}]", role)
        snap("encounter-form")
        page.click("#encounter-form button[type=submit]")
        expect(page.locator("h1")).to_contain_text("Encounter #1")
        expect(page.locator("#people tbody tr")).to_have_count(3)

        for child in ("2", "3"):
            page.select_option("#relationship-form select[name=adult_id]", "1")
            page.select_option("#relationship-form select[name=kind]", "MOTHER")
            page.select_option("#relationship-form select[name=child_id]", child)
            page.select_option("#relationship-form select[name=verification_method]", "BIRTH_CERTIFICATE")
            page.click("#relationship-form button[type=submit]")
        expect(page.locator("#relationships tbody tr")).to_have_count(2)

        # --- proposes the separation: the verdicts appear as the reason is chosen
        page.check("input.reason[value=IMMIGRATION_HISTORY]")
        expect(page.locator("#verdict-message")).to_contain_text("justification")
        expect(page.locator("#verdicts .verdict.inconsistent").first).to_be_visible()
        expect(page.locator("#verdicts blockquote").first).not_to_be_empty()
        page.fill("textarea[name=narrative]", "Mother separated due to two previous removals.")
        snap("verdicts-as-the-officer-types")
        page.click("#separation-form button[type=submit]")
        # refused without a justification; nothing typed is lost
        expect(page.locator("main > .flash.error")).to_contain_text("write a justification")
        expect(page.locator("textarea[name=narrative]")).to_have_value(
            "Mother separated due to two previous removals."
        )
        expect(page.locator("input.reason[value=IMMIGRATION_HISTORY]")).to_be_checked()
        snap("refused-without-justification")
        page.fill("#justification", "Port director's instruction; prior removals confirmed in EARM.")
        page.click("#separation-form button[type=submit]")
        expect(page.locator("#status")).to_have_text("PENDING_APPROVAL")
        snap("separation-pending")
        sep_url = page.url
        sign_out()

        # --- the supervisor approves
        sign_in("supervisor")
        expect(page).to_have_url(f"{base}/supervisor")
        page.click("table.separations a >> nth=0")
        page.fill("#decide textarea[name=note]", "Approved: justification reviewed.")
        snap("supervisor-deciding")
        page.click("#decide button[value=approve]")
        expect(page.locator("#status")).to_have_text("APPROVED")
        sign_out()

        # --- headquarters sees it on the dashboard
        sign_in("headquarters")
        expect(page).to_have_url(f"{base}/dashboard")
        expect(page.locator("#kpi-total")).to_have_text("1")
        expect(page.locator("#kpi-unapproved")).to_have_text("0")
        expect(page.locator(".chart svg")).to_have_count(5)
        expect(page.locator("#notifications")).to_contain_text("IMMIGRATION_HISTORY")
        snap("headquarters-dashboard")
        sign_out()

        # --- the officer records the reunification
        sign_in("officer")
        page.goto(sep_url)
        page.fill("#reunification_date", "2018-07-10")
        page.click("#reunification-form button[type=submit]")
        expect(page.locator("#status")).to_have_text("REUNIFIED")
        expect(page.locator("#reunification")).to_contain_text("2018-07-10")
        snap("reunified")
        sign_out()

        # --- the audit log verifies
        sign_in("admin")
        page.goto(f"{base}/log")
        expect(page.locator("#log-status")).to_contain_text("verifies")
        snap("audit-log-verifies")
        browser.close()

    from reunify import auditlog

    with web.app.state.session_factory() as session:
        result = auditlog.verify(session)
    assert result.ok
    assert result.entries > 20
