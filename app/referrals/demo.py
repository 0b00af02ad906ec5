"""Demo referrals in every state and priority (one urgent and overdue), so the list and exports show something."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.auth.demo import DemoContext
from app.auth.models import User
from app.cases.demo import demo_reference
from app.cases.models import Case, CasePhone, Channel
from app.clock import utcnow
from app.config import get_settings
from app.referrals.deadlines import due_at
from app.referrals.models import (
    CloseOutcome,
    ContactOutcome,
    Priority,
    ReasonCategory,
    Referral,
    ReferralContact,
    ReferralState,
    ReferralTransition,
)

S = ReferralState


@dataclass(frozen=True)
class _Demo:
    # Number of the demo application (RWS/<year>/<number>) the referral belongs to; name and phone are
    # only used when the cases seeder did not create that application.
    case_number: int
    name: str
    phone: str
    priority: Priority
    state: ReferralState
    reason: ReasonCategory
    age_days: int
    best_time: str = ""
    needs: str = ""
    note: str = ""


DEMO_REFERRALS = (
    _Demo(7, "Grażyna Żółtowska", "+48600100201", Priority.URGENT, S.NEW, ReasonCategory.CRISIS, 7,
          "o każdej porze", "", "Prosi o pilny telefon jeszcze dziś."),
    _Demo(17, "Łukasz Śliwiński", "+48600100202", Priority.HIGH, S.ACCEPTED, ReasonCategory.ISOLATION, 0,
          "przed południem", "słabo słyszy – mówić głośno i wolno", "Mieszka sam, kwarantanna do piątku."),
    _Demo(5, "Małgorzata Dąbrowska-Źródło", "+48600100203", Priority.NORMAL, S.CONTACT_ATTEMPTED,
          ReasonCategory.ANXIETY, 2, "po 16:00"),
    _Demo(13, "Jędrzej Kęsicki", "+48600100204", Priority.HIGH, S.IN_SUPPORT, ReasonCategory.LOSS, 9,
          "wieczorem"),
    _Demo(15, "Zofia Ćwiklińska", "+48600100205", Priority.NORMAL, S.CLOSED, ReasonCategory.BEREAVEMENT, 20),
    _Demo(14, "Henryk Pawełczyk", "+48600100206", Priority.NORMAL, S.RETURNED, ReasonCategory.OTHER, 12),
)


def _case(session: Session, context: DemoContext, demo: _Demo, worker: User) -> Case:
    reference = demo_reference(demo.case_number)
    case = session.exec(select(Case).where(Case.office_id == context.office.id, Case.reference == reference)).first()
    if case is None:
        case = Case(
            office_id=context.office.id or 0,
            reference=reference,
            applicant_name=demo.name,
            channel=Channel.PHONE,
            received_on=(utcnow() - dt.timedelta(days=demo.age_days + 1)).date(),
            assigned_worker_id=worker.id,
        )
        session.add(case)
        session.flush()
    return case


def seed_referrals(session: Session, context: DemoContext) -> None:
    """Add the demo referrals once, on the demo applications (found again by case)."""
    worker = context.users["demo-worker"]
    psychologist = context.users["demo-psychologist"]
    settings = get_settings().referrals
    now = utcnow()
    for demo in DEMO_REFERRALS:
        case = _case(session, context, demo, worker)
        phone = session.exec(select(CasePhone.number).where(CasePhone.case_id == case.id).order_by(col(CasePhone.position))).first()
        if session.exec(select(Referral.id).where(Referral.case_id == case.id)).first() is not None:
            continue
        created = now - dt.timedelta(days=demo.age_days, hours=4)
        due = due_at(created, settings.target_days(demo.priority), settings.referral_workday_end)
        if demo.state == S.NEW and demo.priority == Priority.URGENT:
            due = min(due, now - dt.timedelta(hours=2))  # the overdue one, whatever the calendar says
        accepted = demo.state not in (S.NEW, S.RETURNED)
        referral = Referral(
            office_id=case.office_id,
            case_id=case.id or 0,
            person_name=case.applicant_name,
            phone=phone or demo.phone,
            best_time=demo.best_time,
            communication_needs=demo.needs,
            reason=demo.reason,
            worker_note=demo.note,
            priority=demo.priority,
            raised_by_id=worker.id or 0,
            worker_contact=context.office.phone,
            consent_given=True,
            consent_method="verbal_phone",
            consent_at=created,
            consent_recorded_by_id=worker.id,
            state=demo.state,
            due_at=due,
            accepted_by_id=psychologist.id if accepted else None,
            accepted_at=created + dt.timedelta(hours=1) if accepted else None,
            first_contact_at=created + dt.timedelta(hours=2) if demo.state in (S.CONTACT_ATTEMPTED, S.IN_SUPPORT, S.CLOSED) else None,
            close_outcome=CloseOutcome.SUPPORT_COMPLETED.value if demo.state == S.CLOSED else "",
            closing_note="Cztery rozmowy wspierające." if demo.state == S.CLOSED else "",
            return_reason="Osoba jest już pod opieką poradni zdrowia psychicznego." if demo.state == S.RETURNED else "",
            created_at=created,
            updated_at=created,
        )
        session.add(referral)
        session.flush()
        assert referral.id is not None  # noqa: S101
        session.add(ReferralTransition(referral_id=referral.id, action="create", to_state=S.NEW, actor_id=worker.id or 0, at=created))
        if demo.state in (S.CONTACT_ATTEMPTED, S.IN_SUPPORT, S.CLOSED):
            session.add(
                ReferralContact(
                    referral_id=referral.id,
                    psychologist_id=psychologist.id or 0,
                    at=created + dt.timedelta(hours=2),
                    outcome=ContactOutcome.NO_ANSWER if demo.state == S.CONTACT_ATTEMPTED else ContactOutcome.REACHED,
                )
            )
        if demo.state != S.NEW:
            session.add(
                ReferralTransition(
                    referral_id=referral.id, action="demo", from_state=S.NEW, to_state=demo.state, actor_id=psychologist.id or 0,
                    at=created + dt.timedelta(hours=3), note=referral.return_reason or referral.closing_note,
                )
            )
    session.flush()
