"""On a phone: the risk-flag panel changes with the very save that fires a flag, and only then (issue 14)."""

from __future__ import annotations

from playwright.sync_api import Page, Request, expect

from tests.browser.conftest import LiveServer, screenshot
from tests.browser.interview_pages import Runner, new_case, start_interview
from tests.browser.pages import LoginPage, assert_fits_phone


def test_flag_arrives_with_the_save_that_fires_it(page: Page, live_server: LiveServer) -> None:
    """No second request per save: the panel loads once with the page, then comes out of band only on a change."""
    LoginPage(page, live_server.url).open().log_in("demo-worker", live_server.password)
    expect(page.get_by_role("heading", level=1, name="Dzisiaj")).to_be_visible()
    url = start_interview(page, live_server, new_case(live_server))
    runner = Runner(page)
    page.goto(url.split("?")[0] + "?section=safety")
    runner.answer_all({"safe_to_talk": "Tak"})
    flag_requests: list[str] = []

    def note(request: Request) -> None:
        if "/flags" in request.url:
            flag_requests.append(request.url)

    page.on("request", note)
    page.goto(url.split("?")[0] + "?section=wellbeing")
    panel = page.locator("#flags-panel")
    expect(panel.locator(".flags-none")).to_contain_text("nie wskazują")
    with page.expect_response(lambda r: "/answers" in r.url) as unchanged:
        runner.answer("fear_about_future", "Brak")
    assert 'id="flags-panel"' not in unchanged.value.text()
    expect(runner.status("fear_about_future")).to_have_text("Zapisano")
    with page.expect_response(lambda r: "/answers" in r.url) as fired:
        runner.answer("suicidal_thoughts", "Tak")
    assert 'id="flags-panel"' in fired.value.text()
    # The compact banner (issue 15) counts the flag and announces it; the flag itself is one tap away.
    expect(panel.locator("#flags-box")).to_have_attribute("data-fired", "1")
    expect(page.locator("#flags-announce")).to_contain_text("Nowy sygnał ryzyka")
    panel.locator(".flags-banner").tap()
    expect(panel.locator("#flag-suicide_risk")).to_be_visible()
    expect(runner.block("suicide_plan")).to_be_visible()
    assert len(flag_requests) == 1, flag_requests  # the page's own load, nothing per save
    assert_fits_phone(page)
    screenshot(page, "runner-flag-fired-by-autosave")
    with page.expect_response(lambda r: "/answers" in r.url) as cleared:
        runner.answer("suicidal_thoughts", "Nie")
    assert 'id="flags-panel"' in cleared.value.text()
    expect(panel.locator("#flag-suicide_risk")).to_have_count(0)
    expect(panel.locator("#flags-box")).to_have_attribute("data-fired", "0")
    expect(panel.locator(".flags-none")).to_be_visible()  # the banner stays open as the worker left it
