"""Demo reports: a finished interview signed by demo-worker and counter-signed by demo-supervisor, one waiting."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from sqlmodel import Session, select

from app.auth.models import User
from app.auth.services import load_principal
from app.cases.demo import demo_reference
from app.cases.models import Case, CaseState, Channel
from app.clock import local_today, utcnow
from app.formdefs import FormDefinition, to_storage, validate
from app.formdefs.extension import form_registry
from app.interviews.models import Answer, AnswerChange, Interview, InterviewState
from app.reports.models import Report
from app.reports.review import approve_report, submit_report

# Raw answers exactly as a worker would type them; validated through the form before they are stored.
DEMO_ANSWERS: dict[str, Any] = {
    "mode": "phone_15o",
    "interview_started_at": "2026-03-02T10:15",
    "number_called": "+48 601 234 567",
    "answered_by": "person",
    "identity_confirmation": ["pesel_dob"],
    "safe_to_talk": "yes",
    "instruction_acknowledged": "yes",
    "instruction_time": "10:18",
    "optional_segments": ["B", "C", "E"],
    "full_name": "Zażółć Gęślą-Jaźń",
    "birth_date": "12.03.1984",
    "citizenship": "polskie",
    "marital_status": "cohabiting",
    "address": "ul. Źródlana 7/3",
    "postcode": "84-100",
    "city": "Puck",
    "phone": "+48 601 234 567",
    "household": 2,
    "household.0.member_name": "Łukasz Wójcik",
    "household.0.member_relation": "partner",
    "household.0.member_birth_date": "02.11.1981",
    "household.0.member_occupation": "kierowca, umowa zlecenie",
    "household.0.member_income_source": "civil_contract",
    "household.0.member_income_amount": "1850,50",
    "household.1.member_name": "Ścisława Wójcik",
    "household.1.member_relation": "child",
    "household.1.member_birth_date": "08.01.2013",
    "household.1.member_occupation": "uczennica, klasa 7",
    "household.1.member_income_source": "none",
    "a_comments": "Dane potwierdzone na podstawie kopii dowodu osobistego przesłanej przez ePUAP.",
    "labour_status": "unemployed_benefit",
    "education": "vocational",
    "qualifications": "sprzedawczyni",
    "dwelling_type": "flat",
    "legal_title": "municipal_tenancy",
    "rooms": "3",
    "heating": "solid_fuel",
    "housing_arrears": "yes",
    "housing_arrears_amount": "2146,80",
    "income_total": "3090,50",
    "debts": "no",
    "lost_job_or_income": "yes",
    "distress_about_loss": "yes",
    "food_access": "no",
    "needs": ["food", "psychological_support"],
    "needs_description": "Zasiłek celowy na żywność i opał; rozmowa z psychologiem.",
    "art7_reasons": ["poverty", "unemployment"],
    "worker_assessment": "Rodzina w przejściowo trudnej sytuacji po utracie pracy; zasoby własne niewystarczające. "
                         "Zażółć gęślą jaźń.",
    "proposed_help": ["social_work", "cash_benefit"],
    "plan_description": "Zasiłek celowy 800 zł na żywność i opał; praca socjalna; kontakt z psychologiem w ciągu 48 godzin.",
    "psych_referral": "yes",
    "psych_consent": "yes",
    "psych_phone": "+48 601 234 567",
    "psych_urgency": "high",
    "psych_reason": "silny stres po utracie pracy",
}

APPROVED_CASE = 2  # demo application numbers (RWS/<this year>/<number>)
PENDING_CASE = 3


def storage_values(form: FormDefinition, raw_answers: Mapping[str, Any]) -> dict[str, Any]:
    """Validate raw answers through the form and return their storage values (ValueError naming a bad key)."""
    out: dict[str, Any] = {}
    for key, raw in raw_answers.items():
        question = form.question(key.rsplit(".", 1)[-1])
        if question.type == "repeat":
            out[key] = int(raw)
            continue
        result = validate(question, raw)
        if not result.ok:
            raise ValueError(f"demo answer {key!r} is not valid: {result.error}")
        out[key] = to_storage(question, result.value)
    return out


def write_answers(session: Session, interview: Interview, values: Mapping[str, Any], *, user_id: int) -> None:
    """Store answers (and their history rows) following the answer-table contract, as the runner would."""
    assert interview.id is not None  # noqa: S101
    existing = {a.key: a for a in session.exec(select(Answer).where(Answer.interview_id == interview.id)).all()}
    for key, value in values.items():
        stored = json.dumps(value, ensure_ascii=False)
        raw = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        row = existing.get(key)
        if row is None:
            row = Answer(interview_id=interview.id, key=key, value=stored, raw=raw, valid=True, updated_by_id=user_id)
        else:
            row.value, row.raw, row.valid, row.revision = stored, raw, True, row.revision + 1
            row.updated_at, row.updated_by_id = utcnow(), user_id
        session.add(row)
        session.add(AnswerChange(interview_id=interview.id, key=key, raw=raw, value=stored,
                                 revision=row.revision, changed_by_id=user_id))
    session.flush()


def make_finished_interview(session: Session, *, case: Case, worker: User,
                            raw_answers: Mapping[str, Any] = DEMO_ANSWERS) -> Interview:
    """A finished RWS interview of `case` by `worker` with validated answers (for the demo and tests)."""
    form = form_registry().latest("rws")
    assert case.id is not None  # noqa: S101
    assert worker.id is not None  # noqa: S101
    now = utcnow()
    interview = Interview(office_id=case.office_id, case_id=case.id, worker_id=worker.id, form_id=form.id,
                          form_version=form.version, state=InterviewState.FINISHED, current_section="segment_j",
                          started_at=now - dt.timedelta(minutes=40), finished_at=now, updated_at=now)
    session.add(interview)
    session.flush()
    write_answers(session, interview, storage_values(form, raw_answers), user_id=worker.id)
    return interview


def _case(session: Session, office_id: int, reference: str, worker: User, *, due_in_days: int) -> Case:
    case = session.exec(select(Case).where(Case.office_id == office_id, Case.reference == reference)).first()
    if case is None:
        today = local_today()
        case = Case(office_id=office_id, reference=reference, applicant_name="Zażółć Gęślą-Jaźń",
                    channel=Channel.EPUAP, received_on=today - dt.timedelta(days=10), state=CaseState.INTERVIEW_DONE,
                    assigned_worker_id=worker.id, due_on=today + dt.timedelta(days=due_in_days))
        session.add(case)
        session.flush()
    return case


def _finished_interview(session: Session, case: Case, worker: User) -> Interview:
    found = session.exec(select(Interview).where(Interview.case_id == case.id,
                                                 Interview.state == InterviewState.FINISHED)).first()
    return found or make_finished_interview(session, case=case, worker=worker)


def seed_reports(session: Session, context: Any) -> None:
    """One approved report (demo application 2) and one waiting for review (application 3); needs the demo password."""
    from app.config import get_settings

    password: str | None = getattr(context, "password", None)
    worker, supervisor = context.users.get("demo-worker"), context.users.get("demo-supervisor")
    if not password or worker is None or supervisor is None or context.office.id is None:
        return  # the accounts existed before and their password is unknown here: keys cannot be opened
    settings = get_settings()
    worker_principal = load_principal(session, worker.id)
    supervisor_principal = load_principal(session, supervisor.id)
    assert worker_principal is not None  # noqa: S101
    assert supervisor_principal is not None  # noqa: S101
    for number, approve, due in ((APPROVED_CASE, True, 3), (PENDING_CASE, False, -2)):
        case = _case(session, context.office.id, demo_reference(number), worker, due_in_days=due)
        interview = _finished_interview(session, case, worker)
        assert interview.id is not None  # noqa: S101
        report = session.exec(select(Report).where(Report.interview_id == interview.id)).first()
        if report is None:
            submit_report(session, actor=worker_principal, interview=interview, password=password, settings=settings)
            report = session.exec(select(Report).where(Report.interview_id == interview.id)).one()
            if approve:
                approve_report(session, actor=supervisor_principal, report=report, password=password,
                               settings=settings)

