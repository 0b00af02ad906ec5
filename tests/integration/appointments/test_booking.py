"""Booking: from the case page and for a new person; the capacity rule, bad input refused at the field with nothing
half-stored, telephone appointments as call-backs on the worker's today list."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.appointments import booking, visits
from app.appointments.booking import BookingForm
from app.appointments.models import Appointment, AppointmentEvent, DeskOccupancy, HoursException, VisitDesk
from app.audit.models import AuditEvent
from app.auth.models import Role, User
from app.cases.contact import calls
from app.cases.models import Callback, Case
from app.errors import InvalidInput
from app.referrals.models import OutboxAttachment, OutboxMessage
from app.worklist import today as case_today
from tests.integration.appointments.conftest import (
    VisitOffice,
    at,
    count,
    next_working_day,
    post_form,
    principal,
    slot,
)


def _book(client: FlaskClient, case: Case | None, **data: str) -> object:
    path = f"/cases/{case.id}/appointments/new" if case else "/appointments/new"
    return post_form(client, path, data, page=path)


def test_case_page_links_to_booking_with_the_contact_prefilled(
    client: FlaskClient, worker: User, make_case: Callable[..., Case], visit_office: VisitOffice
) -> None:
    """The case page offers "Umów wizytę"; the booking page starts with the applicant's name, phone and e-mail."""
    case = make_case(worker)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"/cases/{case.id}/appointments/new" in page
    booking_page = client.get(f"/cases/{case.id}/appointments/new").get_data(as_text=True)
    assert 'value="Zofia Źdźbło-Łęcka"' in booking_page and 'value="601 234 567"' in booking_page
    assert 'value="zofia@example.org"' in booking_page
    # Choosing the reason shows free slots per desk for the next open days.
    shown = post_form(client, f"/cases/{case.id}/appointments/new",
                      {"reason_id": str(visit_office.documents.id), "kind": "in_person", "person_name": "x"})
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "Stanowisko 1" in html and "Stanowisko 2" in html
    assert "dowód osobisty" in html


def test_in_person_booking_holds_the_desk_and_queues_the_confirmation(
    client: FlaskClient, db: Session, worker: User, make_case: Callable[..., Case], visit_office: VisitOffice
) -> None:
    """One tap on a slot books it: seats held per 15 minutes, history, audit, e-mail with an .ics in the outbox."""
    case = make_case(worker)
    day = next_working_day()
    desk = visit_office.desks[0]
    response = _book(client, case, person_name="Zofia Źdźbło-Łęcka", phone="601 234 567", email="zofia@example.org",
                     reason_id=str(visit_office.documents.id), kind="in_person", slot=slot(desk, day, 10))
    assert response.status_code == 302, response.get_data(as_text=True)  # type: ignore[attr-defined]
    appointment = db.exec(select(Appointment)).one()
    assert response.headers["Location"].endswith(f"/appointments/{appointment.id}")  # type: ignore[attr-defined]
    assert (appointment.case_id, appointment.desk_id, appointment.phone) == (case.id, desk.id, "+48601234567")
    assert appointment.starts_at == at(day, 10) and appointment.ends_at == at(day, 10, 30)
    seats = db.exec(select(DeskOccupancy).where(DeskOccupancy.appointment_id == appointment.id)).all()
    assert sorted(s.slot_start for s in seats) == [at(day, 10), at(day, 10, 15)]
    assert db.exec(select(AppointmentEvent)).one().action == "booked"
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "appointment.book")).one().object_id == str(appointment.id)
    message = db.exec(select(OutboxMessage)).one()
    assert message.recipients == "zofia@example.org" and "dowód osobisty" in message.body
    assert db.exec(select(OutboxAttachment)).one().filename == "wizyta.ics"
    # The confirmation page reads out when, where, what to bring and the entry rules.
    page = client.get(f"/appointments/{appointment.id}").get_data(as_text=True)
    for text in ("Sala obsługi", "Stanowisko 1", "10:00", "zaświadczenie o dochodach", "Odstęp 2 m."):
        assert text in page
    # The case page shows the visit.
    assert "Złożenie dokumentów" in client.get(f"/cases/{case.id}").get_data(as_text=True)


def test_second_booking_of_the_same_desk_and_time_is_refused_with_the_data_kept(
    client: FlaskClient, db: Session, worker: User, visit_office: VisitOffice
) -> None:
    """The desk takes one client at a time: the second booking gets a Polish message at the slot list, typed data stay."""
    day = next_working_day()
    desk = visit_office.desks[0]
    first = _book(client, None, person_name="Jan Pierwszy", phone="600100200", reason_id=str(visit_office.documents.id),
                  kind="in_person", slot=slot(desk, day, 9))
    assert first.status_code == 302  # type: ignore[attr-defined]
    # Overlapping, not identical: 9:15 falls inside the first 30-minute visit.
    second = _book(client, None, person_name="Grażyna Druga-Źródło", phone="600100300", email="grazyna@example.org",
                   reason_id=str(visit_office.documents.id), kind="in_person", slot=slot(desk, day, 9, 15))
    html = second.get_data(as_text=True)  # type: ignore[attr-defined]
    assert second.status_code == 422  # type: ignore[attr-defined]
    assert "został właśnie zajęty" in html and "Stanowisko 1" in html
    assert 'value="Grażyna Druga-Źródło"' in html and 'value="grazyna@example.org"' in html
    assert count(db, Appointment) == 1 and count(db, DeskOccupancy) == 2 and count(db, OutboxMessage) == 0
    # The other desk is free at that time.
    third = _book(client, None, person_name="Grażyna Druga-Źródło", phone="600100300",
                  reason_id=str(visit_office.documents.id), kind="in_person", slot=slot(visit_office.desks[1], day, 9, 15))
    assert third.status_code == 302  # type: ignore[attr-defined]


def test_a_desk_for_two_takes_two_and_refuses_the_third(
    db: Session, user_factory: Callable[..., User], visit_office: VisitOffice
, ctx: None) -> None:
    """Capacity 2: two people at once, the third is refused."""
    desk = visit_office.desks[0]
    desk.capacity = 2
    db.add(desk)
    db.commit()
    actor = principal(db, user_factory(Role.RECEPTION))
    day = next_working_day()
    for n in range(2):
        booking.book(db, actor=actor, case=None, form=BookingForm(
            person_name=f"Osoba {n}", phone=f"60010020{n}", reason_id=str(visit_office.consultation.id),
            kind="in_person", slot=slot(desk, day, 11)))
    with pytest.raises(InvalidInput) as refused:
        booking.book(db, actor=actor, case=None, form=BookingForm(
            person_name="Osoba 3", phone="600100209", reason_id=str(visit_office.consultation.id),
            kind="in_person", slot=slot(desk, day, 11)))
    assert "zajęty" in refused.value.errors["slot"]
    assert count(db, Appointment) == 2


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"phone": "12"}, "phone", "numer telefonu"),
    ({"email": "zofia@@example"}, "email", "adres e-mail"),
    ({"phone": "", "email": ""}, "phone", "telefonu albo adres e-mail"),
    ({"person_name": "  "}, "person_name", "imię i nazwisko"),
    ({"reason_id": "999999"}, "reason_id", "Wybierz sprawę"),
    ({"slot": "banana"}, "slot", "Nie rozpoznano"),
    ({"slot": "@@"}, "slot", "Nie rozpoznano"),
    ({"hour": "16"}, "slot", "poza godzinami przyjęć"),
    ({"hour": "7"}, "slot", "poza godzinami przyjęć"),
    ({"hour": "14:45"}, "slot", "poza godzinami przyjęć"),  # 30 minutes from 14:45 end after 15:00
    ({"hour": "10:07"}, "slot", "co 15 minut"),
    ({"past": "1"}, "slot", "minął"),
    ({"far": "1"}, "slot", "najwyżej 60 dni"),
])
def test_bad_input_is_refused_at_the_field_and_nothing_is_stored(
    client: FlaskClient, db: Session, worker: User, visit_office: VisitOffice, fields: dict[str, str], field: str,
    message: str,
) -> None:
    """Each bad value: 422, a Polish message at its field, the typed values back, no appointment, seat or e-mail."""
    day = next_working_day()
    hour = fields.pop("hour", "10:00")
    hour = hour if ":" in hour else f"{int(hour):02d}:00"
    if fields.pop("past", None):
        day = day - timedelta(days=14)
    if fields.pop("far", None):
        day = day + timedelta(days=70)
    data = {"person_name": "Zofia Źdźbło-Łęcka", "phone": "601234567", "email": "zofia@example.org",
            "reason_id": str(visit_office.documents.id), "kind": "in_person",
            "slot": f"{visit_office.desks[0].id}@{day.isoformat()}T{hour}", **fields}
    response = _book(client, None, **data)
    html = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert response.status_code == 422, html[:500]  # type: ignore[attr-defined]
    assert message.lower() in html.lower()
    if field != "slot":
        assert f'id="f-{field}-error"' in html
    assert count(db, Appointment) == 0 and count(db, DeskOccupancy) == 0 and count(db, OutboxMessage) == 0


def test_a_public_holiday_is_closed(db: Session, user_factory: Callable[..., User], visit_office: VisitOffice, ctx: None) -> None:
    """11 November (Independence Day) is closed although it is a weekday with hours: the clock pinned before it."""
    actor = principal(db, user_factory(Role.RECEPTION))
    holiday = date(2027, 11, 11)  # a Thursday
    with pytest.raises(InvalidInput) as refused:
        booking.book(db, actor=actor, case=None, now=at(date(2027, 11, 2), 9), form=BookingForm(
            person_name="Jan Święto", phone="600100200", reason_id=str(visit_office.documents.id), kind="in_person",
            slot=slot(visit_office.desks[0], holiday, 10)))
    assert "ustawowo wolny" in refused.value.errors["slot"]
    # The same weekday a week later is open.
    booking.book(db, actor=actor, case=None, now=at(date(2027, 11, 2), 9), form=BookingForm(
        person_name="Jan Święto", phone="600100200", reason_id=str(visit_office.documents.id), kind="in_person",
        slot=slot(visit_office.desks[0], holiday + timedelta(days=7), 10)))


def test_a_day_closed_by_an_exception_and_a_removed_desk_are_refused(
    db: Session, user_factory: Callable[..., User], visit_office: VisitOffice
, ctx: None) -> None:
    """A date closed by the office, and a desk taken out of service, are never bookable."""
    actor = principal(db, user_factory(Role.RECEPTION))
    day = next_working_day()
    db.add(HoursException(place_id=visit_office.place.id or 0, day=day, note="szkolenie"))
    db.commit()
    form = BookingForm(person_name="Jan Zamknięty", phone="600100200", reason_id=str(visit_office.documents.id),
                       kind="in_person", slot=slot(visit_office.desks[0], day, 10))
    with pytest.raises(InvalidInput) as closed:
        booking.book(db, actor=actor, case=None, form=form)
    assert "nie przyjmuje" in closed.value.errors["slot"]
    desk: VisitDesk = visit_office.desks[1]
    desk.removed_at = at(day, 7)
    db.add(desk)
    db.commit()
    form.slot = slot(desk, day + timedelta(days=7), 10)
    with pytest.raises(InvalidInput) as removed:
        booking.book(db, actor=actor, case=None, form=form)
    assert "wycofane" in removed.value.errors["slot"]


def test_the_same_person_cannot_be_in_two_places_at_once(
    db: Session, user_factory: Callable[..., User], visit_office: VisitOffice, make_case: Callable[..., Case]
, ctx: None) -> None:
    """An overlapping visit of the same case (or the same phone) at another desk is refused."""
    worker = user_factory(Role.WORKER)
    actor = principal(db, worker)
    case = make_case(worker)
    day = next_working_day()
    base = {"person_name": case.applicant_name, "phone": "601234567", "reason_id": str(visit_office.documents.id),
            "kind": "in_person"}
    booking.book(db, actor=actor, case=case, form=BookingForm(**base, slot=slot(visit_office.desks[0], day, 10)))
    with pytest.raises(InvalidInput) as refused:
        booking.book(db, actor=actor, case=case, form=BookingForm(**base, slot=slot(visit_office.desks[1], day, 10, 15)))
    assert "nakłada się" in refused.value.errors["slot"]


def test_telephone_appointment_lands_on_the_workers_today_list(
    client: FlaskClient, db: Session, worker: User, make_case: Callable[..., Case], visit_office: VisitOffice,
    in_app: Any,
) -> None:
    """"We will call you on … at …": a call-back for the case's worker, moved and removed with the appointment."""
    case = make_case(worker)
    day = next_working_day()
    response = _book(client, case, person_name=case.applicant_name, phone="601234567", email="",
                     reason_id=str(visit_office.consultation.id), kind="phone", slot=slot(None, day, 12, 30))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]  # type: ignore[attr-defined]
    appointment = db.exec(select(Appointment)).one()
    callback = db.exec(select(Callback)).one()
    assert appointment.callback_id == callback.id and callback.due_at == at(day, 12, 30)
    assert callback.worker_id == worker.id and "Termin telefoniczny" in callback.note
    assert count(db, DeskOccupancy) == 0 and count(db, OutboxMessage) == 0  # no e-mail given
    actor = principal(db, worker)
    with in_app():
        today = case_today.today_for(db, actor=actor, now=at(day, 8))
        assert [item.case.id for item in today.callbacks] == [case.id]
        # Another call logged before the agreed time keeps the appointment's call-back on the list.
        calls.log_call(db, actor=actor, case=case, threshold=3,
                               form=calls.CallForm(number="+48601234567", outcome="answered"))
        db.commit()
        db.refresh(callback)
        assert callback.done_at is None
        # Moved: the call-back moves; cancelled: it disappears.
        visits.reschedule(db, actor=actor, appointment=appointment, slot=slot(None, day, 14), reason="prośba osoby")
        db.refresh(callback)
        assert callback.due_at == at(day, 14)
        visits.cancel(db, actor=actor, appointment=appointment, reason="sprawa załatwiona listownie")
    db.commit()
    assert count(db, Callback) == 0 and appointment.callback_id is None


def test_telephone_appointment_needs_a_case(
    client: FlaskClient, db: Session, worker: User, visit_office: VisitOffice
) -> None:
    """A new person without a case cannot get a telephone appointment (it would land on nobody's list)."""
    response = _book(client, None, person_name="Jan Nowy", phone="601234567",
                     reason_id=str(visit_office.consultation.id), kind="phone", slot=slot(None, next_working_day(), 12))
    html = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert response.status_code == 422 and "zarejestruj" in html and 'id="f-kind-error"' in html  # type: ignore[attr-defined]
    assert count(db, Appointment) == 0 and count(db, Callback) == 0
