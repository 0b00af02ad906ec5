"""Starting an interview: the full RWS, or the update pre-filled from the last finished interview."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from app import audit
from app.auth.services import Principal
from app.cases.models import CallAttempt, Case, CaseState
from app.clock import to_local, utcnow
from app.errors import NotFound
from app.formdefs import (
    prefill_update,
)
from app.formdefs.extension import form_registry
from app.formdefs.validators import stored_to_raw
from app.formstore import catalog
from app.interviews import carry
from app.interviews.answers import Raw, load_answers
from app.interviews.autosave import write_answer
from app.interviews.errors import InterviewError
from app.interviews.models import Interview, InterviewState

FULL_FORM = "rws"
UPDATE_FORM = "rws-update"


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
        raise NotFound(case.id)
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
    carried = carry.case_answers(session, case=case, form=form)  # segment A from the case, to be confirmed
    initial.update(carried)
    for key, raw in initial.items():
        write_answer(session, actor, interview, form, key, raw,
                     client_id=carry.CASE_PREFILL if key in carried else "start", answers=None)
    if case.state in (CaseState.NEW, CaseState.CONTACTING):
        case.state = CaseState.INTERVIEW
        session.add(case)
    audit.log(session, "interview.start", actor=actor, obj=interview, case_id=case.id, form=form.id,
              version=form.version, previous_interview_id=interview.previous_interview_id)
    return interview
