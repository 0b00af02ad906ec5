"""One finished interview as JSON, valid against the schema shipped in forms/schema; audited; never when unfinished."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlmodel import Session, select

from app.audit.models import AuditEvent
from app.auth.models import Office, Role, User
from app.cases.models import Case
from app.cli import main
from app.handoff.interview import build
from app.interviews.models import Interview, InterviewState
from app.referrals.models import FlagDecision, FlagDecisionKind, Priority, ReasonCategory, Referral
from tests.conftest import login
from tests.factories import make_case

Validate = Callable[[dict[str, Any]], None]


def _with_referral(db: Session, interview: Interview, worker: User) -> Referral:
    referral = Referral(office_id=interview.office_id, case_id=interview.case_id, interview_id=interview.id,
                        flag_rule_id="job_loss_distress", person_name="Zażółć Gęślą-Jaźń", phone="+48601234567",
                        reason=ReasonCategory.LOSS, priority=Priority.HIGH, raised_by_id=worker.id or 0,
                        consent_given=True, due_at=interview.finished_at or interview.started_at)
    db.add(referral)
    db.flush()
    db.add(FlagDecision(office_id=interview.office_id, interview_id=interview.id or 0, rule_id="job_loss_distress",
                        decision=FlagDecisionKind.CONFIRMED, fingerprint="0" * 64, referral_id=referral.id,
                        decided_by_id=worker.id or 0))
    db.commit()
    return referral


def test_approved_interview_export_is_valid_and_complete(
    app: Flask, db: Session, approved_interview: Interview, worker: User, validate: Validate
) -> None:
    """Form id/version, labelled typed answers, call, art. 233, referral, documents and both signatures' hashes."""
    referral = _with_referral(db, approved_interview, worker)
    with app.test_request_context():
        data = build(db, approved_interview)
    validate(data)
    assert (data["form"]["id"], data["form"]["version"]) == ("rws", 1)
    answers = {a["key"]: a for a in data["answers"]}
    assert answers["mode"]["value"] == "phone_15o" and answers["mode"]["type"] == "select_one"
    assert answers["mode"]["label"] == "Tryb przeprowadzenia wywiadu"
    assert answers["art7_reasons"]["type"] == "select_multiple" and isinstance(answers["art7_reasons"]["value"], list)
    assert "answered_by_name" not in answers  # skipped by the form's logic: the person answered themselves
    members = [a for a in data["answers"] if a["group"] == "household"]
    assert members and {a["member"] for a in members} == set(range(answers["household"]["value"]))
    assert data["call"]["mode"] == "phone_15o" and data["call"]["number_called"].startswith("+48")
    assert data["attestation"]["acknowledged"] is True and "233" in data["attestation"]["text"]
    assert data["referral"]["requested"] is True and data["referral"]["records"][0]["id"] == referral.id
    assert data["flag_decisions"] == [{"rule": "job_loss_distress", "decision": "confirmed",
                                       "decided_at": data["flag_decisions"][0]["decided_at"], "referral_id": referral.id}]
    assert [d["filename"] for d in data["documents"]] == ["decyzja.pdf"]
    assert data["report"]["state"] == "approved"
    assert [f["kind"] for f in data["report"]["signed_files"]] == ["worker_signed", "approved"]
    assert all(len(f["certificate_sha256"]) == 64 for f in data["report"]["signed_files"])
    assert "+48601234567" not in json.dumps(data["referral"])  # the psychologist's phone is not handed over


def test_worker_downloads_the_export_from_the_case_page_and_it_is_audited(
    client: FlaskClient, db: Session, approved_interview: Interview, validate: Validate
) -> None:
    """The case page links to the JSON; the file is an attachment, valid, never cached; the export is audited."""
    page = client.get(f"/cases/{approved_interview.case_id}").get_data(as_text=True)
    url = f"/interviews/{approved_interview.id}/export.json"
    assert url in page
    assert url in client.get(f"/interviews/{approved_interview.id}/summary").get_data(as_text=True)
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="wywiad-{approved_interview.id}.json"'
    assert response.headers["Cache-Control"] == "no-store"
    validate(json.loads(response.data))
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "interview.export")).one()
    assert event.object_id == str(approved_interview.id) and json.loads(event.details)["channel"] == "web"


def test_unfinished_interview_gets_a_clear_message_not_an_export(
    client: FlaskClient, db: Session, approved_interview: Interview
) -> None:
    """An interview reopened for changes: 409 with a Polish explanation; nothing audited as exported."""
    approved_interview.state = InterviewState.IN_PROGRESS
    db.add(approved_interview)
    db.commit()
    response = client.get(f"/interviews/{approved_interview.id}/export.json")
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Wywiad nie jest zakończony" in body and 'role="alert"' in body
    assert "application/json" not in response.headers["Content-Type"]
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "interview.export")).first() is None


@pytest.mark.parametrize(("roles", "same_office", "expected"), [
    ((Role.SUPERVISOR,), True, 200),
    ((Role.PSYCHOLOGIST,), True, 403),
    ((Role.ADMIN,), True, 403),
    ((Role.RECEPTION,), True, 403),
    ((Role.SUPERVISOR,), False, 404),
])
def test_who_may_export(app: Flask, user_factory: Callable[..., User], approved_interview: Interview, db: Session,
                        roles: tuple[Role, ...], same_office: bool, expected: int) -> None:
    """The office's supervisors (and the interview's worker); another office's supervisor sees nothing."""
    extra: dict[str, Any] = {}
    if not same_office:
        from tests.factories import make_office

        extra["office_"] = make_office(db)
        db.commit()
    other = user_factory(*roles, **extra)
    client = app.test_client()
    assert login(client, other.username).status_code == 302
    assert client.get(f"/interviews/{approved_interview.id}/export.json").status_code == expected


def test_cli_writes_the_export_and_refuses_an_unfinished_interview(
    runner: FlaskCliRunner, db: Session, approved_interview: Interview, office: Office, worker: User,
    tmp_path: Path, validate: Validate
) -> None:
    """`telewywiad interviews export ID --format json --out FILE`; an unfinished one exits 1 with the reason."""
    out = tmp_path / "wywiad.json"
    result = runner.invoke(main, args=["interviews", "export", str(approved_interview.id), "--format", "json",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    validate(json.loads(out.read_text(encoding="utf-8")))
    events = db.exec(select(AuditEvent).where(AuditEvent.action == "interview.export")).all()
    assert [json.loads(e.details)["channel"] for e in events] == ["cli"]
    case: Case = make_case(db, office, assigned=worker)
    running = Interview(office_id=office.id or 0, case_id=case.id or 0, worker_id=worker.id or 0, form_id="rws",
                        form_version=1)
    db.add(running)
    db.commit()
    refused = runner.invoke(main, args=["interviews", "export", str(running.id), "--out", str(tmp_path / "x.json")])
    assert refused.exit_code == 1 and "is not finished" in refused.output
    assert not (tmp_path / "x.json").exists()
