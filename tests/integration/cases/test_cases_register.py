"""Registering an application: references per office, normalised phones, deadlines, errors and duplicates."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from app.audit.models import AuditEvent
from app.auth.models import Role, User
from app.cases.models import Case, CasePhone, CaseState
from app.clock import local_today
from app.workdays import add_working_days
from tests.conftest import login, token
from tests.factories import make_office, make_user


def _form(client: FlaskClient, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "csrf_token": token(client, "/cases/new"),
        "applicant_name": "Zdzisław Łukasiewicz",
        "pesel": "44051401359",
        "phone_1": "601 234 567",
        "phone_2": "65 540 25 25",
        "phone_3": "",
        "email": "z.lukasiewicz@example.pl",
        "address": "ul. Młyńska 9/1, Wschowa",
        "channel": "institution",
        "channel_detail": "Policja – osoba samotna w kwarantannie",
        "received_on": local_today().isoformat(),
        "requested": ["food", "hot_meal"],
        "request_note": "",
        "urgent": "1",
    }
    data.update(changes)
    return data


@pytest.mark.dates
def test_worker_registers_application_with_deadline_and_phones(
    client: FlaskClient, login_as: Callable[..., User], db: Session
) -> None:
    """A worker's registration gets the office reference, E.164 phones, the urgent deadline and is theirs."""
    worker = login_as(Role.WORKER)
    response = client.post("/cases/new", data=_form(client))
    assert response.status_code == 302
    case = db.exec(select(Case)).one()
    assert response.headers["Location"].endswith(f"/cases/{case.id}")
    today = local_today()
    assert case.reference == f"RWS/{today.year}/0001"
    assert case.assigned_worker_id == worker.id
    assert case.state == CaseState.NEW
    assert case.urgent and case.due_on == add_working_days(today, 2)
    assert json.loads(case.requested) == ["food", "hot_meal"]
    phones = db.exec(select(CasePhone.number).where(CasePhone.case_id == case.id).order_by(col(CasePhone.position))).all()
    assert phones == ["+48601234567", "+48655402525"]
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'href="tel:+48601234567"' in page and "Zdzisław Łukasiewicz" in page


@pytest.mark.dates
def test_references_count_per_office(client: FlaskClient, login_as: Callable[..., User], db: Session) -> None:
    """The second application of the office is 0002; another office starts its own numbering."""
    login_as(Role.WORKER)
    client.post("/cases/new", data=_form(client, pesel="", phone_1="601 000 001", phone_2=""))
    client.post("/cases/new", data=_form(client, pesel="", phone_1="601 000 002", phone_2=""))
    year = local_today().year
    assert sorted(db.exec(select(Case.reference)).all()) == [f"RWS/{year}/0001", f"RWS/{year}/0002"]

    other = make_office(db)
    colleague = make_user(db, other, Role.WORKER, username="inny.osrodek")
    db.commit()
    client.post("/logout", data={"csrf_token": token(client)})
    login(client, colleague.username)
    assert client.post("/cases/new", data=_form(client, pesel="", phone_1="601 000 003", phone_2="")).status_code == 302
    theirs = db.exec(select(Case).where(Case.office_id == other.id)).one()
    assert theirs.reference == f"RWS/{year}/0001"


def test_bad_input_is_explained_next_to_fields_and_kept(client: FlaskClient, login_as: Callable[..., User], db: Session) -> None:
    """Invalid phone, PESEL and date: 422, Polish messages tied to the fields, everything typed still there."""
    login_as(Role.WORKER)
    response = client.post(
        "/cases/new",
        data=_form(client, phone_1="12 34", pesel="44051401358", received_on="31.02.2026", email="zly@adres"),
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="f-phone_1-error"' in body and "Nieprawidłowy numer telefonu" in body
    assert 'id="f-pesel-error"' in body and "cyfrę kontrolną" in body
    assert 'id="f-received_on-error"' in body and "Nieprawidłowa data" in body
    assert 'id="f-email-error"' in body
    assert 'aria-describedby="f-phone_1-hint f-phone_1-error"' in body
    for kept in ('value="12 34"', 'value="44051401358"', 'value="31.02.2026"', 'value="Zdzisław Łukasiewicz"',
                 'value="65 540 25 25"', 'value="zly@adres"', "Policja – osoba samotna w kwarantannie"):
        assert kept in body
    assert 'value="hot_meal" checked' in body
    assert db.exec(select(Case)).first() is None


def test_missing_channel_detail_phone_and_request(client: FlaskClient, login_as: Callable[..., User]) -> None:
    """A report from an institution must name it; one kind of help is required (a phone number is not)."""
    login_as(Role.WORKER)
    response = client.post(
        "/cases/new", data=_form(client, channel_detail="", phone_1="", phone_2="", requested=[], applicant_name="")
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "która instytucja zgłosiła" in body
    assert "f-phone_1-error" not in body
    assert "o co wnioskodawca prosi" in body
    assert "Podaj imię i nazwisko wnioskodawcy." in body


@pytest.mark.dates
def test_future_received_date_is_refused(client: FlaskClient, login_as: Callable[..., User]) -> None:
    """An application cannot have arrived tomorrow."""
    login_as(Role.WORKER)
    response = client.post("/cases/new", data=_form(client, received_on=date(2099, 1, 1).isoformat()))
    assert response.status_code == 422
    assert "nie może być późniejsza niż dzisiaj" in response.get_data(as_text=True)


def test_registration_is_audited_with_ids_only(client: FlaskClient, login_as: Callable[..., User], db: Session) -> None:
    """case.create names the case id and codes, never the applicant's name, PESEL or phone."""
    worker = login_as(Role.WORKER)
    client.post("/cases/new", data=_form(client))
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "case.create")).one()
    case = db.exec(select(Case)).one()
    assert event.actor_id == worker.id and event.object_id == str(case.id)
    for secret in ("Łukasiewicz", "44051401359", "601234567", "example.pl"):
        assert secret not in event.details


def test_live_duplicate_check_links_existing_case(
    client: FlaskClient, login_as: Callable[..., User], case_factory: Callable[..., object], db: Session
) -> None:
    """Typing a PESEL or phone already on file shows the existing case of this office with a link."""
    worker = login_as(Role.WORKER)
    same_pesel = case_factory(assigned=worker, pesel="44051401359", phones=("+48700100200",), name="Zdzisław Ł.")
    same_phone = case_factory(phones=("+48601234567",), name="Inna Osoba")
    other = make_office(db)
    db.commit()
    case_factory(office_=other, pesel="44051401359", phones=("+48601234567",), name="Cudza Sprawa")
    response = client.post(
        "/cases/duplicates",
        data={"csrf_token": token(client), "pesel": "44051401359", "phone_1": "601 234 567"},
        headers={"HX-Request": "true"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body and "Możliwy duplikat" in body
    assert f'href="/cases/{same_pesel.id}"' in body and "ten sam PESEL" in body  # type: ignore[attr-defined]
    assert f'href="/cases/{same_phone.id}"' in body and "ten sam telefon" in body  # type: ignore[attr-defined]
    assert "Cudza Sprawa" not in body


def test_duplicate_check_ignores_incomplete_input(client: FlaskClient, login_as: Callable[..., User], case_factory: Callable[..., object]) -> None:
    """Half-typed numbers find nothing and raise nothing."""
    login_as(Role.WORKER)
    case_factory(pesel="44051401359")
    response = client.post("/cases/duplicates", data={"csrf_token": token(client), "pesel": "4405", "phone_1": "60"})
    assert response.status_code == 200 and "Możliwy duplikat" not in response.get_data(as_text=True)


def test_submit_with_duplicate_asks_once_then_registers(
    client: FlaskClient, login_as: Callable[..., User], case_factory: Callable[..., object], db: Session
) -> None:
    """On submit the duplicate is shown again with the values kept; confirming registers the new case."""
    worker = login_as(Role.WORKER)
    case_factory(assigned=worker, pesel="44051401359")
    first = client.post("/cases/new", data=_form(client))
    body = first.get_data(as_text=True)
    assert first.status_code == 422
    assert "Możliwy duplikat" in body and "Zarejestruj mimo to" in body and 'value="Zdzisław Łukasiewicz"' in body
    assert len(db.exec(select(Case)).all()) == 1
    second = client.post("/cases/new", data=_form(client, confirm_duplicates="1"))
    assert second.status_code == 302
    assert len(db.exec(select(Case)).all()) == 2
