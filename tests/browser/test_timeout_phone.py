"""A session time-out mid-interview on a phone loses nothing: same tab, new tab, another device via the resume page.

The server runs with a 15-second idle limit (TELEWYWIAD_SESSION_IDLE_MINUTES accepts fractions); the tests wait
past it for real, type into three fields, log in again, and check every value in the database.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import LiveServer, screenshot, serve_demo
from tests.browser.interview_pages import SAVED, Runner, new_case, start_interview
from tests.browser.pages import LoginPage, assert_fits_phone

IDLE_MINUTES = 0.25
KEPT = "Zachowano — zapisze się po ponownym zalogowaniu"
TYPED = {"full_name": "Halina Wróblewska-Żak", "city": "Władysławowo", "postcode": "84-120"}


@pytest.fixture(scope="module")
def short_idle_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server whose sessions time out after 15 idle seconds, with the demo data."""
    yield from serve_demo(tmp_path_factory, "short-idle", TELEWYWIAD_SESSION_IDLE_MINUTES=str(IDLE_MINUTES))


@pytest.fixture(autouse=True)
def _patient_expect() -> Iterator[None]:
    """Logins hash passwords on a shared, busy machine: allow more than the default 5 s per expectation."""
    expect.set_options(timeout=20_000)
    yield
    expect.set_options(timeout=5_000)


def _stored(server: LiveServer, interview_url: str) -> dict[str, str]:
    interview_id = int(interview_url.split("/interviews/")[1].split("?")[0].split("#")[0])
    with sqlite3.connect(Path(server.database_url.removeprefix("sqlite:///"))) as conn:
        rows = conn.execute("SELECT key, raw FROM answer WHERE interview_id = ?", (interview_id,)).fetchall()
        drafts = conn.execute("SELECT count(*) FROM resume_draft").fetchone()[0]
    return {**dict(rows), "_drafts": str(drafts)}


def _open_section_a(page: Page, server: LiveServer) -> str:
    LoginPage(page, server.url).open().log_in("demo-worker", server.password)
    expect(page.get_by_role("heading", level=1, name="Dzisiaj")).to_be_visible()
    url = start_interview(page, server, new_case(server))
    base = url.split("#")[0].split("?")[0]
    page.goto(base + "?section=safety")
    runner = Runner(page)
    runner.answer("safe_to_talk", "Tak")  # the interview's questions show once it is safe to talk
    expect(runner.status("safe_to_talk")).to_have_text(SAVED)
    section = base + "?section=segment_a"
    page.goto(section)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dane osoby i rodziny")
    return section


def _time_out_and_type_three(page: Page) -> Runner:
    """One answer saved, the session runs out for real, then three fields are typed."""
    runner = Runner(page)
    runner.answer("full_name", "Halina Wróblewska")
    expect(runner.status("full_name")).to_have_text(SAVED)
    page.wait_for_timeout(IDLE_MINUTES * 60_000 + 3_000)
    runner.answer("full_name", TYPED["full_name"])
    expect(runner.status("full_name")).to_have_text(KEPT)
    expect(page.locator("#session-banner")).to_be_visible()
    runner.answer("city", TYPED["city"])
    runner.answer("postcode", TYPED["postcode"])
    return runner


def _expect_values_on_screen(page: Page) -> None:
    runner = Runner(page)
    for key, value in TYPED.items():
        expect(runner.block(key).locator("input:not([type=hidden])")).to_have_value(value)


def test_logging_in_again_in_the_same_tab_stores_all_three(page: Page, short_idle_server: LiveServer) -> None:
    """The banner's login link (same tab) sends what was typed last, and the interview stores all three values."""
    section = _open_section_a(page, short_idle_server)
    _time_out_and_type_three(page)
    screenshot(page, "timeout-kept-phone")
    # Tapped at once: the last two values may still be waiting for their autosave; the link sends them first.
    page.get_by_role("link", name="Zaloguj się ponownie", exact=True).tap()
    LoginPage(page, short_idle_server.url).log_in("demo-worker", short_idle_server.password)
    expect(page.get_by_text("Zapisano 3 odpowiedzi wpisane po wygaśnięciu sesji.")).to_be_visible()
    _expect_values_on_screen(page)
    assert_fits_phone(page)
    stored = _stored(short_idle_server, section)
    assert {k: stored[k] for k in TYPED} == TYPED and stored["_drafts"] == "0"


def test_other_device_sends_them_back_from_the_resume_page(
    page: Page, short_idle_server: LiveServer, browser: Browser, browser_context_args: dict[str, Any]
) -> None:
    """Logging in on another phone shows the kept answers in plain words; one tap stores them on the interview."""
    section = _open_section_a(page, short_idle_server)
    runner = _time_out_and_type_three(page)
    for key in TYPED:
        expect(runner.status(key)).to_have_text(KEPT)

    other = browser.new_context(**browser_context_args)
    try:
        laptop = other.new_page()
        LoginPage(laptop, short_idle_server.url).open().log_in("demo-worker", short_idle_server.password)
        expect(laptop.get_by_role("heading", level=1, name="Niewysłane dane")).to_be_visible()
        card = laptop.locator(".draft").filter(has_text="Wywiad — sprawa TEST/")
        for text in ("A. Dane osoby i rodziny", "Miejscowość", "Kod pocztowy", *TYPED.values()):
            expect(card).to_contain_text(text)
        for technical in ("_rev", "client_id", "full_name"):
            expect(card).not_to_contain_text(technical)
        assert_fits_phone(laptop)
        screenshot(laptop, "timeout-resume-phone")
        card.get_by_role("button", name="Wróć do wywiadu i zapisz").tap()
        expect(laptop.get_by_text("Zapisano 3 odpowiedzi wpisane po wygaśnięciu sesji.")).to_be_visible()
        _expect_values_on_screen(laptop)
    finally:
        other.close()
    stored = _stored(short_idle_server, section)
    assert {k: stored[k] for k in TYPED} == TYPED and stored["_drafts"] == "0"


def test_logging_in_in_a_new_tab_and_the_old_tab_catches_up(page: Page, short_idle_server: LiveServer) -> None:
    """Logged in again in a new tab: the interview there has the values, and the old tab shows them saved."""
    section = _open_section_a(page, short_idle_server)
    runner = _time_out_and_type_three(page)
    for key in TYPED:
        expect(runner.status(key)).to_have_text(KEPT)
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="w nowej karcie").tap()
    tab = opened.value
    LoginPage(tab, short_idle_server.url).log_in("demo-worker", short_idle_server.password)
    expect(tab.get_by_text("Zapisano 3 odpowiedzi wpisane po wygaśnięciu sesji.")).to_be_visible()
    _expect_values_on_screen(tab)

    page.bring_to_front()
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    for key in TYPED:
        expect(runner.status(key)).to_have_text(SAVED, timeout=15_000)
    expect(page.locator("#session-banner")).to_be_hidden()
    stored = _stored(short_idle_server, section)
    assert {k: stored[k] for k in TYPED} == TYPED and stored["_drafts"] == "0"
