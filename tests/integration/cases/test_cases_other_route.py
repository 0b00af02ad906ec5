"""Another contact route carried out: a letter or e-mail recorded clears the warning; the case waits for a reply."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.audit.models import AuditEvent
from app.auth.models import Office, Role, User
from app.cases.models import CallAttempt, Case, CaseState, ContactRoute, OtherContact
from app.clock import local_today
from tests.conftest import login, token
from tests.factories import make_office

NUMBER = "+48601234567"


def _call(client: FlaskClient, case: Case, outcome: str):  # type: ignore[no-untyped-def]
    data = {"csrf_token": token(client, "/cases"), "number": NUMBER, "outcome": outcome}
    return client.post(f"/cases/{case.id}/calls", data=data)


def _send(client: FlaskClient, case: Case, **fields: str):  # type: ignore[no-untyped-def]
    data = {"csrf_token": token(client, "/cases"), "route": "letter", "sent_on": local_today().isoformat(), **fields}
    return client.post(f"/cases/{case.id}/contacts", data=data)


@pytest.fixture
def marked(client: FlaskClient, worker: User, case_factory: Callable[..., Case], db: Session) -> Case:
    """A case of the worker marked for another route after three failed calls; received a week ago."""
    case = case_factory(assigned=worker, phones=(NUMBER,), received_on=local_today() - timedelta(days=7),
                        email="h.wroblewska@example.pl")
    for outcome in ("no_answer", "busy", "voicemail"):
        _call(client, case, outcome)
    db.refresh(case)
    assert case.needs_other_route
    return case


def test_marked_case_offers_the_letter_form(client: FlaskClient, marked: Case) -> None:
    """The case page has the form: letter / e-mail (e-mail preselected when there is an address), date, note."""
    page = client.get(f"/cases/{marked.id}").get_data(as_text=True)
    assert 'id="h-letter"' in page and f'action="/cases/{marked.id}/contacts"' in page
    assert '<input type="radio" name="route" value="email" checked>' in page
    assert f'value="{local_today().isoformat()}"' in page


@pytest.mark.dates
def test_letter_sent_clears_the_warning_and_the_case_waits(
    client: FlaskClient, worker: User, marked: Case, db: Session
) -> None:
    """Recorded with date, note and author; the case stays open in "other route"; shown in the history."""
    response = _send(client, marked, note="Pismo z prośbą o kontakt, list polecony.")
    assert response.status_code == 302
    contact = db.exec(select(OtherContact)).one()
    assert (contact.route, contact.sent_on, contact.by_id) == (ContactRoute.LETTER, local_today(), worker.id)
    assert contact.note == "Pismo z prośbą o kontakt, list polecony."
    db.refresh(marked)
    assert not marked.needs_other_route and marked.state == CaseState.OTHER_ROUTE
    page = client.get(f"/cases/{marked.id}").get_data(as_text=True)
    history = page.split('id="h-history"', 1)[1].split("</section>", 1)[0]
    assert "Wysłano: list" in history and "Pismo z prośbą o kontakt" in history and worker.full_name in history
    assert history.index("Wysłano: list") < history.index("Poczta głosowa")  # newest first
    assert "czeka na odpowiedź wnioskodawcy" in page and "Skontaktuj się listownie" not in page


def test_other_contact_audit_has_ids_and_codes_only(client: FlaskClient, marked: Case, db: Session) -> None:
    """case.other_contact names the contact and case ids and the route code, never the note."""
    _send(client, marked, route="email", note="Wysłano na h.wroblewska@example.pl")
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "case.other_contact")).one()
    contact = db.exec(select(OtherContact)).one()
    assert event.object_type == "other_contact" and event.object_id == str(contact.id)
    assert json.loads(event.details) == {"case_id": marked.id, "route": "email"}


def test_supervisor_queue_no_longer_warns_once_the_letter_is_sent(
    client: FlaskClient, marked: Case, user_factory: Callable[..., User]
) -> None:
    """The supervisor records the e-mail; the case leaves "needs another route" and the worker's count drops."""
    boss = user_factory(Role.SUPERVISOR, username="kierownik")
    client.post("/logout", data={"csrf_token": token(client)})
    login(client, boss.username)
    before = client.get("/cases/team").get_data(as_text=True)
    assert "Halina Wróblewska" in before.split('id="h-other-route"', 1)[1]
    assert _send(client, marked, route="email").status_code == 302
    after = client.get("/cases/team").get_data(as_text=True)
    assert "Halina Wróblewska" not in after.split('id="h-other-route"', 1)[1]
    assert "<dt>list / e-mail</dt><dd>0</dd>" in after


def test_failed_calls_count_afresh_after_the_letter(client: FlaskClient, marked: Case, db: Session) -> None:
    """One more unanswered call after a letter does not raise the warning again; an answer brings the case back."""
    _send(client, marked)
    _call(client, marked, "no_answer")
    db.refresh(marked)
    assert not marked.needs_other_route and marked.state == CaseState.OTHER_ROUTE
    _call(client, marked, "answered")
    db.refresh(marked)
    assert marked.state == CaseState.CONTACTING


IN_TWO_DAYS = "in-two-days"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"route": ""}, "route", "Wybierz, czy wysłano list, czy e-mail."),
        ({"route": "pigeon"}, "route", "Wybierz, czy wysłano list, czy e-mail."),
        ({"sent_on": ""}, "sent_on", "Podaj datę wysłania."),
        ({"sent_on": "wczoraj"}, "sent_on", "Nieprawidłowa data."),
        ({"sent_on": IN_TWO_DAYS}, "sent_on", "nie może być późniejsza niż dzisiaj"),
        ({"sent_on": "01.01.2020"}, "sent_on", "nie może być wcześniejsza niż data wpływu wniosku"),
        ({"note": "x" * 2001}, "note", "Notatka może mieć najwyżej 2000 znaków."),
    ],
)
@pytest.mark.dates
def test_bad_input_is_explained_and_kept(
    client: FlaskClient, marked: Case, db: Session, fields: dict[str, str], field: str, message: str
) -> None:
    """A Polish message at the field; the date and note typed stay; nothing recorded, the warning stays."""
    fields = {"note": "Nota do zachowania.", **fields}
    if fields.get("sent_on") == IN_TWO_DAYS:  # "today" of this run (pinned), not of collection time
        fields["sent_on"] = (local_today() + timedelta(days=2)).isoformat()
    response = _send(client, marked, **fields)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in body and f'id="f-{"contact-note" if field == "note" else field}-error"' in body
    if field != "note":
        assert "Nota do zachowania.</textarea>" in body
    if "sent_on" in fields:
        assert f'name="sent_on" type="date" value="{fields["sent_on"]}"' in body
    assert db.exec(select(OtherContact)).first() is None
    db.refresh(marked)
    assert marked.needs_other_route


def test_closed_case_refuses_a_letter(
    client: FlaskClient, worker: User, case_factory: Callable[..., Case], db: Session
) -> None:
    """After the interview there is nothing to chase: refused with a message."""
    done = case_factory(assigned=worker, state=CaseState.CLOSED)
    response = _send(client, done)
    assert response.status_code == 422 and "nie czeka już na kontakt" in response.get_data(as_text=True)
    assert db.exec(select(OtherContact)).first() is None


def test_case_without_a_warning_shows_no_form(client: FlaskClient, worker: User, case_factory: Callable[..., Case]) -> None:
    """A case still being called has no letter form cluttering the phone screen."""
    fresh = case_factory(assigned=worker)
    assert 'id="h-letter"' not in client.get(f"/cases/{fresh.id}").get_data(as_text=True)


def test_another_offices_case_is_absent(
    client: FlaskClient, worker: User, case_factory: Callable[..., Case], db: Session
) -> None:
    """Recording a letter on another office's case is a 404, and nothing is written."""
    other: Office = make_office(db, "Ośrodek Pomocy Społecznej w Helu")
    db.commit()
    foreign = case_factory(office_=other, state=CaseState.OTHER_ROUTE, needs_other_route=True)
    assert _send(client, foreign).status_code == 404
    assert db.exec(select(OtherContact)).first() is None
    assert db.exec(select(CallAttempt)).first() is None
