"""The guided interview on a phone: a whole RWS with skip logic, and a network cut mid-interview."""

from __future__ import annotations

import re

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import LiveServer, screenshot
from tests.browser.interview_pages import SAVED, Runner, new_case, start_interview
from tests.browser.pages import LoginPage, assert_fits_phone, assert_touch_targets


def _log_in(page: Page, live_server: LiveServer) -> None:
    LoginPage(page, live_server.url).open().log_in("demo-worker", live_server.password)
    _heading(page, "Dzisiaj")


def _heading(page: Page, name: str) -> None:
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()


def test_whole_interview_on_phone_with_skip_logic(page: Page, live_server: LiveServer) -> None:
    """A worker runs the RWS end to end at 390×844: Polish text, skip logic live, mandatory segments, finish."""
    _log_in(page, live_server)
    start_interview(page, live_server, new_case(live_server))
    runner = Runner(page)
    _heading(page, "Dane rozmowy")
    expect(page.locator(".call-timer-value")).to_have_text(re.compile(r"\d+:\d\d"))

    # Skip logic: "someone else answered" reveals the name question at once, without leaving the screen.
    expect(runner.block("answered_by_name")).to_be_hidden()
    runner.answer_all({"number_called": "601 234 567", "answered_by": "Członek rodziny", "identity_confirmation": ["Inny sposób"]})
    expect(runner.block("answered_by_name")).to_be_visible()
    expect(runner.block("identity_other")).to_be_visible()
    runner.answer_all({"answered_by_name": "Józef Gęślą, mąż", "identity_other": "Zna sygnaturę sprawy i datę złożenia wniosku"})
    assert_fits_phone(page)
    assert_touch_targets(page)
    screenshot(page, "interview-section")
    runner.next()

    _heading(page, "Bezpieczeństwo rozmowy")
    expect(page.get_by_text("Przeczytaj:").first).to_be_visible()
    runner.answer_all({"safe_to_talk": "Tak"})
    expect(runner.block("safe_callback_times")).to_be_hidden()
    runner.next()

    _heading(page, "Pouczenie o odpowiedzialności karnej")
    runner.answer_all({"instruction_acknowledged": "Tak", "instruction_time": "10:15"})
    runner.next()
    runner.next()  # optional segments: none apply

    expect(page.get_by_role("heading", level=1)).to_contain_text("Dane osoby i rodziny")
    runner.answer_all(
        {
            "full_name": "Żaneta Gęślą-Jaźń",
            "birth_date": "03.05.1978",
            "address": "ul. Źdźbłowa 5 m. 12",
            "postcode": "80-180",
            "city": "Gdańsk",
            "phone": "601 234 567",
        }
    )
    page.get_by_role("button", name="Dodaj osobę").tap()
    runner.answer_all(
        {"household.0.member_name": "Łucja Jaźń", "household.0.member_relation": "Dziecko", "household.0.member_birth_date": "12.06.2012"}
    )
    runner.answer_all({"household.0.member_income_source": "Brak dochodu"})
    expect(runner.block("household.0.member_income_amount")).to_be_hidden()

    # Jump straight to segment H with the section menu.
    page.get_by_text("Sekcje — przejdź do dowolnej").tap()
    page.locator("#section-list").get_by_role("link", name=re.compile("Potrzeby")).tap()
    runner.answer_all({"needs": ["Żywność", "Inne"]})
    expect(runner.block("needs_other")).to_be_visible()
    runner.answer_all({"needs_other": "Opał na zimę — węgiel"})
    runner.next()
    runner.answer_all({"art7_reasons": ["Ubóstwo"], "worker_assessment": "Rodzina w trudnej sytuacji; dochód poniżej kryterium."})
    runner.next()
    runner.answer_all(
        {"proposed_help": ["Praca socjalna (art. 45)"], "plan_description": "Zasiłek celowy na opał; kontakt za tydzień.", "psych_referral": "Nie"}
    )
    runner.next()

    _heading(page, "Zakończenie wywiadu")
    page.get_by_role("button", name=re.compile("Zakończ")).tap()
    _heading(page, "Podsumowanie wywiadu")
    expect(page.get_by_text("Żaneta Gęślą-Jaźń")).to_be_visible()
    expect(page.get_by_text("Opał na zimę — węgiel")).to_be_visible()
    assert_fits_phone(page)


def test_finish_too_early_lists_missing_items(page: Page, live_server: LiveServer) -> None:
    """Finishing with gaps lists each missing item as a link that opens its question."""
    _log_in(page, live_server)
    start_interview(page, live_server, new_case(live_server))
    runner = Runner(page)
    page.goto(page.url + "?section=safety")
    runner.answer_all({"safe_to_talk": "Tak"})
    page.get_by_role("link", name="Zakończ wywiad…").tap()
    _heading(page, "Zakończenie wywiadu")
    expect(page.get_by_role("heading", name="Nie można jeszcze zakończyć — brakuje:")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "interview-finish-problems")
    # The name came from the case (segment A is carried forward); the date of birth is still missing.
    expect(page.get_by_role("link", name="Brak wymaganej odpowiedzi: Imię i nazwisko")).to_have_count(0)
    page.get_by_role("link", name="Brak wymaganej odpowiedzi: Data urodzenia").tap()
    expect(page.locator("#f-q-birth_date")).to_be_visible()
    assert page.url.endswith("#q-birth_date")


def test_network_cut_mid_interview_loses_nothing(page: Page, context: BrowserContext, live_server: LiveServer) -> None:
    """Offline answers stay on screen as "nie zapisano — ponawiam", are saved when the network returns, and survive a reload."""
    _log_in(page, live_server)
    start_interview(page, live_server, new_case(live_server))
    runner = Runner(page)
    page.goto(page.url + "?section=safety")
    runner.answer_all({"safe_to_talk": "Tak"})
    page.goto(page.url.split("?")[0] + "?section=segment_a")
    runner.answer_all({"full_name": "Bożydar Żółć"})

    context.set_offline(True)
    runner.answer("full_name", "Bożydar Żółć-Gęślą")
    runner.answer("city", "Świnoujście")
    runner.answer("postcode", "72-600")
    for key in ("full_name", "city", "postcode"):
        expect(runner.status(key)).to_have_text(re.compile("nie zapisano — ponawiam", re.I), timeout=10000)
    expect(runner.block("city")).to_have_attribute("data-unsaved", "true")
    expect(runner.block("city").locator("input[type=text]")).to_have_value("Świnoujście")
    assert_fits_phone(page)
    screenshot(page, "interview-offline")

    context.set_offline(False)
    for key in ("full_name", "city", "postcode"):
        expect(runner.status(key)).to_have_text(SAVED, timeout=15000)
    expect(runner.block("city")).to_have_attribute("data-unsaved", "false")

    page.reload()
    expect(runner.block("full_name").locator("input[type=text]")).to_have_value("Bożydar Żółć-Gęślą")
    expect(runner.block("city").locator("input[type=text]")).to_have_value("Świnoujście")
    expect(runner.block("postcode").locator("input[type=text]")).to_have_value("72-600")
