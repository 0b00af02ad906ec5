"""Confirmation and reminder e-mails on a local SMTP server: the checklist, the entry rules and a valid .ics."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time, timedelta
from email.message import Message
from typing import Any

from flask.testing import FlaskCliRunner
from icalendar import Calendar
from sqlmodel import Session, select

from app.appointments import booking, notices
from app.appointments.booking import BookingForm
from app.appointments.calendar import local_moment
from app.auth.models import Role, User
from app.cli import main
from app.clock import LOCAL_TZ, to_local, utcnow
from app.config import ReferralSettings
from app.referrals.mail import send_outbox
from app.referrals.models import OutboxMessage
from app.workdays import is_working_day
from tests.integration.appointments.conftest import VisitOffice, at, next_working_day, principal, slot


def _parts(message: Message) -> tuple[str, Calendar]:
    body, ics = "", None
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            body = part.get_payload(decode=True).decode("utf-8")  # type: ignore[union-attr]
        elif part.get_content_type() == "text/calendar":
            assert part.get_filename() == "wizyta.ics"
            ics = Calendar.from_ical(part.get_payload(decode=True))  # type: ignore[arg-type]
    assert ics is not None, "no .ics attached"
    return body, ics


def test_confirmation_carries_checklist_rules_and_a_valid_ics(
    db: Session, user_factory: Callable[..., User], visit_office: VisitOffice, mail_settings: ReferralSettings,
    start_smtp: Any, ctx: None,
) -> None:
    """The delivered e-mail: date, time, place, desk, checklist, entry rules; the .ics parses back to the same event."""
    actor = principal(db, user_factory(Role.RECEPTION))
    day = next_working_day()
    appointment = booking.book(db, actor=actor, case=None, form=BookingForm(
        person_name="Zofia Źdźbło", phone="", email="zofia@example.org", reason_id=str(visit_office.documents.id),
        kind="in_person", slot=slot(visit_office.desks[1], day, 9, 30)))
    db.commit()
    inbox = start_smtp()
    report = send_outbox(db, settings=mail_settings)
    assert (report.sent, report.failed) == (1, 0)
    [message] = inbox.messages
    assert message["To"] == "zofia@example.org" and "Potwierdzenie terminu" in message["Subject"]
    body, ics = _parts(message)
    for text in ("09:30–10:00", "Sala obsługi", "Stanowisko 2", "Złożenie dokumentów", "– dowód osobisty",
                 "– zaświadczenie o dochodach", "Dezynfekcja rąk przy wejściu.", "Odstęp 2 m."):
        assert text in body, text
    assert "Zofia" not in body  # only what is needed: the person's own address, no name in the text
    assert ics["METHOD"] == "PUBLISH"
    [event] = ics.walk("VEVENT")
    assert event.decoded("DTSTART") == at(day, 9, 30).astimezone(LOCAL_TZ)
    assert event.decoded("DTEND") == at(day, 10).astimezone(LOCAL_TZ)
    assert str(event["DTSTART"].params["TZID"]) == "Europe/Warsaw" and ics.walk("VTIMEZONE")
    assert "Stanowisko 2" in str(event["LOCATION"]) and "zaświadczenie o dochodach" in str(event["DESCRIPTION"])
    assert str(event["UID"]).startswith(f"appointment-{appointment.id}-")
    assert int(event["SEQUENCE"]) == 0


def test_reminder_goes_the_working_day_before_once(
    db: Session, user_factory: Callable[..., User], visit_office: VisitOffice, ctx: None
) -> None:
    """A Friday run reminds of Monday's visit; a second run queues nothing; a weekend run does nothing."""
    actor = principal(db, user_factory(Role.RECEPTION))
    friday = date(2027, 3, 5)
    monday = friday + timedelta(days=3)
    booked_at = local_moment(friday - timedelta(days=3), time(9))
    appointment = booking.book(db, actor=actor, case=None, now=booked_at, form=BookingForm(
        person_name="Jan Przypominany", email="jan@example.org", reason_id=str(visit_office.consultation.id),
        kind="in_person", slot=slot(visit_office.desks[0], monday, 8)))
    other = booking.book(db, actor=actor, case=None, now=booked_at, form=BookingForm(
        person_name="Jan Później", email="pozniej@example.org", reason_id=str(visit_office.consultation.id),
        kind="in_person", slot=slot(visit_office.desks[0], monday + timedelta(days=1), 8)))
    db.commit()
    saturday_run = notices.queue_reminders(db, now=local_moment(friday + timedelta(days=1), time(7)))
    assert saturday_run.skipped_day_off and saturday_run.queued == []
    first = notices.queue_reminders(db, now=local_moment(friday, time(7)))
    second = notices.queue_reminders(db, now=local_moment(friday, time(8)))
    db.commit()
    assert first.queued == [appointment.id] and second.queued == []
    reminders = db.exec(select(OutboxMessage).where(OutboxMessage.kind == notices.KIND_REMINDER)).all()
    assert len(reminders) == 1 and reminders[0].recipients == "jan@example.org"
    assert "Przypomnienie" in reminders[0].subject and "dokumenty sprawy" in reminders[0].body
    assert other.reminder_queued_at is None


def test_remind_command_is_idempotent(
    runner: FlaskCliRunner, db: Session, user_factory: Callable[..., User], visit_office: VisitOffice, ctx: None
) -> None:
    """`telewywiad appointments remind` twice: one reminder for the next working day's visit (none on a day off)."""
    actor = principal(db, user_factory(Role.RECEPTION))
    appointment = booking.book(db, actor=actor, case=None, form=BookingForm(
        person_name="Jan Jutro", email="jutro@example.org", reason_id=str(visit_office.consultation.id),
        kind="in_person", slot=slot(visit_office.desks[0], next_working_day(), 8)))
    appointment.created_at -= timedelta(days=3)  # booked earlier: today's confirmation does not stand in for it
    db.add(appointment)
    db.commit()
    for _ in range(2):
        result = runner.invoke(main, args=["appointments", "remind"])
        assert result.exit_code == 0, result.output
    db.expire_all()
    reminders = db.exec(select(OutboxMessage).where(OutboxMessage.kind == notices.KIND_REMINDER)).all()
    assert len(reminders) == (1 if is_working_day(to_local(utcnow()).date()) else 0)
