"""Every action the issue lists leaves an audit event, triggered through the web; no event holds personal data."""

from __future__ import annotations

import json
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.audit.services import verify
from app.auth.models import User
from app.interviews.models import Interview, InterviewState
from app.reports.models import Report, ReportFile
from tests.conftest import csrf_from, login, token
from tests.factories import PASSWORD

from .conftest import NAME, PESEL, World, assert_no_personal_data, events, make_referral

ClientOf = Callable[[User], FlaskClient]


def _details(event: object) -> dict[str, object]:
    return dict(json.loads(event.details))  # type: ignore[attr-defined]


def test_login_and_logout_are_logged(app: Flask, db: Session, world: World) -> None:
    """A successful login and a logout each leave an event naming the user by id."""
    client = app.test_client()
    assert login(client, world.worker.username).status_code == 302
    client.post("/logout", data={"csrf_token": token(client)})
    (logged_in,) = events(db, "login")
    (logged_out,) = events(db, "logout")
    assert (logged_in.actor_id, logged_in.object_id) == (world.worker.id, str(world.worker.id))
    assert logged_out.actor_id == world.worker.id
    assert_no_personal_data(db)


def test_failed_login_is_logged_without_the_typed_name(app: Flask, db: Session, world: World) -> None:
    """A wrong password is logged with no actor and without the username or password typed."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"username": NAME, "password": PESEL, "csrf_token": csrf_from(page)})
    assert response.status_code == 401
    (failed,) = events(db, "login.failed")
    assert failed.actor_id is None and failed.details == "{}"
    assert_no_personal_data(db)


def test_viewing_a_case_is_logged(db: Session, world: World, client_of: ClientOf) -> None:
    """Opening the case page logs case.view with the case id."""
    assert client_of(world.worker).get(f"/cases/{world.case.id}").status_code == 200
    (viewed,) = events(db, "case.view")
    assert (viewed.object_type, viewed.object_id, viewed.actor_id) == ("case", str(world.case.id), world.worker.id)
    assert_no_personal_data(db)


def test_viewing_an_interview_and_its_summary_is_logged(db: Session, world: World, client_of: ClientOf) -> None:
    """The runner screen and the answers summary each log interview.view."""
    client = client_of(world.supervisor)
    assert client.get(f"/interviews/{world.interview.id}").status_code in (200, 302)
    assert client.get(f"/interviews/{world.interview.id}/summary").status_code == 200
    viewed = events(db, "interview.view")
    assert len(viewed) >= 2
    assert {e.object_id for e in viewed} == {str(world.interview.id)}
    assert {e.actor_id for e in viewed} == {world.supervisor.id}
    assert_no_personal_data(db)


def _sign(client: FlaskClient, interview: Interview) -> Report:
    response = client.post(f"/interviews/{interview.id}/sign", data={"password": PASSWORD, "csrf_token": token(client)})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return Report(id=int(response.headers["Location"].rsplit("/", 1)[1]))


def test_signing_viewing_approving_and_downloading_a_report_are_logged(
    db: Session, world: World, client_of: ClientOf
) -> None:
    """Sign (report.submit), open the report (report.view), counter-sign (report.approve), download (export)."""
    report = _sign(client_of(world.worker), world.interview)
    (submitted,) = events(db, "report.submit")
    assert submitted.object_id == str(report.id)
    supervisor = client_of(world.supervisor)
    assert supervisor.get(f"/reports/{report.id}").status_code == 200
    (viewed,) = events(db, "report.view")
    assert (viewed.object_id, viewed.actor_id) == (str(report.id), world.supervisor.id)
    response = supervisor.post(f"/reports/{report.id}/approve", data={"password": PASSWORD, "csrf_token": token(supervisor)})
    assert response.status_code == 302
    (approved,) = events(db, "report.approve")
    assert approved.actor_id == world.supervisor.id
    stored = db.exec(select(ReportFile).where(ReportFile.report_id == report.id, ReportFile.kind == "approved")).one()
    assert supervisor.get(f"/reports/{report.id}/files/{stored.id}/download").status_code == 200
    (downloaded,) = events(db, "report.download")
    assert downloaded.object_id == str(stored.id)
    assert_no_personal_data(db)


def test_returning_a_report_is_logged_without_the_comment_text(db: Session, world: World, client_of: ClientOf) -> None:
    """report.return carries the comment ids and question ids, never what the supervisor wrote."""
    report = _sign(client_of(world.worker), world.interview)
    supervisor = client_of(world.supervisor)
    comment = f"Sprawdź PESEL {PESEL} i nazwisko {NAME}"
    response = supervisor.post(f"/reports/{report.id}/return",
                               data={"comment-full_name": comment, "general": comment, "csrf_token": token(supervisor)})
    assert response.status_code == 302
    (returned,) = events(db, "report.return")
    assert _details(returned)["answer_keys"] == ["full_name"]
    assert comment not in returned.details
    assert events(db, "interview.reopen")
    assert_no_personal_data(db)


def test_changing_an_answer_logs_the_question_id_never_the_value(db: Session, world: World, client_of: ClientOf) -> None:
    """answer.change names the interview and the question key; the typed PESEL and name are not in it."""
    world.interview.state = InterviewState.IN_PROGRESS
    db.add(world.interview)
    db.commit()
    client = client_of(world.worker)
    for key, value in (("pesel", PESEL), ("full_name", f"{NAME}-Kowalska")):
        response = client.post(
            f"/interviews/{world.interview.id}/answers", data={"key": key, key: value},
            headers={"HX-Request": "true", "X-CSRFToken": token(client, f"/interviews/{world.interview.id}")},
        )
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
    changed = events(db, "answer.change")
    assert [_details(e)["key"] for e in changed] == ["pesel", "full_name"]
    assert {e.object_id for e in changed} == {str(world.interview.id)}
    assert_no_personal_data(db)


def test_referral_creation_view_and_transitions_are_logged(db: Session, world: World, client_of: ClientOf) -> None:
    """Raising, opening, accepting and logging a contact on a referral each leave an event with the referral id."""
    worker = client_of(world.worker)
    response = worker.post(f"/cases/{world.case.id}/referrals/new", data={
        "consent": "yes", "emergency_action": "", "person_name": NAME, "phone": "601 234 567",
        "best_time": "po 16:00", "communication_needs": "", "reason": "anxiety", "priority": "high",
        "worker_note": "Prosi o rozmowę.", "worker_contact": "", "csrf_token": token(worker)})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    (created,) = events(db, "referral.created")
    psychologist = client_of(world.psychologist)
    assert psychologist.get(f"/referrals/{created.object_id}").status_code == 200
    for action, data in (("accept", {}), ("log_contact", {"outcome": "no_answer", "note": f"Nie odbiera, {NAME}"})):
        reply = psychologist.post(f"/referrals/{created.object_id}/{action}", data={**data, "csrf_token": token(psychologist)})
        assert reply.status_code == 302
    assert [e.object_id for e in events(db, "referral.view")] == [created.object_id]
    assert events(db, "referral.accept")[0].object_id == created.object_id
    assert events(db, "referral.log_contact")[0].actor_id == world.psychologist.id
    assert_no_personal_data(db)


def test_exports_are_logged(db: Session, world: World, client_of: ClientOf) -> None:
    """The referral list export and the audit CSV export each leave an event."""
    make_referral(db, world)
    psychologist = client_of(world.psychologist)
    assert psychologist.get("/referrals/export.csv").status_code == 200
    assert events(db, "referral.exported")
    assert client_of(world.supervisor).get("/audit/export.csv").status_code == 200
    assert events(db, "audit.export")
    assert_no_personal_data(db)


def test_user_and_role_changes_are_logged(db: Session, world: World, client_of: ClientOf) -> None:
    """Creating a user, changing roles, disabling and a password reset leave events with role codes only."""
    admin = client_of(world.admin)
    response = admin.post("/admin/users/new", data={
        "username": "nowy", "full_name": "Jan Nowak-Ślązak", "email": "jan@example.org", "roles": ["worker"],
        "password": "Another-Correct-Horse-7", "csrf_token": token(admin)})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    created = events(db, "user.create")[-1]
    assert created.actor_id == world.admin.id
    user_id = created.object_id
    admin.post(f"/admin/users/{user_id}", data={"full_name": "Jan Nowak-Ślązak", "email": "",
                                                "roles": ["worker", "supervisor"], "csrf_token": token(admin)})
    admin.post(f"/admin/users/{user_id}/active", data={"active": "0", "csrf_token": token(admin)})
    admin.post(f"/admin/users/{user_id}/password", data={"password": "Yet-Another-Horse-88", "csrf_token": token(admin)})
    (updated,) = events(db, "user.update")
    assert _details(updated) == {"roles_after": ["supervisor", "worker"], "roles_before": ["worker"]}
    assert events(db, "user.disable")[0].object_id == user_id
    assert events(db, "user.password_reset")[0].object_id == user_id
    for event in events(db, "user.create") + events(db, "user.update"):
        assert "Nowak" not in event.details and "jan@example.org" not in event.details
    assert_no_personal_data(db)
    assert verify(db) == []
