"""The call form's call-back time per outcome: only a time the worker chose is booked (cases.callbacks).

Through the real routes, from the case page and from a card of the today list (plain POST and htmx alike): the
field starts empty; "prosi o telefon później" needs a time; "unsafe", no answer, busy and voicemail book one only
when it is typed or tapped; the other outcomes refuse a typed time with a message and the value kept on screen.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, time, timedelta

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select
from werkzeug.test import TestResponse

from app.auth.models import User
from app.cases.callbacks import NEEDS_TIME, RETRYABLE, TAKES_TIME
from app.cases.models import CallAttempt, Callback, CallOutcome, Case
from app.clock import LOCAL_TZ, to_local, utcnow
from app.fields import local_input_value
from tests.conftest import token

NUMBER = "+48601234567"
ORIGINS = ("case", "today", "today-htmx")
# Outcomes that take a time only when the worker gives one, and those that take none.
OPTIONAL = sorted(TAKES_TIME - NEEDS_TIME, key=list(CallOutcome).index)
NO_TIME = [o for o in CallOutcome if o not in TAKES_TIME]
REFUSED_TIME = "Przy tym wyniku nie zapisuje się oddzwonienia."


@pytest.fixture
def new_case(worker: User, case_factory: Callable[..., Case]) -> Callable[[], Case]:
    """A fresh case of the worker with one phone, one per outcome tried (earlier calls would close call-backs)."""
    return lambda: case_factory(assigned=worker, phones=(NUMBER,))


def _post(client: FlaskClient, case: Case, origin: str, outcome: str, **extra: str) -> TestResponse:
    """The "other outcome" form posted as the page posts it, from the case page or a today-list card."""
    data = {"csrf_token": token(client, "/cases"), "number": NUMBER, "outcome": outcome, "callback_at": "", "note": "",
            **extra}
    path = f"/cases/{case.id}/calls" if origin == "case" else f"/today/cases/{case.id}/calls"
    headers = {"HX-Request": "true"} if origin == "today-htmx" else {}
    return client.post(path, data=data, headers=headers)


def _shown_after_saving(client: FlaskClient, origin: str, response: TestResponse) -> str:
    """What the worker reads after a saved call: the list fragment (htmx) or the page the redirect leads to."""
    if origin == "today-htmx":
        assert response.status_code == 200 and "<html" not in response.get_data(as_text=True)
        return response.get_data(as_text=True)
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def _time_field(body: str, case: Case) -> str:
    """The call-back time input of this case's form."""
    found = re.search(rf'<input id="c{case.id}-callback"[^>]*>', body)
    assert found is not None, "the call-back time field is on the page"
    return found.group(0)


def _tomorrow_evening() -> tuple[str, datetime]:
    """A safe time a person might name: tomorrow 18:30 office time, as typed and as the instant it means."""
    local = datetime.combine(to_local(utcnow()).date() + timedelta(days=1), time(18, 30), tzinfo=LOCAL_TZ)
    return local.strftime("%Y-%m-%dT%H:%M"), local


def _callbacks(db: Session, case: Case) -> list[Callback]:
    db.expire_all()
    return list(db.exec(select(Callback).where(Callback.case_id == case.id)).all())


def _attempts(db: Session, case: Case) -> list[CallAttempt]:
    db.expire_all()
    return list(db.exec(select(CallAttempt).where(CallAttempt.case_id == case.id)).all())


def test_the_opened_form_starts_with_an_empty_time(client: FlaskClient, new_case: Callable[[], Case]) -> None:
    """Neither the case page nor the today card's form (loaded when opened) fills in a time nobody chose."""
    case = new_case()
    for body in (client.get(f"/cases/{case.id}").get_data(as_text=True),
                 client.get(f"/today/cases/{case.id}/call-form").get_data(as_text=True)):
        assert 'value=""' in _time_field(body, case)
        hint = body.split(f'id="c{case.id}-callback-hint">', 1)[1].split("</p>", 1)[0]
        assert "wymagany przy wyniku „prosi o telefon później”" in hint
        assert "„nie może bezpiecznie rozmawiać”" in hint and "„nie odbiera”" in hint and "„odmowa”" not in hint


@pytest.mark.dates
@pytest.mark.parametrize("origin", ORIGINS)
def test_outcomes_that_may_take_a_time_book_it_only_when_given(
    client: FlaskClient, db: Session, new_case: Callable[[], Case], origin: str
) -> None:
    """Unsafe, no answer, busy, voicemail: without a time nothing is booked; with one, a call-back on that call."""
    typed, meant = _tomorrow_evening()
    for outcome in OPTIONAL:
        bare = new_case()
        response = _post(client, bare, origin, outcome.value)
        _shown_after_saving(client, origin, response)
        assert [a.outcome for a in _attempts(db, bare)] == [outcome]
        assert _callbacks(db, bare) == [], f"{outcome.value} without a time booked a call-back"

        timed = new_case()
        shown = _shown_after_saving(client, origin, _post(client, timed, origin, outcome.value, callback_at=typed))
        (attempt,) = _attempts(db, timed)
        (callback,) = _callbacks(db, timed)
        assert attempt.outcome == outcome, "the outcome ticked is recorded, not turned into 'call back'"
        assert callback.attempt_id == attempt.id and callback.done_at is None
        assert callback.due_at.astimezone(LOCAL_TZ) == meant
        assert "Oddzwonienie dodane do listy na" in shown and meant.strftime("%H:%M") in shown


@pytest.mark.dates
@pytest.mark.parametrize("origin", ORIGINS)
def test_call_back_needs_a_time(client: FlaskClient, db: Session, new_case: Callable[[], Case], origin: str) -> None:
    """"Prosi o telefon później" without a time: a message at the field, the note kept; with one it is booked."""
    case = new_case()
    response = _post(client, case, origin, "call_back", note="Po pracy.")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Podaj dzień i godzinę telefonu." in body and "Po pracy.</textarea>" in body
    assert 'aria-invalid="true"' in _time_field(body, case)
    assert _attempts(db, case) == []
    typed, meant = _tomorrow_evening()
    _shown_after_saving(client, origin, _post(client, case, origin, "call_back", callback_at=typed, note="Po pracy."))
    (callback,) = _callbacks(db, case)
    assert callback.due_at.astimezone(LOCAL_TZ) == meant


@pytest.mark.dates
@pytest.mark.parametrize("origin", ORIGINS)
def test_outcomes_without_a_call_back_refuse_a_typed_time(
    client: FlaskClient, db: Session, new_case: Callable[[], Case], origin: str
) -> None:
    """Answered, wrong number, refused, guided: a typed time is refused and stays on screen, never dropped."""
    typed, _ = _tomorrow_evening()
    for outcome in NO_TIME:
        case = new_case()
        response = _post(client, case, origin, outcome.value, callback_at=typed, note="Notatka.")
        body = response.get_data(as_text=True)
        assert response.status_code == 422, outcome.value
        assert REFUSED_TIME in body and "Notatka.</textarea>" in body
        field = _time_field(body, case)
        assert f'value="{typed}"' in field and 'aria-invalid="true"' in field
        checked = re.search(rf'<input type="radio" name="outcome" value="{outcome.value}" checked>', body)
        assert checked is not None, "the outcome chosen stays ticked"
        assert _attempts(db, case) == [] and _callbacks(db, case) == []

        response = _post(client, case, origin, outcome.value, note="Notatka.")
        assert response.status_code in (200, 302), outcome.value
        assert [a.outcome for a in _attempts(db, case)] == [outcome] and _callbacks(db, case) == []


@pytest.mark.parametrize("origin", ORIGINS)
def test_a_bad_safe_time_with_unsafe_is_refused_and_kept(
    client: FlaskClient, db: Session, new_case: Callable[[], Case], origin: str
) -> None:
    """A safe time that cannot be read: the Polish message at the field, "unsafe" still ticked, nothing stored."""
    case = new_case()
    response = _post(client, case, origin, "unsafe", callback_at="wieczorem", note="Szeptem.")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nieprawidłowy termin. Wpisz dzień i godzinę" in body and "Szeptem.</textarea>" in body
    assert 'value="wieczorem"' in _time_field(body, case)
    assert '<input type="radio" name="outcome" value="unsafe" checked>' in body
    assert _attempts(db, case) == []


@pytest.mark.dates
@pytest.mark.parametrize("origin", ORIGINS)
def test_a_preset_after_no_answer_keeps_the_failed_call_counting(
    client: FlaskClient, db: Session, new_case: Callable[[], Case], origin: str
) -> None:
    """A preset tapped with "nie odbiera" ticked plans the next try on that call; it is no fake "call back", so the
    third failed call still asks for another route (the office's default threshold is 3)."""
    assert CallOutcome.NO_ANSWER in RETRYABLE
    case = new_case()
    for _ in range(2):
        _post(client, case, origin, "no_answer")
    response = _post(client, case, origin, "no_answer", callback_preset="next_9")
    _shown_after_saving(client, origin, response)
    attempts = _attempts(db, case)
    assert [a.outcome for a in attempts] == [CallOutcome.NO_ANSWER] * 3
    (callback,) = _callbacks(db, case)
    assert callback.attempt_id == max(a.id or 0 for a in attempts)
    assert local_input_value(callback.due_at).endswith("T09:00")
    db.refresh(case)
    assert case.needs_other_route
