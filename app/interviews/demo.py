"""Demo interviews: demo-worker has one interview in progress and one finished (for the review feature)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, select
from stdnum.pl import pesel as stdnum_pesel

from app.auth.demo import DemoContext
from app.auth.models import Role
from app.auth.services import Principal
from app.cases.demo import demo_reference
from app.cases.models import Case, Channel
from app.interviews import autosave, lifecycle, start
from app.interviews.models import Interview

# Numbers of the demo applications (RWS/<this year>/<number>) created by the cases seeder.
IN_PROGRESS_CASE = 1
FINISHED_CASE = 2


# A complete interview (segments A, H, I, J and every required answer), Polish diacritics included.
FINISHED_ANSWERS: dict[str, Any] = {
    "mode": "phone_15o",
    "number_called": "+48 601 234 567",
    "answered_by": "person",
    "identity_confirmation": ["pesel_dob"],
    "safe_to_talk": "yes",
    "instruction_acknowledged": "yes",
    "instruction_time": "10:05",
    "full_name": "Grażyna Wójcik-Żelazna",
    "birth_date": "14.02.1961",
    "address": "ul. Źródlana 12 m. 3",
    "postcode": "00-950",
    "city": "Przykładowo",
    "phone": "+48 601 234 567",
    "needs": ["food"],
    "art7_reasons": ["poverty"],
    "worker_assessment": "Osoba samotna, dochód niewystarczający na opłaty i leki.",
    "proposed_help": ["cash_benefit", "social_work"],
    "plan_description": "Zasiłek okresowy od przyszłego miesiąca; kontakt telefoniczny co dwa tygodnie.",
    "psych_referral": "no",
}


def _principal(context: DemoContext, username: str) -> Principal:
    user = context.users[username]
    assert user.id is not None  # noqa: S101
    return Principal(
        id=user.id, office_id=user.office_id, username=user.username, full_name=user.full_name,
        locale=user.locale, roles=frozenset({Role.WORKER}),
    )


def _case(session: Session, context: DemoContext, reference: str, name: str, worker_id: int) -> Case:
    case = session.exec(
        select(Case).where(Case.office_id == context.office.id, Case.reference == reference)
    ).first()
    if case is None:
        assert context.office.id is not None  # noqa: S101
        case = Case(
            office_id=context.office.id, reference=reference, applicant_name=name, channel=Channel.PHONE,
            received_on=date(2026, 1, 12), assigned_worker_id=worker_id,
        )
        session.add(case)
        session.flush()
    return case


def seed_interviews(session: Session, context: DemoContext) -> None:
    """Idempotent: creates the interviews only when the demo cases have none."""
    worker = _principal(context, "demo-worker")
    progress_case = _case(session, context, demo_reference(IN_PROGRESS_CASE), "Jan Łukasz Kędzierski", worker.id)
    if not session.exec(select(Interview).where(Interview.case_id == progress_case.id)).first():
        interview = start.start_interview(session, actor=worker, case=progress_case)
        started: dict[str, Any] = {"answered_by": "person", "identity_confirmation": ["pesel_dob"]}
        for key, raw in started.items():
            autosave.save_answer(session, actor=worker, interview=interview, key=key, raw=raw, client_id="demo")
        interview.current_section = "metadata"
    done_case = _case(session, context, demo_reference(FINISHED_CASE), "Grażyna Wójcik-Żelazna", worker.id)
    if not session.exec(select(Interview).where(Interview.case_id == done_case.id)).first():
        interview = start.start_interview(session, actor=worker, case=done_case)
        for key, raw in _matching_the_case(done_case).items():
            autosave.save_answer(session, actor=worker, interview=interview, key=key, raw=raw, client_id="demo")
        outcome = lifecycle.complete(session, actor=worker, interview=interview, accept_warnings=True)
        if not outcome.finished:  # pragma: no cover - guarded by tests of the demo answers
            raise RuntimeError(f"demo interview cannot finish: {[p.message.en for p in outcome.blocking]}")
    session.flush()


def _matching_the_case(case: Case) -> dict[str, Any]:
    """The finished demo answers as the person confirmed them: name and date of birth those of the case (its PESEL).

    Segment A starts from the case (app/interviews/carry.py), so the demo answers must not contradict it.
    """
    answers: dict[str, Any] = {**FINISHED_ANSWERS, "full_name": case.applicant_name}
    if case.pesel:
        born = stdnum_pesel.get_birth_date(case.pesel)
        answers["birth_date"] = born.strftime("%d.%m.%Y")
    return answers
