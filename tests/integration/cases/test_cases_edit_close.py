"""Editing a case with its history, registering without a phone, closing with the decision and reopening."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app import workdays
from app.audit.models import AuditEvent
from app.auth.models import Role, User
from app.cases.models import Callback, Case, CasePhone, CaseState
from app.cases.record_models import CaseChange, CaseClosing
from app.clock import local_today, utcnow
from tests.conftest import token
from tests.factories import make_office, make_user

NUMBER = "+48601234567"


def _edit(client: FlaskClient, case: Case, **changes: str):  # type: ignore[no-untyped-def]
    data = {
        "csrf_token": token(client, f"/cases/{case.id}/edit"),
        "applicant_name": case.applicant_name, "pesel": case.pesel or "", "email": case.email, "address": case.address,
        **({"urgent": "1"} if case.urgent else {}), **({"permanent_help": "1"} if case.permanent_help else {}),
    }
    data.update(changes)
    return client.post(f"/cases/{case.id}/edit", data={k: v for k, v in data.items() if v is not None})


def _close(client: FlaskClient, case: Case, **fields: object):  # type: ignore[no-untyped-def]
    data: dict[str, object] = {
        "csrf_token": token(client, f"/cases/{case.id}/close"), "outcome": "granted", "help_kinds": ["food"],
        "decision_number": "OPS.4011.15.2026", "decision_on": local_today().isoformat(), **fields,
    }
    return client.post(f"/cases/{case.id}/close", data=data)


def _actions(db: Session) -> list[str]:
    return [e.action for e in db.exec(select(AuditEvent)).all()]


@pytest.mark.dates
def test_edit_keeps_history_and_recomputes_the_deadline(
    client: FlaskClient, worker: User, case_factory: Callable[..., Case], db: Session
) -> None:
    """Changed fields each leave old → new, who and when; urgency moves the deadline; the page shows the history."""
    case = case_factory(assigned=worker, phones=(NUMBER,), address="ul. Polna 1")
    response = _edit(client, case, address="ul. Łąkowa 7/2, Wschowa", urgent="1", email="h.w@example.pl")
    assert response.status_code == 302
    db.refresh(case)
    assert case.address == "ul. Łąkowa 7/2, Wschowa" and case.urgent and case.email == "h.w@example.pl"
    assert case.due_on == workdays.add_working_days(case.received_on, 2)
    changes = {c.field: (c.old, c.new, c.changed_by_id) for c in db.exec(select(CaseChange)).all()}
    assert changes == {
        "address": ("ul. Polna 1", "ul. Łąkowa 7/2, Wschowa", worker.id),
        "urgent": ("0", "1", worker.id),
        "email": ("", "h.w@example.pl", worker.id),
    }
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "case.edit")).one()
    assert json.loads(event.details)["fields"] == ["address", "email", "urgent"]
    assert "Łąkowa" not in event.details  # values stay in the case history, not in the audit log
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="h-changes"' in page and "ul. Polna 1 → ul. Łąkowa 7/2, Wschowa" in page


def test_bad_edit_is_refused_whole_and_shown_as_typed(
    client: FlaskClient, worker: User, case_factory: Callable[..., Case], db: Session
) -> None:
    """A bad PESEL refuses the whole form: the good new address is not stored alone, and both stay on screen."""
    case = case_factory(assigned=worker, phones=(NUMBER,), address="ul. Polna 1")
    response = _edit(client, case, pesel="12345678901", address="ul. Nowa 5")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="12345678901"' in body and 'value="ul. Nowa 5"' in body and 'id="f-pesel-error"' in body
    db.refresh(case)
    assert case.address == "ul. Polna 1"
    assert db.exec(select(CaseChange)).first() is None
    unchanged = _edit(client, case)
    assert unchanged.status_code == 422 and "Nic nie zmieniono" in unchanged.get_data(as_text=True)


def test_case_of_another_office_is_not_found(
    client: FlaskClient, worker: User, case_factory: Callable[..., Case], db: Session
) -> None:
    """Editing, closing or reopening another office's case answers 404 and changes nothing."""
    elsewhere = case_factory(office_=make_office(db, "OPS Leszno"), phones=(NUMBER,))
    csrf = token(client, "/cases")
    assert client.get(f"/cases/{elsewhere.id}/edit").status_code == 404
    assert client.post(f"/cases/{elsewhere.id}/edit", data={"csrf_token": csrf, "applicant_name": "X"}).status_code == 404
    assert client.post(f"/cases/{elsewhere.id}/close", data={"csrf_token": csrf, "outcome": "refused"}).status_code == 404
    assert client.post(f"/cases/{elsewhere.id}/reopen", data={"csrf_token": csrf, "reason": "x"}).status_code == 404
    assert db.exec(select(CaseChange)).first() is None


def test_supervisor_reassigns_in_the_edit_form(
    client: FlaskClient, login_as: Callable[..., User], user_factory: Callable[..., User],
    case_factory: Callable[..., Case], db: Session,
) -> None:
    """The worker is one of the edited fields for a supervisor; the history names both workers."""
    first = user_factory(Role.WORKER, full_name="Anna Nowak")
    second = user_factory(Role.WORKER, full_name="Ewa Kowalska")
    login_as(Role.SUPERVISOR)
    case = case_factory(assigned=first, phones=(NUMBER,))
    assert _edit(client, case, worker_id=str(second.id)).status_code == 302
    db.refresh(case)
    assert case.assigned_worker_id == second.id
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Anna Nowak → Ewa Kowalska" in page
    assert {"case.assign", "case.edit"} <= set(_actions(db))


@pytest.mark.dates
def test_registration_without_a_phone_starts_another_route(
    client: FlaskClient, worker: User, db: Session
) -> None:
    """No number: the case is registered for a letter / e-mail / ePUAP; adding a number later brings the phone back."""
    data = {
        "csrf_token": token(client, "/cases/new"), "applicant_name": "Zofia Bąk", "pesel": "", "phone_1": "",
        "phone_2": "", "phone_3": "", "email": "", "address": "ul. Długa 3, Wschowa", "channel": "epuap",
        "channel_detail": "", "received_on": local_today().isoformat(), "requested": ["food"], "request_note": "",
    }
    assert client.post("/cases/new", data=data).status_code == 302
    case = db.exec(select(Case)).one()
    assert case.state == CaseState.OTHER_ROUTE and case.needs_other_route
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Wniosek bez numeru telefonu" in page and 'value="epuap"' in page
    today = client.get("/today").get_data(as_text=True)
    assert "Bez numeru telefonu: kontakt listem, e-mailem lub przez ePUAP" in today
    added = client.post(f"/cases/{case.id}/phones", data={"csrf_token": token(client, "/cases"), "phone": "601 234 567"})
    assert added.status_code == 302
    db.refresh(case)
    assert not case.needs_other_route and case.state == CaseState.CONTACTING
    assert db.exec(select(CasePhone.number)).all() == [NUMBER]
    assert [(c.field, c.old, c.new) for c in db.exec(select(CaseChange)).all()] == [("phone", "", "601 234 567")]


@pytest.mark.dates
def test_close_with_decision_leaves_the_lists_and_reopen_returns_it(
    client: FlaskClient, worker: User, case_factory: Callable[..., Case], db: Session
) -> None:
    """Closing keeps outcome, help, decision number and date; the case leaves today's list; reopening is audited."""
    case = case_factory(assigned=worker, phones=(NUMBER,), received_on=local_today() - timedelta(days=3))
    db.add(Callback(case_id=case.id or 0, worker_id=worker.id or 0, due_at=utcnow() - timedelta(minutes=5)))
    db.commit()
    assert case.applicant_name in client.get("/today").get_data(as_text=True)
    assert _close(client, case).status_code == 302
    db.refresh(case)
    assert case.state == CaseState.CLOSED
    closing = db.exec(select(CaseClosing)).one()
    assert (closing.outcome, json.loads(closing.help_kinds), closing.decision_number, closing.decision_on) == (
        "granted", ["food"], "OPS.4011.15.2026", local_today())
    assert case.applicant_name not in client.get("/today").get_data(as_text=True)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Przyznano świadczenie" in page and "OPS.4011.15.2026" in page
    refused = client.post(f"/cases/{case.id}/reopen", data={"csrf_token": token(client, "/cases"), "reason": ""})
    assert refused.status_code == 422 and "dlaczego sprawa wraca" in refused.get_data(as_text=True)
    reopened = client.post(f"/cases/{case.id}/reopen",
                           data={"csrf_token": token(client, "/cases"), "reason": "odwołanie od decyzji"})
    assert reopened.status_code == 302
    db.refresh(case)
    db.refresh(closing)
    assert case.state == CaseState.NEW and closing.reopen_reason == "odwołanie od decyzji"
    assert {"case.close", "case.reopen"} <= set(_actions(db))
    assert [(c.old, c.new) for c in db.exec(select(CaseChange).order_by(CaseChange.id)).all()] == [
        ("new", "closed"), ("closed", "new")]


@pytest.mark.dates
def test_decision_date_before_the_application_is_refused(
    client: FlaskClient, worker: User, case_factory: Callable[..., Case], db: Session
) -> None:
    """A decision dated before the application arrived, or missing its number, stores nothing and keeps the typing."""
    case = case_factory(assigned=worker, phones=(NUMBER,))
    earlier = (local_today() - timedelta(days=30)).isoformat()
    response = _close(client, case, decision_on=earlier, decision_number="", note="zapisane w notatce")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "wcześniejszej niż wpływ wniosku" in body and "Podaj numer decyzji" in body
    assert f'value="{earlier}"' in body and "zapisane w notatce" in body
    db.refresh(case)
    assert case.state != CaseState.CLOSED
    assert db.exec(select(CaseClosing)).first() is None and db.exec(select(CaseChange)).first() is None


def test_other_outcomes_ask_only_what_they_need(
    client: FlaskClient, worker: User, case_factory: Callable[..., Case], db: Session
) -> None:
    """"Passed to another office" asks which office and no decision; the form's help kinds start from the request."""
    case = case_factory(assigned=worker, phones=(NUMBER,), requested='["hot_meal"]')
    assert 'value="hot_meal" checked' in client.get(f"/cases/{case.id}/close").get_data(as_text=True)
    missing = _close(client, case, outcome="transferred", decision_number="", decision_on="")
    assert missing.status_code == 422 and "do którego ośrodka" in missing.get_data(as_text=True)
    assert _close(client, case, outcome="transferred", transferred_to="MOPS Leszno").status_code == 302
    closing = db.exec(select(CaseClosing)).one()
    assert closing.decision_number == "" and closing.decision_on is None and closing.transferred_to == "MOPS Leszno"


def test_user_without_case_role_cannot_edit(client: FlaskClient, login_as: Callable[..., User],
                                            case_factory: Callable[..., Case], db: Session) -> None:
    """A psychologist has no case pages."""
    other = make_user(db, make_office(db, "x"), Role.WORKER)
    db.commit()
    del other
    login_as(Role.PSYCHOLOGIST)
    case = case_factory(phones=(NUMBER,))
    assert client.get(f"/cases/{case.id}/edit").status_code in (403, 404)


def test_closing_with_an_interview_in_progress_asks_first_and_keeps_the_interview(
    client: FlaskClient, worker: User, case_factory: Callable[..., Case], db: Session
) -> None:
    """An unfinished interview is named on the closing form; closing needs the box ticked and leaves it as it is."""
    from app.interviews.models import Interview, InterviewState

    case = case_factory(assigned=worker, phones=(NUMBER,), received_on=local_today() - timedelta(days=3))
    interview = Interview(office_id=case.office_id, case_id=case.id or 0, worker_id=worker.id or 0, form_id="rws",
                          form_version=1, state=InterviewState.IN_PROGRESS)
    db.add(interview)
    db.commit()
    form = client.get(f"/cases/{case.id}/close").get_data(as_text=True)
    assert "nie jest zakończony" in form and f"/interviews/{interview.id}" in form
    refused = _close(client, case, decision_number="")
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Zakończ go albo zaznacz" in body and "Podaj numer decyzji" in body  # every problem at once
    db.refresh(case)
    assert case.state != CaseState.CLOSED and db.exec(select(CaseClosing)).first() is None
    assert _close(client, case, leave_interview="1").status_code == 302
    db.refresh(case)
    db.refresh(interview)
    assert case.state == CaseState.CLOSED and interview.state == InterviewState.IN_PROGRESS


def test_a_finished_interview_does_not_hold_up_closing(
    client: FlaskClient, worker: User, case_factory: Callable[..., Case], db: Session
) -> None:
    from app.interviews.models import Interview, InterviewState

    case = case_factory(assigned=worker, phones=(NUMBER,), received_on=local_today() - timedelta(days=3))
    db.add(Interview(office_id=case.office_id, case_id=case.id or 0, worker_id=worker.id or 0, form_id="rws",
                     form_version=1, state=InterviewState.FINISHED))
    db.commit()
    assert "nie jest zakończony" not in client.get(f"/cases/{case.id}/close").get_data(as_text=True)
    assert _close(client, case).status_code == 302
