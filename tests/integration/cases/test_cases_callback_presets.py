"""Call-back presets: one tap books "asked to call back" at a time the server resolves, with or without htmx."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.auth.models import User
from app.auth.services import load_principal
from app.cases.contact import calls
from app.cases.models import CallAttempt, Callback, CallOutcome, Case
from app.cases.presets import Preset, available, resolve
from app.clock import utcnow
from app.db import get_session
from app.errors import InvalidInput
from tests.conftest import token

NUMBER = "+48601234567"
WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.fixture
def case(worker: User, case_factory: Callable[..., Case]) -> Case:
    """A new case of the worker with one phone."""
    return case_factory(assigned=worker, phones=(NUMBER,))


def _preset(client: FlaskClient, case: Case, code: str, headers: dict[str, str] | None = None,  # type: ignore[no-untyped-def]
            *, today: bool = False, **extra: str):
    data = {"csrf_token": token(client, "/cases"), "number": NUMBER, "outcome": "call_back", "callback_preset": code,
            "callback_at": "", **extra}
    return client.post(f"/today/cases/{case.id}/calls" if today else f"/cases/{case.id}/calls", data=data,
                       headers=headers or {})


@pytest.mark.dates
def test_case_page_offers_preset_buttons_next_to_the_time(client: FlaskClient, case: Case) -> None:
    """Real submit buttons named callback_preset, in a labelled group after the datetime field."""
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    form = page.split('name="callback_at"', 1)[1].split("</form>", 1)[0]
    codes = re.findall(r'<button type="submit" name="callback_preset" value="([a-z0-9_]+)"', form)
    assert codes == [c.preset.value for c in available(utcnow(), WARSAW)]
    assert 'role="group" aria-labelledby=' in form and "zapisz oddzwonienie na:" in form
    assert "za godzinę" in form and "za 2 dni robocze" in form


def test_enter_in_the_form_never_books_a_preset(client: FlaskClient, case: Case) -> None:
    """The form's first submit button (used by Enter) carries no preset: it only saves what was typed."""
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    more = page.split('<details class="call-more"', 1)[1]
    first_button = re.search(r"<button[^>]*>", more)
    assert first_button is not None and "name=" not in first_button.group(0)


@pytest.mark.dates
def test_preset_without_javascript_books_the_next_working_morning(
    client: FlaskClient, worker: User, case: Case, db: Session
) -> None:
    """A plain POST of "next working day 9:00" logs the call-back outcome and books 9:00 office time."""
    before = utcnow()
    response = _preset(client, case, "next_9", note="Prosi rano.")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cases/{case.id}")
    attempt = db.exec(select(CallAttempt)).one()
    callback = db.exec(select(Callback)).one()
    assert attempt.outcome == CallOutcome.CALL_BACK and attempt.note == "Prosi rano."
    assert callback.worker_id == worker.id and callback.due_at == attempt.callback_at
    assert callback.due_at in {resolve(Preset.NEXT_DAY_MORNING, before, WARSAW),
                               resolve(Preset.NEXT_DAY_MORNING, utcnow(), WARSAW)}
    assert callback.due_at.astimezone(WARSAW).strftime("%H:%M") == "09:00"


def test_a_preset_means_call_back_whatever_was_ticked(client: FlaskClient, case: Case, db: Session) -> None:
    """The preset button says "call back at …": a different radio choice left ticked does not win."""
    _preset(client, case, "two_days", outcome="refused")
    assert db.exec(select(CallAttempt.outcome)).one() == CallOutcome.CALL_BACK
    assert db.exec(select(Callback)).one().done_at is None


@pytest.mark.dates
def test_preset_from_today_with_htmx_returns_the_list(client: FlaskClient, case: Case, db: Session) -> None:
    """With htmx the today list comes back as a fragment with the status line."""
    response = _preset(client, case, "in_1h", headers={"HX-Request": "true"}, today=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and 'id="today-list"' in body
    assert "Oddzwonienie dodane do listy na " in body
    assert db.exec(select(Callback)).one().due_at > utcnow()


def test_unknown_preset_is_refused_and_the_note_kept(client: FlaskClient, case: Case, db: Session) -> None:
    """A forged code: a Polish message at the time field, the note still there, nothing saved."""
    response = _preset(client, case, "yesterday", note="Dzwonić po 17.")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nieznany szybki termin." in body and "Dzwonić po 17.</textarea>" in body
    assert db.exec(select(CallAttempt)).first() is None


def _log_at(app: Flask, worker: User, case: Case, code: str, now: datetime) -> CallAttempt | dict[str, str]:
    with app.app_context():
        session = get_session()
        principal = load_principal(session, worker.id or 0)
        assert principal is not None
        fresh = session.get(Case, case.id)
        assert fresh is not None
        form = calls.CallForm(number=NUMBER, outcome="call_back", callback_preset=code)
        try:
            attempt = calls.log_call(session, actor=principal, case=fresh, form=form, threshold=3, now=now, tz=WARSAW)
        except InvalidInput as exc:
            session.rollback()
            return {**exc.errors, "kept": form.callback_at}
        session.commit()
        return attempt


def test_friday_evening_preset_lands_on_monday(app: Flask, worker: User, case: Case) -> None:
    """Logged on Friday 20 November 2026 at 17:30: "next working day 9:00" is Monday the 23rd."""
    attempt = _log_at(app, worker, case, "next_9", datetime(2026, 11, 20, 17, 30, tzinfo=WARSAW))
    assert isinstance(attempt, CallAttempt) and attempt.callback_at is not None
    assert attempt.callback_at.astimezone(WARSAW) == datetime(2026, 11, 23, 9, 0, tzinfo=WARSAW)


def test_today_afternoon_posted_too_late_is_refused_with_the_time_shown(app: Flask, worker: User, case: Case) -> None:
    """A page left open past 16:00: "today 16:00" is refused as past, and the field shows 16:00 for correction."""
    result = _log_at(app, worker, case, "today_16", datetime(2026, 11, 18, 16, 30, tzinfo=WARSAW))
    assert isinstance(result, dict)
    assert "Termin telefonu minął" in result["callback_at"] and result["kept"] == "2026-11-18T16:00"


def _unsafe_at(app: Flask, worker: User, case: Case, now: datetime, **fields: str) -> CallAttempt:
    with app.app_context():
        session = get_session()
        principal = load_principal(session, worker.id or 0)
        fresh = session.get(Case, case.id)
        assert principal is not None and fresh is not None
        form = calls.CallForm(number=NUMBER, outcome="unsafe", **fields)
        attempt = calls.log_call(session, actor=principal, case=fresh, form=form, threshold=3, now=now, tz=WARSAW)
        session.commit()
        return attempt


def test_unsafe_with_a_preset_stays_unsafe_and_books_the_call_back(
    app: Flask, db: Session, worker: User, case: Case
) -> None:
    """Issue 15, point 4: a preset tapped with "unsafe" ticked used to record "call back" and lose "unsafe"."""
    attempt = _unsafe_at(app, worker, case, datetime(2026, 11, 20, 10, 0, tzinfo=WARSAW), callback_preset="next_9")
    assert attempt.outcome == CallOutcome.UNSAFE
    (callback,) = db.exec(select(Callback).where(Callback.case_id == case.id)).all()
    assert callback.due_at.astimezone(WARSAW) == datetime(2026, 11, 23, 9, 0, tzinfo=WARSAW)
    assert callback.attempt_id == attempt.id


def test_unsafe_with_a_typed_safe_time_books_a_call_back(app: Flask, db: Session, worker: User, case: Case) -> None:
    """The safe time given when it is unsafe to talk brings the case back on the list then."""
    attempt = _unsafe_at(app, worker, case, datetime(2026, 11, 20, 10, 0, tzinfo=WARSAW), callback_at="2026-11-20T18:30")
    assert attempt.outcome == CallOutcome.UNSAFE
    (callback,) = db.exec(select(Callback).where(Callback.case_id == case.id)).all()
    assert callback.due_at.astimezone(WARSAW) == datetime(2026, 11, 20, 18, 30, tzinfo=WARSAW)


def test_unsafe_without_a_time_books_nothing(app: Flask, db: Session, worker: User, case: Case) -> None:
    attempt = _unsafe_at(app, worker, case, datetime(2026, 11, 20, 10, 0, tzinfo=WARSAW))
    assert attempt.outcome == CallOutcome.UNSAFE
    assert db.exec(select(Callback).where(Callback.case_id == case.id)).all() == []
