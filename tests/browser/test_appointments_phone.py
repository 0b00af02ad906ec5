"""Issue 17 at 390×844: a worker books an in-person visit from the case page in two taps; the confirmation e-mail
(on a local SMTP server) carries the checklist and an .ics that parses back; a second booking of the same desk and
time from a page opened earlier is refused with the typed data kept; the front desk marks the person arrived.
Every page passes axe (WCAG 2.1 AA)."""

from __future__ import annotations

import email
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from icalendar import Calendar
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from app.appointments.models import Appointment
from app.clock import LOCAL_TZ
from app.db import make_engine
from tests.browser.appointment_pages import BookingPage, DayPage
from tests.browser.conftest import LiveServer, screenshot
from tests.browser.pages import LoginPage, assert_fits_phone, assert_touch_targets
from tests.browser.test_accessibility import _describe, _violations
from tests.integration.referrals.test_referral_mail import Inbox
from tests.serverproc import free_port

EMAIL = "osoba.umawiana@example.org"
REASON = "Złożenie wniosku i dokumentów"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    """A local SMTP server on a free port."""
    handler, port = Inbox(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def _db(live_server: LiveServer) -> sqlite3.Connection:
    return sqlite3.connect(live_server.database_url.removeprefix("sqlite:///"))


def _phone_page(browser: Browser, live_server: LiveServer, username: str) -> Page:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  locale="pl-PL", timezone_id="Europe/Warsaw")
    page = context.new_page()
    LoginPage(page, live_server.url).open().log_in(username, live_server.password)
    expect(page.locator("h1")).not_to_have_text("Logowanie")
    return page


def _axe(page: Page, label: str) -> list[str]:
    page.wait_for_load_state("networkidle")
    return _describe(label, _violations(page))


def test_book_confirm_refuse_and_mark_arrived(
    page: Page, browser: Browser, live_server: LiveServer, inbox: tuple[Inbox, int]
) -> None:
    """The whole front-desk journey of issue 17 on a phone, with the e-mail and calendar entry checked."""
    problems: list[str] = []
    with _db(live_server) as conn:
        case_id, name = conn.execute(
            "SELECT c.id, c.applicant_name FROM case_file c JOIN user_account u ON u.id = c.assigned_worker_id "
            "WHERE u.username = 'demo-worker' AND c.state != 'closed' ORDER BY c.id DESC").fetchone()

    # A second worker (the front desk) opens the booking page first and leaves it open.
    other = _phone_page(browser, live_server, "demo-reception")
    other.goto(live_server.url + "/appointments/new")
    other.get_by_label("Imię i nazwisko").fill("Grażyna Druga-Źródło")
    other.get_by_label("Telefon").fill("600 700 800")
    BookingPage(other).choose_reason(REASON)

    # The worker books from the case page: the link, the reason, one slot.
    LoginPage(page, live_server.url).open().log_in("demo-worker", live_server.password)
    expect(page.get_by_role("heading", level=1, name="Dzisiaj")).to_be_visible()
    page.goto(f"{live_server.url}/cases/{case_id}")
    page.get_by_role("link", name="Umów wizytę lub rozmowę").tap()
    expect(page.get_by_role("heading", level=1, name=f"Umów wizytę: {name}")).to_be_visible()
    expect(page.get_by_label("Imię i nazwisko")).to_have_value(name)
    page.get_by_label("E-mail").fill(EMAIL)
    booking = BookingPage(page)
    booking.choose_reason(REASON)
    expect(page.locator("#slots")).to_contain_text("Stanowisko 1")
    assert_fits_phone(page)
    assert_touch_targets(page)
    screenshot(page, "appointments-book")
    problems += _axe(page, "booking page with slots")
    first = booking.slot()
    value = first.get_attribute("value")
    assert value is not None
    first.tap()
    expect(page.get_by_role("heading", level=1, name="Potwierdzenie terminu")).to_be_visible()
    appointment_id = int(re.search(r"/appointments/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    read = page.locator(".read-aloud")
    expect(read).to_contain_text("dowód osobisty")
    expect(read).to_contain_text("zdezynfekuj ręce")
    expect(read).to_contain_text("Stanowisko")
    assert_fits_phone(page)
    screenshot(page, "appointments-confirmation")
    problems += _axe(page, "confirmation")

    # The same desk and time from the page opened earlier: refused, the typed data kept.
    BookingPage(other).slot(value).tap()
    expect(other.get_by_role("alert").filter(has_text="został właśnie zajęty")).to_be_visible()
    expect(other.get_by_label("Imię i nazwisko")).to_have_value("Grażyna Druga-Źródło")
    expect(other.get_by_label("Telefon")).to_have_value("600 700 800")
    expect(BookingPage(other).slot(value)).to_have_count(0)  # the list is fresh: the taken slot is gone
    assert_fits_phone(other)
    screenshot(other, "appointments-refused")
    problems += _axe(other, "refused booking")

    # The confirmation e-mail, delivered by the outbox command to the local SMTP server.
    handler, port = inbox
    env = {**live_server.env, "TELEWYWIAD_SMTP_HOST": "127.0.0.1", "TELEWYWIAD_SMTP_PORT": str(port),
           "TELEWYWIAD_SMTP_FROM": "ops@example.org", "TELEWYWIAD_SMTP_STARTTLS": "false"}
    sent = subprocess.run([str(Path(sys.executable).parent / "telewywiad"), "mail", "send-outbox"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert sent.returncode == 0, sent.stderr
    [message] = [m for m in handler.messages if m["To"] == EMAIL]
    parsed = email.message_from_bytes(message.as_bytes())
    body = next(p for p in parsed.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()
    assert "– dowód osobisty" in body and "Zasady wejścia do budynku" in body
    ics_part = next(p for p in parsed.walk() if p.get_content_type() == "text/calendar")
    [event] = Calendar.from_ical(ics_part.get_payload(decode=True)).walk("VEVENT")
    slot_start = datetime.strptime(value.split("@")[1], "%Y-%m-%dT%H:%M").replace(tzinfo=LOCAL_TZ)
    assert event.decoded("DTSTART") == slot_start
    assert "Stanowisko" in str(event["LOCATION"]) and "dowód osobisty" in str(event["DESCRIPTION"])

    # The visit's day comes (the test moves it to now), and the front desk marks the person arrived.
    now = datetime.now(LOCAL_TZ)
    starts = max(now, datetime.combine(now.date(), time(0, 5), tzinfo=LOCAL_TZ))
    engine = make_engine(live_server.database_url, autocommit=True)
    with Session(engine) as db:
        appointment = db.get(Appointment, appointment_id)
        assert appointment is not None
        appointment.starts_at, appointment.ends_at = starts, starts + timedelta(minutes=15)
        db.add(appointment)
        db.commit()
    engine.dispose()
    day = DayPage(other, live_server.url).open()
    card = day.visit(appointment_id)
    expect(card).to_contain_text(name)
    expect(card).to_contain_text(REASON)
    assert_fits_phone(other)
    assert_touch_targets(other)
    problems += _axe(other, "reception day")
    card.get_by_role("button", name=re.compile("^Przyszła")).tap()
    expect(day.visit(appointment_id)).to_contain_text("przyszła osoba")
    screenshot(other, "appointments-day-arrived")
    with _db(live_server) as conn:
        assert conn.execute("SELECT state FROM appointment WHERE id = ?", (appointment_id,)).fetchone() == ("arrived",)
    other.context.close()
    assert problems == [], "\n".join(problems)


def test_visit_setup_pages_pass_axe_on_a_phone(browser: Browser, live_server: LiveServer) -> None:
    """The administrator's visit pages fit a phone and pass axe."""
    page = _phone_page(browser, live_server, "demo-admin")
    problems: list[str] = []
    with _db(live_server) as conn:
        place_id = conn.execute("SELECT id FROM visit_place ORDER BY id").fetchone()[0]
        reason_id = conn.execute("SELECT id FROM visit_reason ORDER BY id").fetchone()[0]
    for path in ("/appointments/setup", f"/appointments/setup/places/{place_id}", f"/appointments/setup/reasons/{reason_id}"):
        page.goto(live_server.url + path)
        assert_fits_phone(page)
        problems += _axe(page, path)
        screenshot(page, "appointments-setup-" + re.sub(r"[^a-z0-9]+", "-", path.strip("/")))
    page.context.close()
    assert problems == [], "\n".join(problems)
