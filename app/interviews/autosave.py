"""Saving answers: one answer (autosave), a posted section, the notes; the later save wins and the earlier device
is told. Audit events carry ids and question keys, never answers."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, update
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select
from werkzeug.datastructures import MultiDict

from app.audit.services import record
from app.auth.models import User
from app.auth.services import Principal
from app.clock import utcnow
from app.db import dialect_insert, lock_row, start_writing
from app.errors import NotFound
from app.fields import FieldProblem, check_length
from app.formdefs import (
    FormDefinition,
    LocalText,
    Question,
    answer_key,
    evaluate,
    parse_key,
    to_storage,
    validate_answer,
)
from app.formdefs.keys import question_for_key
from app.interviews import carry
from app.interviews.answers import Raw, answer_rows, form_of, load_answers
from app.interviews.errors import InterviewError, InterviewReadOnly, NotesTooLong
from app.interviews.interview_state import AnswerState
from app.interviews.lifecycle import SAFETY_SECTION, interrupt_unsafe
from app.interviews.models import Answer, AnswerChange, Interview, InterviewState
from app.web.ids import parse_id

INTERRUPT_ACTION = "interrupt_unsafe"
# Members of a repeat group without its own max_count (a household is never this large).
MAX_MEMBERS = 100
NOTES_MAX = 20_000


# --------------------------------------------------------------------------- saving answers


@dataclass
class Conflict:
    """The answer had been changed elsewhere since this device last saw it."""

    by_name: str
    at: dt.datetime


@dataclass
class Saved:
    """Outcome of one save: the row, its validation error (kept as typed) and what else happened."""

    key: str
    question: Question
    row: Answer
    error: LocalText | None = None
    changed: bool = True
    conflict: Conflict | None = None
    interrupted: bool = False
    # The interview's answers before and after this save (autosave: read once, see interview_state).
    before: AnswerState | None = None
    after: AnswerState | None = None
    # The history row this save wrote: its id grows with every save of the interview (they take the interview's
    # row lock in turn), so a screen can tell a newer state from an older reply that arrived late.
    change_id: int | None = None


def check_writable(interview: Interview, question: Question) -> None:
    if interview.state == InterviewState.FINISHED:
        raise InterviewReadOnly()
    if interview.state == InterviewState.INTERRUPTED and question.section != SAFETY_SECTION:
        raise InterviewReadOnly(str(_l("Wywiad przerwano, bo rozmowa nie była bezpieczna. Wznów go, aby kontynuować.")))


def question_of(form: FormDefinition, key: str) -> Question:
    try:
        question = question_for_key(form, key)
    except (KeyError, ValueError):
        raise InterviewError(str(_l("Nie ma takiego pytania w tym formularzu."))) from None
    if not question.holds_answer:
        raise InterviewError(str(_l("To pole nie przyjmuje odpowiedzi.")))
    return question


def _normalise(question: Question, raw: Raw) -> tuple[Raw, str]:
    """The raw input as validated, and as stored in `Answer.raw` (JSON for multiple choice)."""
    if question.type == "select_multiple":
        values = [raw] if isinstance(raw, str) else list(raw or [])
        values = [v for v in values if v.strip()]
        return values, json.dumps(values, ensure_ascii=False) if values else ""
    if isinstance(raw, list):
        raw = raw[-1] if raw else ""
    text = raw or ""
    return text, text


def _answer_row(session: Session, interview_id: int, key: str) -> Answer | None:
    return session.exec(
        select(Answer).where(Answer.interview_id == interview_id, Answer.key == key)
        .with_for_update().execution_options(populate_existing=True)
    ).first()


def _first_save(session: Session, actor: Principal, interview_id: int, key: str, raw: str, value: str | None,
                valid: bool, now: dt.datetime) -> tuple[Answer, bool]:
    """Insert the answer's first value; returns the row (locked) and whether this request inserted it.

    INSERT ... ON CONFLICT DO NOTHING instead of "read, then insert": two first saves of one answer at the same
    moment (two devices, a retried request) both succeed instead of one failing on the unique key.
    """
    inserted = session.exec(
        dialect_insert(session, Answer)
        .values(interview_id=interview_id, key=key, raw=raw, value=value, valid=valid, revision=1,
                updated_at=now, updated_by_id=actor.id)
        .on_conflict_do_nothing(index_elements=["interview_id", "key"])
        .returning(col(Answer.id))
    ).scalar()
    if inserted is not None:
        # Known whole (its id came back): taken into the session as loaded, without reading it again.
        row = Answer(id=inserted, interview_id=interview_id, key=key, raw=raw, value=value, valid=valid, revision=1,
                     updated_at=now, updated_by_id=actor.id)
        make_transient_to_detached(row)
        session.add(row)
        return row, True
    found = _answer_row(session, interview_id, key)
    assert found is not None  # noqa: S101 - inserted by the other request
    return found, False


def _changed(row: Answer, raw: str, value: str | None, valid: bool, actor: Principal, now: dt.datetime) -> Answer:
    row.raw, row.value, row.valid = raw, value, valid
    row.revision += 1
    row.updated_at, row.updated_by_id = now, actor.id
    return row


def stored_raw(question: Question, raw: Raw) -> str:
    """The raw input as `Answer.raw` keeps it (JSON for multiple choice), to compare with what is stored."""
    return _normalise(question, raw)[1]


def newer_elsewhere(session: Session, row: Answer, *, base_revision: int | None, client_id: str) -> Conflict | None:
    """Who changed the answer since the screen saw `base_revision`, unless it was that same screen."""
    if base_revision is None or base_revision >= row.revision:
        return None
    last = session.exec(
        select(AnswerChange)
        .where(AnswerChange.interview_id == row.interview_id, AnswerChange.key == row.key)
        .order_by(col(AnswerChange.revision).desc())
    ).first()
    if last is not None and client_id and last.client_id == client_id:
        return None
    who = session.get(User, row.updated_by_id)
    return Conflict(who.full_name if who else "?", row.updated_at)


@dataclass(frozen=True)
class _Typed:
    """One answer as it is to be stored: raw text, validated storage value (JSON) and its validation error."""

    raw: str
    value: str | None
    error: LocalText | None

    @property
    def valid(self) -> bool:
        return self.error is None

    def same_as(self, row: Answer | None) -> bool:
        return row is not None and row.raw == self.raw and row.value == self.value and row.valid == self.valid


def _typed(form: FormDefinition, question: Question, key: str, raw: Raw, answers: Mapping[str, Any],
           state: AnswerState | None) -> _Typed:
    """Validate one answer against the interview's answers (and their evaluation, when the state has it)."""
    checked, raw_text = _normalise(question, raw)
    if question.type == "repeat":
        # A member count posted by hand is bounded, so no one can make the screen render millions of members.
        count = min(parse_id(raw_text) or 0, question.max_count or MAX_MEMBERS)
        return _Typed(str(count), json.dumps(count), None)
    result = validate_answer(form, answers, key, checked, evaluation=state.evaluation if state else None)
    stored = to_storage(question, result.value) if result.ok else None
    return _Typed(raw_text, json.dumps(stored, ensure_ascii=False) if stored is not None else None, result.error)


def write_answer(
    session: Session,
    actor: Principal,
    interview: Interview,
    form: FormDefinition,
    key: str,
    raw: Raw,
    *,
    client_id: str,
    answers: Mapping[str, Any] | None,
    base_revision: int | None = None,
    state: AnswerState | None = None,
    section: str | None = None,
) -> Saved:
    """Validate and store one answer (no access or state checks: callers do those).

    With `state` (read after the interview was locked) the answers are neither read nor evaluated again.
    `section` becomes the interview's current section when the answer changes.
    """
    assert interview.id is not None  # noqa: S101
    question = question_of(form, key)
    if state is not None:
        answers = state.answers
    elif answers is None:
        answers = load_answers(session, interview.id)
    typed = _typed(form, question, key, raw, answers, state)
    # Locked (PostgreSQL), the interview first and then the answer, always in this order (no deadlock between a
    # section save and an autosave): a second device saving the same answer waits, so no revision counts twice.
    if state is None:
        lock_row(session, Interview, interview.id)
        row = _answer_row(session, interview.id, key)
    else:
        row = state.rows.get(key)
    if typed.same_as(row):
        assert row is not None  # noqa: S101
        return Saved(key, question, row, typed.error, changed=False, before=state, after=state)
    conflict = None if row is None else newer_elsewhere(session, row, base_revision=base_revision, client_id=client_id)
    now = utcnow()
    interview.updated_at = now
    interview.answers_version += 1
    if section is not None:
        interview.current_section = section
    session.add(interview)
    return _store(session, actor, interview, question, key, typed, row, now, client_id=client_id, conflict=conflict,
                  state=state)


def _store(session: Session, actor: Principal, interview: Interview, question: Question, key: str, typed: _Typed,
           row: Answer | None, now: dt.datetime, *, client_id: str, conflict: Conflict | None,
           state: AnswerState | None) -> Saved:
    """Write the answer (first value or change) and its history row; the interview row is already updated."""
    assert interview.id is not None  # noqa: S101
    raw_text, value, valid = typed.raw, typed.value, typed.valid
    if row is None:
        row, inserted = _first_save(session, actor, interview.id, key, raw_text, value, valid, now)
        if not inserted:
            # Another request saved the first value at the same moment: this save changes it like any later one.
            if typed.same_as(row):
                return Saved(key, question, row, typed.error, changed=False, before=state, after=state)
            row = _changed(row, raw_text, value, valid, actor, now)
    else:
        row = _changed(row, raw_text, value, valid, actor, now)
    session.add(row)
    change = AnswerChange(
        interview_id=interview.id,
        key=key,
        raw=raw_text,
        value=value,
        revision=row.revision,
        changed_at=now,
        changed_by_id=actor.id,
        client_id=client_id[:64],
    )
    session.add(change)
    if valid and key in carry.CASE_KEYS and client_id != carry.CASE_PREFILL:
        carry.flow_back(session, actor=actor, interview=interview, key=key, value=json.loads(value) if value else None)
    session.flush()
    return Saved(key, question, row, typed.error, changed=True, conflict=conflict, before=state,
                 after=state.with_row(row) if state is not None else None, change_id=change.id)


def _claim(session: Session, interview: Interview, seen: tuple[int, str], now: dt.datetime, section: str) -> bool:
    """Take the interview for this save if its answers and state are still those read (one UPDATE, under the lock).

    The UPDATE is also the interview's row lock on PostgreSQL (taken before the answer's, as everywhere).
    """
    version, state = seen
    result = session.execute(
        update(Interview)
        .where(col(Interview.id) == interview.id, col(Interview.answers_version) == version,
               col(Interview.state) == state)
        .values(updated_at=now, current_section=section, answers_version=version + 1)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], result).rowcount != 1:
        return False
    for name, value in (("updated_at", now), ("current_section", section), ("answers_version", version + 1)):
        set_committed_value(interview, name, value)
    return True


def _fresh_rows(session: Session, interview_id: int) -> dict[str, Answer]:
    rows = session.exec(
        select(Answer).where(Answer.interview_id == interview_id).execution_options(populate_existing=True)
    ).all()
    return {row.key: row for row in rows}


def _check_member(key: str, state: AnswerState) -> None:
    parsed = parse_key(key)
    if parsed.group is not None and parsed.index is not None:
        count = state.evaluation.counts.get(parsed.group, 0)
        if parsed.index >= count:
            raise InterviewError(str(_l("Tej osoby nie ma już na liście.")), 409)


def save_answer(
    session: Session,
    *,
    actor: Principal,
    interview: Interview,
    key: str,
    raw: Raw,
    client_id: str = "",
    base_revision: int | None = None,
) -> Saved:
    """Autosave one answer: raw always, value only when valid; the later save wins and the earlier device is told.

    Saying "no" to the safety question interrupts the interview at once (state `interrupted`).

    Everything is read, validated and checked for conflicts first; then (app/db.py `start_writing`: on SQLite the
    writer turn is taken only now) one conditional UPDATE claims the interview if its answers and state are still
    those read, and the save writes without reading again. If another save came in between, the answers are read
    again under the interview's lock and the save is validated against them.
    """
    form = form_of(interview)
    question = question_of(form, key)
    check_writable(interview, question)
    assert interview.id is not None  # noqa: S101
    seen = (interview.answers_version, str(interview.state))
    state = AnswerState(form, answer_rows(session, interview.id))
    _check_member(key, state)
    typed = _typed(form, question, key, raw, state.answers, state)
    row = state.rows.get(key)
    if typed.same_as(row):
        assert row is not None  # noqa: S101
        return Saved(key, question, row, typed.error, changed=False, before=state, after=state)
    conflict = None if row is None else newer_elsewhere(session, row, base_revision=base_revision, client_id=client_id)
    start_writing(session)
    now = utcnow()
    if _claim(session, interview, seen, now, question.section):
        saved = _store(session, actor, interview, question, key, typed, row, now, client_id=client_id,
                       conflict=conflict, state=state)
    else:
        # Another save (or a finish) came in between: read again, locked (PostgreSQL), and save against that.
        lock_row(session, Interview, interview.id)
        check_writable(interview, question)
        state = AnswerState(form, _fresh_rows(session, interview.id))
        _check_member(key, state)
        saved = write_answer(
            session, actor, interview, form, key, raw, client_id=client_id, answers=None,
            base_revision=base_revision, state=state, section=question.section,
        )
    if saved.changed:
        record(
            session,
            "answer.change",
            actor_id=actor.id,
            office_id=interview.office_id,
            object_type="interview",
            object_id=interview.id,
            key=key,
            revision=saved.row.revision,
        )
    action = question.actions.get("yes" if saved.row.value == "true" else "no") if saved.row.value else None
    if action == INTERRUPT_ACTION and interview.state == InterviewState.IN_PROGRESS:
        interrupt_unsafe(session, actor=actor, interview=interview)
        saved.interrupted = True
    return saved


def section_keys(form: FormDefinition, answers: Mapping[str, Any], section_id: str) -> list[str]:
    """Answer keys of a section's questions, repeat members for every current member."""
    counts = evaluate(form, answers).counts
    keys: list[str] = []
    for question in form.section(section_id).questions:
        if not question.holds_answer:
            continue
        if question.type == "repeat":
            for index in range(counts.get(question.id, 0)):
                keys += [answer_key(m.id, question.id, index) for m in question.questions if m.holds_answer]
            continue
        keys.append(question.id)
    return keys


def save_section(
    session: Session, *, actor: Principal, interview: Interview, section_id: str, data: MultiDict[str, str]
) -> list[Saved]:
    """Save every field of a posted section (the no-JavaScript path); unchanged answers are left alone.

    Only keys the page declared in `_seen` are touched, so a missing checkbox group means "none chosen".
    """
    form = form_of(interview)
    try:
        form.section(section_id)
    except KeyError:
        raise NotFound(section_id) from None
    assert interview.id is not None  # noqa: S101
    allowed = set(section_keys(form, load_answers(session, interview.id), section_id))
    seen = [key for key in data.getlist("_seen") if key in allowed]
    results = []
    for key in dict.fromkeys(seen):
        question = form.question(parse_key(key).question_id)
        raw: Raw = data.getlist(key) if question.type == "select_multiple" else data.get(key, "")
        rev = data.get(f"_rev:{key}", "")
        saved = save_answer(
            session,
            actor=actor,
            interview=interview,
            key=key,
            raw=raw,
            client_id="",
            base_revision=parse_id(rev),
        )
        results.append(saved)
        if saved.interrupted:
            break
    if "_notes" in data and interview.state == InterviewState.IN_PROGRESS:
        set_notes(session, actor=actor, interview=interview, notes=data.get("_notes", ""))
    if interview.state == InterviewState.IN_PROGRESS:
        interview.current_section = section_id
        session.add(interview)
    return results


def set_notes(session: Session, *, actor: Principal, interview: Interview, notes: str) -> bool:
    """Autosave the worker's free notes; returns whether they changed. Over-long notes are refused whole."""
    if interview.state == InterviewState.FINISHED:
        raise InterviewReadOnly()
    notes = notes.replace("\r\n", "\n")
    try:
        check_length(notes, NOTES_MAX)
    except FieldProblem as exc:
        raise NotesTooLong(exc.text(str(get_locale() or "pl")[:2])) from None
    if notes == interview.notes:
        return False
    interview.notes = notes
    interview.updated_at = utcnow()
    session.add(interview)
    record(
        session,
        "interview.notes",
        actor_id=actor.id,
        office_id=interview.office_id,
        object_type="interview",
        object_id=interview.id,
    )
    return True


def remember_section(session: Session, interview_id: int, section_id: str) -> None:
    """Keep where the worker is, so the interview resumes there from any device (one UPDATE, nothing read)."""
    session.exec(
        update(Interview)
        .where(col(Interview.id) == interview_id, col(Interview.state) == InterviewState.IN_PROGRESS,
               col(Interview.current_section) != section_id)
        .values(current_section=section_id)
    )
