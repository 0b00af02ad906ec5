"""Raising a referral: consent gates it; where life is in danger the emergency step is recorded instead."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import inspect
from sqlmodel import Session, select

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.referrals.models import FlagDecision, OutboxMessage, Referral
from tests.conftest import token
from tests.integration.referrals.conftest import PRIVATE_VALUES

pytestmark = pytest.mark.usefixtures("referral_settings")


def _form(**overrides: str) -> dict[str, str]:
    data = {
        "consent": "yes",
        "emergency_action": "",
        "person_name": "Zażółć Gęślą-Jaźń",
        "phone": "600 100 200",
        "best_time": "po 16:00",
        "communication_needs": "słabo słyszy",
        "reason": "anxiety",
        "priority": "high",
        "worker_note": "Prosi o rozmowę.",
        "worker_contact": "58 675 46 77",
    }
    data.update(overrides)
    return data


@pytest.fixture
def setup(login_as: Callable[..., Any], make_case: Any, make_interview: Any):  # type: ignore[no-untyped-def]
    """A logged-in worker and their interview with the given answers."""

    def build(answers: dict[str, Any]):  # type: ignore[no-untyped-def]
        worker = login_as(Role.WORKER)
        case = make_case(worker)
        return worker, case, make_interview(case, worker, answers)

    return build


def test_form_is_prefilled_only_from_answers_a_psychologist_may_see(client: FlaskClient, setup: Any) -> None:
    """Name and phone come from psychologist-visible answers; private answers never appear in the form."""
    _, _, interview = setup({"fear_about_future": "strong"})
    html = client.get(f"/interviews/{interview.id}/referrals/new?flag=anxiety_severe").get_data(as_text=True)
    assert 'value="Zażółć Gęślą-Jaźń"' in html
    assert 'value="+48 600 100 200"' in html
    for private in PRIVATE_VALUES:
        assert private not in html
    assert "Zagrożenie życia" not in html  # no emergency box without a suicide flag


def test_referral_without_consent_is_refused_with_a_clear_message(client: FlaskClient, setup: Any, db: Session) -> None:
    """No consent, no danger to life: nothing is sent, the message is Polish and the typed values stay."""
    _, _, interview = setup({"fear_about_future": "strong"})
    response = client.post(
        f"/interviews/{interview.id}/referrals/new?flag=anxiety_severe",
        data={**_form(consent="no", best_time="rano"), "csrf_token": token(client)},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Bez zgody osoby nie można przekazać jej numeru telefonu psychologowi." in html
    assert 'value="rano"' in html
    assert db.exec(select(Referral)).all() == []
    assert db.exec(select(FlagDecision)).all() == []


def test_missing_consent_answer_is_refused(client: FlaskClient, setup: Any, db: Session) -> None:
    """The worker must record the person's answer: an empty choice is refused."""
    _, _, interview = setup({"bereavement": True})
    response = client.post(
        f"/interviews/{interview.id}/referrals/new?flag=bereavement", data={**_form(consent=""), "csrf_token": token(client)}
    )
    assert response.status_code == 422
    assert "Zapytaj osobę o zgodę" in response.get_data(as_text=True)
    assert db.exec(select(Referral)).all() == []


def test_confirming_with_consent_records_who_when_and_the_flag(client: FlaskClient, setup: Any, db: Session) -> None:
    """Consent (verbal, by phone, when, by whom) is stored; the flag is confirmed; a no-personal-data notice is queued."""
    worker, case, interview = setup({"fear_about_future": "strong"})
    response = client.post(
        f"/interviews/{interview.id}/referrals/new?flag=anxiety_severe", data={**_form(), "csrf_token": token(client)}
    )
    assert response.status_code == 302
    referral = db.exec(select(Referral)).one()
    assert referral.consent_given is True
    assert referral.consent_method == "verbal_phone"
    assert referral.consent_recorded_by_id == worker.id
    assert referral.consent_at is not None
    assert (referral.phone, referral.case_id, referral.flag_rule_id, referral.state) == (
        "+48600100200", case.id, "anxiety_severe", "new"
    )
    decision = db.exec(select(FlagDecision)).one()
    assert (decision.decision, decision.referral_id) == ("confirmed", referral.id)
    html = client.get(f"/interviews/{interview.id}/flags").get_data(as_text=True)
    assert "Skierowanie wysłane" in html
    message = db.exec(select(OutboxMessage)).one()
    assert "Zażółć" not in message.body + message.subject
    assert "https://tw.example.org/referrals" in message.body
    assert "1" in message.subject


def test_suicide_flag_without_consent_records_the_emergency_instead_of_blocking(
    client: FlaskClient, setup: Any, db: Session
) -> None:
    """Life in danger: the screen sends the worker to 112; with the emergency step recorded the referral goes out."""
    _, _, interview = setup({"suicidal_thoughts": True, "suicide_plan": True})
    page = client.get(f"/interviews/{interview.id}/referrals/new?flag=suicide_risk").get_data(as_text=True)
    assert "Zagrożenie życia" in page
    assert 'href="tel:112"' in page

    refused = client.post(
        f"/interviews/{interview.id}/referrals/new?flag=suicide_risk",
        data={**_form(consent="no", reason="crisis", priority="urgent"), "csrf_token": token(client)},
    )
    assert refused.status_code == 422
    assert "zadzwoń pod 112" in refused.get_data(as_text=True)

    sent = client.post(
        f"/interviews/{interview.id}/referrals/new?flag=suicide_risk",
        data={**_form(consent="no", emergency_action="called", reason="crisis", priority="urgent"), "csrf_token": token(client)},
    )
    assert sent.status_code == 302
    referral = db.exec(select(Referral)).one()
    assert (referral.consent_given, referral.emergency_action, referral.priority) == (False, "called", "urgent")
    assert referral.emergency_at is not None


def test_referral_stores_only_the_psychologists_minimum(client: FlaskClient, setup: Any, db: Session) -> None:
    """No column of the referral holds a value the form keeps private (PESEL, address, health, birth date)."""
    _, _, interview = setup({"suicidal_thoughts": True, "suicide_plan": False, "psych_reason": "Długa historia"})
    client.post(
        f"/interviews/{interview.id}/referrals/new?flag=suicide_risk",
        data={**_form(reason="crisis", priority="urgent"), "csrf_token": token(client)},
    )
    referral = db.exec(select(Referral)).one()
    stored = " ".join(str(getattr(referral, c.key)) for c in inspect(Referral).columns)
    for private in PRIVATE_VALUES:
        assert private not in stored
    for answer_value in ("Myśli samobójcze", "suicidal_thoughts"):
        assert answer_value not in stored
    created = db.exec(select(AuditEvent).where(AuditEvent.action == "referral.created")).one()
    assert "Zażółć" not in created.details and "600" not in created.details


def test_invalid_phone_is_refused_next_to_the_field(client: FlaskClient, setup: Any, db: Session) -> None:
    """A wrong phone number gets a Polish message at the field and the typed value is kept."""
    _, _, interview = setup({"bereavement": True})
    response = client.post(
        f"/interviews/{interview.id}/referrals/new?flag=bereavement",
        data={**_form(phone="12ab"), "csrf_token": token(client)},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="f-phone-error"' in html and "To nie wygląda na numer telefonu" in html  # the one phone parser
    assert 'value="12ab"' in html


def test_referral_raised_by_hand_from_a_case(client: FlaskClient, login_as: Any, make_case: Any, db: Session) -> None:
    """Without an interview, a worker raises a referral from the case (prefilled with the applicant's name)."""
    worker = login_as(Role.WORKER)
    case = make_case(worker, name="Łucja Ćmielowska")
    page = client.get(f"/cases/{case.id}/referrals/new").get_data(as_text=True)
    assert 'value="Łucja Ćmielowska"' in page
    response = client.post(
        f"/cases/{case.id}/referrals/new",
        data={**_form(person_name="Łucja Ćmielowska", priority="normal", reason="other"), "csrf_token": token(client)},
    )
    assert response.status_code == 302
    referral = db.exec(select(Referral)).one()
    assert (referral.interview_id, referral.flag_rule_id, referral.raised_by_id) == (None, "", worker.id)
    mine = client.get("/referrals/mine").get_data(as_text=True)
    assert "Łucja Ćmielowska" in mine and "nowe" in mine


def test_case_of_another_worker_is_not_found(client: FlaskClient, login_as: Any, make_case: Any, user_factory: Any) -> None:
    """A worker cannot raise a referral on a case assigned to someone else (404, not 403)."""
    other = user_factory(Role.WORKER)
    case = make_case(other)
    login_as(Role.WORKER)
    assert client.get(f"/cases/{case.id}/referrals/new").status_code == 404


def test_case_hook_shows_the_referral_history(app: Any, db: Session, user_factory: Any, make_case: Any) -> None:
    """`referrals/_case_referrals.html` (included by the case page) lists the case's referrals and a raise button."""
    from app.config import ReferralSettings
    from app.referrals.intake import ReferralInput, raise_referral
    from app.referrals.models import Priority, ReasonCategory
    from tests.integration.referrals.conftest import principal_of

    worker = user_factory(Role.WORKER)
    case = make_case(worker)
    raise_referral(
        db, actor=principal_of(db, worker), case=case, interview=None, flag=None, danger=False,
        data=ReferralInput(person_name="Ala", phone="600100200", reason=ReasonCategory.LOSS.value,
                           priority=Priority.HIGH.value, consent="yes"),
        settings=ReferralSettings(), list_url="/referrals",
    )
    db.commit()
    with app.test_request_context("/"):
        from flask import render_template
        from flask_login import login_user

        from app.web import parts

        login_user(principal_of(db, worker))
        cards = parts.build("case", session=db, actor=principal_of(db, worker), case=case)
        html = render_template("referrals/_case_referrals.html", case=case, parts=cards)
    assert "utrata pracy lub dochodu" in html
    assert "wysoki priorytet" in html
    assert f"/cases/{case.id}/referrals/new" in html


def test_a_confirmed_flag_is_not_sent_twice_nor_dismissed_afterwards(client: FlaskClient, setup: Any, db: Session) -> None:
    """Sending the same flag again, or dismissing it once confirmed, is refused; one referral stays."""
    _, _, interview = setup({"bereavement": True})
    url = f"/interviews/{interview.id}/referrals/new?flag=bereavement"
    assert client.post(url, data={**_form(), "csrf_token": token(client)}).status_code == 302
    again = client.post(url, data={**_form(), "csrf_token": token(client)})
    assert again.status_code == 422
    assert "Ten sygnał już potwierdzono" in again.get_data(as_text=True)
    dismiss = client.post(
        f"/interviews/{interview.id}/flags/bereavement/dismiss", data={"reason": "pomyłka", "csrf_token": token(client)}
    )
    assert dismiss.status_code == 422
    assert len(db.exec(select(Referral)).all()) == 1
    assert [d.decision for d in db.exec(select(FlagDecision)).all()] == ["confirmed"]
