"""Finishing, reopening and interrupting an interview; what stands in the way of finishing."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from app import audit
from app.auth.services import Principal
from app.cases.models import Case, CaseState
from app.clock import utcnow
from app.formdefs import (
    CompletionProblem,
    LocalText,
    completion_problems,
    evaluate,
    validate_answer,
)
from app.formdefs.keys import question_for_key
from app.interviews import carry, hooks
from app.interviews.answers import answer_rows, decoded, form_of, raw_of
from app.interviews.errors import InterviewError, InterviewReadOnly
from app.interviews.models import Interview, InterviewState

SAFETY_SECTION = "safety"


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
    problems.extend(hooks.finish_problems(session, interview))  # undecided flags (referrals)
    problems.extend(carry.unconfirmed_gap(session, interview))  # carried data not yet confirmed
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
    audit.log(session, "interview.finish", actor=actor, obj=interview, warnings=len(outcome.warnings))
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
    audit.log(session, "interview.reopen", actor=actor, obj=interview, from_state=str(before))
    return interview


def interrupt_unsafe(session: Session, *, actor: Principal, interview: Interview) -> Interview:
    """End the interview screen at once: it is not safe to talk ("przerwany — niebezpiecznie")."""
    if interview.state == InterviewState.FINISHED:
        raise InterviewReadOnly()
    interview.state = InterviewState.INTERRUPTED
    interview.current_section = SAFETY_SECTION
    interview.updated_at = utcnow()
    session.add(interview)
    audit.log(session, "interview.interrupt", actor=actor, obj=interview, reason="unsafe")
    return interview
