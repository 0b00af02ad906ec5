"""Form versions published in the browser: the checks of `forms check`, a preview, per-office publication, pinning."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app import create_app
from app.audit.models import AuditEvent
from app.auth.models import Office, Role, User
from app.cases.models import Case, Channel
from app.config import Settings
from app.db import ENGINE_KEY
from app.formdefs import FormDefinitionError
from app.formdefs.loader import content_hash
from app.formstore.models import FormOrigin, FormPublication, FormVersion
from app.interviews.models import Interview
from tests.conftest import login, token
from tests.factories import make_office, make_user
from tests.integration.formstore.conftest import RWS_V1, rws_v2

BROKEN = """\
id: rws
version: 3
title: {pl: "Zepsuty", en: "Broken"}
sections:
  - id: metadata
    title: {pl: "Metryka", en: "Metadata"}
    questions:
      - {id: mode, type: choice_one, label: {pl: "Tryb", en: "Mode"}}
      - {id: notes, type: text}
"""


def _upload(client: FlaskClient, office: Office, text: str, filename: str = "rws-v2.yaml"):  # type: ignore[no-untyped-def]
    return client.post(f"/admin/offices/{office.id}/forms", content_type="multipart/form-data", data={
        "csrf_token": token(client), "file": (io.BytesIO(text.encode("utf-8")), filename), "text": "",
    })


def _case(db: Session, office: Office, worker: User, ref: str) -> Case:
    case = Case(office_id=office.id or 0, reference=ref, applicant_name="Zdzisław Łęcki", channel=Channel.PHONE,
                received_on=date(2026, 3, 2), assigned_worker_id=worker.id)
    db.add(case)
    db.commit()
    return case


def _start(app: Flask, db: Session, worker: User, case: Case) -> Interview:
    client = app.test_client()
    assert login(client, worker.username).status_code == 302
    response = client.post(f"/cases/{case.id}/interviews", data={"csrf_token": token(client)})
    assert response.status_code in (302, 303), response.get_data(as_text=True)
    db.expire_all()
    return db.exec(select(Interview).where(Interview.case_id == case.id)).one()


def test_every_problem_is_listed_with_its_place_and_the_text_stays(
    client: FlaskClient, login_as: Callable[..., User], office: Office, db: Session
) -> None:
    """The upload gets the checks of `telewywiad forms check`: each problem with its item; nothing is stored."""
    login_as(Role.ADMIN)
    response = _upload(client, office, BROKEN)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "sections[0].questions[0]" in body and "&#39;choice_one&#39; is not one of" in body
    assert "sections[0].questions[1]" in body and "missing required key &#39;label&#39;" in body
    assert "title: {pl: &#34;Zepsuty&#34;" in body  # the text stays in the text area to be corrected
    assert db.exec(select(FormVersion)).first() is None


def test_pasted_text_is_checked_like_a_file(client: FlaskClient, login_as: Callable[..., User], office: Office) -> None:
    """YAML that does not parse names its line; binary junk is refused as not UTF-8."""
    login_as(Role.ADMIN)
    response = client.post(f"/admin/offices/{office.id}/forms", data={
        "csrf_token": token(client), "text": "id: rws\nversion: [2\n", "name": ""})
    assert response.status_code == 422 and "invalid YAML" in response.get_data(as_text=True)
    response = client.post(f"/admin/offices/{office.id}/forms", content_type="multipart/form-data", data={
        "csrf_token": token(client), "file": (io.BytesIO(b"\xff\xfe\x00binary"), "x.yaml")})
    assert response.status_code == 422 and "UTF-8" in response.get_data(as_text=True)


def test_published_version_is_used_for_new_interviews_of_that_office_only(
    client: FlaskClient, login_as: Callable[..., User], office: Office, db: Session, app: Flask
) -> None:
    """Upload → preview → publish: the office's next interview pins v2 by hash; another office stays on v1."""
    worker = make_user(db, office, Role.WORKER, username="pracownik-formularz")
    db.commit()
    running = _start(app, db, worker, _case(db, office, worker, "RWS/2026/0001"))
    admin = login_as(Role.ADMIN)
    text = rws_v2()
    response = _upload(client, office, text)
    assert response.status_code == 302
    row = db.exec(select(FormVersion).where(FormVersion.version == 2)).one()
    assert row.content_hash == content_hash(text) and row.origin == FormOrigin.UPLOAD and row.office_id == office.id
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "wersja ośrodka" in preview and "Opublikuj dla ośrodka" in preview and "Dane rozmowy" in preview

    # A draft is not used yet.
    assert _start(app, db, worker, _case(db, office, worker, "RWS/2026/0002")).form_version == 1
    response = client.post(f"/admin/offices/{office.id}/forms/{row.id}/publish", data={"csrf_token": token(client)})
    assert response.status_code == 302
    assert db.get(FormPublication, (office.id, row.id)) is not None
    published = db.exec(select(AuditEvent).where(AuditEvent.action == "form.publish")).one()
    assert published.actor_id == admin.id

    fresh = _start(app, db, worker, _case(db, office, worker, "RWS/2026/0003"))
    assert (fresh.form_version, fresh.form_hash) == (2, row.content_hash)
    page = app.test_client()
    login(page, worker.username)
    assert "wersja ośrodka" in page.get(f"/interviews/{fresh.id}").get_data(as_text=True)
    # The interview that started on v1 keeps it.
    db.expire_all()
    assert db.get(Interview, running.id).form_version == 1  # type: ignore[union-attr]
    assert page.get(f"/interviews/{running.id}").status_code == 200

    other = make_office(db, "GOPS Krokowa")
    other_worker = make_user(db, other, Role.WORKER, username="pracownik-krokowa")
    db.commit()
    assert _start(app, db, other_worker, _case(db, other, other_worker, "RWS/2026/0001")).form_version == 1


def test_a_published_version_cannot_change(
    client: FlaskClient, login_as: Callable[..., User], office: Office, db: Session
) -> None:
    """Same id and version with other content: refused once published (a draft may still be corrected)."""
    login_as(Role.ADMIN)
    assert _upload(client, office, rws_v2("Pierwsza próba")).status_code == 302
    assert _upload(client, office, rws_v2("Poprawiony szkic")).status_code == 302  # draft replaced
    row = db.exec(select(FormVersion).where(FormVersion.version == 2)).one()
    assert row.title == "Poprawiony szkic"
    client.post(f"/admin/offices/{office.id}/forms/{row.id}/publish", data={"csrf_token": token(client)})
    response = _upload(client, office, rws_v2("Jeszcze inaczej"))
    assert response.status_code == 422
    assert "jest już opublikowana i nie może się zmienić; zapisz zmiany jako v3" in response.get_data(as_text=True)
    response = _upload(client, office, RWS_V1.replace("Rodzinny wywiad", "Zmieniony wywiad", 1))
    assert response.status_code == 422 and "to wersja wbudowana" in response.get_data(as_text=True)


def test_another_offices_draft_or_version_is_hidden(
    client: FlaskClient, login_as: Callable[..., User], office: Office, db: Session
) -> None:
    """An administrator cannot preview or publish another office's upload (404)."""
    other = make_office(db, "GOPS Krokowa")
    other_admin = make_user(db, other, Role.ADMIN, username="admin-krokowa")
    db.commit()
    other_client = client.application.test_client()
    login(other_client, other_admin.username)
    assert _upload(other_client, other, rws_v2()).status_code == 302
    row = db.exec(select(FormVersion)).one()
    login_as(Role.ADMIN)
    assert client.get(f"/admin/offices/{office.id}/forms/{row.id}").status_code == 404
    assert client.post(f"/admin/offices/{office.id}/forms/{row.id}/publish",
                       data={"csrf_token": token(client)}).status_code == 404


def test_a_changed_builtin_file_stops_start_up_naming_it(
    app: Flask, db: Session, office: Office, settings: Settings, tmp_path: Path
) -> None:
    """Once an interview pinned forms/rws/v1.yaml, an edited copy of that file stops the next start, naming the file."""
    worker = make_user(db, office, Role.WORKER, username="pracownik-przypiety")
    db.commit()
    _start(app, db, worker, _case(db, office, worker, "RWS/2026/0009"))
    forms = tmp_path / "forms"
    shutil.copytree(Path(__file__).resolve().parents[3] / "forms", forms)
    edited = forms / "rws" / "v1.yaml"
    edited.write_text(RWS_V1.replace("Rodzinny wywiad", "Po cichu zmieniony wywiad", 1), encoding="utf-8")
    with pytest.raises(FormDefinitionError) as raised:
        create_app(settings.model_copy(update={"forms_dir": forms}))
    assert str(edited) in str(raised.value) and "v2" in str(raised.value)
    unchanged = tmp_path / "unchanged"
    shutil.copytree(Path(__file__).resolve().parents[3] / "forms", unchanged)
    create_app(settings.model_copy(update={"forms_dir": unchanged})).extensions[ENGINE_KEY].dispose()
