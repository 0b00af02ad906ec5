"""On a phone: a suicide flag fires mid-interview, the worker records consent and confirms, the psychologist sees it first."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from app.auth.models import User
from app.cases.models import Case, CasePhone, Channel
from app.clock import local_today
from app.db import make_engine
from app.interviews.models import Answer, Interview
from app.referrals.models import Priority, Referral, ReferralState
from tests.browser.conftest import LiveServer, screenshot
from tests.browser.pages import LoginPage, assert_fits_phone, assert_touch_targets

PERSON = "Bożydar Łącki-Źródłowski"
ANSWERS = {
    "mode": "phone_15o",
    "safe_to_talk": True,
    "full_name": PERSON,
    "phone": "+48601202303",
    "pesel": "44051401359",
    "address": "ul. Tajna 13",
    "fear_about_future": "strong",
    "suicidal_thoughts": True,
    "suicide_plan": False,
    "lives_alone": True,
    "has_support_person": False,
    "psych_best_time": "po 17:00",
    "psych_communication_needs": "słabo słyszy",
}


def _arrange_interview(server: LiveServer) -> int:
    """A case of demo-worker with an interview in progress whose answers raise the suicide flag (as the runner saves them)."""
    engine = make_engine(server.database_url, autocommit=True)
    with Session(engine, expire_on_commit=False) as db:
        worker = db.exec(select(User).where(User.username == "demo-worker")).one()
        case = Case(
            office_id=worker.office_id, reference="BROWSER/REF/1", applicant_name=PERSON, channel=Channel.PHONE,
            received_on=local_today(), assigned_worker_id=worker.id,
        )
        db.add(case)
        db.flush()
        db.add(CasePhone(case_id=case.id or 0, number="+48601202303"))
        interview = Interview(office_id=worker.office_id, case_id=case.id or 0, worker_id=worker.id or 0, form_id="rws", form_version=1)
        db.add(interview)
        db.flush()
        for key, value in ANSWERS.items():
            db.add(Answer(interview_id=interview.id or 0, key=key, value=json.dumps(value), raw=str(value), updated_by_id=worker.id or 0))
        # A quiet morning: the demo's urgent referral was dealt with, so today's is the most urgent one.
        for referral in db.exec(select(Referral).where(Referral.priority == Priority.URGENT)).all():
            referral.state = ReferralState.CLOSED
            db.add(referral)
        db.commit()
        interview_id = interview.id or 0
    engine.dispose()
    return interview_id


def _log_in(page: Page, server: LiveServer, username: str) -> None:
    page.context.clear_cookies()
    LoginPage(page, server.url).open().log_in(username, server.password)
    expect(page).not_to_have_url(re.compile(r"/login"))


def test_demo_list_shows_states_and_overdue_on_phone(page: Page, live_server: LiveServer) -> None:
    """The psychologist's start page lists the demo referrals, urgent first, the overdue one highlighted."""
    _log_in(page, live_server, "demo-psychologist")
    expect(page.get_by_role("heading", level=1, name="Zgłoszenia do psychologa")).to_be_visible()
    first = page.locator("li.referral").first
    expect(first).to_contain_text("Bożena Szczęsna")
    expect(first).to_contain_text("po terminie")
    assert_fits_phone(page)
    assert_touch_targets(page)
    screenshot(page, "referrals-list-demo")
    page.get_by_role("link", name="Piotr Żmuda").tap()
    expect(page.get_by_role("heading", level=1, name="Piotr Żmuda")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "referral-detail")


def test_flag_confirmed_with_consent_reaches_the_top_of_the_psychologists_list(page: Page, live_server: LiveServer) -> None:
    """Worker: the urgent banner shows 112 and helplines; consent recorded; the psychologist sees the person first."""
    interview_id = _arrange_interview(live_server)
    _log_in(page, live_server, "demo-worker")
    page.goto(f"{live_server.url}/interviews/{interview_id}/flags")
    banner = page.locator("#flag-suicide_risk")
    expect(banner).to_contain_text("Osoba mówi o myślach lub planach samobójczych")
    expect(banner).to_contain_text("Na podstawie odpowiedzi: Myśli samobójcze")
    expect(banner.get_by_role("link", name="112")).to_have_attribute("href", "tel:112")
    expect(banner.get_by_role("link", name="800 70 2222")).to_be_visible()
    assert_fits_phone(page)
    assert_touch_targets(page)
    screenshot(page, "referrals-flags-panel")

    banner.get_by_role("link", name="Potwierdź i skieruj do psychologa").tap()
    expect(page.get_by_role("heading", level=1, name="Skierowanie do psychologa")).to_be_visible()
    expect(page.get_by_label("Imię i nazwisko")).to_have_value(PERSON)
    expect(page.locator("#f-phone")).to_have_value("+48 601 202 303")
    expect(page.get_by_text("ul. Tajna 13")).to_have_count(0)
    page.get_by_label("nic – nie było bezpośredniego zagrożenia").check()
    page.get_by_label("Tak, zgadza się").check()
    page.get_by_label("Krótka notatka dla psychologa").fill("Prosi o telefon jeszcze dziś.")
    assert_fits_phone(page)
    assert_touch_targets(page)
    screenshot(page, "referrals-new-form")
    page.get_by_role("button", name="Wyślij do psychologa").tap()
    expect(page.get_by_text("Skierowanie wysłano do psychologów.")).to_be_visible()
    expect(page.locator("#flag-suicide_risk")).to_contain_text("potwierdzony")
    screenshot(page, "referrals-flag-confirmed")

    _log_in(page, live_server, "demo-psychologist")
    first = page.locator("li.referral").first
    expect(first).to_contain_text(PERSON)
    expect(first).to_contain_text("pilne")
    expect(first).to_contain_text("słabo słyszy")
    expect(first).to_contain_text("Prosi o telefon jeszcze dziś.")
    assert "Tajna" not in page.content()
    assert_fits_phone(page)
    screenshot(page, "referrals-list-top")
    first.get_by_role("button", name="Przyjmij").tap()
    expect(page.locator("li.referral").first).to_contain_text("Prowadzi")
