"""Segment A carried from the case and confirmed; corrections flow back; undecided flags block finishing."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.cases.models import Case, CasePhone
from app.cases.record_models import CaseChange
from app.interviews import answers as x_answers
from app.interviews import carry
from app.interviews.demo import FINISHED_ANSWERS
from app.interviews.models import Answer, AnswerChange, Interview, InterviewState
from app.referrals.models import FlagDecision
from tests.conftest import token
from tests.integration.interviews.conftest import save, start

NUMBER = "+48601234567"


def _prepared_case(db: Session, case: Case) -> Case:
    case.pesel = "44051401359"
    case.address = "ul. Młyńska 9/1, Wschowa"
    case.email = "z.lecki@example.pl"
    db.add(case)
    db.add(CasePhone(case_id=case.id or 0, number=NUMBER, position=0))
    db.commit()
    return case


def _finish(client: FlaskClient, interview: Interview, **data: str):  # type: ignore[no-untyped-def]
    return client.post(
        f"/interviews/{interview.id}/finish", data={"csrf_token": token(client, f"/interviews/{interview.id}"), **data}
    )


def _fill(client: FlaskClient, interview: Interview, answers: dict[str, Any]) -> None:
    for key, value in answers.items():
        response = save(client, interview, key, value)
        assert response.status_code == 200, (key, response.get_data(as_text=True))


def test_segment_a_starts_from_the_case_marked_to_confirm(
    app: Flask, client: FlaskClient, db: Session, worker: User, case: Case
) -> None:
    """Name, PESEL, address, phone and e-mail are there at the start, marked until the worker confirms them."""
    interview = start(app, db, worker, _prepared_case(db, case))
    answers = x_answers.load_answers(db, interview.id or 0)
    assert {k: answers[k] for k in carry.CASE_KEYS} == {
        "full_name": "Zdzisław Łęcki", "pesel": "44051401359", "address": "ul. Młyńska 9/1, Wschowa",
        "email": "z.lecki@example.pl", "phone": NUMBER,
    }
    assert sorted(carry.unconfirmed(db, interview.id or 0)) == sorted(carry.CASE_KEYS)
    page = client.get(f"/interviews/{interview.id}?section=segment_a").get_data(as_text=True)
    assert "Dane z wniosku — potwierdź" in page and "z wniosku — potwierdź" in page
    finish = client.get(f"/interviews/{interview.id}/finish").get_data(as_text=True)
    assert "Dane z wniosku nie zostały potwierdzone" in finish
    confirmed = client.post(f"/interviews/{interview.id}/carried/confirm",
                            data={"csrf_token": token(client, f"/interviews/{interview.id}")})
    assert confirmed.status_code == 302
    assert carry.unconfirmed(db, interview.id or 0) == []
    page = client.get(f"/interviews/{interview.id}?section=segment_a").get_data(as_text=True)
    assert "Dane z wniosku — potwierdź" not in page
    assert "Dane z wniosku nie zostały potwierdzone" not in client.get(f"/interviews/{interview.id}/finish").get_data(
        as_text=True)
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "interview.case_data_confirmed")).one()
    assert "Łęcki" not in event.details


def test_a_correction_flows_back_to_the_case_with_history(
    app: Flask, client: FlaskClient, db: Session, worker: User, case: Case
) -> None:
    """A corrected address and a new number become the case's; the case history says it came from the interview."""
    interview = start(app, db, worker, _prepared_case(db, case))
    _fill(client, interview, {"address": "ul. Polna 3, Wschowa", "phone": "602 345 678"})
    db.expire_all()
    stored = db.get(Case, case.id)
    assert stored is not None and stored.address == "ul. Polna 3, Wschowa"
    assert sorted(db.exec(select(CasePhone.number).where(CasePhone.case_id == case.id)).all()) == [
        NUMBER, "+48602345678"]
    changes = {c.field: (c.old, c.new, c.source, c.interview_id) for c in db.exec(select(CaseChange)).all()}
    assert changes["address"] == ("ul. Młyńska 9/1, Wschowa", "ul. Polna 3, Wschowa", "interview", interview.id)
    assert changes["phone"][1:] == ("602 345 678", "interview", interview.id)
    assert set(carry.unconfirmed(db, interview.id or 0)) == {"full_name", "pesel", "email"}
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "poprawka w wywiadzie" in page


def test_a_corrected_name_keeps_the_case_findable_and_a_pesel_reaches_a_case_without_one(
    app: Flask, client: FlaskClient, db: Session, worker: User, case: Case
) -> None:
    """A corrected name is written back with its search key (what name search compares); a PESEL given in the call
    fills a case that had none, its history saying it was empty."""
    interview = start(app, db, worker, case)
    assert case.pesel is None
    _fill(client, interview, {"full_name": "Zdzisław Łęcki-Nowak", "pesel": "44051401359"})
    db.expire_all()
    stored = db.get(Case, case.id)
    assert stored is not None
    assert (stored.applicant_name, stored.search_name) == ("Zdzisław Łęcki-Nowak", "zdzislaw lecki-nowak")
    assert stored.pesel == "44051401359"
    changes = {c.field: (c.old, c.new) for c in db.exec(select(CaseChange)).all()}
    assert changes == {"applicant_name": ("Zdzisław Łęcki", "Zdzisław Łęcki-Nowak"), "pesel": ("", "44051401359")}


def test_an_invalid_or_blank_answer_changes_nothing_on_the_case(
    app: Flask, client: FlaskClient, db: Session, worker: User, case: Case
) -> None:
    """An answer kept invalid as typed, or cleared, leaves the case's data as it was."""
    interview = start(app, db, worker, _prepared_case(db, case))
    _fill(client, interview, {"pesel": "12345678901", "email": ""})
    db.expire_all()
    stored = db.get(Case, case.id)
    assert stored is not None and (stored.pesel, stored.email) == ("44051401359", "z.lecki@example.pl")
    assert db.exec(select(CaseChange)).first() is None


def test_an_earlier_answer_is_never_overwritten_by_the_case(
    app: Flask, client: FlaskClient, db: Session, worker: User, case: Case
) -> None:
    """Starting again returns the interview in progress: what the worker typed stays."""
    interview = start(app, db, worker, _prepared_case(db, case))
    _fill(client, interview, {"full_name": "Zdzisław Łęcki-Nowak"})
    again = start(app, db, worker, case)
    assert again.id == interview.id
    row = db.exec(select(Answer).where(Answer.interview_id == interview.id, Answer.key == "full_name")).one()
    assert row.raw == "Zdzisław Łęcki-Nowak"
    history = db.exec(select(AnswerChange.client_id).where(AnswerChange.key == "full_name")).all()
    assert history[0] == carry.CASE_PREFILL and len(history) == 2


def test_an_undecided_flag_blocks_finishing_until_dismissed(
    app: Flask, client: FlaskClient, db: Session, worker: User, case: Case
) -> None:
    """A fired flag is a blocking gap (linked to the flags page); dismissing it with a reason lets the interview end."""
    interview = start(app, db, worker, case)
    _fill(client, interview, {**FINISHED_ANSWERS, "fear_about_future": "strong"})
    refused = _finish(client, interview, accept_warnings="1")
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Sygnał bez decyzji: Silny lęk o przyszłość." in body
    assert f'href="/interviews/{interview.id}/flags"' in body
    db.expire_all()
    assert db.get(Interview, interview.id).state == InterviewState.IN_PROGRESS  # type: ignore[union-attr]
    dismissed = client.post(f"/interviews/{interview.id}/flags/anxiety_severe/dismiss",
                            data={"csrf_token": token(client, f"/interviews/{interview.id}"),
                                  "reason": "ma już opiekę psychologa"})
    assert dismissed.status_code == 302
    assert db.exec(select(FlagDecision)).one().decision == "dismissed"
    assert _finish(client, interview, accept_warnings="1").status_code == 302
    db.expire_all()
    assert db.get(Interview, interview.id).state == InterviewState.FINISHED  # type: ignore[union-attr]
    assert json.loads(db.exec(select(AuditEvent).where(AuditEvent.action == "interview.finish")).one().details)
