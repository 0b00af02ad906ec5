"""The front desk's day: who comes when and where, arrived / no-show / done, moving and cancelling with a reason."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.appointments import booking, visits
from app.appointments.booking import BookingForm
from app.appointments.models import Appointment, AppointmentEvent, AppointmentState, DeskOccupancy
from app.audit.models import AuditEvent
from app.auth.models import Role, User
from app.cases.models import Case
from app.errors import InvalidInput
from app.referrals.models import OutboxAttachment, OutboxMessage
from tests.integration.appointments.conftest import (
    VisitOffice,
    at,
    count,
    next_working_day,
    post_form,
    principal,
    slot,
)


def _booked(db: Session, actor: User, visit_office: VisitOffice, *, hour: int = 10, case: Case | None = None,
            email: str = "jan@example.org") -> Appointment:
    return booking.book(db, actor=principal(db, actor), case=case, form=BookingForm(
        person_name="Jan Kowalski-Źrebiec", phone="600100200", email=email, reason_id=str(visit_office.documents.id),
        kind="in_person", slot=slot(visit_office.desks[0], next_working_day(), hour)))


@pytest.fixture
def reception(login_as: Callable[..., User]) -> User:
    """The front desk, logged in."""
    return login_as(Role.RECEPTION)


def test_reception_day_shows_time_desk_reason_and_checklist(
    client: FlaskClient, db: Session, reception: User, visit_office: VisitOffice, in_app: Any
) -> None:
    """The day view lists the visit with what reception needs, and nothing of cases or interviews."""
    with in_app():
        appointment = _booked(db, reception, visit_office)
    db.commit()
    day = next_working_day()
    html = client.get(f"/appointments/day?date={day.isoformat()}").get_data(as_text=True)
    for text in ("10:00–10:30", "Jan Kowalski-Źrebiec", "Stanowisko 1", "Złożenie dokumentów", "zaświadczenie o dochodach"):
        assert text in html
    assert f'id="visit-{appointment.id}"' in html
    # Reception is not offered the case pages or interviews.
    assert client.get("/cases").status_code == 403 and client.get("/today").status_code == 403
    assert 'href="/cases' not in html


def test_marks_arrive_done_and_no_show_are_audited_and_free_the_desk(
    client: FlaskClient, db: Session, reception: User, visit_office: VisitOffice, in_app: Any
) -> None:
    """On the visit's day: arrived, then done (htmx gets the card back); a no-show frees the desk."""
    with in_app():
        first = _booked(db, reception, visit_office, hour=10)
        second = _booked(db, reception, visit_office, hour=11, email="")
    db.commit()
    day = next_working_day()
    # Not before the visit's day.
    early = post_form(client, f"/appointments/{first.id}/mark", {"what": "arrived"})
    assert early.status_code == 422 and "dopiero tego dnia" in early.get_data(as_text=True)
    actor = principal(db, reception)
    with in_app():
        visits.mark(db, actor=actor, appointment=first, what="arrived", now=at(day, 9, 58))
        visits.mark(db, actor=actor, appointment=first, what="done", now=at(day, 10, 20))
        visits.mark(db, actor=actor, appointment=second, what="no_show", now=at(day, 11, 20))
    db.commit()
    assert first.state == AppointmentState.DONE and second.state == AppointmentState.NO_SHOW
    assert count(db, DeskOccupancy) == 0
    actions = [e.action for e in db.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]  # type: ignore[arg-type]
    assert actions.count("appointment.arrived") == 1 and "appointment.done" in actions and "appointment.no_show" in actions
    # A late arrival undoes the no-show; "done" after done is refused.
    with in_app():
        visits.mark(db, actor=actor, appointment=second, what="arrived", now=at(day, 11, 40))
        with pytest.raises(InvalidInput):
            visits.mark(db, actor=actor, appointment=first, what="no_show", now=at(day, 11, 40))


def test_mark_through_htmx_returns_the_card(
    client: FlaskClient, db: Session, reception: User, visit_office: VisitOffice, in_app: Any
) -> None:
    """A visit of today (created directly at a time already begun) is marked arrived with one tap."""
    with in_app():
        appointment = _booked(db, reception, visit_office)
    now = visits.utcnow()
    appointment.starts_at, appointment.ends_at = now - timedelta(minutes=5), now + timedelta(minutes=25)
    db.add(appointment)
    db.commit()
    response = post_form(client, f"/appointments/{appointment.id}/mark", {"what": "arrived"},
                         headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith("<li") and "przyszła osoba" in html
    plain = post_form(client, f"/appointments/{appointment.id}/mark", {"what": "done"})
    assert plain.status_code == 302 and "/appointments/day" in plain.headers["Location"]
    db.refresh(appointment)
    assert appointment.state == AppointmentState.DONE


def test_cancel_needs_a_reason_frees_the_desk_and_tells_the_person(
    client: FlaskClient, db: Session, reception: User, visit_office: VisitOffice, in_app: Any
) -> None:
    """Cancelling without a reason is refused at the field; with one, the slot is free and a cancellation .ics goes."""
    with in_app():
        appointment = _booked(db, reception, visit_office)
    db.commit()
    refused = post_form(client, f"/appointments/{appointment.id}/cancel", {"reason": "  "})
    assert refused.status_code == 422 and 'id="f-cancel-reason-error"' in refused.get_data(as_text=True)
    done = post_form(client, f"/appointments/{appointment.id}/cancel", {"reason": "Osoba zachorowała"})
    assert done.status_code == 302
    db.refresh(appointment)
    assert appointment.state == AppointmentState.CANCELLED and appointment.cancel_reason == "Osoba zachorowała"
    assert count(db, DeskOccupancy) == 0
    kinds = [m.kind for m in db.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()]  # type: ignore[arg-type]
    assert kinds == ["appointment.confirmation", "appointment.cancel"]
    assert any("METHOD:CANCEL" in a.content for a in db.exec(select(OutboxAttachment)).all())
    # The freed slot can be booked again.
    with in_app():
        _booked(db, reception, visit_office)


def test_reschedule_moves_the_seats_with_a_reason(
    client: FlaskClient, db: Session, reception: User, visit_office: VisitOffice, in_app: Any
) -> None:
    """Moving needs a reason and a free slot; the seats follow, the history keeps the old time, a new .ics goes."""
    with in_app():
        appointment = _booked(db, reception, visit_office)
        blocker = booking.book(db, actor=principal(db, reception), case=None, form=BookingForm(
            person_name="Inna Osoba", phone="600100999", reason_id=str(visit_office.documents.id), kind="in_person",
            slot=slot(visit_office.desks[1], next_working_day(), 12)))
    db.commit()
    day = next_working_day()
    page = client.get(f"/appointments/{appointment.id}/reschedule").get_data(as_text=True)
    assert "Stanowisko 2" in page
    no_reason = post_form(client, f"/appointments/{appointment.id}/reschedule",
                          {"reason": "", "slot": slot(visit_office.desks[0], day, 13)})
    assert no_reason.status_code == 422 and "Podaj powód zmiany" in no_reason.get_data(as_text=True)
    # With htmx only the slots box is swapped: the missing reason is announced there too.
    no_reason_htmx = post_form(client, f"/appointments/{appointment.id}/reschedule",
                               {"reason": "", "slot": slot(visit_office.desks[0], day, 13)}, headers={"HX-Request": "true"})
    fragment = no_reason_htmx.get_data(as_text=True)
    assert no_reason_htmx.status_code == 422 and "<html" not in fragment
    assert 'role="alert">Podaj powód zmiany' in fragment
    taken = post_form(client, f"/appointments/{appointment.id}/reschedule",
                      {"reason": "prośba osoby", "slot": slot(visit_office.desks[1], day, 12)})
    assert taken.status_code == 422 and "zajęty" in taken.get_data(as_text=True)
    db.refresh(appointment)
    assert appointment.starts_at == at(day, 10)  # nothing moved on refusal
    moved = post_form(client, f"/appointments/{appointment.id}/reschedule",
                      {"reason": "prośba osoby", "slot": slot(visit_office.desks[1], day, 13)})
    assert moved.status_code == 302
    db.refresh(appointment)
    assert appointment.starts_at == at(day, 13) and appointment.desk_id == visit_office.desks[1].id
    assert appointment.sequence == 1
    seats = db.exec(select(DeskOccupancy).where(DeskOccupancy.appointment_id == appointment.id)).all()
    assert {s.slot_start for s in seats} == {at(day, 13), at(day, 13, 15)}
    event = db.exec(select(AppointmentEvent).where(AppointmentEvent.action == "rescheduled")).one()
    assert event.previous_starts_at == at(day, 10) and event.note == "prośba osoby"
    assert db.exec(select(OutboxMessage).where(OutboxMessage.kind == "appointment.change")).one()
    assert blocker.id != appointment.id


def test_worker_sees_only_visits_of_their_cases_and_their_own_bookings(
    client: FlaskClient, db: Session, login_as: Callable[..., User], user_factory: Callable[..., User],
    visit_office: VisitOffice, make_case: Callable[..., Case], in_app: Any,
) -> None:
    """A colleague's case's visit is hidden (404) from a worker; the front desk sees the office's."""
    colleague = user_factory(Role.WORKER)
    theirs = make_case(colleague, name="Cudza Sprawa", email="cudza@example.org", phone="+48601000999")
    with in_app():
        hidden = _booked(db, colleague, visit_office, case=theirs)
    db.commit()
    worker = login_as(Role.WORKER)
    assert client.get(f"/appointments/{hidden.id}").status_code == 404
    assert post_form(client, f"/appointments/{hidden.id}/cancel", {"reason": "x"}).status_code == 404
    day_page = client.get(f"/appointments/day?date={next_working_day().isoformat()}").get_data(as_text=True)
    assert "Jan Kowalski-Źrebiec" not in day_page
    assert worker.id != colleague.id
