"""Passwords typed again to sign or approve count towards the login lock-out: same wait, same message."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.interviews.models import Interview
from app.reports.models import Report, ReportFile
from tests.conftest import login, token
from tests.factories import PASSWORD

LOCKED = "Zbyt wiele nieudanych prób logowania. Spróbuj ponownie za 1 min."


def _client(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    assert login(client, user.username).status_code == 302
    return client


def test_wrong_signing_passwords_lock_the_account_like_the_login_form(
    app: Flask, db: Session, interview: Interview, worker: User
) -> None:
    """Five wrong passwords in the sign dialog, then even the right one waits; the login form is locked too."""
    client = _client(app, worker)
    for _ in range(5):
        response = client.post(f"/interviews/{interview.id}/sign", data={"password": "zgadywane-hasło-1",
                                                                           "csrf_token": token(client)})
        assert response.status_code == 422
        assert "Hasło jest nieprawidłowe. Niczego nie podpisano." in response.get_data(as_text=True)
    for _ in range(7):
        locked = client.post(f"/interviews/{interview.id}/sign", data={"password": PASSWORD,
                                                                         "csrf_token": token(client)})
        assert locked.status_code == 429 and LOCKED in locked.get_data(as_text=True)
    assert db.exec(select(Report)).first() is None and db.exec(select(ReportFile)).first() is None
    assert login(app.test_client(), worker.username).status_code == 429  # one lock-out for every prompt
    failed = db.exec(select(AuditEvent).where(AuditEvent.action == "reauth.failed")).all()
    assert len(failed) == 5 and all(e.actor_id == worker.id for e in failed)
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "reauth.throttled")).first() is not None


def test_approving_counts_towards_the_same_lock(
    app: Flask, db: Session, submitted: Report, supervisor: User
) -> None:
    """Wrong passwords at the counter-signature lock the supervisor; the report keeps waiting."""
    client = _client(app, supervisor)
    for _ in range(5):
        response = client.post(f"/reports/{submitted.id}/approve", data={"password": "zgadywane-hasło-1",
                                                                         "csrf_token": token(client)})
        assert response.status_code == 422
    locked = client.post(f"/reports/{submitted.id}/approve", data={"password": PASSWORD, "csrf_token": token(client)})
    assert locked.status_code == 429 and LOCKED in locked.get_data(as_text=True)
    db.expire_all()
    assert db.get(Report, submitted.id).state == "submitted"  # type: ignore[union-attr]


def test_prompts_add_up_to_one_count(app: Flask, db: Session, interview: Interview, worker: User) -> None:
    """Three wrong at signing and two at the password change make five: the next prompt waits."""
    client = _client(app, worker)
    for _ in range(3):
        client.post(f"/interviews/{interview.id}/sign", data={"password": "zgadywane-hasło-1",
                                                              "csrf_token": token(client)})
    for _ in range(2):
        assert client.post("/account/password", data={
            "current_password": "zgadywane-hasło-2", "new_password": "Nowe-Hasło-Pracownika-9",
            "repeat_password": "Nowe-Hasło-Pracownika-9", "csrf_token": token(client),
        }).status_code == 422
    response = client.post(f"/interviews/{interview.id}/sign", data={"password": PASSWORD, "csrf_token": token(client)})
    assert response.status_code == 429
    events = db.exec(select(AuditEvent.action).where(col(AuditEvent.action).startswith("reauth."))).all()
    assert events.count("reauth.failed") == 5
