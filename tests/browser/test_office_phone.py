"""Issue 18 on a phone: an anonymous visitor reads /contact (axe clean at 390 and 360 px, no cookie); a worker
opens the ePUAP guide from a case during a call and records the outcome; the supervisor sees this week's rota
with a warning for a section left uncovered."""

from __future__ import annotations

import re
import sqlite3

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import LiveServer, screenshot
from tests.browser.office_pages import CaseGuidePage, ContactPage, RotaPage, axe_violations
from tests.browser.pages import LoginPage, assert_fits_phone, assert_touch_targets

GUIDED_PERSON = "Łucja Ostrowska"  # a new ePUAP application of demo-worker, untouched by other browser tests


def test_anonymous_visitor_reads_the_contact_page_on_a_phone(page: Page, live_server: LiveServer, browser: Browser) -> None:
    """Directory, duty number and hours, the ways to apply, visiting rules; the stopped special number says since
    when; no cookie is set; axe finds nothing at 390 px, 360 px and in English."""
    contact = ContactPage(page, live_server.url).open()
    expect(page.get_by_role("heading", level=1, name="Kontakt z ośrodkiem")).to_be_visible()
    today = contact.section("Dziś")
    expect(today.get_by_role("link", name="600 900 348")).to_have_attribute("href", "tel:+48600900348")
    expect(today).to_contain_text("15:30–19:00")
    expect(contact.section("Sekcje")).to_contain_text("Fundusz alimentacyjny")
    expect(contact.section("Sekcje").get_by_role("link", name="22 100 20 33")).to_have_attribute("href", "tel:+48221002033")
    special = contact.section("Numery specjalne")
    expect(special).to_contain_text("nieczynny od")
    expect(special.get_by_role("link")).to_have_count(0)  # the stopped number is not offered to call
    apply = contact.section("Jak złożyć wniosek")
    for channel in ("Pocztą", "E-mailem", "Przez ePUAP", "Przez Emp@tię", "Do skrzynki na wnioski",
                    "Oddzwonimy do każdej osoby, która złoży wniosek."):
        expect(apply).to_contain_text(channel)
    expect(contact.section("Wizyty w ośrodku")).to_contain_text("tylko po wcześniejszym umówieniu terminu")
    assert page.context.cookies() == []
    assert_fits_phone(page)
    assert_touch_targets(page)
    assert axe_violations(page) == []
    screenshot(page, "contact-390")

    apply.get_by_role("link", name="Jak to zrobić").nth(1).tap()
    expect(page.get_by_role("heading", level=1, name="Wniosek przez ePUAP")).to_be_visible()
    assert axe_violations(page) == []
    assert page.context.cookies() == []

    narrow = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, locale="pl-PL")
    small = narrow.new_page()
    ContactPage(small, live_server.url).open()
    assert_fits_phone(small)
    assert axe_violations(small) == []
    screenshot(small, "contact-360")
    small.get_by_role("link", name="English").tap()
    expect(small.get_by_role("heading", level=1, name="Contacting the office")).to_be_visible()
    expect(small.locator("html")).to_have_attribute("lang", "en")
    assert_fits_phone(small)
    assert axe_violations(small) == []
    assert narrow.cookies() == []
    screenshot(small, "contact-360-en")
    narrow.close()


def _case_id(live_server: LiveServer, name: str) -> int:
    with sqlite3.connect(live_server.database_url.removeprefix("sqlite:///")) as conn:
        row = conn.execute("SELECT id FROM case_file WHERE applicant_name = ?", (name,)).fetchone()
    assert row is not None, f"demo data has no case of {name}"
    return int(row[0])


def test_worker_guides_an_applicant_through_epuap_from_the_case(page: Page, live_server: LiveServer) -> None:
    """Case page → ePUAP guide; three steps ticked (kept on the server as they are ticked); the outcome is recorded
    and shows in the case's contact history with the steps done."""
    case_id = _case_id(live_server, GUIDED_PERSON)
    LoginPage(page, live_server.url).open(f"/cases/{case_id}").log_in("demo-worker", live_server.password)
    expect(page.get_by_role("heading", level=1, name=GUIDED_PERSON)).to_be_visible()
    page.get_by_role("navigation", name="Przewodniki: wniosek elektronicznie").get_by_role("link", name="Wniosek przez ePUAP").tap()
    expect(page.get_by_role("heading", level=1, name="Wniosek przez ePUAP")).to_be_visible()
    guide = CaseGuidePage(page)
    expect(guide.progress).to_have_text("Zrobione kroki: 0 z 7.")
    for step in (1, 2, 3):
        guide.tick(step)
        expect(guide.progress).to_contain_text(f"Zrobione kroki: {step} z 7.")
    assert_fits_phone(page)
    assert_touch_targets(page)
    assert axe_violations(page) == []
    screenshot(page, "guide-epuap-case")
    page.reload()
    expect(page.get_by_label("Zrobione: krok 3", exact=True)).to_be_checked()

    guide.record_outcome("Pani złoży wniosek wieczorem z pomocą wnuczki.")
    expect(page).to_have_url(re.compile(rf"/cases/{case_id}#h-history$"))
    history = page.locator(".call-history li").first
    expect(history).to_contain_text("Poinstruowano, jak złożyć wniosek elektronicznie")
    expect(history).to_contain_text("Wykonane kroki: 3 z 7.")
    expect(history).to_contain_text("Pani złoży wniosek wieczorem z pomocą wnuczki.")
    screenshot(page, "guide-epuap-outcome")


def test_supervisor_sees_this_weeks_rota_with_an_uncovered_section(page: Page, live_server: LiveServer) -> None:
    """The demo's maintenance fund sits wholly in group A: every working day of the week carries the warning,
    on the rota and on the dashboard."""
    LoginPage(page, live_server.url).open("/review/dashboard").log_in("demo-supervisor", live_server.password)
    coverage = page.locator("section.coverage")
    expect(coverage.get_by_role("heading", name=re.compile("Obsada w tym tygodniu"))).to_be_visible()
    expect(coverage).to_contain_text("Fundusz alimentacyjny: cała sekcja w ośrodku")
    page.get_by_role("navigation", name="Menu główne").get_by_role("link", name="Grafik").tap()
    expect(page.get_by_role("heading", level=1, name=re.compile(r"^Grafik: tydzień od"))).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="sekcja ma nikogo albo wszystkich w ośrodku")).to_be_visible()
    first_day = page.locator("section.rota-day").first
    day_name = first_day.get_by_role("heading", level=2).inner_text().split(" dziś")[0].strip()
    fund = RotaPage(page).section_of_day(day_name, "Fundusz alimentacyjny")
    expect(fund).to_contain_text("Cała sekcja w ośrodku naraz")
    expect(fund).to_contain_text("Beata Szymańska")
    assert_fits_phone(page)
    assert_touch_targets(page)
    assert axe_violations(page) == []
    screenshot(page, "rota-week-supervisor")
