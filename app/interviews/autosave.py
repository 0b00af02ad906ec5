"""Saving answers: one answer (autosave), a posted section, the notes; the later save wins and the earlier device
is told. Audit events carry ids and question keys, never answers."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session, col, select
from werkzeug.datastructures import MultiDict

from app import audit
from app.auth.services import Principal
from app.clock import utcnow
from app.db import lock_row, start_writing
from app.errors import NotFound
from app.fields import FieldProblem, check_length
from app.formdefs import (
    FormDefinition,
    LocalText,
    Question,
    answer_key,
    evaluate,
    parse_key,
)
from app.formdefs.keys import member_count, question_for_key
from app.interviews import carry
from app.interviews.answer_store import (
    Conflict,
    Typed,
    claim,
    insert_first,
    newer_elsewhere,
    normalise,
    typed_answer,
    write_claimed,
)
from app.interviews.answers import AnswerRow, Raw, form_of, load_answers, stored_answers
from app.interviews.errors import InterviewError, InterviewReadOnly, NotesTooLong
from app.interviews.interview_state import AnswerState, stands_alone
from app.interviews.lifecycle import SAFETY_SECTION, interrupt_unsafe
from app.interviews.models import Answer, AnswerChange, Interview, InterviewState
from app.web.ids import parse_id

INTERRUPT_ACTION = "interrupt_unsafe"
NOTES_MAX = 20_000


# --------------------------------------------------------------------------- saving answers


@dataclass
class Saved:
    """Outcome of one save: the row, its validation error (kept as typed) and what else happened."""

    key: str
    question: Question
    row: AnswerRow
    error: LocalText | None = None
    changed: bool = True
    conflict: Conflict | None = None
    interrupted: bool = False
    # The interview's answers before and after this save (autosave: read once, see interview_state).
    before: AnswerState[Any] | None = None
    after: AnswerState[Any] | None = None
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


def _answer_row(session: Session, interview_id: int, key: str) -> Answer | None:
    return session.exec(
        select(Answer).where(Answer.interview_id == interview_id, Answer.key == key)
        .with_for_update().execution_options(populate_existing=True)
    ).first()


def _first_save(session: Session, actor: Principal, interview_id: int, key: str, typed: Typed,
                now: dt.datetime) -> tuple[Answer, bool]:
    """Insert the answer's first value; returns the row (locked) and whether this request inserted it."""
    inserted = insert_first(session, actor, interview_id, key, typed, now)
    if inserted is not None:
        # Known whole (its id came back): taken into the session as loaded, without reading it again.
        row = Answer(id=inserted, interview_id=interview_id, key=key, raw=typed.raw, value=typed.value,
                     valid=typed.valid, revision=1, updated_at=now, updated_by_id=actor.id)
        make_transient_to_detached(row)
        session.add(row)
        return row, True
    found = _answer_row(session, interview_id, key)
    assert found is not None  # noqa: S101 - inserted by the other request
    return found, False


def _changed(row: Answer, typed: Typed, actor: Principal, now: dt.datetime) -> Answer:
    row.raw, row.value, row.valid = typed.raw, typed.value, typed.valid
    row.revision += 1
    row.updated_at, row.updated_by_id = now, actor.id
    return row


def stored_raw(question: Question, raw: Raw) -> str:
    """The raw input as `Answer.raw` keeps it (JSON for multiple choice), to compare with what is stored."""
    return normalise(question, raw)[1]


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
) -> Saved:
    """Validate and store one answer with ORM rows, the interview locked first (no access or state checks).

    For section saves' members, the start of an interview and carried values; an autosave uses save_answer.
    """
    assert interview.id is not None  # noqa: S101
    question = question_of(form, key)
    if answers is None:
        answers = load_answers(session, interview.id)
    typed = typed_answer(form, question, key, raw, answers, None)
    # Locked (PostgreSQL), the interview first and then the answer, always in this order (no deadlock between a
    # section save and an autosave): a second device saving the same answer waits, so no revision counts twice.
    lock_row(session, Interview, interview.id)
    row = _answer_row(session, interview.id, key)
    if row is not None and typed.same_as(row):
        return Saved(key, question, row, typed.error, changed=False)
    now = utcnow()
    interview.updated_at = now
    interview.answers_version += 1  # an autosave that read the answers before this claims nothing (save_answer)
    session.add(interview)
    if row is None:
        row, inserted = _first_save(session, actor, interview.id, key, typed, now)
        if not inserted:
            # Another request saved the first value at the same moment: this save changes it like any later one.
            if typed.same_as(row):
                return Saved(key, question, row, typed.error, changed=False)
            row = _changed(row, typed, actor, now)
    else:
        row = _changed(row, typed, actor, now)
    session.add(row)
    change = AnswerChange(interview_id=interview.id, key=key, raw=typed.raw, value=typed.value, revision=row.revision,
                          changed_at=now, changed_by_id=actor.id, client_id=client_id[:64])
    session.add(change)
    _flow_back(session, actor, interview, key, typed, client_id)
    session.flush()
    return Saved(key, question, row, typed.error, changed=True, change_id=change.id)


def _goes_back(key: str, typed: Typed, client_id: str) -> bool:
    """A corrected segment A answer goes back to the case (not the values the case itself filled in)."""
    return typed.valid and key in carry.CASE_KEYS and client_id != carry.CASE_PREFILL


def _flow_back(session: Session, actor: Principal, interview: Interview, key: str, typed: Typed,
               client_id: str) -> None:
    if _goes_back(key, typed, client_id):
        value = json.loads(typed.value) if typed.value else None
        carry.flow_back(session, actor=actor, interview=interview, key=key, value=value)


def _plan_flow_back(session: Session, interview: Interview, key: str, typed: Typed,
                    client_id: str) -> carry.FlowBack | None:
    """What an autosave sends back to the case, read before it writes (under the turn it then sends two statements)."""
    if not _goes_back(key, typed, client_id):
        return None
    value = json.loads(typed.value) if typed.value else None
    return carry.plan_flow_back(session, interview=interview, key=key, value=value)


def _check_member(key: str, state: AnswerState[Any]) -> None:
    parsed = parse_key(key)
    if parsed.group is not None and parsed.index is not None:
        count = member_count(state.form, state.answers, parsed.group)  # as the evaluation counts, without one
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
    those read, and the save writes without reading again (a segment A correction included: the case's field is
    read before and written back with two statements, carry.plan_flow_back). A save that stands alone
    (interview_state.stands_alone: typing on in an answered field that nothing else reads) needs only the
    interview's state and its own answer to be as read, so saves of other answers in between do not send it down
    the locked path. If another save (or a finish) came in between that matters, the interview is locked, read
    again and the save validated against that (the claim then holds).
    """
    form = form_of(interview)
    question = question_of(form, key)
    check_writable(interview, question)
    assert interview.id is not None  # noqa: S101
    for locked in (False, True):
        if locked:
            lock_row(session, Interview, interview.id)
            check_writable(interview, question)
        seen = (interview.answers_version, str(interview.state))
        state = AnswerState(form, stored_answers(session, interview.id))
        _check_member(key, state)
        typed = typed_answer(form, question, key, raw, state.answers, state)
        row = state.rows.get(key)
        if row is not None and typed.same_as(row):
            return Saved(key, question, row, typed.error, changed=False, before=state, after=state)
        back = _plan_flow_back(session, interview, key, typed, client_id)
        conflict = None if row is None else newer_elsewhere(session, interview.id, row, base_revision=base_revision,
                                                            client_id=client_id)
        start_writing(session)
        now = utcnow()
        # Standing alone, other answers saved meanwhile do not matter to this one; only its own row must be as read
        # (else nothing is written and it goes the locked way).
        alone = not locked and stands_alone(state, question, key, typed.value)
        claimed = claim(session, interview, seen, now, question.section, alone=alone)
        written = write_claimed(session, actor, interview.id, key, typed, row, now, client_id) if claimed else None
        if written is not None:
            break
    else:
        raise RuntimeError("the interview changed while it was locked")  # every writer of the answers takes the lock
    stored, change_id = written
    if back is not None:
        carry.write_flow_back(session, actor=actor, interview=interview, back=back)
    saved = Saved(key, question, stored, typed.error, changed=True, conflict=conflict, before=state,
                  after=state.with_row(stored), change_id=change_id)
    audit.log(session, "answer.change", actor=actor, obj=interview, key=key, revision=stored.revision)
    action = question.actions.get("yes" if stored.value == "true" else "no") if stored.value else None
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
    audit.log(session, "interview.notes", actor=actor, obj=interview)
    return True


def remember_section(session: Session, interview_id: int, section_id: str) -> None:
    """Keep where the worker is, so the interview resumes there from any device (one UPDATE, nothing read)."""
    session.exec(
        update(Interview)
        .where(col(Interview.id) == interview_id, col(Interview.state) == InterviewState.IN_PROGRESS,
               col(Interview.current_section) != section_id)
        .values(current_section=section_id)
    )
