"""An autosave reads before it takes the write lock: what happens when another save comes in between (issue 14).

save_answer reads the interview and its answers as a reader, then claims the interview with one conditional UPDATE
(its answers_version and state still those read). These tests put another save, or a finish, between the read and
the write, in two sessions, as two requests on two app hosts would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlmodel import Session, col, select

from app.auth.models import User
from app.auth.services import Principal, load_principal
from app.db import ENGINE_KEY, READ_FIRST_KEY
from app.interviews import autosave
from app.interviews.autosave import save_answer
from app.interviews.errors import InterviewReadOnly
from app.interviews.models import Answer, AnswerChange, Interview, InterviewState
from tests.conftest import token
from tests.integration.interviews.conftest import save


@contextmanager
def _session(app: Flask) -> Iterator[Session]:
    with Session(app.extensions[ENGINE_KEY], expire_on_commit=False) as session:
        yield session


def _principal(session: Session, worker: User) -> Principal:
    assert worker.id is not None
    principal = load_principal(session, worker.id)
    assert principal is not None
    return principal


@contextmanager
def _request(app: Flask, *, reads_first: bool) -> Iterator[None]:
    """A POST request's context of its own (its own `g`); `reads_first` as the autosave view is."""
    with app.app_context(), app.test_request_context(method="POST"):
        setattr(g, READ_FIRST_KEY, reads_first)
        yield


def _save(app: Flask, worker: User, interview_id: int, key: str, value: str) -> None:
    with _request(app, reads_first=False), _session(app) as session:
        interview = session.get(Interview, interview_id)
        assert interview is not None
        save_answer(session, actor=_principal(session, worker), interview=interview, key=key, raw=value)
        session.commit()


def _between(monkeypatch: pytest.MonkeyPatch, action: Callable[[], None]) -> None:
    """Run `action` (another request) after save_answer has read everything and before it writes."""
    started = autosave.start_writing
    pending = [action]

    def in_between(session: Session) -> None:
        while pending:
            pending.pop()()  # once: the other request's own save goes straight on
        started(session)

    monkeypatch.setattr(autosave, "start_writing", in_between)


@contextmanager
def _sent(app: Flask) -> Iterator[list[str]]:
    """The statements the app's engine sends inside the block, whitespace folded, in order."""
    engine = app.extensions[ENGINE_KEY]
    sent: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def _finish(app: Flask, interview_id: int) -> None:
    """Another request finishes the interview."""
    with _request(app, reads_first=False), _session(app) as other:
        finished = other.get(Interview, interview_id)
        assert finished is not None
        finished.state = InterviewState.FINISHED
        other.add(finished)
        other.commit()


def _locks_taken(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The interviews save_answer locks to read again (its locked path), recorded as it goes on."""
    taken: list[int] = []
    real = autosave.lock_row

    def recorded(session: Session, model: Any, ident: Any) -> Any:
        taken.append(ident)
        return real(session, model, ident)

    monkeypatch.setattr(autosave, "lock_row", recorded)
    return taken


def _history(session: Session, interview_id: int, key: str) -> list[tuple[int, str]]:
    rows = session.exec(select(AnswerChange.revision, AnswerChange.raw)
                        .where(AnswerChange.interview_id == interview_id, AnswerChange.key == key)
                        .order_by(col(AnswerChange.revision))).all()
    return [tuple(h) for h in rows]


def _save_as_read(app: Flask, worker: User, interview_id: int, key: str, value: str) -> tuple[autosave.Saved, int]:
    """save_answer as the autosave view runs it (reading first); the save and the answers_version it left."""
    with _request(app, reads_first=True), _session(app) as first:
        read = first.get(Interview, interview_id)
        assert read is not None
        saved = save_answer(first, actor=_principal(first, worker), interview=read, key=key, raw=value)
        first.commit()
        return saved, read.answers_version


def _version(app: Flask, interview_id: int) -> int:
    with _session(app) as check:
        found = check.get(Interview, interview_id)
        assert found is not None
        return found.answers_version


def test_typing_on_in_an_answered_field_is_not_held_up_by_a_save_of_another_answer(
    app: Flask, worker: User, interview: Interview, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A save that stands alone (interview_state.stands_alone: the city was answered and nothing else reads it)
    needs only its own answer and the interview's state as read: another answer saved in between does not send it
    down the locked path, and both saves are stored with their history."""
    assert interview.id is not None
    interview_id = interview.id
    _save(app, worker, interview_id, "city", "Łódź")
    _save(app, worker, interview_id, "address", "ul. Polna 1")
    version = _version(app, interview_id)
    _between(monkeypatch, lambda: _save(app, worker, interview_id, "address", "ul. Polna 2"))
    taken = _locks_taken(monkeypatch)
    saved, seen = _save_as_read(app, worker, interview_id, "city", "Gdańsk")
    assert seen == version + 2  # the other save's claim, then this one's
    assert taken == []
    assert saved.changed and saved.row.revision == 2
    with _session(app) as check:
        assert _history(check, interview_id, "city") == [(1, "Łódź"), (2, "Gdańsk")]
        assert _history(check, interview_id, "address") == [(1, "ul. Polna 1"), (2, "ul. Polna 2")]
    assert _version(app, interview_id) == version + 2


def test_a_first_answer_still_reads_again_after_a_save_in_between(
    app: Flask, worker: User, interview: Interview, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first answer changes the progress (it does not stand alone): with another save in between it locks the
    interview and reads again, so the reply's progress counts the other answer too."""
    assert interview.id is not None
    interview_id = interview.id
    _between(monkeypatch, lambda: _save(app, worker, interview_id, "address", "ul. Polna 1"))
    taken = _locks_taken(monkeypatch)
    saved, _seen = _save_as_read(app, worker, interview_id, "city", "Gdańsk")
    assert taken == [interview_id]
    assert saved.after is not None and saved.after.answers.get("address") == "ul. Polna 1"


def test_a_save_that_read_before_another_save_writes_after_it(
    app: Flask, worker: User, interview: Interview, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The later save claims nothing (the version moved), reads again under the lock and counts its revision after
    the other one's: no revision twice, no history row lost."""
    assert interview.id is not None
    interview_id = interview.id
    _save(app, worker, interview_id, "city", "Łódź")
    _between(monkeypatch, lambda: _save(app, worker, interview_id, "city", "Puck"))  # another device
    taken = _locks_taken(monkeypatch)
    with _request(app, reads_first=True):
        with _session(app) as first:
            read = first.get(Interview, interview_id)
            assert read is not None
            saved = save_answer(first, actor=_principal(first, worker), interview=read, key="city", raw="Gdańsk")
            first.commit()
        assert saved.changed and saved.row.revision == 3
        assert taken == [interview_id]  # its own answer changed: the standalone write found that and read again
        with _session(app) as check:
            assert _history(check, interview_id, "city") == [(1, "Łódź"), (2, "Puck"), (3, "Gdańsk")]
            stored = check.exec(select(Answer).where(Answer.interview_id == interview_id, Answer.key == "city")).one()
            assert (stored.raw, stored.revision) == ("Gdańsk", 3)


@pytest.mark.parametrize("typed_before", [None, "Łódź"], ids=["first answer", "typing on (stands alone)"])
def test_a_save_that_read_before_the_interview_was_finished_is_refused(
    app: Flask, worker: User, interview: Interview, monkeypatch: pytest.MonkeyPatch, typed_before: str | None
) -> None:
    """The claim checks the state too, also the claim of a save that stands alone: an interview finished meanwhile
    is read-only, and nothing is written."""
    assert interview.id is not None
    interview_id = interview.id
    if typed_before is not None:
        _save(app, worker, interview_id, "city", typed_before)
    _between(monkeypatch, lambda: _finish(app, interview_id))
    with _request(app, reads_first=True), _session(app) as first:
        read = first.get(Interview, interview_id)
        assert read is not None
        with pytest.raises(InterviewReadOnly):
            save_answer(first, actor=_principal(first, worker), interview=read, key="city", raw="Puck")
        first.rollback()
    with _session(app) as check:
        assert _history(check, interview_id, "city") == ([] if typed_before is None else [(1, typed_before)])


def test_the_writer_turn_covers_only_the_writes_of_an_autosave(
    app: Flask, client: FlaskClient, interview: Interview
) -> None:
    """SQLite: every read of an autosave (session, user, interview, answers) runs before BEGIN IMMEDIATE; under
    the writer turn only the claim, the answer, its history row and the audit event; the reply is built after."""
    engine = app.extensions[ENGINE_KEY]
    if engine.dialect.name != "sqlite":
        pytest.skip("the writer turn is SQLite's")
    save(client, interview, "city", "Łódź")
    headers = {"HX-Request": "true", "X-CSRFToken": token(client, f"/interviews/{interview.id}")}
    with _sent(app) as sent:
        response = client.post(f"/interviews/{interview.id}/answers", data={"key": "city", "city": "Puck"},
                               headers=headers)
    assert response.status_code == 200
    begins = [i for i, s in enumerate(sent) if s.startswith("BEGIN IMMEDIATE")]
    assert len(begins) == 1, sent
    turn = sent[begins[0] + 1:]
    assert turn[0].startswith("UPDATE interview SET"), turn
    assert [s.split(" ")[0] + " " + s.split(" ")[1 if s.startswith(("UPDATE", "SELECT")) else 2]
            for s in turn] == ["UPDATE interview", "UPDATE answer", "INSERT answer_change", "SELECT audit_head.last_hash",
                               "INSERT audit_event", "UPDATE audit_head"], turn
    assert any(s.startswith("SELECT answer.") for s in sent[:begins[0]]), sent


def _edit_address(app: Flask, case_id: int, address: str) -> None:
    """Another request changes the case's address (as the case page does)."""
    from app.cases.models import Case

    with _request(app, reads_first=False), _session(app) as other:
        case = other.get(Case, case_id)
        assert case is not None
        case.address = address
        other.add(case)
        other.commit()


def test_a_correction_read_before_the_case_was_edited_still_goes_back_to_the_case(
    app: Flask, worker: User, interview: Interview, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Segment A's address goes back to the case with a conditional UPDATE of the value read before the write; when
    the case changed in between, the save reads the case again and its correction still wins (the later save), with
    the history's "before" being what the case held at that moment."""
    from app.cases.models import Case
    from app.cases.record_models import CaseChange

    assert interview.id is not None
    interview_id, case_id = interview.id, interview.case_id
    _between(monkeypatch, lambda: _edit_address(app, case_id, "ul. Leśna 2, Wschowa"))
    saved, _seen = _save_as_read(app, worker, interview_id, "address", "ul. Polna 3, Wschowa")
    assert saved.changed
    with _session(app) as check:
        case = check.get(Case, case_id)
        assert case is not None and case.address == "ul. Polna 3, Wschowa"
        changes = check.exec(select(CaseChange.old, CaseChange.new).where(CaseChange.case_id == case_id)).all()
        assert [tuple(c) for c in changes] == [("ul. Leśna 2, Wschowa", "ul. Polna 3, Wschowa")]


def test_a_correction_reads_the_case_before_it_takes_the_write_lock(
    app: Flask, client: FlaskClient, interview: Interview
) -> None:
    """The case's field is read with the answers, before the claim; under SQLite's writer turn the correction sends
    only its UPDATE and its history row (no read of the case there)."""
    with _sent(app) as sent:
        response = save(client, interview, "address", "ul. Polna 3, Wschowa")
    assert response.status_code == 200
    claim = next(i for i, s in enumerate(sent) if s.startswith("UPDATE interview SET"))
    assert any("FROM case_file" in s for s in sent[:claim]), sent
    after = sent[claim:]
    assert not any(s.startswith("SELECT") and "FROM case_file" in s for s in after), after
    assert any(s.startswith("UPDATE case_file SET address") for s in after), after
    assert any(s.startswith("INSERT INTO case_change") for s in after), after
