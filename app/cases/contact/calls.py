"""Call attempts and call-backs: logging a call, the streak of failed attempts, booking a call-back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from app import audit
from app.auth.models import Role
from app.auth.services import Principal
from app.cases import callbacks
from app.cases.assignment import assign_case
from app.cases.contact.attempts import failed_streak, open_callbacks
from app.cases.contact.phones import all_numbers_wrong, case_phones
from app.cases.models import (
    FAILED_OUTCOMES,
    CallAttempt,
    Callback,
    CallOutcome,
    Case,
    CaseState,
)
from app.cases.office_settings import calls_before_other_route
from app.clock import LOCAL_TZ, utcnow
from app.errors import InvalidInput, NotFound
from app.fields import NOTE_MAX
from app.web.forms import PostedForm

# --- calls ---------------------------------------------------------------------------------------------------


@dataclass
class CallForm(PostedForm):
    """What was posted with a call outcome, kept verbatim for re-display."""

    number: str = ""
    outcome: str = ""
    note: str = ""
    callback_at: str = ""
    callback_preset: str = ""


def _mark_other_route(session: Session, *, actor: Principal, case: Case, reason: str, failed: int) -> None:
    case.needs_other_route = True
    if case.state in (CaseState.NEW, CaseState.CONTACTING):
        case.state = CaseState.OTHER_ROUTE
    session.add(case)
    session.flush()
    audit.log(session, "case.other_route", actor=actor, obj=case, failed_attempts=failed, reason=reason)


def log_call(
    session: Session,
    *,
    actor: Principal,
    case: Case,
    form: CallForm,
    threshold: int | None = None,
    now: datetime | None = None,
    tz: tzinfo = LOCAL_TZ,
) -> CallAttempt:
    """Record a call attempt and its consequences: call-backs, wrong numbers, the case state, the other-route mark.

    A call-back is booked only at a time the worker typed or tapped (callbacks.outcome_callback says which outcomes
    take one); a preset tapped with an outcome that takes none means "asked to call back". `tz` is the office's zone.
    `threshold` (failed calls before another route) defaults to the office's setting.
    """
    now = now or utcnow()
    if threshold is None:
        threshold = calls_before_other_route(session, case.office_id)
    if case.office_id != actor.office_id:
        raise NotFound()
    errors: dict[str, str] = {}
    phones = case_phones(session, case.id or 0)
    dialled = next((p for p in phones if p.number == form.number), None)
    if dialled is None:
        errors["number"] = str(_l("Wybierz jeden z numerów wnioskodawcy."))
    if form.callback_preset:
        form.outcome = callbacks.outcome_for_preset(form.outcome)
    outcome: CallOutcome | None = None
    if form.outcome in {o.value for o in CallOutcome}:
        outcome = CallOutcome(form.outcome)
    else:
        errors["outcome"] = str(_l("Wybierz wynik rozmowy."))
    callback_at: datetime | None = None
    if outcome is not None:
        moment = callbacks.outcome_callback(outcome, form.callback_preset, form.callback_at, now, tz)
        form.callback_at, callback_at = moment.shown, moment.at
        if moment.error:
            errors["callback_at"] = moment.error
    note = form.note.strip()
    if len(note) > NOTE_MAX:
        errors["note"] = str(_l("Notatka może mieć najwyżej %(n)d znaków.", n=NOTE_MAX))
    if errors or outcome is None or dialled is None:
        raise InvalidInput(errors)

    if case.assigned_worker_id is None and actor.has(Role.WORKER):
        # Calling about an unassigned case takes it: the call-back must land on someone's list.
        assign_case(session, actor=actor, case=case, worker_id=actor.id)

    attempt = CallAttempt(
        case_id=case.id or 0, worker_id=actor.id, at=now, number=form.number, outcome=outcome, note=note,
        callback_at=callback_at,
    )
    session.add(attempt)
    session.flush()
    # The call about this case has been made: whatever was booked before is done. A call-back booked without a
    # call (a telephone appointment agreed for later) stays on the list until its time.
    for callback in open_callbacks(session, case):
        if callback.attempt_id is None and callback.due_at > now + callbacks.CALLBACK_PAST_SLACK:
            continue
        callback.done_at = now
        session.add(callback)
    if callback_at is not None:
        session.add(
            Callback(
                case_id=case.id or 0, worker_id=actor.id, due_at=callback_at, attempt_id=attempt.id, note=note[:300]
            )
        )

    if case.state == CaseState.NEW or (case.state == CaseState.OTHER_ROUTE and outcome not in FAILED_OUTCOMES):
        case.state = CaseState.CONTACTING
    if outcome not in FAILED_OUTCOMES:
        case.needs_other_route = False
    session.add(case)
    session.flush()
    audit.log(session, "call.log", actor=actor, obj=attempt, office_id=case.office_id, case_id=case.id,
              outcome=outcome.value)
    if outcome is CallOutcome.WRONG_NUMBER and dialled.wrong_since is None:
        dialled.wrong_since = now
        dialled.wrong_by_id = actor.id
        session.add(dialled)
        session.flush()
        audit.log(session, "case.phone_wrong", actor=actor, obj=dialled, office_id=case.office_id, case_id=case.id,
                  call_attempt_id=attempt.id)
    if outcome in FAILED_OUTCOMES and not case.needs_other_route:
        streak = failed_streak(session, case.id or 0)
        if all_numbers_wrong(phones):
            # No number left to dial: waiting for more failed calls would only lose days of the deadline.
            _mark_other_route(session, actor=actor, case=case, reason="all_numbers_wrong", failed=streak)
        elif streak >= threshold:
            _mark_other_route(session, actor=actor, case=case, reason="failed_attempts", failed=streak)
    return attempt
