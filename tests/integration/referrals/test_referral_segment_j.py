"""A referral raised from a flag fills segment J's referral block, and the PDF's referral table shows it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.auth.models import Role
from app.interviews.answers import load_answers
from app.interviews.models import Answer
from app.referrals.models import Referral
from app.reports.build import build_report
from tests.conftest import token

pytestmark = pytest.mark.usefixtures("referral_settings")

FORM = {
    "consent": "yes", "emergency_action": "", "person_name": "Zażółć Gęślą-Jaźń", "phone": "600 100 200",
    "best_time": "po 16:00", "communication_needs": "słabo słyszy", "reason": "anxiety", "priority": "high",
    "worker_note": "Prosi o rozmowę.", "worker_contact": "58 675 46 77",
}


def test_referral_from_a_flag_fills_segment_j_and_the_pdf_table(
    app: Flask, client: FlaskClient, login_as: Callable[..., Any], make_case: Any, make_interview: Any, db: Session
) -> None:
    """Decision, consent, phone, time, needs, urgency and reason land in J; the report's referral row has them."""
    worker = login_as(Role.WORKER)
    interview = make_interview(make_case(worker), worker, {"fear_about_future": "strong"})
    response = client.post(f"/interviews/{interview.id}/referrals/new?flag=anxiety_severe",
                           data={**FORM, "csrf_token": token(client)})
    assert response.status_code == 302
    answers = load_answers(db, interview.id)
    assert {k: answers.get(k) for k in ("psych_referral", "psych_consent", "psych_phone", "psych_best_time",
                                         "psych_communication_needs", "psych_urgency", "psych_reason")} == {
        "psych_referral": True, "psych_consent": True, "psych_phone": "+48600100200", "psych_best_time": "po 16:00",
        "psych_communication_needs": "słabo słyszy", "psych_urgency": "high", "psych_reason": "Prosi o rozmowę.",
    }
    referral = db.exec(select(Referral)).one()
    with app.test_request_context():
        report = build_report(db, interview, version=1).data
    (row,) = report.referrals
    assert (row.urgency, row.reason) == ("Wysoki priorytet", "Prosi o rozmowę.")
    assert row.consent.startswith("tak (") and referral.consent_at is not None


def test_the_workers_own_words_in_j_stay(
    client: FlaskClient, login_as: Callable[..., Any], make_case: Any, make_interview: Any, db: Session
) -> None:
    """A reason the worker already typed in J is kept; the decision and consent follow the referral."""
    worker = login_as(Role.WORKER)
    interview = make_interview(make_case(worker), worker, {"fear_about_future": "strong", "psych_referral": False,
                                                           "psych_reason": "Sama poprosiła o kontakt."})
    client.post(f"/interviews/{interview.id}/referrals/new?flag=anxiety_severe",
                data={**FORM, "csrf_token": token(client)})
    rows = {a.key: a.raw for a in db.exec(select(Answer).where(Answer.interview_id == interview.id)).all()}
    assert rows["psych_reason"] == "Sama poprosiła o kontakt." and rows["psych_referral"] == "yes"
