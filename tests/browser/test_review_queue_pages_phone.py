"""On a 390×844 phone: a long review queue is paged, and the pager is usable by touch and announces the page."""

from __future__ import annotations

import datetime as dt

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from sqlmodel import Session

from app.auth.models import Role
from app.cases.models import Case, Channel
from app.clock import local_today, utcnow
from app.db import make_engine
from app.interviews.models import Interview, InterviewState
from app.reports.models import Report
from app.reports.states import ReportState
from tests.browser.conftest import LiveServer, screenshot
from tests.browser.pages import LoginPage, assert_fits_phone, assert_touch_targets
from tests.factories import PASSWORD, make_office, make_user

WAITING = 60


def _seed_long_queue(server: LiveServer) -> str:
    """An office of its own (the demo office's queue stays as other tests expect) with 60 waiting reports."""
    engine = make_engine(server.database_url)
    with Session(engine) as db:
        office = make_office(db, "Miejski Ośrodek Pomocy Rodzinie w Łebie")
        worker = make_user(db, office, Role.WORKER, username="leba-pracownik", full_name="Grażyna Żółć")
        make_user(db, office, Role.SUPERVISOR, username="leba-kierownik", full_name="Ścibor Łęcki")
        start = utcnow() - dt.timedelta(days=2)
        for n in range(WAITING):
            case = Case(office_id=office.id or 0, reference=f"RWS/2026/L{n:03d}", applicant_name=f"Źdźbło {n:03d}",
                        channel=Channel.EPUAP, received_on=local_today(), assigned_worker_id=worker.id,
                        due_on=local_today() + dt.timedelta(days=n % 5 - 1))
            db.add(case)
            db.flush()
            interview = Interview(office_id=office.id or 0, case_id=case.id or 0, worker_id=worker.id or 0,
                                  form_id="rws", form_version=1, state=InterviewState.FINISHED)
            db.add(interview)
            db.flush()
            db.add(Report(office_id=office.id or 0, interview_id=interview.id or 0, case_id=case.id or 0,
                          worker_id=worker.id or 0, state=ReportState.SUBMITTED,
                          submitted_at=start + dt.timedelta(minutes=n)))
        db.commit()
    engine.dispose()
    return "leba-kierownik"


def test_review_queue_second_page_on_phone(page: Page, live_server: LiveServer) -> None:
    """50 reports on page 1; "Następna" opens page 2 with the rest, marked as the current page; nothing sticks
    out at 390 px, every pager link is a 44 px target, axe finds no WCAG 2.1 AA violation."""
    supervisor = _seed_long_queue(live_server)
    LoginPage(page, live_server.url).open("/review").log_in(supervisor, PASSWORD)
    expect(page.get_by_role("heading", name="Do zatwierdzenia")).to_be_visible()
    pager = page.get_by_role("navigation", name="Strony")
    expect(page.locator(".queue-item")).to_have_count(50)
    expect(pager.get_by_role("link", name="Strona 1 z 2")).to_have_attribute("aria-current", "page")

    pager.get_by_role("link", name="Następna").tap()
    expect(page).to_have_url(f"{live_server.url}/review?page=2")
    expect(page.locator(".queue-item")).to_have_count(WAITING - 50)
    expect(page.get_by_text("RWS/2026/L059")).to_be_visible()
    expect(pager.get_by_role("link", name="Strona 2 z 2")).to_have_attribute("aria-current", "page")
    expect(pager.get_by_role("link", name="Poprzednia")).to_be_visible()
    assert_fits_phone(page)
    assert_touch_targets(page)
    screenshot(page, "review-queue-page-2-phone")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
                                       "resultTypes": ["violations"]})
    assert results.response["violations"] == []
