"""The in-call flow on a 390×844 phone (issue 15): no CSP errors, no leave prompts on "Dalej", the question being
answered stays in view when a flag fires, "Dalej" right after "Tak"; screenshots to look at."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS, LiveServer, screenshot
from tests.browser.interview_pages import Runner, new_case, start_interview
from tests.browser.pages import LoginPage


def _watch(page: Page) -> dict[str, list[Any]]:
    """Console errors, page errors and dialogs (the "leave page?" prompt) for the whole journey."""
    seen: dict[str, list[Any]] = {"console": [], "dialogs": []}
    page.on("console", lambda msg: seen["console"].append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: seen["console"].append(str(exc)))

    def dialog(d: Any) -> None:
        seen["dialogs"].append(d.type)
        d.dismiss()

    page.on("dialog", dialog)
    return seen


def _in_view(page: Page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + min(box["height"], 200) <= 844


def test_in_call_journey_on_phone(page: Page, live_server: LiveServer) -> None:
    seen = _watch(page)
    LoginPage(page, live_server.url).open().log_in("demo-worker", live_server.password)
    expect(page.get_by_role("heading", level=1, name="Dzisiaj")).to_be_visible()
    runner_url = start_interview(page, live_server, new_case(live_server))
    runner = Runner(page)
    runner.answer_all({"number_called": "601 234 567", "answered_by": "Osoba, której dotyczy wywiad",
                       "identity_confirmation": ["Inny sposób"]})
    # Point 3: type and tap "Dalej" at once — no "leave page?" prompt, the answer arrives with the post.
    runner.answer("identity_other", "Zna sygnaturę sprawy")
    runner.next()
    expect(page.get_by_role("heading", level=1, name="Bezpieczeństwo rozmowy")).to_be_visible()
    assert seen["dialogs"] == []

    # Point 2: before "Tak" only the safety screens are open; after it the button says "Dalej" at once.
    expect(page.locator("#go-next")).to_have_text("Sprawdź i zakończ")
    runner.answer_all({"safe_to_talk": "Tak"})
    expect(page.locator("#go-next")).to_have_text("Dalej")
    expect(page.locator("#section-position")).not_to_have_text(re.compile(r"z 2$"))

    # Point 1: a flag fires while answering low on the screen; the question stays where it was.
    page.goto(f"{runner_url.split('?')[0]}?section=wellbeing")
    expect(page.locator("#flags-box")).to_have_attribute("data-fired", "0")
    question = "#q-suicidal_thoughts"
    page.locator(question).scroll_into_view_if_needed()
    before = page.locator(question).bounding_box()
    runner.answer_all({"suicidal_thoughts": "Tak"})
    expect(page.locator("#flags-box")).to_have_attribute("data-fired", re.compile(r"[1-9]"))
    expect(page.locator("#flags-announce")).to_contain_text("Nowy sygnał ryzyka")
    after = page.locator(question).bounding_box()
    assert before is not None and after is not None
    assert abs(after["y"] - before["y"]) < 5, (before, after)
    assert _in_view(page, question)
    expect(page.locator(".flags-banner")).to_be_in_viewport()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "in-call-flag-banner-viewport.png"))  # what the worker sees
    page.locator(".flags-banner").tap()
    expect(page.locator("#flag-suicide_risk")).to_be_visible()
    expect(page.locator("#flag-suicide_risk .flag-why")).not_to_contain_text("Plan")
    page.locator("#flag-suicide_risk details.dismiss summary").tap()
    page.screenshot(path=str(ARTIFACTS / "in-call-flag-panel-open-viewport.png"))

    page.get_by_role("link", name="Zakończ wywiad…").tap()
    expect(page.get_by_role("heading", level=1, name="Zakończenie wywiadu")).to_be_visible()
    screenshot(page, "in-call-finish")
    page.goto(f"{live_server.url}/today")
    screenshot(page, "in-call-today")

    # Point 10: the strict CSP refused nothing during the whole journey.
    assert seen["console"] == [], seen["console"]
    assert seen["dialogs"] == []
