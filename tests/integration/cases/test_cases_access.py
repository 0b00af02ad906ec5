"""Who sees which case: own and unassigned for workers, the office for supervisors, nothing across offices."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.audit.models import AuditEvent
from app.auth.models import Office, Role, User
from app.cases.models import Case
from tests.conftest import token
from tests.factories import make_office, make_user


@pytest.fixture
def colleague(user_factory: Callable[..., User]) -> User:
    """Another worker of the same office."""
    return user_factory(Role.WORKER, username="kolega", full_name="Kolega Kolegowski")


@pytest.fixture
def other_office(db: Session) -> Office:
    """A different centre."""
    office = make_office(db, "Ośrodek Pomocy Społecznej we Wschowie")
    db.commit()
    return office


def test_worker_sees_own_and_unassigned_but_not_colleagues(
    client: FlaskClient, login_as: Callable[..., User], colleague: User, case_factory: Callable[..., Case]
) -> None:
    """A colleague's case is 404 and absent from the list; own and unassigned cases are there."""
    me = login_as(Role.WORKER)
    own = case_factory(assigned=me, name="Moja Sprawa")
    free = case_factory(name="Wolna Sprawa")
    theirs = case_factory(assigned=colleague, name="Cudza Sprawa")
    assert client.get(f"/cases/{own.id}").status_code == 200
    assert client.get(f"/cases/{free.id}").status_code == 200
    assert client.get(f"/cases/{theirs.id}").status_code == 404
    listing = client.get("/cases").get_data(as_text=True)
    assert "Moja Sprawa" in listing and "Wolna Sprawa" in listing and "Cudza Sprawa" not in listing
    # Nor can a call be logged on it by guessing the id.
    response = client.post(
        f"/cases/{theirs.id}/calls", data={"csrf_token": token(client), "number": "+48601234567", "outcome": "busy"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("role", [Role.WORKER, Role.SUPERVISOR, Role.ADMIN])
def test_another_offices_case_is_404_for_everyone(
    client: FlaskClient, login_as: Callable[..., User], other_office: Office, case_factory: Callable[..., Case], role: Role
) -> None:
    """Guessing another office's case id reveals nothing, whatever the role."""
    login_as(role)
    foreign = case_factory(office_=other_office, name="Obca Sprawa")
    assert client.get(f"/cases/{foreign.id}").status_code == 404
    assert client.post(
        f"/cases/{foreign.id}/assign", data={"csrf_token": token(client, "/cases"), "worker_id": ""}
    ).status_code == 404
    assert "Obca Sprawa" not in client.get("/cases?q=obca").get_data(as_text=True)


def test_supervisor_sees_every_case_of_the_office(
    client: FlaskClient, login_as: Callable[..., User], colleague: User, case_factory: Callable[..., Case]
) -> None:
    """A supervisor opens colleagues' cases and sees the team queue."""
    login_as(Role.SUPERVISOR)
    theirs = case_factory(assigned=colleague, name="Sprawa Kolegi")
    assert client.get(f"/cases/{theirs.id}").status_code == 200
    team = client.get("/cases/team")
    assert team.status_code == 200 and "Kolega Kolegowski" in team.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/today", "/cases", "/cases/new", "/cases/team", "/cases/{id}"])
def test_psychologist_is_refused_case_pages(
    client: FlaskClient, login_as: Callable[..., User], case_factory: Callable[..., Case], path: str
) -> None:
    """Psychologists work from referrals only: case pages are 403."""
    login_as(Role.PSYCHOLOGIST)
    case = case_factory()
    assert client.get(path.format(id=case.id)).status_code == 403


def test_worker_is_refused_the_team_queue(client: FlaskClient, login_as: Callable[..., User]) -> None:
    """The per-worker queue is for supervisors and administrators."""
    login_as(Role.WORKER)
    assert client.get("/cases/team").status_code == 403


def test_viewing_a_case_is_audited(
    client: FlaskClient, login_as: Callable[..., User], case_factory: Callable[..., Case], db: Session
) -> None:
    """Opening the case page writes case.view with ids only."""
    me = login_as(Role.WORKER)
    case = case_factory(assigned=me)
    client.get(f"/cases/{case.id}")
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "case.view")).one()
    assert (event.actor_id, event.object_id) == (me.id, str(case.id))
    assert "Wróblewska" not in event.details


def test_worker_takes_an_unassigned_case_but_not_a_colleagues(
    client: FlaskClient, login_as: Callable[..., User], colleague: User, case_factory: Callable[..., Case], db: Session
) -> None:
    """"Biorę tę sprawę" assigns a free case to me; a worker cannot reassign anything else."""
    me = login_as(Role.WORKER)
    free = case_factory()
    page = client.get(f"/cases/{free.id}").get_data(as_text=True)
    assert "Biorę tę sprawę" in page
    response = client.post(f"/cases/{free.id}/assign", data={"csrf_token": token(client), "worker_id": "me"})
    assert response.status_code == 302
    db.refresh(free)
    assert free.assigned_worker_id == me.id
    # Now it is mine; giving it to a colleague is a supervisor's call.
    refused = client.post(f"/cases/{free.id}/assign", data={"csrf_token": token(client), "worker_id": str(colleague.id)})
    assert refused.status_code == 422
    assert "tylko sprawę, która nie jest jeszcze przydzielona" in refused.get_data(as_text=True)
    db.refresh(free)
    assert free.assigned_worker_id == me.id


def test_supervisor_assigns_and_unassigns(
    client: FlaskClient, login_as: Callable[..., User], colleague: User, case_factory: Callable[..., Case], db: Session
) -> None:
    """A supervisor assigns a case to a worker (audited) and can take it back off them."""
    boss = login_as(Role.SUPERVISOR)
    case = case_factory()
    client.post(f"/cases/{case.id}/assign", data={"csrf_token": token(client), "worker_id": str(colleague.id)})
    db.refresh(case)
    assert case.assigned_worker_id == colleague.id
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "case.assign")).one()
    assert event.actor_id == boss.id and f'"worker_id": {colleague.id}' in event.details
    client.post(f"/cases/{case.id}/assign", data={"csrf_token": token(client), "worker_id": ""})
    db.refresh(case)
    assert case.assigned_worker_id is None


def test_supervisor_cannot_assign_to_someone_outside_the_office(
    client: FlaskClient, login_as: Callable[..., User], other_office: Office, case_factory: Callable[..., Case], db: Session
) -> None:
    """Only active workers of the office can receive a case."""
    login_as(Role.SUPERVISOR)
    stranger = make_user(db, other_office, Role.WORKER, username="obcy")
    db.commit()
    case = case_factory()
    response = client.post(f"/cases/{case.id}/assign", data={"csrf_token": token(client), "worker_id": str(stranger.id)})
    assert response.status_code == 422
    db.refresh(case)
    assert case.assigned_worker_id is None
