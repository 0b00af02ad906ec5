"""Who may open a case's documents (every opening audited), withdrawing one added by mistake, the annex choice."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.audit.models import AuditEvent
from app.auth.models import Office, Role, User
from app.cases.models import Case
from app.documents.models import CaseDocument
from tests.conftest import login, token
from tests.integration.documents.conftest import EML, Poster, photo_bytes


@pytest.fixture
def document(upload: Poster, my_case: Case, db: Session) -> CaseDocument:
    """A phone photo of a statement on the worker's case."""
    assert upload(my_case, photo_bytes(), "oswiadczenie.jpg").status_code == 302
    return db.exec(select(CaseDocument)).one()


def _client_of(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    assert login(client, user.username).status_code == 302
    return client


def test_download_sends_the_stored_bytes_safely_and_is_audited(
    client: FlaskClient, my_case: Case, document: CaseDocument, db: Session, worker: User
) -> None:
    """The file comes back byte for byte, as an attachment, sandboxed, never cached; the opening is in the audit log."""
    response = client.get(f"/cases/{my_case.id}/documents/{document.id}")
    assert response.status_code == 200
    assert response.data == document.data
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="oswiadczenie.jpg"')
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    shown = client.get(f"/cases/{my_case.id}/documents/{document.id}?inline=1")
    assert shown.headers["Content-Disposition"].startswith("inline;")
    events = db.exec(select(AuditEvent).where(AuditEvent.object_type == "case_document").order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["document.add", "document.download", "document.view"]
    assert all(e.actor_id == worker.id and json.loads(e.details)["case_id"] == my_case.id for e in events)


def test_polish_file_name_is_sent_in_both_header_forms(upload: Poster, my_case: Case, db: Session,
                                                       client: FlaskClient) -> None:
    """A name with Polish letters downloads under that name (RFC 6266 filename*), with an ASCII fallback."""
    assert upload(my_case, photo_bytes(), "oświadczenie żony.jpg").status_code == 302
    stored = db.exec(select(CaseDocument)).one()
    header = client.get(f"/cases/{my_case.id}/documents/{stored.id}").headers["Content-Disposition"]
    assert "filename*=UTF-8''o%C5%9Bwiadczenie%20%C5%BCony.jpg" in header


@pytest.mark.parametrize(("roles", "same_office", "expected"), [
    ((Role.SUPERVISOR,), True, 200),
    ((Role.WORKER,), True, 404),  # a colleague: the case is assigned to someone else
    ((Role.PSYCHOLOGIST,), True, 403),
    ((Role.RECEPTION,), True, 403),
    ((Role.ADMIN,), True, 403),  # accounts and settings, not the files of clients
    ((Role.SUPERVISOR, Role.WORKER), False, 404),
])
def test_only_staff_with_access_to_the_case_open_its_documents(
    app: Flask, user_factory: Callable[..., User], my_case: Case, document: CaseDocument, other_office: Office,
    roles: tuple[Role, ...], same_office: bool, expected: int,
) -> None:
    """Supervisors of the office and the case's worker; a colleague or another office sees nothing; others 403."""
    other = user_factory(*roles, **({} if same_office else {"office_": other_office}))
    client = _client_of(app, other)
    assert client.get(f"/cases/{my_case.id}/documents/{document.id}").status_code == expected
    assert client.get(f"/cases/{my_case.id}/documents").status_code == expected


def test_case_page_card_is_absent_for_an_administrator(
    app: Flask, user_factory: Callable[..., User], my_case: Case, document: CaseDocument
) -> None:
    """An administrator may open the case page (to assign it) but sees no documents card."""
    client = _client_of(app, user_factory(Role.ADMIN))
    page = client.get(f"/cases/{my_case.id}").get_data(as_text=True)
    assert "h-documents" not in page and "oswiadczenie.jpg" not in page


def test_withdrawing_needs_a_reason_then_erases_the_file_and_keeps_the_record(
    client: FlaskClient, my_case: Case, document: CaseDocument, db: Session
) -> None:
    """No reason: 422 at the field. With one: the bytes are gone, the name, hash and reason stay; download is 404."""
    url = f"/cases/{my_case.id}/documents/{document.id}/withdraw"
    refused = client.post(url, data={"csrf_token": token(client), "reason": "  "})
    assert refused.status_code == 422
    assert "Napisz, dlaczego dokument jest wycofywany" in refused.get_data(as_text=True)
    done = client.post(url, data={"csrf_token": token(client), "reason": "zdjęcie dokumentu innej osoby"})
    assert done.status_code == 302
    db.expire_all()
    kept = db.get(CaseDocument, document.id)
    assert kept is not None and kept.data == b"" and kept.withdrawal_reason == "zdjęcie dokumentu innej osoby"
    assert kept.sha256 == document.sha256
    assert client.get(f"/cases/{my_case.id}/documents/{document.id}").status_code == 404
    page = client.get(f"/cases/{my_case.id}/documents").get_data(as_text=True)
    assert "wycofany" in page and "zdjęcie dokumentu innej osoby" in page


def test_only_the_uploader_or_a_supervisor_may_withdraw(
    app: Flask, user_factory: Callable[..., User], my_case: Case, document: CaseDocument, db: Session
) -> None:
    """Another worker who takes over the case cannot withdraw what a colleague added; a supervisor can."""
    successor = user_factory(Role.WORKER)
    my_case.assigned_worker_id = successor.id
    db.add(my_case)
    db.commit()
    client = _client_of(app, successor)
    url = f"/cases/{my_case.id}/documents/{document.id}/withdraw"
    assert client.post(url, data={"csrf_token": token(client), "reason": "pomyłka"}).status_code == 404
    boss = _client_of(app, user_factory(Role.SUPERVISOR))
    assert boss.post(url, data={"csrf_token": token(boss), "reason": "pomyłka"}).status_code == 302


def test_annex_choice_can_be_changed_and_is_refused_for_an_email(
    client: FlaskClient, upload: Poster, my_case: Case, document: CaseDocument, db: Session
) -> None:
    """A photo can be made an annex and back; an e-mail cannot (a message, nothing changed)."""
    url = f"/cases/{my_case.id}/documents/{document.id}/annex"
    assert client.post(url, data={"csrf_token": token(client), "annex": "1"}).status_code == 302
    db.expire_all()
    assert db.get(CaseDocument, document.id).annex is True  # type: ignore[union-attr]
    assert upload(my_case, EML, "m.eml", field="file", channel="email").status_code == 302
    mail = db.exec(select(CaseDocument).where(CaseDocument.media_type == "message/rfc822")).one()
    response = client.post(f"/cases/{my_case.id}/documents/{mail.id}/annex",
                           data={"csrf_token": token(client), "annex": "1"}, follow_redirects=True)
    assert "tylko zdjęcie" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(CaseDocument, mail.id).annex is False  # type: ignore[union-attr]
