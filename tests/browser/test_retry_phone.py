"""After "Nie odbiera" on a 390×844 phone: the next try is one tap, and the call record stays honest (issue 15, 4)."""

from __future__ import annotations

import sqlite3

from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS, LiveServer
from tests.browser.interview_pages import new_case
from tests.browser.pages import LoginPage


def _calls_of(live_server: LiveServer, case_id: int) -> list[str]:
    with sqlite3.connect(live_server.database_url.removeprefix("sqlite:///")) as conn:
        return [row[0] for row in conn.execute("SELECT outcome FROM call_attempt WHERE case_id = ? ORDER BY id",
                                               (case_id,))]


def test_no_answer_then_plan_the_next_try_on_phone(page: Page, live_server: LiveServer) -> None:
    case_id = new_case(live_server)
    with sqlite3.connect(live_server.database_url.removeprefix("sqlite:///")) as conn:
        conn.execute("INSERT INTO case_phone (case_id, number, label, position) VALUES (?, '+48601777888', '', 0)",
                     (case_id,))
    LoginPage(page, live_server.url).open().log_in("demo-worker", live_server.password)
    expect(page.get_by_role("heading", level=1, name="Dzisiaj")).to_be_visible()
    page.goto(f"{live_server.url}/today?show=to-call")
    card = page.locator(f"#case-{case_id}")
    card.get_by_role("button", name="Nie odbiera").tap()
    expect(card.get_by_text("Zadzwoń ponownie — zaplanuj na:")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    card.screenshot(path=str(ARTIFACTS / "retry-offered-card.png"))  # the card as the worker sees it
    card.locator("button[name=retry_preset]").first.tap()
    expect(page.locator("#today-status")).to_contain_text("ponowny telefon zaplanowany na")
    expect(page.locator(f"#case-{case_id} .badge-due, #case-{case_id} .badge-late").first).to_be_visible()
    page.locator(f"#case-{case_id}").screenshot(path=str(ARTIFACTS / "retry-booked-card.png"))
    assert _calls_of(live_server, case_id) == ["no_answer"]  # one call made, one call recorded
