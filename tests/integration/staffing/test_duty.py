"""Telephone duty: the duty number, slots that never overlap, who is on duty now in the header, and calls taken on
duty recorded on a case or registered as a new application (channel "telefon dyżurny")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlmodel import Session, select

from app.auth.models import Office, Role, User
from app.cases.models import CallAttempt, CallOutcome, Case, Channel
from app.clock import LOCAL_TZ
from app.db import ENGINE_KEY
from app.staffing.models import DutyCall, DutySettings, DutySlot
from tests.conftest import login, token
from tests.office_fixtures import make_case


def _slot(client: FlaskClient, worker: User, day: str = "2026-03-02", start: str = "15:30", end: str = "19:00",
          **extra: str):  # type: ignore[no-untyped-def]
    data = {"csrf_token": token(client, "/duty"), "worker_id": str(worker.id), "day": day, "start": start, "end": end}
    return client.post("/duty/slots", data={**data, **extra})


def test_the_duty_number_is_checked_and_stored_in_e164(
    monday: time_machine.Coordinates, client: FlaskClient, db: Session, office: Office, login_as: Callable[..., User]
) -> None:
    """A mistyped number stays on screen with the message; a good one is stored as +48…"""
    login_as(Role.SUPERVISOR)
    bad = {"csrf_token": token(client, "/duty"), "number": "662 908 34", "default_start": "15:30", "default_end": "19:00"}
    response = client.post("/duty/settings", data=bad)
    assert response.status_code == 422 and 'value="662 908 34"' in response.get_data(as_text=True)
    assert "Nieprawidłowy numer telefonu." in response.get_data(as_text=True)
    assert db.get(DutySettings, office.id) is None
    good = {**bad, "csrf_token": token(client, "/duty"), "number": "662 908 348", "note": "Także w Wielkanoc."}
    assert client.post("/duty/settings", data=good).status_code == 302
    assert db.get(DutySettings, office.id).number == "+48662908348"  # type: ignore[union-attr]


def test_an_overlapping_duty_is_refused_naming_the_one_it_overlaps(
    monday: time_machine.Coordinates, client: FlaskClient, db: Session, user_factory: Callable[..., User]
) -> None:
    """One duty phone, one duty at a time: 18:00–20:00 after 15:30–19:00 is refused, 19:00–20:00 is fine."""
    boss = user_factory(Role.SUPERVISOR)
    anna = user_factory(Role.WORKER, full_name="Anna Kowalczyk-Łęcka")
    tomasz = user_factory(Role.WORKER, full_name="Tomasz Wójcik")
    assert login(client, boss.username).status_code == 302
    assert _slot(client, anna).status_code == 302
    response = _slot(client, tomasz, start="18:00", end="20:00")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Ten dyżur nakłada się na dyżur" in body and "Anna Kowalczyk-Łęcka" in body
    assert len(db.exec(select(DutySlot)).all()) == 1
    assert _slot(client, tomasz, start="19:00", end="20:00").status_code == 302


def test_a_whole_week_of_evenings_is_added_all_or_nothing(
    monday: time_machine.Coordinates, client: FlaskClient, db: Session, user_factory: Callable[..., User]
) -> None:
    """Monday to Friday 15:30–19:00 at once; if Thursday is taken, no evening of the week is added."""
    boss = user_factory(Role.SUPERVISOR)
    anna, tomasz = user_factory(Role.WORKER), user_factory(Role.WORKER)
    assert login(client, boss.username).status_code == 302
    assert _slot(client, tomasz, day="2026-03-05", start="17:00", end="18:00").status_code == 302
    assert _slot(client, anna, whole_week="1").status_code == 422
    assert len(db.exec(select(DutySlot)).all()) == 1
    assert _slot(client, anna, day="2026-03-09", whole_week="1").status_code == 302
    days = sorted(s.starts_at.astimezone(LOCAL_TZ).day for s in db.exec(select(DutySlot).where(DutySlot.worker_id == anna.id)))
    assert days == [9, 10, 11, 12, 13]


def test_bad_duty_hours_and_past_duties_are_refused(
    monday: time_machine.Coordinates, client: FlaskClient, db: Session, user_factory: Callable[..., User]
) -> None:
    """End before start, an unreadable time, yesterday: each has its message; nothing is stored."""
    boss = user_factory(Role.SUPERVISOR)
    anna = user_factory(Role.WORKER)
    assert login(client, boss.username).status_code == 302
    assert "kończyć się później" in _slot(client, anna, start="19:00", end="15:30").get_data(as_text=True)
    assert "Nieprawidłowa godzina." in _slot(client, anna, start="25:00").get_data(as_text=True)
    assert "Ten dyżur już się skończył." in _slot(client, anna, day="2026-03-01").get_data(as_text=True)
    assert "Wybierz pracownika socjalnego z listy." in _slot(client, boss).get_data(as_text=True)
    assert db.exec(select(DutySlot)).all() == []


def _add_evening(db: Session, office: Office, worker: User) -> DutySlot:
    slot = DutySlot(office_id=office.id or 0, worker_id=worker.id or 0,
                    starts_at=datetime(2026, 3, 2, 15, 30, tzinfo=LOCAL_TZ), ends_at=datetime(2026, 3, 2, 19, 0, tzinfo=LOCAL_TZ))
    db.add(slot)
    db.add(DutySettings(office_id=office.id or 0, number="+48662908348"))
    db.commit()
    return slot


def test_the_header_shows_who_is_on_duty_now_with_one_query(
    app: Flask, monday: time_machine.Coordinates, client: FlaskClient, db: Session, office: Office,
    login_as: Callable[..., User], user_factory: Callable[..., User],
) -> None:
    """At 17:00 every staff page names the worker on duty and the number; at 19:30 nothing; one query per page."""
    anna = user_factory(Role.WORKER, full_name="Anna Kowalczyk-Łęcka")
    _add_evening(db, office, anna)
    monday.move_to(datetime(2026, 3, 2, 17, 0, tzinfo=LOCAL_TZ))
    login_as(Role.PSYCHOLOGIST)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(app.extensions[ENGINE_KEY], "before_cursor_execute", count)
    try:
        page = client.get("/account").get_data(as_text=True)
    finally:
        event.remove(app.extensions[ENGINE_KEY], "before_cursor_execute", count)
    assert "Dyżur telefoniczny teraz:" in page and "Anna Kowalczyk-Łęcka" in page and "662 908 348" in page
    assert sum("duty_slot" in s for s in statements) == 1
    monday.move_to(datetime(2026, 3, 2, 17, 25, tzinfo=LOCAL_TZ))
    assert "Dyżur telefoniczny teraz:" in client.get("/account").get_data(as_text=True)
    monday.move_to(datetime(2026, 3, 2, 19, 0, tzinfo=LOCAL_TZ))
    assert "Dyżur telefoniczny teraz:" not in client.get("/account").get_data(as_text=True)


def test_a_call_on_duty_is_recorded_as_a_contact_on_the_callers_case(
    monday: time_machine.Coordinates, client: FlaskClient, db: Session, office: Office, login_as: Callable[..., User],
    user_factory: Callable[..., User],
) -> None:
    """The worker on duty finds a colleague's case by the caller's number and records the call on it."""
    monday.move_to(datetime(2026, 3, 2, 17, 0, tzinfo=LOCAL_TZ))
    anna = login_as(Role.WORKER)
    _add_evening(db, office, anna)
    colleague = user_factory(Role.WORKER)
    case = make_case(db, office, assigned=colleague, phones=("+48601234567",), name="Halina Wróblewska")
    data = {"csrf_token": token(client, "/duty"), "number": "601 234 567", "note": "Pyta o termin wywiadu."}
    found = client.post("/duty/calls", data={**data, "action": "find"}).get_data(as_text=True)
    assert case.reference in found and "Halina Wróblewska" in found and "Zapisz jako kontakt w tej sprawie" in found
    response = client.post("/duty/calls", data={**data, "number": "+48601234567", "case_id": str(case.id), "action": "record"})
    assert response.status_code == 302
    attempt = db.exec(select(CallAttempt)).one()
    assert (attempt.case_id, attempt.outcome, attempt.note, attempt.worker_id) == (
        case.id, CallOutcome.ANSWERED, "Pyta o termin wywiadu.", anna.id)
    assert db.exec(select(DutyCall)).one().call_attempt_id == attempt.id
    assert case.reference in client.get("/duty").get_data(as_text=True)


def test_without_a_duty_today_calls_cannot_be_recorded_as_duty_calls(
    monday: time_machine.Coordinates, client: FlaskClient, db: Session, office: Office, login_as: Callable[..., User]
) -> None:
    """No slot today: a clear message, nothing stored."""
    login_as(Role.WORKER)
    case = make_case(db, office)
    data = {"csrf_token": token(client, "/duty"), "number": "+48601234567", "case_id": str(case.id), "action": "record"}
    response = client.post("/duty/calls", data=data)
    assert response.status_code == 422 and "Nie masz dziś dyżuru telefonicznego" in response.get_data(as_text=True)
    assert db.exec(select(CallAttempt)).all() == []


def test_a_new_caller_becomes_an_application_with_the_duty_phone_channel(
    monday: time_machine.Coordinates, client: FlaskClient, db: Session, office: Office, login_as: Callable[..., User]
) -> None:
    """No case for the number: the registration form opens filled in (channel, phone, note, date), then registers."""
    monday.move_to(datetime(2026, 3, 2, 18, 0, tzinfo=LOCAL_TZ))
    anna = login_as(Role.WORKER)
    _add_evening(db, office, anna)
    data = {"csrf_token": token(client, "/duty"), "number": "602 345 678", "note": "Prosi o zasiłek celowy."}
    found = client.post("/duty/calls", data={**data, "action": "find"}).get_data(as_text=True)
    assert "Ten numer nie ma sprawy w ośrodku." in found and "Zarejestruj jako nowy wniosek" in found
    start = {"csrf_token": token(client, "/duty"), "start": "1", "channel": "duty_phone", "phone_1": "+48602345678",
             "request_note": "Prosi o zasiłek celowy.", "received_on": "2026-03-02"}
    form = client.post("/cases/new", data=start).get_data(as_text=True)
    assert '<option value="duty_phone" selected>Telefon dyżurny</option>' in form
    assert 'value="+48602345678"' in form and "Prosi o zasiłek celowy." in form
    assert 'class="error"' not in form and "flash-error" not in form
    assert db.exec(select(Case)).all() == []
    register = {**start, "start": "", "csrf_token": token(client, "/duty"), "applicant_name": "Jan Nowak",
                "requested": "special_purpose"}
    assert client.post("/cases/new", data=register).status_code == 302
    case = db.exec(select(Case)).one()
    assert case.channel == Channel.DUTY_PHONE and case.assigned_worker_id == anna.id
    assert case.reference in client.get("/duty").get_data(as_text=True)


def test_duties_are_cancelled_only_within_the_office(
    monday: time_machine.Coordinates, client: FlaskClient, db: Session, office: Office, user_factory: Callable[..., User]
) -> None:
    """The supervisor cancels a duty; a worker may not (403); an unknown duty is 404."""
    boss = user_factory(Role.SUPERVISOR)
    slot = _add_evening(db, office, user_factory(Role.WORKER))
    assert login(client, boss.username).status_code == 302
    assert client.post(f"/duty/slots/{slot.id + 1000}/remove", data={"csrf_token": token(client, "/duty")}).status_code == 404
    assert client.post(f"/duty/slots/{slot.id}/remove", data={"csrf_token": token(client, "/duty")}).status_code == 302
    assert db.exec(select(DutySlot)).all() == []
