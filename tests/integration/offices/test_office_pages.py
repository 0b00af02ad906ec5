"""Administrators keep their office's details (the report letterhead); installation administrators manage all offices."""

from __future__ import annotations

import json
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from app.audit.models import AuditEvent
from app.auth.models import Office, Role, User
from app.auth.services import roles_of
from tests.conftest import login, token

FORM = {
    "name": "Gminny Ośrodek Pomocy Społecznej w Pucku",
    "short_name": "GOPS Puck",
    "address": "ul. Żeromskiego 12, 84-100 Puck",
    "phone": "58 673 22 11",
    "other_phones": "601 234 567\n+48 58 673 22 12",
    "email": "gops@puck.example.pl",
    "reference_prefix": "GOPS.8211",
    "letterhead": "NIP 587-000-00-00\nePUAP: /gopspuck/skrytka",
}


def test_admin_edits_own_office_and_the_change_is_audited(
    client: FlaskClient, login_as: Callable[..., User], office: Office, db: Session
) -> None:
    """Saved details are normalised (E.164 phones) and the audit event names each field's old and new value."""
    admin = login_as(Role.ADMIN)
    response = client.post(f"/admin/offices/{office.id}", data={**FORM, "csrf_token": token(client)})
    assert response.status_code == 302
    db.expire_all()
    stored = db.get(Office, office.id)
    assert stored is not None
    assert stored.phone == "+48586732211"
    assert stored.phones == ["+48586732211", "+48601234567", "+48586732212"]
    assert stored.reference_prefix == "GOPS.8211"
    assert stored.letterhead_lines == ["NIP 587-000-00-00", "ePUAP: /gopspuck/skrytka"]
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "office.update")).one()
    assert event.actor_id == admin.id
    changes = json.loads(event.details)["changes"]
    assert changes["short_name"] == {"old": "", "new": "GOPS Puck"}
    assert changes["reference_prefix"] == {"old": "RWS", "new": "GOPS.8211"}


def test_bad_office_values_are_named_in_polish_and_kept(
    client: FlaskClient, login_as: Callable[..., User], office: Office, db: Session
) -> None:
    """A wrong phone, e-mail and prefix each get their message at the field; the typed values stay; nothing is saved."""
    login_as(Role.ADMIN)
    bad = {**FORM, "phone": "12", "email": "gops@", "reference_prefix": "RWS/2026", "other_phones": "601 234 567\nabc"}
    response = client.post(f"/admin/offices/{office.id}", data={**bad, "csrf_token": token(client)})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nieprawidłowy numer telefonu" in body
    assert "Nieprawidłowy adres e-mail" in body
    assert "Przedrostek znaku sprawy" in body and "Wiersz 2:" in body
    assert 'value="gops@"' in body and 'value="RWS/2026"' in body and "601 234 567\nabc</textarea>" in body
    db.expire_all()
    assert db.get(Office, office.id).name == office.name  # type: ignore[union-attr]


def test_office_admin_cannot_open_or_create_other_offices(
    client: FlaskClient, login_as: Callable[..., User], other_office: Office
) -> None:
    """Another office's pages are 404 (ids reveal nothing); creating offices is for installation administrators."""
    login_as(Role.ADMIN)
    for path in ("", "/settings", "/helplines", "/forms"):
        assert client.get(f"/admin/offices/{other_office.id}{path}").status_code == 404
    assert client.get("/admin/offices/new").status_code == 403
    listing = client.get("/admin/offices").get_data(as_text=True)
    assert other_office.name not in listing


def test_installation_admin_creates_an_office_and_its_first_administrator(
    client: FlaskClient, login_installation_admin: Callable[..., User], db: Session
) -> None:
    """The new office gets its own administrator, who sees only that office."""
    login_installation_admin()
    response = client.post("/admin/offices/new", data={**FORM, "csrf_token": token(client)})
    assert response.status_code == 302
    created = db.exec(select(Office).where(Office.short_name == "GOPS Puck")).one()
    response = client.post(f"/admin/offices/{created.id}/admins", data={
        "csrf_token": token(client), "full_name": "Barbara Żak", "username": "b.zak", "password": "Hasło-Ośrodka-2026",
    })
    assert response.status_code == 302
    new_admin = db.exec(select(User).where(User.username == "b.zak")).one()
    assert new_admin.office_id == created.id and roles_of(db, new_admin.id or 0) == {Role.ADMIN}
    other = client.application.test_client()
    assert login(other, "b.zak", "Hasło-Ośrodka-2026").status_code == 302
    listing = other.get("/admin/offices").get_data(as_text=True)
    assert "GOPS Puck" in listing and "Nowy ośrodek" not in listing
    actions = db.exec(select(AuditEvent.action).order_by(col(AuditEvent.id))).all()
    assert "office.create" in actions and "user.create" in actions


def test_workers_and_supervisors_have_no_office_pages(
    client: FlaskClient, login_as: Callable[..., User], office: Office
) -> None:
    """Only administrators manage an office (403 for other roles)."""
    login_as(Role.WORKER, Role.SUPERVISOR)
    assert client.get("/admin/offices").status_code == 403
    assert client.get(f"/admin/offices/{office.id}/settings").status_code == 403


def test_installation_admin_manages_other_offices_but_sees_none_of_their_records(
    client: FlaskClient, login_installation_admin: Callable[..., User], other_office: Office, db: Session
) -> None:
    """Least privilege: the installation-wide right opens other offices' details, settings, helplines and forms,
    never their cases (404) nor their accounts."""
    from datetime import date

    from app.cases.models import Case, Channel

    login_installation_admin()
    case = Case(office_id=other_office.id or 0, reference="RWS/2026/0001", applicant_name="Osoba Z Innego Ośrodka",
                channel=Channel.POST, received_on=date(2026, 3, 2))
    db.add(case)
    db.commit()
    for path in ("", "/settings", "/helplines", "/forms"):
        assert client.get(f"/admin/offices/{other_office.id}{path}").status_code == 200
    assert client.get(f"/cases/{case.id}").status_code == 404
    assert "Osoba Z Innego Ośrodka" not in client.get("/cases?q=Osoba").get_data(as_text=True)
    assert other_office.name not in client.get("/admin/users").get_data(as_text=True)
