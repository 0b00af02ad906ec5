"""Interviews: start (full or update), autosave answers with their history, finish, reopen, interrupt when unsafe.

Every answer goes through `formdefs.validate_answer` (the single source of truth): `raw` keeps exactly what was
typed, `value` holds the validated storage form only when valid. Audit events carry ids and question keys, never
answers.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from flask import current_app, has_app_context
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import make_transient_to_detached, object_session
from sqlmodel import Session, col, select
from werkzeug.datastructures import MultiDict

from app.audit.services import record
from app.auth.models import Role, User
from app.auth.services import Principal
from app.cases.models import CallAttempt, Case, CaseState
from app.clock import to_local, utcnow
from app.db import dialect_insert, lock_row, reading_session
from app.fields import FieldProblem, check_length
from app.formdefs import (
    CompletionProblem,
    FormDefinition,
    FormRegistry,
    LocalText,
    Question,
    answer_key,
    completion_problems,
    evaluate,
    parse_key,
    prefill_update,
    to_storage,
    validate_answer,
)
from app.formdefs.logic import question_for_key
from app.formdefs.validators import stored_to_raw
from app.formstore import catalog
from app.interviews.interview_state import AnswerState
from app.interviews.models import Answer, AnswerChange, Interview, InterviewState
from app.web.ids import parse_id

FORMS_KEY = "telewywiad.forms"
FULL_FORM = "rws"
UPDATE_FORM = "rws-update"
SAFETY_SECTION = "safety"
INTERRUPT_ACTION = "interrupt_unsafe"
# Members of a repeat group without its own max_count (a household is never this large).
MAX_MEMBERS = 100
NOTES_MAX = 20_000

Raw = str | list[str] | None


class InterviewError(ValueError):
    """A request the interview cannot take; `status` is the HTTP status the web layer answers with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class InterviewReadOnly(InterviewError):
    """The interview is finished (or interrupted): answers cannot change until it is reopened."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message or str(_l("Wywiad jest zakończony i tylko do odczytu. Otwórz go ponownie, aby coś zmienić.")), 409
        )


class NotesTooLong(InterviewError):
    """The notes are longer than NOTES_MAX: nothing is stored, the typed text stays on screen."""

    def __init__(self, message: str) -> None:
        super().__init__(message, 422)


class NoAccess(LookupError):
    """The record does not exist for this user (the web layer answers 404)."""


# --------------------------------------------------------------------------- forms


def load_forms(forms_dir: str | Path | None) -> FormRegistry:
    """Load and check every published form (once per unchanged folder); raises FormDefinitionError naming each problem."""
    return FormRegistry.loaded(forms_dir)


@cache
def _default_registry() -> FormRegistry:
    return FormRegistry.from_directory(None)


def form_registry() -> FormRegistry:
    """The registry loaded at start-up (settings `forms_dir`), or the repository's forms/ outside an app."""
    if has_app_context() and FORMS_KEY in current_app.extensions:
        registry: FormRegistry = current_app.extensions[FORMS_KEY]
        return registry
    return _default_registry()


def form_of(interview: Interview) -> FormDefinition:
    """The form version the interview pinned when it started (a built-in file, or a version in the database)."""
    registry = form_registry()
    if not interview.form_hash and registry.has(interview.form_id, interview.form_version):
        return registry.get(interview.form_id, interview.form_version)
    session = object_session(interview)
    if session is None and has_app_context():
        with reading_session() as reader:
            return catalog.pinned(reader, registry, interview.form_id, interview.form_version, interview.form_hash)
    return catalog.pinned(session, registry, interview.form_id, interview.form_version,  # type: ignore[arg-type]
                          interview.form_hash)


# --------------------------------------------------------------------------- reading answers


def answer_rows(session: Session, interview_id: int) -> dict[str, Answer]:
    """Every stored answer row of an interview by key (invalid and blank ones included)."""
    rows = session.exec(select(Answer).where(Answer.interview_id == interview_id)).all()
    return {row.key: row for row in rows}


def decoded(rows: Mapping[str, Answer]) -> dict[str, Any]:
    """Storage values of the valid, non-blank answers among `rows`."""
    return {key: json.loads(row.value) for key, row in rows.items() if row.valid and row.value is not None}


def load_answers(session: Session, interview_id: int) -> dict[str, Any]:
    """Decoded storage values of an interview's valid answers (what the formdefs functions take)."""
    return decoded(answer_rows(session, interview_id))


def raw_of(question: Question, row: Answer | None) -> Raw:
    """The raw input of a stored row, as the form field shows it (a list for multiple choice)."""
    if row is None:
        return None
    if question.type == "select_multiple":
        try:
            values = json.loads(row.raw) if row.raw else []
        except ValueError:
            values = row.raw.split()
        return [str(v) for v in values] if isinstance(values, list) else [str(values)]
    return row.raw


# --------------------------------------------------------------------------- access


def can_reach(principal: Principal, interview: Interview, case: Case | None) -> bool:
    """Workers reach their own interviews and those of cases assigned to them; supervisors their office's."""
    if interview.office_id != principal.office_id:
        return False
    if principal.has(Role.SUPERVISOR):
        return True
    if principal.has(Role.WORKER):
        return interview.worker_id == principal.id or (case is not None and case.assigned_worker_id == principal.id)
    return False


def get_interview(session: Session, principal: Principal, interview_id: int, *, lock: bool = False) -> Interview:
    """The interview if the principal may reach it; NoAccess otherwise (also for another office's).

    `lock` reads it FOR UPDATE (PostgreSQL), as a save must before it reads the answers (see save_answer).
    """
    interview = session.get(Interview, interview_id, with_for_update=True if lock else None)
    if interview is None:
        raise NoAccess(interview_id)
    # The case decides only for a worker reaching someone else's interview: not read otherwise.
    own = principal.has(Role.SUPERVISOR) or interview.worker_id == principal.id
    case = None if own else session.get(Case, interview.case_id)
    if not can_reach(principal, interview, case):
        raise NoAccess(interview_id)
    return interview


def case_for_start(session: Session, principal: Principal, case_id: int) -> Case:
    """The case if the principal may start an interview on it: same office; a worker only unassigned or their own."""
    case = session.get(Case, case_id)
    if case is None or case.office_id != principal.office_id:
        raise NoAccess(case_id)
    if not principal.has(Role.SUPERVISOR) and case.assigned_worker_id not in (None, principal.id):
        raise NoAccess(case_id)
    return case


def case_interviews(session: Session, case_id: int) -> list[Interview]:
    """A case's interviews, newest first."""
    return list(
        session.exec(
            select(Interview).where(Interview.case_id == case_id).order_by(col(Interview.started_at).desc())
        ).all()
    )


# --------------------------------------------------------------------------- starting


def last_finished(session: Session, case_id: int) -> Interview | None:
    """The case's most recently finished interview, the base of an update."""
    return session.exec(
        select(Interview)
        .where(Interview.case_id == case_id, Interview.state == InterviewState.FINISHED)
        .order_by(col(Interview.finished_at).desc())
    ).first()


def start_interview(
    session: Session, *, actor: Principal, case: Case, call_attempt_id: int | None = None
) -> Interview:
    """Start the RWS on a case (or the update, pre-filled from the last finished interview).

    An interview already in progress on the case is returned instead of starting a second one.
    """
    if case.office_id != actor.office_id:
        raise NoAccess(case.id)
    attempt = None
    if call_attempt_id is not None:
        attempt = session.get(CallAttempt, call_attempt_id)
        if attempt is None or attempt.case_id != case.id:
            raise InterviewError(str(_l("Ta rozmowa nie dotyczy tej sprawy.")))
    assert case.id is not None  # noqa: S101
    running = session.exec(
        select(Interview).where(Interview.case_id == case.id, Interview.state == InterviewState.IN_PROGRESS)
    ).first()
    if running is not None:
        return running
    registry = form_registry()
    previous = last_finished(session, case.id)
    form = catalog.latest_for_office(session, registry, case.office_id, UPDATE_FORM if previous is not None else FULL_FORM)
    now = utcnow()
    interview = Interview(
        office_id=case.office_id,
        case_id=case.id,
        worker_id=actor.id,
        call_attempt_id=call_attempt_id,
        previous_interview_id=previous.id if previous else None,
        form_id=form.id,
        form_version=form.version,
        form_hash=catalog.pin(session, registry, form),
        current_section=form.sections[0].id,
        started_at=now,
        updated_at=now,
    )
    session.add(interview)
    session.flush()
    assert interview.id is not None  # noqa: S101
    initial: dict[str, Raw] = {}
    if previous is not None and previous.id is not None:
        for key, stored in prefill_update(form, load_answers(session, previous.id)).items():
            initial[key] = stored_to_raw(stored)
    started_local = to_local(now).strftime("%d.%m.%Y %H:%M")
    call_record: dict[str, Raw] = {"mode": "phone_15o", "interview_started_at": started_local}
    if attempt is not None:
        call_record["number_called"] = attempt.number
    for key, raw in call_record.items():
        if form.has_question(key):
            initial[key] = raw
    for key, raw in initial.items():
        _write(session, actor, interview, form, key, raw, client_id="start", answers=None)
    if case.state in (CaseState.NEW, CaseState.CONTACTING):
        case.state = CaseState.INTERVIEW
        session.add(case)
    record(
        session,
        "interview.start",
        actor_id=actor.id,
        office_id=interview.office_id,
        object_type="interview",
        object_id=interview.id,
        case_id=case.id,
        form=form.id,
        version=form.version,
        previous_interview_id=interview.previous_interview_id,
    )
    return interview


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


def _check_writable(interview: Interview, question: Question) -> None:
    if interview.state == InterviewState.FINISHED:
        raise InterviewReadOnly()
    if interview.state == InterviewState.INTERRUPTED and question.section != SAFETY_SECTION:
        raise InterviewReadOnly(str(_l("Wywiad przerwano, bo rozmowa nie była bezpieczna. Wznów go, aby kontynuować.")))


def _question(form: FormDefinition, key: str) -> Question:
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


def _write(
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
    question = _question(form, key)
    if state is not None:
        answers = state.answers
    elif answers is None:
        answers = load_answers(session, interview.id)
    checked, raw_text = _normalise(question, raw)
    if question.type == "repeat":
        error = None
        # A member count posted by hand is bounded, so no one can make the screen render millions of members.
        count = min(parse_id(raw_text) or 0, question.max_count or MAX_MEMBERS)
        value: str | None = json.dumps(count)
        raw_text = str(count)
    else:
        result = validate_answer(form, answers, key, checked, evaluation=state.evaluation if state else None)
        error = result.error
        stored = to_storage(question, result.value) if result.ok else None
        value = json.dumps(stored, ensure_ascii=False) if stored is not None else None
    valid = error is None
    # Locked (PostgreSQL), the interview first and then the answer, always in this order (no deadlock between a
    # section save and an autosave): a second device saving the same answer waits, so no revision counts twice.
    if state is None:
        lock_row(session, Interview, interview.id)
        row = _answer_row(session, interview.id, key)
    else:
        row = state.rows.get(key)
    if row is not None and row.raw == raw_text and row.value == value and row.valid == valid:
        return Saved(key, question, row, error, changed=False, before=state, after=state)
    conflict = None
    now = utcnow()
    if row is None:
        row, inserted = _first_save(session, actor, interview.id, key, raw_text, value, valid, now)
        if not inserted:
            # Another request saved the first value at the same moment: this save changes it like any later one.
            if row.raw == raw_text and row.value == value and row.valid == valid:
                return Saved(key, question, row, error, changed=False, before=state, after=state)
            row = _changed(row, raw_text, value, valid, actor, now)
    else:
        conflict = newer_elsewhere(session, row, base_revision=base_revision, client_id=client_id)
        row = _changed(row, raw_text, value, valid, actor, now)
    session.add(row)
    session.add(
        AnswerChange(
            interview_id=interview.id,
            key=key,
            raw=raw_text,
            value=value,
            revision=row.revision,
            changed_at=now,
            changed_by_id=actor.id,
            client_id=client_id[:64],
        )
    )
    interview.updated_at = now
    if section is not None:
        interview.current_section = section
    session.add(interview)
    session.flush()
    return Saved(key, question, row, error, changed=True, conflict=conflict, before=state,
                 after=state.with_row(row) if state is not None else None)


def save_answer(
    session: Session,
    *,
    actor: Principal,
    interview: Interview,
    key: str,
    raw: Raw,
    client_id: str = "",
    base_revision: int | None = None,
    locked: bool = False,
) -> Saved:
    """Autosave one answer: raw always, value only when valid; the later save wins and the earlier device is told.

    Saying "no" to the safety question interrupts the interview at once (state `interrupted`). `locked`: the
    caller read the interview with get_interview(lock=True) in this transaction.
    """
    form = form_of(interview)
    question = _question(form, key)
    _check_writable(interview, question)
    parsed = parse_key(key)
    assert interview.id is not None  # noqa: S101
    # Locked (PostgreSQL) before the answers are read: every writer of an interview's answers takes this lock
    # first, so the state read here stays true until the commit and the answer need not be read again.
    if not locked:
        lock_row(session, Interview, interview.id)
    state = AnswerState(form, answer_rows(session, interview.id))
    if parsed.group is not None and parsed.index is not None:
        count = state.evaluation.counts.get(parsed.group, 0)
        if parsed.index >= count:
            raise InterviewError(str(_l("Tej osoby nie ma już na liście.")), 409)
    saved = _write(
        session, actor, interview, form, key, raw, client_id=client_id, answers=None, base_revision=base_revision,
        state=state, section=question.section,
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
        raise NoAccess(section_id) from None
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


def _member_keys(group: Question, index: int) -> list[str]:
    return [answer_key(m.id, group.id, index) for m in group.questions if m.holds_answer]


def change_members(
    session: Session, *, actor: Principal, interview: Interview, group_id: str, add: bool, index: int | None = None
) -> int:
    """Add a member to a repeat group, or remove member `index` (later members move up); returns the new count."""
    form = form_of(interview)
    group = _question(form, group_id)
    if group.type != "repeat" or group.group is not None:
        raise InterviewError(str(_l("To nie jest lista osób.")))
    _check_writable(interview, group)
    assert interview.id is not None  # noqa: S101
    rows = answer_rows(session, interview.id)
    count = evaluate(form, decoded(rows)).counts.get(group.id, 0)
    if add:
        if group.max_count is not None and count >= group.max_count:
            raise InterviewError(str(_l("Lista jest pełna (najwyżej %(n)s).", n=group.max_count)), 409)
        new_count = count + 1
    else:
        if index is None or not 0 <= index < count:
            raise InterviewError(str(_l("Tej osoby nie ma już na liście.")), 409)
        for later in range(index + 1, count):
            for member in group.questions:
                if not member.holds_answer:
                    continue
                source = rows.get(answer_key(member.id, group.id, later))
                _change(session, actor, interview, answer_key(member.id, group.id, later - 1), raw_of(member, source))
        for key in _member_keys(group, count - 1):
            if key in rows and rows[key].raw:
                _change(session, actor, interview, key, None)
        new_count = count - 1
    _write(session, actor, interview, form, group.id, str(new_count), client_id="", answers=None)
    interview.current_section = group.section
    session.add(interview)
    record(
        session,
        "answer.change",
        actor_id=actor.id,
        office_id=interview.office_id,
        object_type="interview",
        object_id=interview.id,
        key=group.id,
        members=new_count,
    )
    return new_count


def _change(session: Session, actor: Principal, interview: Interview, key: str, raw: Raw) -> None:
    form = form_of(interview)
    _write(session, actor, interview, form, key, raw, client_id="", answers=None)


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


def remember_section(session: Session, interview: Interview, section_id: str) -> None:
    """Keep where the worker is, so the interview resumes there from any device."""
    if interview.state == InterviewState.IN_PROGRESS and interview.current_section != section_id:
        interview.current_section = section_id
        session.add(interview)


# --------------------------------------------------------------------------- completion


def problems_of(session: Session, interview: Interview) -> list[CompletionProblem]:
    """What stands in the way of finishing: the form's completion problems plus answers kept invalid as typed."""
    assert interview.id is not None  # noqa: S101
    form = form_of(interview)
    rows = answer_rows(session, interview.id)
    answers = decoded(rows)
    problems = completion_problems(form, answers)
    evaluation = evaluate(form, answers)
    order = {s.id: i for i, s in enumerate(form.sections)}
    reported = {p.answer_key for p in problems}
    for key, row in rows.items():
        if row.valid or not row.raw or not evaluation.is_visible(key):
            continue
        try:
            question = question_for_key(form, key)
        except (KeyError, ValueError):
            continue
        result = validate_answer(form, answers, key, raw_of(question, row))
        if result.error is None:
            continue  # became valid through another answer; the next save stores the value
        problem = CompletionProblem(
            "blocking",
            "invalid",
            question.section,
            question.id,
            key,
            LocalText(f"{question.label.pl}: {result.error.pl}", f"{question.label.en}: {result.error.en}"),
        )
        problems = [p for p in problems if p.answer_key != key] if key in reported else problems
        problems.append(problem)
    return sorted(problems, key=lambda p: (order.get(p.section_id, 0), not p.blocking))


@dataclass
class Completion:
    """What `complete` did: finished or not, and the problems it found."""

    finished: bool
    problems: list[CompletionProblem] = field(default_factory=list)

    @property
    def blocking(self) -> list[CompletionProblem]:
        """Problems that prevent finishing."""
        return [p for p in self.problems if p.blocking]

    @property
    def warnings(self) -> list[CompletionProblem]:
        """Problems the worker may accept."""
        return [p for p in self.problems if not p.blocking]


def complete(session: Session, *, actor: Principal, interview: Interview, accept_warnings: bool = False) -> Completion:
    """Finish the interview when nothing blocks it (warnings must be accepted); it becomes read-only."""
    if interview.state != InterviewState.IN_PROGRESS:
        raise InterviewReadOnly(str(_l("Ten wywiad nie jest w toku.")))
    problems = problems_of(session, interview)
    outcome = Completion(False, problems)
    if outcome.blocking or (outcome.warnings and not accept_warnings):
        return outcome
    now = utcnow()
    interview.state = InterviewState.FINISHED
    interview.finished_at = now
    interview.updated_at = now
    session.add(interview)
    case = session.get(Case, interview.case_id)
    if case is not None:
        case.last_interview_completed_at = now
        if case.state == CaseState.INTERVIEW:
            case.state = CaseState.INTERVIEW_DONE
        session.add(case)
    record(
        session,
        "interview.finish",
        actor_id=actor.id,
        office_id=interview.office_id,
        object_type="interview",
        object_id=interview.id,
        warnings=len(outcome.warnings),
    )
    return Completion(True, problems)


def reopen(session: Session, *, actor: Principal, interview: Interview) -> Interview:
    """Make a finished (or interrupted) interview editable again; recorded in the audit log."""
    if interview.state == InterviewState.IN_PROGRESS:
        raise InterviewError(str(_l("Ten wywiad jest już w toku.")), 409)
    before = interview.state
    if before == InterviewState.INTERRUPTED:
        interview.current_section = SAFETY_SECTION
    interview.state = InterviewState.IN_PROGRESS
    interview.finished_at = None
    interview.updated_at = utcnow()
    session.add(interview)
    record(
        session,
        "interview.reopen",
        actor_id=actor.id,
        office_id=interview.office_id,
        object_type="interview",
        object_id=interview.id,
        from_state=str(before),
    )
    return interview


def interrupt_unsafe(session: Session, *, actor: Principal, interview: Interview) -> Interview:
    """End the interview screen at once: it is not safe to talk ("przerwany — niebezpiecznie")."""
    if interview.state == InterviewState.FINISHED:
        raise InterviewReadOnly()
    interview.state = InterviewState.INTERRUPTED
    interview.current_section = SAFETY_SECTION
    interview.updated_at = utcnow()
    session.add(interview)
    record(
        session,
        "interview.interrupt",
        actor_id=actor.id,
        office_id=interview.office_id,
        object_type="interview",
        object_id=interview.id,
        reason="unsafe",
    )
    return interview
