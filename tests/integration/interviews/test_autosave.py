"""Autosave of answers: valid and invalid values, two devices, expired sessions, history and audit."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.audit.models import AuditEvent
from app.auth.models import ResumeDraft, User, WebSession
from app.interviews import interview_state
from app.interviews.models import Answer, AnswerChange, Interview
from tests.conftest import login, token
from tests.integration.interviews.conftest import save


def _answer(db: Session, interview: Interview, key: str) -> Answer:
    db.expire_all()
    return db.exec(select(Answer).where(Answer.interview_id == interview.id, Answer.key == key)).one()


def test_valid_answer_is_stored_with_history_and_audited_without_value(
    client: FlaskClient, db: Session, interview: Interview, worker: User
) -> None:
    """A valid answer stores raw and typed value, one history row, and an audit event naming only the key.

    (The name came from the case at the start, marked "case-prefill"; the typed correction is the next revision.)
    """
    response = save(client, interview, "full_name", "Bożena Świętochowska-Źrebiec", client_id="tab-a")
    assert response.status_code == 200
    assert "answer-saved" in response.headers["HX-Trigger"]
    assert "Zapisano" in response.get_data(as_text=True)
    answer = _answer(db, interview, "full_name")
    assert answer.raw == "Bożena Świętochowska-Źrebiec" and answer.valid
    assert json.loads(answer.value or "null") == "Bożena Świętochowska-Źrebiec"
    history = db.exec(select(AnswerChange).where(AnswerChange.key == "full_name")).all()
    assert [(h.revision, h.changed_by_id, h.client_id) for h in history] == [
        (1, worker.id, "case-prefill"), (2, worker.id, "tab-a")]
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "answer.change")).one()
    assert json.loads(event.details) == {"key": "full_name", "revision": 2}
    assert "Bożena" not in event.details


def test_repeated_identical_save_does_not_add_history(client: FlaskClient, db: Session, interview: Interview) -> None:
    """The debounced input and the blur both send the same value: only one revision results."""
    save(client, interview, "city", "Łódź")
    save(client, interview, "city", "Łódź")
    assert _answer(db, interview, "city").revision == 1


def test_invalid_value_is_kept_as_typed_and_marked(client: FlaskClient, db: Session, interview: Interview) -> None:
    """A wrong postcode is stored exactly as typed, without a value, and the message comes from the validators."""
    response = save(client, interview, "postcode", "00 95O")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Podaj kod pocztowy w formacie NN-NNN." in body and "data-invalid" in body
    answer = _answer(db, interview, "postcode")
    assert (answer.raw, answer.valid, answer.value) == ("00 95O", False, None)
    page = client.get(f"/interviews/{interview.id}?section=segment_a").get_data(as_text=True)
    assert 'value="00 95O"' in page and 'aria-invalid="true"' in page


def test_invalid_value_blocks_completion_until_corrected(
    client: FlaskClient, db: Session, interview: Interview
) -> None:
    """Finishing lists the invalid answer with a link to it; after correcting it the problem is gone."""
    save(client, interview, "safe_to_talk", "yes")
    save(client, interview, "postcode", "9999")
    page = client.get(f"/interviews/{interview.id}/finish").get_data(as_text=True)
    assert "Kod pocztowy" in page and "NN-NNN" in page
    assert f"/interviews/{interview.id}?section=segment_a#q-postcode" in page
    save(client, interview, "postcode", "99-999")
    page = client.get(f"/interviews/{interview.id}/finish").get_data(as_text=True)
    assert "NN-NNN" not in page


def test_two_devices_later_save_wins_and_earlier_device_is_told(
    app: Flask, client: FlaskClient, db: Session, interview: Interview, worker: User
) -> None:
    """Device B changes an answer device A had seen; A's later save wins and A is told who changed it and when."""
    save(client, interview, "city", "Gdańsk", client_id="phone")
    assert _answer(db, interview, "city").revision == 1
    laptop = app.test_client()
    login(laptop, worker.username)
    answered = save(laptop, interview, "city", "Gdynia", client_id="laptop", **{"_rev:city": "1"})
    assert "innym urządzeniu" not in answered.get_data(as_text=True)

    late = save(client, interview, "city", "Sopot", client_id="phone", **{"_rev:city": "1"})
    body = late.get_data(as_text=True)
    assert "zmieniono w międzyczasie na innym urządzeniu" in body and worker.full_name in body
    answer = _answer(db, interview, "city")
    assert (answer.raw, answer.revision) == ("Sopot", 3)
    history = db.exec(select(AnswerChange).where(AnswerChange.key == "city").order_by(AnswerChange.revision)).all()  # type: ignore[arg-type]
    assert [(h.raw, h.client_id) for h in history] == [("Gdańsk", "phone"), ("Gdynia", "laptop"), ("Sopot", "phone")]


def test_retry_of_own_save_is_not_reported_as_conflict(client: FlaskClient, db: Session, interview: Interview) -> None:
    """A save whose response was lost is retried with the old revision: same device, no conflict message."""
    save(client, interview, "city", "Gdańsk", client_id="phone")
    save(client, interview, "city", "Gdańsk Oliwa", client_id="phone", **{"_rev:city": "1"})
    again = save(client, interview, "city", "Gdańsk Oliwa 2", client_id="phone", **{"_rev:city": "1"})
    assert "innym urządzeniu" not in again.get_data(as_text=True)


def test_expired_session_answers_401_with_event_and_keeps_the_value(
    client: FlaskClient, db: Session, interview: Interview, worker: User
) -> None:
    """An autosave on a timed-out session is refused with 401 + tw:session-expired; the value is kept for later."""
    page_token = client.get(f"/interviews/{interview.id}").get_data(as_text=True)
    from tests.conftest import csrf_from

    form_token = csrf_from(page_token)
    cookie = client.get_cookie("tw_session")
    assert cookie is not None
    row = db.get(WebSession, hashlib.sha256(cookie.value.encode()).hexdigest())
    assert row is not None
    row.last_seen_at = row.last_seen_at - timedelta(minutes=45)
    db.add(row)
    db.commit()
    response = client.post(
        f"/interviews/{interview.id}/answers",
        data={"key": "city", "city": "Żyrardów"},
        headers={"HX-Request": "true", "X-CSRFToken": form_token},
    )
    assert response.status_code == 401
    assert "tw:session-expired" in response.headers["HX-Trigger"]
    assert "Żyrardów" in db.exec(select(ResumeDraft).where(ResumeDraft.user_id == worker.id)).one().form_json
    assert db.exec(select(Answer).where(Answer.key == "city")).first() is None


def test_skip_logic_visibility_is_sent_after_each_save(client: FlaskClient, interview: Interview) -> None:
    """Choosing 'other' for identity reveals the 'other way' question: the response says so for the live page."""
    response = save(client, interview, "identity_confirmation", ["pesel_dob", "other"])
    events = json.loads(response.headers["HX-Trigger"])
    assert events["tw:visibility"]["q-identity_other"] is True
    response = save(client, interview, "identity_confirmation", ["pesel_dob"])
    assert json.loads(response.headers["HX-Trigger"])["tw:visibility"]["q-identity_other"] is False


def test_unsafe_answer_interrupts_at_once(client: FlaskClient, db: Session, interview: Interview) -> None:
    """'No' to "is it safe to talk" ends the screen: state interrupted, neutral page asking for safe call-back times."""
    response = save(client, interview, "safe_to_talk", "no")
    assert response.headers["HX-Redirect"] == f"/interviews/{interview.id}"
    db.expire_all()
    assert db.get(Interview, interview.id).state == "interrupted"  # type: ignore[union-attr]
    page = client.get(f"/interviews/{interview.id}").get_data(as_text=True)
    assert "Rozmowa zakończona" in page and "Kiedy można bezpiecznie oddzwonić?" in page
    assert "Przemoc" not in page and "Pouczenie" not in page
    assert save(client, interview, "safe_callback_times", "jutro po 18:00").status_code == 200
    assert save(client, interview, "full_name", "X").status_code == 409
    actions = [e.action for e in db.exec(select(AuditEvent))]
    assert "interview.interrupt" in actions


def test_notes_are_autosaved(client: FlaskClient, db: Session, interview: Interview) -> None:
    """The notes field saves like an answer."""
    from tests.conftest import token

    response = client.post(
        f"/interviews/{interview.id}/notes",
        data={"_notes": "Oddzwonić w środę — ważne."},
        headers={"HX-Request": "true", "X-CSRFToken": token(client, f"/interviews/{interview.id}")},
    )
    assert response.status_code == 200 and "Notatki zapisane" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Interview, interview.id).notes == "Oddzwonić w środę — ważne."  # type: ignore[union-attr]


def test_control_characters_are_dropped_and_the_rest_is_kept(
    client: FlaskClient, db: Session, interview: Interview
) -> None:
    """A NUL or form feed in pasted text (refused by PostgreSQL) is removed; tabs and new lines stay."""
    from tests.conftest import token

    response = client.post(
        f"/interviews/{interview.id}/notes",
        data={"_notes": "Pierwsza\x00 linia\x0c\tz tabem\r\nDruga\x1b linia"},
        headers={"HX-Request": "true", "X-CSRFToken": token(client, f"/interviews/{interview.id}")},
    )
    assert response.status_code == 200
    db.expire_all()
    assert db.get(Interview, interview.id).notes == "Pierwsza linia\tz tabem\nDruga linia"  # type: ignore[union-attr]

    assert save(client, interview, "full_name", "Ewa\x00 Nowak").status_code == 200
    assert _answer(db, interview, "full_name").raw == "Ewa Nowak"


def test_control_characters_in_query_and_path_do_not_fail(client: FlaskClient, interview: Interview) -> None:
    """Search and section parameters with a NUL are cleaned; a NUL in the path is simply not found."""
    assert client.get(f"/interviews/{interview.id}?section=segment_a%00").status_code == 200
    assert client.get("/cases?q=Nowak%00%01").status_code == 200
    assert client.get(f"/interviews/{interview.id}/sections/segment%00a").status_code == 404


def test_unknown_key_is_refused(client: FlaskClient, interview: Interview) -> None:
    """A key that is not a question of the pinned form is a 400, nothing stored."""
    assert save(client, interview, "no_such_question", "x").status_code == 400




def test_visibility_carries_a_sequence_so_a_late_reply_cannot_hide_a_newer_question(
    client: FlaskClient, interview: Interview
) -> None:
    """Each changing save's visibility carries a growing sequence; a save that changes nothing sends none."""
    first = json.loads(save(client, interview, "identity_confirmation", ["pesel_dob", "other"]).headers["HX-Trigger"])
    second = json.loads(save(client, interview, "identity_confirmation", ["other"]).headers["HX-Trigger"])
    assert second["tw:visibility"]["_seq"] > first["tw:visibility"]["_seq"]
    same = json.loads(save(client, interview, "identity_confirmation", ["other"]).headers["HX-Trigger"])
    assert "tw:visibility" not in same


def test_a_changing_save_evaluates_the_form_once_unless_its_answer_feeds_the_flags(
    client: FlaskClient, interview: Interview, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The state before a save is evaluated only when the answer can change the flags (or its validation reads
    other answers); the reply's state after the save is evaluated once either way."""
    real = interview_state.evaluate
    made: list[int] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        made.append(1)
        return real(*args, **kwargs)

    headers = {"HX-Request": "true", "X-CSRFToken": token(client, f"/interviews/{interview.id}")}
    url = f"/interviews/{interview.id}/answers"
    monkeypatch.setattr(interview_state, "evaluate", counted)
    assert client.post(url, data={"key": "city", "city": "Puck"}, headers=headers).status_code == 200
    assert len(made) == 1
    made.clear()
    data = {"key": "suicidal_thoughts", "suicidal_thoughts": "true"}
    assert client.post(url, data=data, headers=headers).status_code == 200
    assert len(made) == 2  # the flags before and after: the banner is sent when they changed


def test_typing_on_in_an_answered_field_answers_with_the_field_alone(
    client: FlaskClient, interview: Interview, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new value for an answer that no skip rule, flag, count or segment choice reads, and that stays answered,
    cannot change visibility, progress or flags: the form is not evaluated and the reply is the field's state alone.
    Answering it for the first time, emptying it, or changing an answer a rule reads sends them again."""
    real = interview_state.evaluate
    made: list[int] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        made.append(1)
        return real(*args, **kwargs)

    headers = {"HX-Request": "true", "X-CSRFToken": token(client, f"/interviews/{interview.id}")}

    def post(key: str, *values: str) -> Any:
        return client.post(f"/interviews/{interview.id}/answers", data={"key": key, key: list(values)}, headers=headers)

    monkeypatch.setattr(interview_state, "evaluate", counted)
    first = post("city", "Puck")
    assert 'id="progress-line"' in first.get_data(as_text=True)
    assert "tw:visibility" in json.loads(first.headers["HX-Trigger"])
    made.clear()
    on = post("city", "Hel")
    body = on.get_data(as_text=True)
    assert on.status_code == 200
    assert made == []
    assert 'data-state="saved"' in body
    assert "progress-line" not in body and "section-list" not in body
    assert "tw:visibility" not in json.loads(on.headers["HX-Trigger"])
    stored = post("city", "")  # emptied: one required answer more is missing
    assert 'id="progress-line"' in stored.get_data(as_text=True)
    named = post("identity_confirmation", "other")  # a `relevant` reads it
    assert 'id="progress-line"' in named.get_data(as_text=True)
    assert "tw:visibility" in json.loads(named.headers["HX-Trigger"])
