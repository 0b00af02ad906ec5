"""Wrong numbers: crossed out after a wrong-number call, undone when correct after all, new numbers added."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from app.audit.models import AuditEvent
from app.auth.models import Office, Role, User
from app.cases.models import CallAttempt, Case, CasePhone, CaseState
from tests.conftest import login, token
from tests.factories import make_office

FIRST, SECOND = "+48601234567", "+48655402525"


def _call(client: FlaskClient, case: Case, outcome: str, number: str = FIRST, **extra: str):  # type: ignore[no-untyped-def]
    data = {"csrf_token": token(client, "/cases"), "number": number, "outcome": outcome, **extra}
    return client.post(f"/cases/{case.id}/calls", data=data)


def _phone(db: Session, case: Case, number: str) -> CasePhone:
    db.expire_all()
    return db.exec(select(CasePhone).where(CasePhone.case_id == case.id, CasePhone.number == number)).one()


def _events(db: Session, action: str) -> list[AuditEvent]:
    return list(db.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))).all())


@pytest.fixture
def case(worker: User, case_factory: Callable[..., Case]) -> Case:
    """A new case of the worker with two numbers."""
    return case_factory(assigned=worker, phones=(FIRST, SECOND))


def test_wrong_number_outcome_crosses_the_number_out(
    client: FlaskClient, worker: User, case: Case, db: Session
) -> None:
    """The dialled number is marked wrong (when, by whom); the other stays the one-tap tel: link, offered first."""
    response = _call(client, case, "wrong_number")
    assert response.status_code == 302
    phone = _phone(db, case, FIRST)
    assert phone.wrong_since is not None and phone.wrong_by_id == worker.id
    assert _phone(db, case, SECOND).wrong_since is None
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'href="tel:{FIRST}"' not in page and f'href="tel:{SECOND}"' in page
    assert '<s class="nowrap">601 234 567</s>' in page and "błędny numer" in page and worker.full_name in page
    assert "Numer jednak poprawny" in page
    # The call form now dials the working number by default.
    assert f'<input type="hidden" name="number" value="{SECOND}">' in page
    db.refresh(case)
    assert not case.needs_other_route and case.state == CaseState.CONTACTING


def test_wrong_number_audit_names_ids_only(client: FlaskClient, case: Case, db: Session) -> None:
    """case.phone_wrong carries the phone, case and attempt ids; never the number."""
    _call(client, case, "wrong_number", note="Pan Zenon, nie zna wnioskodawczyni.")
    event = _events(db, "case.phone_wrong")[0]
    phone = _phone(db, case, FIRST)
    attempt = db.exec(select(CallAttempt)).one()
    assert event.object_type == "case_phone" and event.object_id == str(phone.id)
    assert json.loads(event.details) == {"case_id": case.id, "call_attempt_id": attempt.id}
    for event in db.exec(select(AuditEvent)).all():
        assert "601234567" not in event.details and "Zenon" not in event.details


def test_when_every_number_is_wrong_the_case_needs_another_route_at_once(
    client: FlaskClient, case: Case, db: Session, user_factory: Callable[..., User]
) -> None:
    """Two wrong-number calls (below the failed-call threshold) already send the case to a letter or e-mail."""
    _call(client, case, "wrong_number", number=FIRST)
    _call(client, case, "wrong_number", number=SECOND)
    db.refresh(case)
    assert case.needs_other_route and case.state == CaseState.OTHER_ROUTE
    event = _events(db, "case.other_route")[-1]
    assert json.loads(event.details)["reason"] == "all_numbers_wrong"
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Wszystkie numery telefonu są błędne." in page and 'href="tel:' not in page
    assert 'name="outcome"' not in page  # nothing to log a call against
    boss = user_factory(Role.SUPERVISOR, username="kierowniczka")
    client.post("/logout", data={"csrf_token": token(client)})
    login(client, boss.username)
    team = client.get("/cases/team").get_data(as_text=True)
    section = team.split('id="h-other-route"', 1)[1]
    assert "Halina Wróblewska" in section and "wszystkie numery błędne" in section


def test_a_single_wrong_number_marks_a_one_phone_case_at_once(
    client: FlaskClient, worker: User, case_factory: Callable[..., Case], db: Session
) -> None:
    """With one number only, one wrong-number call is enough."""
    single = case_factory(assigned=worker, phones=(FIRST,))
    _call(client, single, "wrong_number")
    db.refresh(single)
    assert single.needs_other_route


def test_undo_offers_the_number_again_and_lifts_the_mark(client: FlaskClient, case: Case, db: Session) -> None:
    """"Number is correct after all" clears the mark (audited) and, with a number to call, the other-route mark."""
    _call(client, case, "wrong_number", number=FIRST)
    _call(client, case, "wrong_number", number=SECOND)
    phone = _phone(db, case, SECOND)
    response = client.post(
        f"/cases/{case.id}/phones/{phone.id}/correct", data={"csrf_token": token(client, f"/cases/{case.id}")}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cases/{case.id}#h-phones")
    assert _phone(db, case, SECOND).wrong_since is None and _phone(db, case, SECOND).wrong_by_id is None
    db.refresh(case)
    assert not case.needs_other_route and case.state == CaseState.CONTACTING
    event = _events(db, "case.phone_correct")[0]
    assert event.object_id == str(phone.id) and json.loads(event.details) == {"case_id": case.id}
    assert json.loads(_events(db, "case.other_route_cleared")[0].details) == {"reason": "phone_correct"}
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'href="tel:{SECOND}"' in page and "znów jest do dzwonienia" in page


def test_undo_keeps_the_mark_when_failed_calls_still_call_for_a_letter(
    client: FlaskClient, case: Case, db: Session
) -> None:
    """Three failed calls before: correcting the number does not hide that the person cannot be reached."""
    _call(client, case, "no_answer", number=SECOND)
    _call(client, case, "no_answer", number=SECOND)
    _call(client, case, "wrong_number", number=FIRST)
    db.refresh(case)
    assert case.needs_other_route
    phone = _phone(db, case, FIRST)
    client.post(f"/cases/{case.id}/phones/{phone.id}/correct", data={"csrf_token": token(client)})
    db.refresh(case)
    assert _phone(db, case, FIRST).wrong_since is None and case.needs_other_route


def test_undo_of_a_number_not_marked_changes_nothing(client: FlaskClient, case: Case, db: Session) -> None:
    """Posting the undo twice (or for a good number) writes no audit event."""
    phone = _phone(db, case, FIRST)
    response = client.post(f"/cases/{case.id}/phones/{phone.id}/correct", data={"csrf_token": token(client)})
    assert response.status_code == 302
    assert _events(db, "case.phone_correct") == []


def test_today_list_crosses_the_number_out_and_undoes_from_there(
    client: FlaskClient, case: Case, db: Session
) -> None:
    """On "Dzisiaj" the wrong number is no tel: link; its undo returns to the list."""
    _call(client, case, "wrong_number", number=FIRST)
    today = client.get("/today").get_data(as_text=True)
    assert f'href="tel:{FIRST}"' not in today and f'href="tel:{SECOND}"' in today
    assert '<s class="nowrap">601 234 567</s>' in today
    phone = _phone(db, case, FIRST)
    response = client.post(
        f"/cases/{case.id}/phones/{phone.id}/correct", data={"csrf_token": token(client), "from": "today"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/today")
    assert f'href="tel:{FIRST}"' in client.get("/today").get_data(as_text=True)


def test_worker_adds_a_number(client: FlaskClient, worker: User, case: Case, db: Session) -> None:
    """A number typed the Polish way is stored in E.164 after the others, audited by id."""
    response = client.post(
        f"/cases/{case.id}/phones", data={"csrf_token": token(client), "phone": " 602 111 222 ", "label": " córka "}
    )
    assert response.status_code == 302
    added = _phone(db, case, "+48602111222")
    assert added.label == "córka" and added.position == 2 and added.added_by_id == worker.id
    event = _events(db, "case.phone_add")[0]
    assert event.object_id == str(added.id) and "602111222" not in event.details and "córka" not in event.details
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'href="tel:+48602111222"' in page and "Dodano numer 602 111 222." in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Podaj numer telefonu"),
        ("123", "Nieprawidłowy numer telefonu"),
        ("12ab", "To nie wygląda na numer telefonu"),
        ("601 234 567", "Ten numer jest już w sprawie."),
    ],
)
def test_a_bad_number_is_refused_and_kept(
    client: FlaskClient, case: Case, db: Session, typed: str, message: str
) -> None:
    """Empty, invalid or duplicate: a Polish message at the field, the typed value and label kept, nothing saved."""
    response = client.post(
        f"/cases/{case.id}/phones", data={"csrf_token": token(client), "phone": typed, "label": "sąsiadka"}
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in body and 'id="f-new-phone-error"' in body and 'aria-invalid="true"' in body
    assert f'value="{typed}"' in body and 'value="sąsiadka"' in body
    assert "<details class=\"call-more add-phone\" open>" in body
    assert len(db.exec(select(CasePhone).where(CasePhone.case_id == case.id)).all()) == 2


def test_a_wrong_number_cannot_be_added_again(client: FlaskClient, case: Case) -> None:
    """Adding a number already crossed out points to the undo instead."""
    _call(client, case, "wrong_number", number=FIRST)
    response = client.post(f"/cases/{case.id}/phones", data={"csrf_token": token(client), "phone": "601234567"})
    assert response.status_code == 422 and "jako błędny" in response.get_data(as_text=True)


def test_a_new_number_lifts_the_mark_and_restarts_the_count(client: FlaskClient, case: Case, db: Session) -> None:
    """After three failed calls, a new number is a new way to reach the person: failed calls count afresh."""
    for outcome in ("no_answer", "busy", "voicemail"):
        _call(client, case, outcome)
    db.refresh(case)
    assert case.needs_other_route
    client.post(f"/cases/{case.id}/phones", data={"csrf_token": token(client), "phone": "602 111 222"})
    db.refresh(case)
    assert not case.needs_other_route and case.state == CaseState.CONTACTING
    _call(client, case, "no_answer", number="+48602111222")
    db.refresh(case)
    assert not case.needs_other_route


def test_another_offices_case_and_phone_are_absent(
    client: FlaskClient, case: Case, case_factory: Callable[..., Case], db: Session
) -> None:
    """Another office's case is 404 for adding and undoing; so is a phone id of a different case."""
    other_office: Office = make_office(db, "Ośrodek Pomocy Społecznej w Łebie")
    db.commit()
    foreign = case_factory(office_=other_office, phones=(FIRST,))
    foreign_phone = _phone(db, foreign, FIRST)
    csrf = token(client)
    assert client.post(f"/cases/{foreign.id}/phones", data={"csrf_token": csrf, "phone": "602111222"}).status_code == 404
    assert client.post(
        f"/cases/{foreign.id}/phones/{foreign_phone.id}/correct", data={"csrf_token": csrf}
    ).status_code == 404
    assert client.post(f"/cases/{case.id}/phones/{foreign_phone.id}/correct", data={"csrf_token": csrf}).status_code == 404


def test_posts_without_csrf_are_refused(client: FlaskClient, case: Case, db: Session) -> None:
    """The new forms need the CSRF token like every other."""
    phone = _phone(db, case, FIRST)
    assert client.post(f"/cases/{case.id}/phones", data={"phone": "602111222"}).status_code == 400
    assert client.post(f"/cases/{case.id}/phones/{phone.id}/correct").status_code == 400
