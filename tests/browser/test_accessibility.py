"""Accessibility: axe-core (WCAG 2.1 A/AA) finds nothing on every main page at phone and desktop width;
an interview section can be completed with the keyboard alone."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import LiveServer, screenshot
from tests.browser.interview_pages import SAVED, new_case, start_interview
from tests.browser.pages import LoginPage

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
VIEWPORTS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 800}, "is_mobile": False, "has_touch": False},
}
AXE = Axe()


def _db(live_server: LiveServer) -> sqlite3.Connection:
    return sqlite3.connect(live_server.database_url.removeprefix("sqlite:///"))


def _one(live_server: LiveServer, sql: str, *params: object) -> int:
    with _db(live_server) as conn:
        row = conn.execute(sql, params).fetchone()
    assert row is not None, f"demo data has nothing for: {sql}"
    return int(row[0])


def _pages(live_server: LiveServer, role: str) -> list[str]:
    """The main pages of a role, with ids of the demo records they show."""
    if role == "anonymous":
        return ["/login", "/contact", "/contact?lang=en", "/contact/guides/epuap"]
    if role == "demo-worker":
        mine = "SELECT id FROM interview WHERE state = ? AND worker_id = (SELECT id FROM user_account WHERE username = ?)"
        in_progress = _one(live_server, mine, "in_progress", role)
        finished = _one(live_server, mine, "finished", role)
        case = _one(live_server, "SELECT case_id FROM interview WHERE id = ?", in_progress)
        return ["/today", "/cases", "/cases?q=kowal", f"/cases/{case}", "/cases/new",
                f"/interviews/{in_progress}?section=metadata", f"/interviews/{in_progress}?section=segment_a",
                f"/interviews/{in_progress}?section=wellbeing", f"/interviews/{in_progress}/finish",
                f"/interviews/{finished}/summary", "/referrals/mine", "/reports", "/account",
                "/rota", "/duty", "/directory", "/directory/me", "/guides/epuap", f"/cases/{case}/guides/epuap",
                f"/cases/{case}/documents"]
    if role == "demo-psychologist":
        referral = _one(live_server, "SELECT id FROM referral ORDER BY id")
        return ["/referrals", f"/referrals/{referral}", "/account"]
    if role == "demo-supervisor":
        report = _one(live_server, "SELECT id FROM report ORDER BY id")
        return ["/review", "/review/dashboard", "/review/verify", f"/reports/{report}", "/cases/team",
                "/account/signing", "/rota/setup", "/rota/absences", "/duty", "/statistics", "/exports/cases"]
    office = _one(live_server, "SELECT office_id FROM user_account WHERE username = ?", role)
    return ["/admin/users", "/admin/users/new", "/audit", "/admin/directory", "/admin/directory/numbers/new",
            "/admin/offices", f"/admin/offices/{office}", f"/admin/offices/{office}/settings",
            f"/admin/offices/{office}/helplines", f"/admin/offices/{office}/helplines/adults_emotional_crisis",
            f"/admin/offices/{office}/forms"]


@pytest.fixture(params=list(VIEWPORTS), scope="module")
def viewport(request: pytest.FixtureRequest) -> str:
    """Phone (390×844, touch) and desktop (1280×800) widths."""
    return str(request.param)


def _context(browser: Browser, viewport: str) -> BrowserContext:
    return browser.new_context(**VIEWPORTS[viewport], locale="pl-PL", timezone_id="Europe/Warsaw")


@pytest.fixture
def role_page(browser: Browser, viewport: str) -> Iterator[Page]:
    """A fresh browser context at the viewport's size."""
    context = _context(browser, viewport)
    yield context.new_page()
    context.close()


def _violations(page: Page) -> list[dict[str, Any]]:
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
    found: list[dict[str, Any]] = results.response["violations"]
    return found


def _describe(path: str, violations: list[dict[str, Any]]) -> list[str]:
    return [f"{path}: {v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(n["html"][:140] for n in v["nodes"][:4]) for v in violations]


@pytest.mark.parametrize("role", ["anonymous", "demo-worker", "demo-psychologist", "demo-supervisor", "demo-admin"])
def test_main_pages_have_no_wcag_violations(role_page: Page, live_server: LiveServer, role: str, viewport: str) -> None:
    """axe-core with the WCAG 2.1 A and AA rules finds no violation on any main page of the role."""
    page = role_page
    if role != "anonymous":
        _log_in(page, live_server, role, live_server.password)
        expect(page.locator("h1")).not_to_have_text("Logowanie")
    problems: list[str] = []
    for path in _pages(live_server, role):
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, f"{path} answered {response and response.status}"
        page.wait_for_load_state("networkidle")
        found = _violations(page)
        if found:
            screenshot(page, f"axe-{viewport}-{re.sub(r'[^a-z0-9]+', '-', path)}")
        problems += _describe(path, found)
    assert problems == [], "\n".join(problems)


def _log_in(page: Page, live_server: LiveServer, username: str, password: str) -> None:
    LoginPage(page, live_server.url).open()
    page.get_by_label("Nazwa użytkownika").fill(username)
    page.get_by_label("Hasło").fill(password)
    page.get_by_label("Hasło").press("Enter")  # works at both widths (tap needs a touch screen)


def test_error_states_have_no_wcag_violations(role_page: Page, live_server: LiveServer, viewport: str) -> None:
    """Messages next to fields (a wrong password, an empty application form, an invalid answer) pass axe too."""
    page = role_page
    _log_in(page, live_server, "demo-worker", "to-nie-jest-hasło")
    expect(page.get_by_role("alert")).to_be_visible()
    problems = _describe("/login (wrong password)", _violations(page))
    _log_in(page, live_server, "demo-worker", live_server.password)
    expect(page.get_by_role("heading", level=1, name="Dzisiaj")).to_be_visible()
    page.goto(live_server.url + "/cases/new")
    page.get_by_role("button", name="Zarejestruj wniosek").press("Enter")
    expect(page.locator("[aria-invalid=true]").first).to_be_visible()
    problems += _describe("/cases/new (empty)", _violations(page))
    start_interview(page, live_server, new_case(live_server))
    page.locator("input[name='number_called']").fill("12")
    page.locator("input[name='number_called']").press("Tab")
    expect(page.locator("input[name='number_called'][aria-invalid=true]")).to_be_visible()
    problems += _describe("interview (invalid phone number)", _violations(page))
    if problems:
        screenshot(page, f"axe-{viewport}-errors")
    assert problems == [], "\n".join(problems)


def _tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has the focus (reading focus only; no clicks)."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} never received focus with Tab")


def test_interview_section_completed_with_keyboard_only(browser: Browser, live_server: LiveServer) -> None:
    """A worker fills a whole section with Tab, Space, Enter and typing only; every answer is saved."""
    context = _context(browser, "desktop")
    page = context.new_page()
    try:
        LoginPage(page, live_server.url).open()
        page.keyboard.press("Tab")  # skip link
        _tab_to(page, "input[name='username']")
        page.keyboard.type("demo-worker")
        page.keyboard.press("Tab")
        page.keyboard.type(live_server.password)
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1, name="Dzisiaj")).to_be_visible()
        interview_url = start_interview(page, live_server, new_case(live_server))
        interview_id = int(re.search(r"/interviews/(\d+)", interview_url).group(1))  # type: ignore[union-attr]
        expect(page.get_by_role("heading", level=1, name="Dane rozmowy")).to_be_visible()

        # Phone number: type it.
        _tab_to(page, "input[name='number_called']")
        page.keyboard.type("601 234 567")
        # Who answered: the first choice, "the person" — Space on the focused radio.
        _tab_to(page, "input[name='answered_by']")
        page.keyboard.press("Space")
        # Identity confirmed by PESEL and date of birth: the first checkbox, Space.
        _tab_to(page, "input[name='identity_confirmation']")
        page.keyboard.press("Space")
        expect(page.locator("#q-identity_confirmation .answer-state")).to_contain_text(SAVED)
        expect(page.locator("#q-answered_by .answer-state")).to_contain_text(SAVED)
        expect(page.locator("#q-number_called .answer-state")).to_contain_text(SAVED)
        screenshot(page, "keyboard-section")
        # Go on with Enter on the "next" button.
        _tab_to(page, "button[name='_go'][value='next']")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1, name="Bezpieczeństwo rozmowy")).to_be_visible()
    finally:
        context.close()
    with _db(live_server) as conn:
        saved = dict(conn.execute("SELECT key, value FROM answer WHERE interview_id = ? AND valid", (interview_id,)))
    assert saved["number_called"] == '"+48601234567"'
    assert saved["answered_by"] == '"person"'
    assert saved["identity_confirmation"] == '["pesel_dob"]'
