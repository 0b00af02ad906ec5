"""Closing a case with its outcome (benefit granted / refused / discontinued, no interview needed, passed to another
office) as recorded facts, and reopening it with a reason. Both audited; the case's state changes leave a history row.

The decision itself is issued in another system; here it is only the number and date the worker copies.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from app import audit
from app.auth.services import Principal
from app.cases.editing import note_change
from app.cases.models import Case, CaseState, RequestedHelp
from app.cases.record_models import DECISION_OUTCOMES, CaseClosing, CaseOutcome
from app.clock import utcnow
from app.errors import InvalidInput
from app.fields import DETAIL_MAX, NOTE_MAX, FieldError, codes, parse_day
from app.interviews.models import Interview, InterviewState
from app.web.forms import PostedForm

DECISION_NUMBER_MAX = 80
REASON_MAX = 500

OUTCOME_LABELS = {
    CaseOutcome.GRANTED: _l("przyznano świadczenie"),
    CaseOutcome.REFUSED: _l("odmówiono świadczenia"),
    CaseOutcome.DISCONTINUED: _l("umorzono postępowanie"),
    CaseOutcome.NO_INTERVIEW_NEEDED: _l("wywiad niepotrzebny"),
    CaseOutcome.TRANSFERRED: _l("przekazano do innego ośrodka"),
}


def outcome_label(value: CaseOutcome | str) -> str:
    """The outcome in the current language."""
    return str(OUTCOME_LABELS[CaseOutcome(value)])


@dataclass
class CloseForm(PostedForm):
    """What was typed into the closing form, verbatim."""

    outcome: str = ""
    help_kinds: list[str] = field(default_factory=list)
    decision_number: str = ""
    decision_on: str = ""
    transferred_to: str = ""
    note: str = ""
    # Ticked when the worker closes the case although an interview of it is still in progress.
    leave_interview: bool = False

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], help_kinds: list[str] | None = None) -> CloseForm:
        """Build from posted form data (the help kinds passed separately: a multi-value field)."""
        form = super().from_mapping(data)
        form.help_kinds = [str(v) for v in help_kinds or []]
        return form


def interviews_in_progress(session: Session, case_id: int) -> list[Interview]:
    """The case's interviews still in progress, oldest first (closing the case leaves them as they are)."""
    return list(
        session.exec(
            select(Interview)
            .where(Interview.case_id == case_id, Interview.state == InterviewState.IN_PROGRESS)
            .order_by(col(Interview.id))
        ).all()
    )


def current_closing(session: Session, case_id: int) -> CaseClosing | None:
    """The closing in force (the case is closed), or None."""
    return session.exec(
        select(CaseClosing)
        .where(CaseClosing.case_id == case_id, col(CaseClosing.reopened_at).is_(None))
        .order_by(col(CaseClosing.id).desc())
    ).first()


def closings(session: Session, case_id: int) -> list[CaseClosing]:
    """Every closing of the case, newest first (reopened ones say when and why)."""
    return list(
        session.exec(select(CaseClosing).where(CaseClosing.case_id == case_id).order_by(col(CaseClosing.id).desc())).all()
    )


def _check(form: CloseForm, case: Case, today: date) -> tuple[CaseOutcome, dict[str, Any]]:
    errors: dict[str, str] = {}
    outcome: CaseOutcome | None = None
    if form.outcome in {o.value for o in CaseOutcome}:
        outcome = CaseOutcome(form.outcome)
    else:
        errors["outcome"] = str(_l("Wybierz, jak zakończyła się sprawa."))
    known = {r.value for r in RequestedHelp}
    kinds = [k for k in dict.fromkeys(form.help_kinds) if k in known]
    number = " ".join(form.decision_number.split())
    decided: date | None = None
    if outcome in DECISION_OUTCOMES:
        if not kinds:
            errors["help_kinds"] = str(_l("Zaznacz, jakiej pomocy dotyczy decyzja."))
        if not number:
            errors["decision_number"] = str(_l("Podaj numer decyzji (np. OPS.4011.15.2026)."))
        elif len(number) > DECISION_NUMBER_MAX:
            errors["decision_number"] = str(_l("Numer decyzji może mieć najwyżej %(n)d znaków.", n=DECISION_NUMBER_MAX))
        try:
            decided = parse_day(form.decision_on, missing=str(_l("Podaj datę decyzji.")))
        except FieldError as exc:
            errors["decision_on"] = exc.message
        if decided is not None and decided > today:
            errors["decision_on"] = str(_l("Data decyzji nie może być późniejsza niż dzisiaj."))
        elif decided is not None and decided < case.received_on:
            errors["decision_on"] = str(
                _l("Decyzja nie może mieć daty wcześniejszej niż wpływ wniosku (%(d)s).",
                   d=case.received_on.strftime("%d.%m.%Y"))
            )
    transferred_to = " ".join(form.transferred_to.split())
    if outcome is CaseOutcome.TRANSFERRED and not transferred_to:
        errors["transferred_to"] = str(_l("Podaj, do którego ośrodka przekazano sprawę."))
    elif len(transferred_to) > DETAIL_MAX:
        errors["transferred_to"] = str(_l("Najwyżej %(n)s znaków.", n=DETAIL_MAX))
    note = form.note.strip()
    if len(note) > NOTE_MAX:
        errors["note"] = str(_l("Notatka może mieć najwyżej %(n)d znaków.", n=NOTE_MAX))
    if errors or outcome is None:
        raise InvalidInput(errors)
    facts: dict[str, Any] = {
        "help_kinds": json.dumps(kinds),
        "decision_number": number if outcome in DECISION_OUTCOMES else "",
        "decision_on": decided if outcome in DECISION_OUTCOMES else None,
        "transferred_to": transferred_to if outcome is CaseOutcome.TRANSFERRED else "",
        "note": note,
    }
    return outcome, facts


def close_case(session: Session, *, actor: Principal, case: Case, form: CloseForm, today: date) -> CaseClosing:
    """Close the case with its outcome: it leaves the work lists (its open call-backs are marked done)."""
    if case.office_id != actor.office_id:
        raise InvalidInput({"": str(_l("Tej sprawy nie można zamknąć."))})
    if case.state == CaseState.CLOSED:
        raise InvalidInput({"": str(_l("Sprawa jest już zamknięta."))})
    unconfirmed = not form.leave_interview and bool(interviews_in_progress(session, case.id or 0))
    leave_error = {"leave_interview": str(_l(
        "Wywiad w tej sprawie nie jest zakończony. Zakończ go albo zaznacz, że zamykasz sprawę mimo to "
        "— wywiad zostanie taki, jak jest, i można go dokończyć po ponownym otwarciu sprawy."
    ))} if unconfirmed else {}
    try:
        outcome, facts = _check(form, case, today)
    except InvalidInput as exc:
        raise InvalidInput({**exc.errors, **leave_error}) from None
    if leave_error:
        raise InvalidInput(leave_error)
    closing = CaseClosing(
        office_id=case.office_id, case_id=case.id or 0, outcome=outcome, closed_by_id=actor.id,
        state_before=str(case.state), **facts,
    )
    session.add(closing)
    note_change(session, actor=actor, case=case, field="state", old=case.state, new=CaseState.CLOSED, source="close")
    case.state = CaseState.CLOSED
    session.add(case)
    _finish_callbacks(session, case)
    session.flush()
    audit.log(session, "case.close", actor=actor, obj=case, outcome=str(outcome), closing_id=closing.id)
    return closing


def _finish_callbacks(session: Session, case: Case) -> None:
    from app.cases.models import Callback

    now = utcnow()
    for callback in session.exec(
        select(Callback).where(Callback.case_id == case.id, col(Callback.done_at).is_(None))
    ).all():
        callback.done_at = now
        session.add(callback)


def reopen_case(session: Session, *, actor: Principal, case: Case, reason: str) -> CaseClosing:
    """Reopen a closed case, with the reason: it returns to the state it was closed in."""
    if case.office_id != actor.office_id:
        raise InvalidInput({"": str(_l("Tej sprawy nie można otworzyć."))})
    closing = current_closing(session, case.id or 0)
    if case.state != CaseState.CLOSED or closing is None:
        raise InvalidInput({"reason": str(_l("Sprawa nie jest zamknięta."))})
    reason = reason.strip()
    if len(reason) < 3:
        raise InvalidInput({"reason": str(_l("Podaj, dlaczego sprawa wraca do pracy (np. odwołanie od decyzji)."))})
    if len(reason) > REASON_MAX:
        raise InvalidInput({"reason": str(_l("Powód może mieć najwyżej %(n)d znaków.", n=REASON_MAX))})
    closing.reopened_at = utcnow()
    closing.reopened_by_id = actor.id
    closing.reopen_reason = reason
    session.add(closing)
    back = CaseState(closing.state_before) if closing.state_before in {s.value for s in CaseState} else CaseState.NEW
    if back == CaseState.CLOSED:
        back = CaseState.NEW
    note_change(session, actor=actor, case=case, field="state", old=case.state, new=back, source="reopen")
    case.state = back
    session.add(case)
    session.flush()
    audit.log(session, "case.reopen", actor=actor, obj=case, closing_id=closing.id)
    return closing


def help_kinds_of(closing: CaseClosing) -> list[str]:
    """The help kinds the closing names (codes)."""
    return codes(closing.help_kinds)
