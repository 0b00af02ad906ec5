"""On a phone a worker logs a failed call, books a call-back, and reaches the case page from an answered call."""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.cases_pages import CasePage, TodayPage
from tests.browser.conftest import LiveServer, screenshot
from tests.browser.pages import LoginPage, assert_fits_phone, assert_touch_targets

PERSON = "Stanisław Kęsicki"  # a new demo application of demo-worker, with no call-back booked


def test_worker_calls_from_the_today_list(page: Page, live_server: LiveServer) -> None:
    """Failed call → status line; call-back → the person moves to "Oddzwonienia"; answered → the case page."""
    LoginPage(page, live_server.url).open("/today").log_in("demo-worker", live_server.password)
    today = TodayPage(page, live_server.url)
    expect(page.get_by_role("heading", level=1, name="Dzisiaj")).to_be_visible()
    expect(today.item(PERSON, section="Nowe wnioski – zadzwoń")).to_be_visible()
    expect(today.item(PERSON).get_by_role("link", name="Zadzwoń 604 567 804")).to_have_attribute(
        "href", "tel:+48604567804"
    )
    assert_fits_phone(page)
    assert_touch_targets(page)
    screenshot(page, "cases-today")

    today.tap_outcome(PERSON, "Nie odbiera")
    expect(page.get_by_role("status").filter(has_text="zapisano „nie odbiera”")).to_be_visible()
    expect(today.item(PERSON)).to_contain_text("Ostatnio: nie odbiera")

    # The server keeps the real clock (no time-machine there): a call-back twenty minutes on, unless that is
    # already tomorrow, when one five minutes ago (accepted, shown as overdue) stays on today's list.
    now = datetime.now(ZoneInfo("Europe/Warsaw"))
    later = now + timedelta(minutes=20)
    overdue = later.date() != now.date()
    if overdue:
        later = now - timedelta(minutes=5)
    today.book_call_back(PERSON, later.strftime("%Y-%m-%dT%H:%M"), "Oddzwonić po dwudziestu minutach.")
    callbacks = today.item(PERSON, section="Oddzwonienia")
    expect(callbacks).to_be_visible()
    expect(callbacks).to_contain_text(f"{'zaległe od' if overdue else 'oddzwoń o'} {later.strftime('%H:%M')}")
    expect(callbacks).to_contain_text("Oddzwonić po dwudziestu minutach.")
    assert_fits_phone(page)
    screenshot(page, "cases-today-callback")

    today.tap_outcome(PERSON, "Odebrał(a)")
    expect(page).to_have_url(re.compile(r"/cases/\d+\?answered=\d+$"))
    expect(page.get_by_role("heading", level=1, name=PERSON)).to_be_visible()
    expect(page.get_by_text("Połączenie odebrane")).to_be_visible()
    expect(page.locator(".call-history")).to_contain_text("Odebrał(a)")
    assert_fits_phone(page)
    assert_touch_targets(page)
    screenshot(page, "cases-detail")

    # The answered call starts the interview, linked to the case and to that call.
    page.get_by_role("button", name="Rozpocznij wywiad").tap()
    expect(page).to_have_url(re.compile(r"/interviews/\d+"))
    interview_id = int(re.search(r"/interviews/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    with sqlite3.connect(live_server.database_url.removeprefix("sqlite:///")) as conn:
        linked = conn.execute(
            "SELECT i.form_id, a.outcome, c.applicant_name FROM interview i JOIN call_attempt a ON a.id = i.call_attempt_id"
            " JOIN case_file c ON c.id = i.case_id WHERE i.id = ?",
            (interview_id,),
        ).fetchone()
    assert linked == ("rws", "answered", PERSON)


def test_registration_form_on_phone_keeps_input_and_flags_duplicates(page: Page, live_server: LiveServer) -> None:
    """The registration form fits a phone, warns about a duplicate phone as it is typed, and keeps input on errors."""
    LoginPage(page, live_server.url).open("/cases/new").log_in("demo-worker", live_server.password)
    expect(page.get_by_role("heading", level=1, name="Nowy wniosek")).to_be_visible()
    page.get_by_label("Imię i nazwisko").fill("Halina Wróblewska-Nowa")
    page.locator("#f-phone_1").fill("601 234 501")
    page.get_by_label("PESEL").fill("44051401358")  # wrong check digit
    page.get_by_label("E-mail").click()  # leaving the phone field fires the live duplicate check
    expect(page.locator("#duplicates")).to_contain_text("Możliwy duplikat")
    expect(page.locator("#duplicates")).to_contain_text("ten sam telefon")
    page.get_by_label("Jak wpłynął").select_option("epuap")
    page.get_by_label("Żywność").check()
    assert_fits_phone(page)
    assert_touch_targets(page)
    page.get_by_role("button", name="Zarejestruj wniosek").tap()
    expect(page.locator("#f-pesel-error")).to_contain_text("cyfrę kontrolną")
    expect(page.get_by_label("Imię i nazwisko")).to_have_value("Halina Wróblewska-Nowa")
    expect(page.get_by_label("Żywność")).to_be_checked()
    assert_fits_phone(page)
    screenshot(page, "cases-register-errors")


def test_case_page_crosses_out_a_wrong_number_and_books_a_preset(page: Page, live_server: LiveServer) -> None:
    """The demo's wrong number is struck through (the good one is the tel: link); one preset tap books a call-back."""
    name = "Marianna Jóźwiak"
    with sqlite3.connect(live_server.database_url.removeprefix("sqlite:///")) as conn:
        row = conn.execute("SELECT id FROM case_file WHERE applicant_name = ?", (name,)).fetchone()
    LoginPage(page, live_server.url).open(f"/cases/{row[0]}").log_in("demo-worker", live_server.password)
    case = CasePage(page, live_server.url)
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()
    phones = page.locator("section", has=page.get_by_role("heading", name="Telefon"))
    expect(phones.get_by_role("link", name="Zadzwoń 507 123 416")).to_have_attribute("href", "tel:+48507123416")
    expect(phones.locator("s")).to_have_text("696 789 016")
    expect(phones.get_by_role("button", name="Numer jednak poprawny 696 789 016")).to_be_visible()
    assert_fits_phone(page)
    assert_touch_targets(page)
    screenshot(page, "cases-detail-wrong-number")

    more = case.open_call_more()
    expect(more.get_by_role("button", name=re.compile("^za 2 dni robocze"))).to_be_visible()
    assert_fits_phone(page)
    assert_touch_targets(page)
    screenshot(page, "cases-detail-presets")
    violations = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
                                          "resultTypes": ["violations"]}).response["violations"]
    assert [v["id"] for v in violations] == []
    case.tap_call_back_preset("za 2 dni robocze")
    expect(page.get_by_text(re.compile("Oddzwonienie dodane do listy na "))).to_be_visible()
    expect(page.locator(".call-history li").first).to_contain_text("Prosi o telefon później")
