"""Administrators set up places, hours, exceptions, desks and reasons; no change strands a booked visit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.appointments import booking
from app.appointments.booking import BookingForm
from app.appointments.models import (
    HoursException,
    OpeningHours,
    VisitDesk,
    VisitPlace,
    VisitReason,
    VisitRules,
)
from app.audit.models import AuditEvent
from app.auth.models import Office, Role, User
from tests.factories import make_office
from tests.integration.appointments.conftest import VisitOffice, next_working_day, post_form, principal, slot


@pytest.fixture
def admin(login_as: Callable[..., User]) -> User:
    """An administrator, logged in."""
    return login_as(Role.ADMIN)


def test_admin_builds_a_place_with_hours_desks_and_a_reason(client: FlaskClient, db: Session, admin: User) -> None:
    """From nothing to bookable: rules, a place, Monday–Friday hours, a desk, a reason with a checklist; audited."""
    assert post_form(client, "/appointments/setup/rules", {"entry_rules": "Maseczka.\nOdstęp 2 m."}).status_code == 302
    created = post_form(client, "/appointments/setup/places", {"name": "Pokój 12", "address": "I piętro"})
    assert created.status_code == 302
    place = db.exec(select(VisitPlace)).one()
    hours = {f"d{d}_{p}": v for d in range(5) for p, v in (("opens", "08:00"), ("closes", "15:30"))}
    assert post_form(client, f"/appointments/setup/places/{place.id}", {"name": "Pokój 12", **hours}).status_code == 302
    assert post_form(client, f"/appointments/setup/places/{place.id}/desks",
                     {"desk_name": "Stanowisko A", "capacity": "1"}).status_code == 302
    assert post_form(client, "/appointments/setup/reasons/new", {
        "name": "Odbiór decyzji", "duration": "15", "in_person": "1", "checklist": "dowód osobisty\n\n  decyzja  ",
        "active": "1"}).status_code == 302
    db.expire_all()
    assert db.get(VisitRules, admin.office_id).entry_rules == "Maseczka.\nOdstęp 2 m."  # type: ignore[union-attr]
    assert sorted(h.weekday for h in db.exec(select(OpeningHours)).all()) == [0, 1, 2, 3, 4]
    assert db.exec(select(VisitDesk)).one().capacity == 1
    assert db.exec(select(VisitReason)).one().checklist == "dowód osobisty\ndecyzja"
    actions = {e.action for e in db.exec(select(AuditEvent)).all()}
    assert {"visit_setup.entry_rules", "visit_setup.place", "visit_setup.desk", "visit_setup.reason"} <= actions
    page = client.get(f"/appointments/setup/places/{place.id}").get_data(as_text=True)
    assert 'value="08:00"' in page and "Stanowisko A" in page


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"d0_opens": "16:00", "d0_closes": "08:00"}, "d0_closes", "późniejsza niż otwarcia"),
    ({"d1_opens": "08:00"}, "d1_closes", "obie godziny"),
    ({"d2_opens": "8 rano", "d2_closes": "15:00"}, "d2_opens", "GG:MM"),
    ({"d3_opens": "08:10", "d3_closes": "15:00"}, "d3_opens", "co 15 minut"),
    ({"name": ""}, "name", "Podaj nazwę"),
])
def test_bad_hours_are_refused_at_the_field(
    client: FlaskClient, db: Session, admin: User, data: dict[str, str], field: str, message: str
) -> None:
    """A bad weekly-hours form: 422, the message at the field, the typed values back, the old hours kept."""
    place = VisitPlace(office_id=admin.office_id, name="Sala")
    db.add(place)
    db.commit()
    response = post_form(client, f"/appointments/setup/places/{place.id}", {"name": "Sala", **data})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html and f'id="f-{field}-error"' in html
    assert db.exec(select(OpeningHours)).all() == []


@pytest.mark.parametrize(("data", "field"), [
    ({"name": "", "duration": "15", "in_person": "1"}, "name"),
    ({"name": "X", "duration": "20", "in_person": "1"}, "duration"),
    ({"name": "X", "duration": "0", "in_person": "1"}, "duration"),
    ({"name": "X", "duration": "piętnaście", "in_person": "1"}, "duration"),
    ({"name": "X", "duration": "15"}, "in_person"),
])
def test_bad_reasons_are_refused(client: FlaskClient, db: Session, admin: User, data: dict[str, str], field: str) -> None:
    """Name required, duration a multiple of 15 up to 4 hours, at least one way to handle it."""
    response = post_form(client, "/appointments/setup/reasons/new", data)
    assert response.status_code == 422 and f'id="f-{field}-error"' in response.get_data(as_text=True)
    assert db.exec(select(VisitReason)).all() == []


def _book_ahead(db: Session, user: User, visit_office: VisitOffice, desk_n: int = 0) -> None:
    booking.book(db, actor=principal(db, user), case=None, form=BookingForm(
        person_name="Jan Umówiony", phone="600100200", reason_id=str(visit_office.documents.id), kind="in_person",
        slot=slot(visit_office.desks[desk_n], next_working_day(), 14)))
    db.commit()


def test_changes_that_would_strand_a_booked_visit_are_refused(
    client: FlaskClient, db: Session, admin: User, user_factory: Callable[..., User], visit_office: VisitOffice,
    in_app: Any,
) -> None:
    """Removing the desk, lowering its capacity, shortening the hours or closing the day: refused, visit named."""
    with in_app():
        _book_ahead(db, user_factory(Role.RECEPTION), visit_office)
    desk = visit_office.desks[0]
    day = next_working_day()
    removed = post_form(client, f"/appointments/setup/desks/{desk.id}/remove", {})
    assert removed.status_code == 422 and "ma umówione wizyty: 1" in removed.get_data(as_text=True)
    db.refresh(desk)
    assert desk.removed_at is None
    hours = {f"d{d}_{p}": v for d in range(5) for p, v in (("opens", "08:00"), ("closes", "12:00"))}
    shortened = post_form(client, f"/appointments/setup/places/{visit_office.place.id}", {"name": "Sala obsługi", **hours})
    assert shortened.status_code == 422 and "poza godzinami przyjęć umówione wizyty: 1" in shortened.get_data(as_text=True)
    assert {h.closes for h in db.exec(select(OpeningHours)).all()} == {time(15)}
    closed = post_form(client, f"/appointments/setup/places/{visit_office.place.id}/exceptions",
                       {"day": day.isoformat(), "note": "remont"})
    assert closed.status_code == 422 and 'id="f-day-error"' in closed.get_data(as_text=True)
    assert db.exec(select(HoursException)).all() == []
    # The other desk has nothing booked: it goes; a closed day without visits is accepted.
    assert post_form(client, f"/appointments/setup/desks/{visit_office.desks[1].id}/remove", {}).status_code == 302
    free_day = day + timedelta(days=7)
    assert post_form(client, f"/appointments/setup/places/{visit_office.place.id}/exceptions",
                     {"day": free_day.isoformat(), "note": "remont"}).status_code == 302
    past = post_form(client, f"/appointments/setup/places/{visit_office.place.id}/exceptions",
                     {"day": (day - timedelta(days=30)).isoformat()})
    assert past.status_code == 422 and "minęła" in past.get_data(as_text=True)


def test_capacity_cannot_drop_below_what_is_booked(
    client: FlaskClient, db: Session, admin: User, user_factory: Callable[..., User], visit_office: VisitOffice,
    in_app: Any,
) -> None:
    """Two people booked at a desk for two: lowering it to one is refused."""
    desk = visit_office.desks[0]
    desk.capacity = 2
    db.add(desk)
    db.commit()
    reception = user_factory(Role.RECEPTION)
    with in_app():
        _book_ahead(db, reception, visit_office)
        booking.book(db, actor=principal(db, reception), case=None, form=BookingForm(
            person_name="Druga Osoba", phone="600100300", reason_id=str(visit_office.documents.id), kind="in_person",
            slot=slot(desk, next_working_day(), 14)))
        db.commit()
    response = post_form(client, f"/appointments/setup/desks/{desk.id}", {"desk_name": "Stanowisko 1", "capacity": "1"})
    assert response.status_code == 422 and "2 osoby naraz" in response.get_data(as_text=True)
    bad = post_form(client, f"/appointments/setup/desks/{desk.id}", {"desk_name": "Stanowisko 1", "capacity": "99"})
    assert bad.status_code == 422 and 'id="f-desk-' in bad.get_data(as_text=True)


def test_another_offices_setup_is_hidden(client: FlaskClient, db: Session, admin: User) -> None:
    """Places and reasons of another office are 404 to an administrator."""
    other: Office = make_office(db)
    place = VisitPlace(office_id=other.id or 0, name="Cudza sala")
    reason = VisitReason(office_id=other.id or 0, name="Cudza sprawa")
    db.add_all([place, reason])
    db.commit()
    assert client.get(f"/appointments/setup/places/{place.id}").status_code == 404
    assert client.get(f"/appointments/setup/reasons/{reason.id}").status_code == 404
    assert post_form(client, f"/appointments/setup/places/{place.id}/desks", {"desk_name": "x"}).status_code == 404
