"""Call outcomes: one-tap logging, call-backs on the worker's list, the other-route threshold, answered calls."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from app.audit.models import AuditEvent
from app.auth.models import Role, User
from app.cases.models import CallAttempt, Callback, CallOutcome, Case, CaseState
from app.clock import utcnow
from app.config import SETTINGS_KEY
from app.fields import local_input_value
from tests.conftest import token

NUMBER = "+48601234567"


def _call(client: FlaskClient, case: Case, outcome: str, *, today: bool = False, **extra: str):  # type: ignore[no-untyped-def]
    """A call logged from the case page, or from a card of the today list (its own route)."""
    data = {"csrf_token": token(client, "/cases"), "number": NUMBER, "outcome": outcome, **extra}
    return client.post(f"/today/cases/{case.id}/calls" if today else f"/cases/{case.id}/calls", data=data)


@pytest.fixture
def case(worker: User, case_factory: Callable[..., Case]) -> Case:
    """A new case assigned to the worker, with one phone."""
    return case_factory(assigned=worker, phones=(NUMBER, "+48655402525"))


def test_no_answer_is_logged_and_the_case_is_being_contacted(client: FlaskClient, case: Case, db: Session) -> None:
    """A failed call is recorded with number and outcome; the case moves from new to contacting."""
    response = _call(client, case, "no_answer", note="Dzwoniono rano.")
    assert response.status_code == 302
    attempt = db.exec(select(CallAttempt)).one()
    assert (attempt.number, attempt.outcome, attempt.note) == (NUMBER, CallOutcome.NO_ANSWER, "Dzwoniono rano.")
    db.refresh(case)
    assert case.state == CaseState.CONTACTING and not case.needs_other_route


def test_the_number_dialled_must_be_one_of_the_applicants(client: FlaskClient, case: Case, db: Session) -> None:
    """A number that is not on the case is refused with a message next to the field."""
    response = client.post(
        f"/cases/{case.id}/calls",
        data={"csrf_token": token(client, "/cases"), "number": "+48999999999", "outcome": "busy"},
    )
    assert response.status_code == 422
    assert "Wybierz jeden z numerów wnioskodawcy." in response.get_data(as_text=True)
    assert db.exec(select(CallAttempt)).first() is None


def test_second_number_can_be_chosen(client: FlaskClient, case: Case, db: Session) -> None:
    """The worker may log a call to the applicant's other number."""
    client.post(
        f"/cases/{case.id}/calls",
        data={"csrf_token": token(client, "/cases"), "number": "+48655402525", "outcome": "busy"},
    )
    assert db.exec(select(CallAttempt.number)).one() == "+48655402525"


@pytest.mark.dates
def test_call_back_books_it_on_todays_list_and_closes_the_earlier_one(
    client: FlaskClient, worker: User, case: Case, db: Session
) -> None:
    """"Call back at" creates a call-back for the worker; an earlier open one of the case is done."""
    soon = utcnow() + timedelta(minutes=30)
    _call(client, case, "call_back", callback_at=local_input_value(utcnow() + timedelta(days=2)))
    first = db.exec(select(Callback)).one()
    assert first.done_at is None
    response = _call(client, case, "call_back", callback_at=local_input_value(soon), note="Po 15.")
    assert response.status_code == 302
    db.expire_all()
    callbacks = db.exec(select(Callback).order_by(col(Callback.id))).all()
    assert callbacks[0].done_at is not None
    assert callbacks[1].done_at is None and callbacks[1].worker_id == worker.id
    assert abs(callbacks[1].due_at - soon.replace(second=0, microsecond=0)) < timedelta(seconds=1)
    attempt = db.exec(select(CallAttempt).order_by(col(CallAttempt.id).desc())).first()
    assert attempt is not None and callbacks[1].attempt_id == attempt.id
    today = client.get("/today").get_data(as_text=True)
    assert 'id="h-callbacks"' in today and "Po 15." in today and "Halina Wróblewska" in today


def test_call_back_without_a_time_keeps_the_note(client: FlaskClient, case: Case, db: Session) -> None:
    """A missing or past call-back time is explained next to the field; the note typed stays."""
    response = _call(client, case, "call_back", callback_at="", note="Prosi o telefon.")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Podaj dzień i godzinę telefonu." in body and "Prosi o telefon.</textarea>" in body
    past = _call(client, case, "call_back", callback_at=local_input_value(utcnow() - timedelta(days=1)))
    assert past.status_code == 422 and "Termin telefonu minął" in past.get_data(as_text=True)
    assert db.exec(select(Callback)).first() is None


def test_call_back_error_from_today_returns_the_list_fragment(client: FlaskClient, case: Case) -> None:
    """With htmx from the today screen, the error comes back inside the list, the details opened."""
    response = client.post(
        f"/today/cases/{case.id}/calls",
        data={"csrf_token": token(client, "/cases"), "number": NUMBER, "outcome": "call_back", "callback_at": "jutro",
              "note": "Wieczorem"},
        headers={"HX-Request": "true"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert body.lstrip().startswith("<div id=\"today-list\"") or 'id="today-list"' in body.split("\n", 3)[1]
    assert "<html" not in body and "Nieprawidłowy termin" in body
    assert '<details class="call-more" open>' in body and "Wieczorem</textarea>" in body


def test_one_tap_from_today_with_htmx_rerenders_the_list(client: FlaskClient, case: Case) -> None:
    """A quick outcome via htmx answers with the refreshed list and a status line."""
    response = client.post(
        f"/today/cases/{case.id}/calls",
        data={"csrf_token": token(client, "/cases"), "number": NUMBER, "outcome": "busy"},
        headers={"HX-Request": "true"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert 'role="status">Halina Wróblewska: zapisano „zajęte”.' in body


def test_one_tap_from_today_without_javascript_redirects_back(client: FlaskClient, case: Case) -> None:
    """Without htmx the same form posts and returns to the today screen with a message."""
    response = _call(client, case, "voicemail", today=True)
    assert response.status_code == 302 and response.headers["Location"].endswith("/today")
    assert "zapisano „poczta głosowa”" in client.get("/today").get_data(as_text=True)


def test_three_failed_calls_mark_the_case_for_another_route(client: FlaskClient, case: Case, db: Session) -> None:
    """No answer, busy, voicemail in a row (the default threshold 3) → a letter or e-mail is needed."""
    _call(client, case, "no_answer")
    _call(client, case, "busy")
    db.refresh(case)
    assert not case.needs_other_route
    _call(client, case, "voicemail")
    db.refresh(case)
    assert case.needs_other_route and case.state == CaseState.OTHER_ROUTE
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "case.other_route")).one().object_id == str(case.id)
    assert "inna droga kontaktu" in client.get(f"/cases/{case.id}").get_data(as_text=True)


def test_a_contact_in_between_resets_the_count(client: FlaskClient, case: Case, db: Session) -> None:
    """Failed calls count only since the person was last reached."""
    _call(client, case, "no_answer")
    _call(client, case, "busy")
    _call(client, case, "unsafe")
    _call(client, case, "no_answer")
    _call(client, case, "busy")
    db.refresh(case)
    assert not case.needs_other_route


def test_threshold_comes_from_settings(app: Flask, client: FlaskClient, case: Case, db: Session) -> None:
    """TELEWYWIAD_CALLS_BEFORE_OTHER_ROUTE=2 marks the case after two failures."""
    app.extensions[SETTINGS_KEY].calls_before_other_route = 2
    _call(client, case, "wrong_number")
    _call(client, case, "no_answer")
    db.refresh(case)
    assert case.needs_other_route


def test_other_route_cases_are_visible_to_the_supervisor(
    client: FlaskClient, case: Case, user_factory: Callable[..., User]
) -> None:
    """The team queue lists cases needing a letter or e-mail."""
    for outcome in ("no_answer", "busy", "voicemail"):
        _call(client, case, outcome)
    boss = user_factory(Role.SUPERVISOR, username="szefowa")
    client.post("/logout", data={"csrf_token": token(client)})
    from tests.conftest import login

    login(client, boss.username)
    team = client.get("/cases/team").get_data(as_text=True)
    section = team.split('id="h-other-route"', 1)[1]
    assert "Halina Wróblewska" in section


def test_answered_call_leads_to_the_case_page(client: FlaskClient, case: Case, db: Session) -> None:
    """"Answered" redirects to the case page with ?answered=<attempt> so the interview can start from it."""
    _call(client, case, "no_answer")
    response = _call(client, case, "answered")
    attempt = db.exec(select(CallAttempt).where(CallAttempt.outcome == CallOutcome.ANSWERED)).one()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{case.id}?answered={attempt.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Połączenie odebrane" in page


def test_answered_call_with_htmx_uses_hx_redirect(client: FlaskClient, case: Case) -> None:
    """From the today screen htmx follows HX-Redirect to the case page."""
    response = client.post(
        f"/today/cases/{case.id}/calls",
        data={"csrf_token": token(client, "/cases"), "number": NUMBER, "outcome": "answered"},
        headers={"HX-Request": "true"},
    )
    assert f"/cases/{case.id}?answered=" in response.headers["HX-Redirect"]


def test_answered_parameter_of_another_case_is_ignored(
    client: FlaskClient, worker: User, case: Case, case_factory: Callable[..., Case], db: Session
) -> None:
    """?answered= only counts for an answered call of this very case."""
    _call(client, case, "answered")
    attempt = db.exec(select(CallAttempt)).one()
    other = case_factory(assigned=worker)
    assert "Połączenie odebrane" not in client.get(f"/cases/{other.id}?answered={attempt.id}").get_data(as_text=True)


def test_calling_an_unassigned_case_takes_it(
    client: FlaskClient, worker: User, case_factory: Callable[..., Case], db: Session
) -> None:
    """A worker who calls about an unassigned case becomes its worker, so call-backs land on their list."""
    free = case_factory(phones=(NUMBER,))
    _call(client, free, "busy")
    db.refresh(free)
    assert free.assigned_worker_id == worker.id


def test_call_log_audit_has_ids_and_codes_only(client: FlaskClient, case: Case, db: Session) -> None:
    """call.log carries the attempt and case ids and the outcome code; no number, no note."""
    _call(client, case, "refused", note="Nie chce rozmawiać z ośrodkiem.")
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "call.log")).one()
    attempt = db.exec(select(CallAttempt)).one()
    assert event.object_id == str(attempt.id) and f'"case_id": {case.id}' in event.details
    assert '"outcome": "refused"' in event.details
    assert "601234567" not in event.details and "ośrodkiem" not in event.details


def test_refused_call_from_today_says_why_even_when_the_case_is_not_on_the_list(
    client: FlaskClient, worker: User, case_factory: Callable[..., Case]
) -> None:
    """A refused call posted from "Dzisiaj" for a case the list does not show still answers with an alert and why."""
    unassigned = case_factory(name="Sprawa Spoza Listy", phones=(NUMBER,))
    response = client.post(
        f"/today/cases/{unassigned.id}/calls",
        data={"csrf_token": token(client, "/cases"), "number": NUMBER, "outcome": "no-such-outcome"},
        headers={"HX-Request": "true"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'role="alert"' in body and "Sprawa Spoza Listy: rozmowy nie zapisano." in body
