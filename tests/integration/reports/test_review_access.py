"""Who may read and download a report: its worker, the office's supervisors and administrators; nobody else."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlmodel import Session, select

from app.audit.models import AuditEvent
from app.auth.models import Office, Role, User
from app.reports.models import ReportFile
from tests.conftest import login
from tests.factories import make_office


@pytest.fixture
def other_office(db: Session) -> Office:
    """A second office whose staff must not even learn the report exists."""
    office = make_office(db, "Ośrodek Pomocy Społecznej w Żórawinie")
    db.commit()
    return office


@pytest.mark.parametrize(("who", "expected"), [
    ("owner", 200),
    ("supervisor", 200),
    ("admin", 200),
    ("other_worker", 403),
    ("psychologist", 403),
    ("other_office_supervisor", 404),
    ("other_office_admin", 404),
])
def test_pdf_access_matrix(app: Flask, db: Session, approved: ReportFile, worker: User, supervisor: User,
                           user_factory: Callable[..., User], other_office: Office, who: str, expected: int) -> None:
    """Allowed readers get the exact archived bytes, never cached, audit-logged; others get 403, other offices 404."""
    users = {
        "owner": lambda: worker,
        "supervisor": lambda: supervisor,
        "admin": lambda: user_factory(Role.ADMIN, username="admin-a"),
        "other_worker": lambda: user_factory(Role.WORKER, username="pracownik-b"),
        "psychologist": lambda: user_factory(Role.PSYCHOLOGIST, username="psycholog"),
        "other_office_supervisor": lambda: user_factory(Role.SUPERVISOR, username="kier-z", office_=other_office),
        "other_office_admin": lambda: user_factory(Role.ADMIN, username="admin-z", office_=other_office),
    }
    user = users[who]()
    client = app.test_client()
    assert login(client, user.username).status_code == 302
    for kind in ("download", "view"):
        _check_pdf_response(client, db, approved, user, kind, expected)


def _check_pdf_response(client, db: Session, approved: ReportFile, user: User, kind: str, expected: int) -> None:  # type: ignore[no-untyped-def]
    before = len(db.exec(select(AuditEvent)).all())
    response = client.get(f"/reports/{approved.report_id}/files/{approved.id}/{kind}")
    assert response.status_code == expected
    if expected != 200:
        assert response.data != approved.pdf
        return
    assert response.data == approved.pdf
    assert response.mimetype == "application/pdf"
    disposition = "attachment" if kind == "download" else "inline"
    assert response.headers["Content-Disposition"].startswith(f'{disposition}; filename="raport-RWS-2026-0002-v1')
    assert response.headers["Cache-Control"] == "no-store"
    events = db.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).all()  # type: ignore[union-attr]
    assert len(events) > before
    logged = events[0]
    assert logged.action == ("report.download" if kind == "download" else "report.view_pdf")
    assert (logged.actor_id, logged.object_id) == (user.id, str(approved.id))
    assert approved.sha256 in logged.details


@pytest.mark.parametrize(("who", "expected"), [
    ("owner", 200), ("supervisor", 200), ("psychologist", 403), ("other_office_supervisor", 404),
])
def test_report_page_access(app: Flask, db: Session, approved: ReportFile, worker: User, supervisor: User,
                            user_factory: Callable[..., User], other_office: Office, who: str, expected: int) -> None:
    """The report page follows the same rules as downloads."""
    user = {
        "owner": lambda: worker,
        "supervisor": lambda: supervisor,
        "psychologist": lambda: user_factory(Role.PSYCHOLOGIST, username="psycholog"),
        "other_office_supervisor": lambda: user_factory(Role.SUPERVISOR, username="kier-z", office_=other_office),
    }[who]()
    client = app.test_client()
    login(client, user.username)
    assert client.get(f"/reports/{approved.report_id}").status_code == expected


def test_file_of_another_report_is_not_found(app: Flask, approved: ReportFile, supervisor: User) -> None:
    """A file id under the wrong report id is 404, not a way round the report's access check."""
    client = app.test_client()
    login(client, supervisor.username)
    assert client.get(f"/reports/{approved.report_id + 1}/files/{approved.id}/download").status_code == 404


def test_worker_cannot_approve_or_return(app: Flask, approved: ReportFile, worker: User) -> None:
    """Deciding is for supervisors: the worker's POSTs are refused before anything happens."""
    client = app.test_client()
    login(client, worker.username)
    from tests.conftest import token

    csrf = token(client)
    assert client.post(f"/reports/{approved.report_id}/approve", data={"csrf_token": csrf}).status_code == 403
    assert client.post(f"/reports/{approved.report_id}/return", data={"csrf_token": csrf}).status_code == 403
    assert client.get("/review").status_code == 403
