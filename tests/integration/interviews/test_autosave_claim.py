"""An autosave reads before it takes the write lock: what happens when another save comes in between (issue 14).

save_answer reads the interview and its answers as a reader, then claims the interview with one conditional UPDATE
(its answers_version and state still those read). These tests put another save, or a finish, between the read and
the write, in two sessions, as two requests on two app hosts would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from flask import Flask, g
from sqlmodel import Session, col, select

from app.auth.models import User
from app.auth.services import Principal, load_principal
from app.db import ENGINE_KEY, READ_FIRST_KEY
from app.interviews import autosave
from app.interviews.autosave import save_answer
from app.interviews.errors import InterviewReadOnly
from app.interviews.models import Answer, AnswerChange, Interview, InterviewState


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


def test_a_save_that_read_before_another_save_writes_after_it(
    app: Flask, worker: User, interview: Interview, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The later save claims nothing (the version moved), reads again under the lock and counts its revision after
    the other one's: no revision twice, no history row lost."""
    assert interview.id is not None
    interview_id = interview.id
    _save(app, worker, interview_id, "city", "Łódź")
    _between(monkeypatch, lambda: _save(app, worker, interview_id, "city", "Puck"))  # another device
    with _request(app, reads_first=True):
        with _session(app) as first:
            read = first.get(Interview, interview_id)
            assert read is not None
            saved = save_answer(first, actor=_principal(first, worker), interview=read, key="city", raw="Gdańsk")
            first.commit()
        assert saved.changed and saved.row.revision == 3
        with _session(app) as check:
            history = check.exec(select(AnswerChange.revision, AnswerChange.raw)
                                 .where(AnswerChange.interview_id == interview_id, AnswerChange.key == "city")
                                 .order_by(col(AnswerChange.revision))).all()
            assert [tuple(h) for h in history] == [(1, "Łódź"), (2, "Puck"), (3, "Gdańsk")]
            stored = check.exec(select(Answer).where(Answer.interview_id == interview_id, Answer.key == "city")).one()
            assert (stored.raw, stored.revision) == ("Gdańsk", 3)


def test_a_save_that_read_before_the_interview_was_finished_is_refused(
    app: Flask, worker: User, interview: Interview, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The claim checks the state too: an interview finished meanwhile is read-only, and nothing is written."""
    assert interview.id is not None
    interview_id = interview.id

    def finish() -> None:
        with _request(app, reads_first=False), _session(app) as other:
            finished = other.get(Interview, interview_id)
            assert finished is not None
            finished.state = InterviewState.FINISHED
            other.add(finished)
            other.commit()

    _between(monkeypatch, finish)
    with _request(app, reads_first=True), _session(app) as first:
        read = first.get(Interview, interview_id)
        assert read is not None
        with pytest.raises(InterviewReadOnly):
            save_answer(first, actor=_principal(first, worker), interview=read, key="city", raw="Puck")
        first.rollback()
        with _session(app) as check:
            assert check.exec(select(Answer).where(Answer.interview_id == interview_id, Answer.key == "city")).first() is None
