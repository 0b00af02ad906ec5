"""Trying again after "no answer": a call-back attached to the failed call, never a second call (issue 15, point 4)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.cases.models import CallAttempt, Callback, CallOutcome, Case
from tests.conftest import token

NUMBER = "+48601234567"


@pytest.fixture
def case(worker: User, case_factory: Callable[..., Case]) -> Case:
    """A new case assigned to the worker, with one phone."""
    return case_factory(assigned=worker, name="Halina Ponowna", phones=(NUMBER,))


def _call(client: FlaskClient, case: Case, outcome: str) -> None:
    response = client.post(f"/today/cases/{case.id}/calls", data={
        "csrf_token": token(client, "/cases"), "number": NUMBER, "outcome": outcome})
    assert response.status_code in (200, 302)


def _retry(client: FlaskClient, case: Case, *, htmx: bool = True, **fields: str):  # type: ignore[no-untyped-def]
    return client.post(f"/today/cases/{case.id}/retry", data={"csrf_token": token(client, "/cases"), **fields},
                       headers={"HX-Request": "true"} if htmx else {})


def test_no_answer_offers_the_next_try_and_booking_it_adds_no_call(
    client: FlaskClient, case: Case, db: Session
) -> None:
    """After "Nie odbiera" the card offers the next try; tapping a time books a call-back on that call, not a call."""
    _call(client, case, "no_answer")
    assert "Zadzwoń ponownie — zaplanuj na:" in client.get("/today").get_data(as_text=True)
    response = _retry(client, case, retry_preset="in_1h")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "ponowny telefon zaplanowany na" in body
    attempts = db.exec(select(CallAttempt).where(CallAttempt.case_id == case.id)).all()
    assert [a.outcome for a in attempts] == [CallOutcome.NO_ANSWER]  # no fake "asked to call back"
    callback = db.exec(select(Callback).where(Callback.case_id == case.id)).one()
    assert callback.attempt_id == attempts[0].id and callback.done_at is None
    assert "oddzwoń o" in body and "Ostatnio: nie odbiera" in body
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "callback.retry")).one()


def test_planning_again_moves_the_plan_instead_of_stacking_call_backs(
    client: FlaskClient, case: Case, db: Session
) -> None:
    """Two taps for the same failed call leave one call-back, at the later choice."""
    _call(client, case, "busy")
    _retry(client, case, retry_preset="in_1h")
    _retry(client, case, retry_preset="next_9")
    callbacks = db.exec(select(Callback).where(Callback.case_id == case.id, col(Callback.done_at).is_(None))).all()
    assert len(callbacks) == 1


def test_retries_do_not_reset_the_failed_calls_that_lead_to_a_letter(
    client: FlaskClient, case: Case, db: Session
) -> None:
    """Three unanswered calls with planned retries between them still mark the case for a letter or an e-mail."""
    for _ in range(3):
        _call(client, case, "no_answer")
        _retry(client, case, retry_preset="next_9")
    db.refresh(case)
    assert case.needs_other_route


def test_no_retry_without_a_failed_call_and_a_bad_time_is_refused_out_loud(
    client: FlaskClient, case: Case, db: Session
) -> None:
    """Nothing to try again before any call; a time that is not a time names the problem; nothing is stored."""
    refused = _retry(client, case, retry_preset="in_1h")
    assert refused.status_code == 422 and 'role="alert"' in refused.get_data(as_text=True)
    _call(client, case, "no_answer")
    bad = _retry(client, case, retry_at="jutro rano")
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'role="alert"' in body and "ponownego telefonu nie zaplanowano" in body
    assert 'value="jutro rano"' in body  # what was typed stays on screen
    assert db.exec(select(Callback).where(Callback.case_id == case.id)).first() is None


def test_without_javascript_the_plan_redirects_back_to_the_list(client: FlaskClient, case: Case, db: Session) -> None:
    """A plain POST books the same and returns to "Dzisiaj"."""
    _call(client, case, "voicemail")
    response = _retry(client, case, htmx=False, retry_preset="next_16")
    assert response.status_code == 302 and response.headers["Location"].endswith("/today")
    assert db.exec(select(Callback).where(Callback.case_id == case.id)).one().attempt_id is not None
