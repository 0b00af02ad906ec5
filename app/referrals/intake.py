"""Raising a referral with consent: the form pre-filled from the interview or the case, its checks, the new referral."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from app import audit
from app.auth.models import Role
from app.auth.services import Principal
from app.cases.models import Case, CasePhone
from app.clock import utcnow
from app.config import ReferralSettings
from app.errors import InvalidInput
from app.fields import PHONE_MAX, FieldError, international_phone, parse_phone
from app.formdefs import (
    FiredFlag,
    redact,
)
from app.interviews.answers import form_of, load_answers
from app.interviews.models import Interview
from app.referrals.deadlines import due_at
from app.referrals.flags import current_decisions
from app.referrals.labels import RULE_REASONS
from app.referrals.models import (
    EmergencyAction,
    FlagDecision,
    FlagDecisionKind,
    Priority,
    ReasonCategory,
    Referral,
    ReferralState,
    ReferralTransition,
)

NOTE_MAX = 300
# Longest texts of a referral form (characters); longer ones are refused with a message, never cut.
LIMITS = {"person_name": 200, "phone": PHONE_MAX, "best_time": 120, "communication_needs": 200,
          "worker_contact": 120, "note": NOTE_MAX}
CONSENT_METHOD = "verbal_phone"


# --------------------------------------------------------------------------- raising a referral


@dataclass
class ReferralInput:
    """What the referral form holds (all text as typed, so it can be shown again with errors)."""

    person_name: str = ""
    phone: str = ""
    best_time: str = ""
    communication_needs: str = ""
    reason: str = ReasonCategory.OTHER.value
    worker_note: str = ""
    priority: str = Priority.NORMAL.value
    worker_contact: str = ""
    consent: str = ""  # "yes" or "no"
    emergency_action: str = ""  # "", "called", "advised"

    @classmethod
    def from_form(cls, form: Mapping[str, str]) -> ReferralInput:
        """Read the posted form (unknown keys ignored)."""
        names = cls.__dataclass_fields__
        return cls(**{name: str(form.get(name, "")).strip() for name in names})


def _text_or_empty(value: Any) -> str:
    return value if isinstance(value, str) else ""


def prefill_from_interview(
    session: Session, *, interview: Interview, flag: FiredFlag | None, worker_contact: str
) -> ReferralInput:
    """Start the referral form from the answers a psychologist may see (formdefs.redact), and the flag.

    The short reason and urgency the worker gave in segment J (psych_reason, psych_urgency) are the referral's own
    fields: offered here for the worker to check, never copied behind their back.
    """
    assert interview.id is not None  # noqa: S101
    form = form_of(interview)
    answers = load_answers(session, interview.id)
    visible = redact(form, answers, Role.PSYCHOLOGIST)
    priority = flag.priority if flag else _text_or_empty(answers.get("psych_urgency")) or Priority.NORMAL.value
    return ReferralInput(
        person_name=_text_or_empty(visible.get("full_name")),
        phone=international_phone(_text_or_empty(visible.get("psych_phone") or visible.get("phone"))),
        best_time=_text_or_empty(visible.get("psych_best_time")),
        communication_needs=_text_or_empty(visible.get("psych_communication_needs")),
        reason=RULE_REASONS.get(flag.rule_id, ReasonCategory.OTHER).value if flag else ReasonCategory.OTHER.value,
        worker_note=_text_or_empty(answers.get("psych_reason")),  # a longer one is refused on sending, not cut
        priority=priority,
        worker_contact=worker_contact,
    )


def prefill_from_case(session: Session, *, case: Case, worker_contact: str) -> ReferralInput:
    """Start a hand-raised referral from the case's applicant name and first phone number."""
    phone = session.exec(
        select(CasePhone.number).where(CasePhone.case_id == case.id).order_by(col(CasePhone.position))
    ).first()
    return ReferralInput(person_name=case.applicant_name, phone=international_phone(phone or ""), worker_contact=worker_contact)


def _check(data: ReferralInput, *, danger: bool) -> tuple[dict[str, str], str | None]:
    errors: dict[str, str] = {}
    if not data.person_name:
        errors["person_name"] = str(_l("Podaj imię i nazwisko osoby."))
    elif len(data.person_name) > LIMITS["person_name"]:
        errors["person_name"] = str(_l("Imię i nazwisko może mieć najwyżej %(n)d znaków.", n=LIMITS["person_name"]))
    phone = None
    try:
        phone = parse_phone(data.phone)  # the one phone parser (digits read as everywhere, E.164)
    except FieldError as exc:
        errors["phone"] = exc.message
    if not data.phone.strip():
        errors["phone"] = str(_l("Podaj numer telefonu, pod który zadzwoni psycholog."))
    for name in ("best_time", "communication_needs", "worker_contact"):
        if len(getattr(data, name)) > LIMITS[name]:
            errors[name] = str(_l("Najwyżej %(n)s znaków.", n=LIMITS[name]))
    if len(data.worker_note) > NOTE_MAX:
        errors["worker_note"] = str(_l("Notatka może mieć najwyżej %(n)s znaków.", n=NOTE_MAX))
    if data.reason not in set(ReasonCategory):
        errors["reason"] = str(_l("Wybierz powód z listy."))
    if data.priority not in set(Priority):
        errors["priority"] = str(_l("Wybierz pilność."))
    if data.emergency_action not in {e.value for e in EmergencyAction}:
        errors["emergency_action"] = str(_l("Wybierz, co zrobiono."))
    if data.consent not in ("yes", "no"):
        errors["consent"] = str(_l("Zapytaj osobę o zgodę i zaznacz odpowiedź."))
    elif data.consent == "no":
        if not danger:
            errors["consent"] = str(
                _l(
                    "Bez zgody osoby nie można przekazać jej numeru telefonu psychologowi. "
                    "Możesz odrzucić sygnał, podając powód (np. „brak zgody”)."
                )
            )
        elif not data.emergency_action:
            errors["consent"] = str(
                _l(
                    "Bez zgody skierowanie można wysłać tylko przy zagrożeniu życia: zadzwoń pod 112 "
                    "(albo doradź to osobie) i zaznacz to w polu „Zagrożenie życia”."
                )
            )
    return errors, phone


def raise_referral(
    session: Session,
    *,
    actor: Principal,
    case: Case,
    interview: Interview | None,
    flag: FiredFlag | None,
    flag_fingerprint: str = "",
    danger: bool,
    data: ReferralInput,
    settings: ReferralSettings,
    list_url: str,
) -> Referral:
    """Send a referral to the psychologists: consent required, or (life in danger) the emergency step recorded."""
    errors, phone = _check(data, danger=danger)
    if flag is not None and interview is not None:
        latest = current_decisions(session, interview.id or 0).get(flag.rule_id)
        if latest is not None and latest.decision == FlagDecisionKind.CONFIRMED:
            errors["consent"] = str(_l("Ten sygnał już potwierdzono – skierowanie jest na liście psychologów."))
    if errors:
        raise InvalidInput(errors)
    assert phone is not None  # noqa: S101
    assert case.id is not None  # noqa: S101
    now = utcnow()
    priority = Priority(data.priority)
    emergency = EmergencyAction(data.emergency_action)
    referral = Referral(
        office_id=case.office_id,
        case_id=case.id,
        interview_id=interview.id if interview else None,
        flag_rule_id=flag.rule_id if flag else "",
        person_name=data.person_name,
        phone=phone,
        best_time=data.best_time,
        communication_needs=data.communication_needs,
        reason=ReasonCategory(data.reason),
        worker_note=data.worker_note,
        priority=priority,
        raised_by_id=actor.id,
        worker_contact=data.worker_contact,
        consent_given=data.consent == "yes",
        consent_method=CONSENT_METHOD if data.consent == "yes" else "",
        consent_at=now if data.consent == "yes" else None,
        consent_recorded_by_id=actor.id,
        emergency_action=emergency,
        emergency_at=now if emergency else None,
        state=ReferralState.NEW,
        due_at=due_at(now, settings.target_days(priority), settings.referral_workday_end),
        created_at=now,
        updated_at=now,
    )
    session.add(referral)
    session.flush()
    assert referral.id is not None  # noqa: S101
    session.add(
        ReferralTransition(referral_id=referral.id, action="create", to_state=ReferralState.NEW, actor_id=actor.id, at=now)
    )
    if flag is not None and interview is not None:
        session.add(
            FlagDecision(
                office_id=case.office_id,
                interview_id=interview.id or 0,
                rule_id=flag.rule_id,
                decision=FlagDecisionKind.CONFIRMED,
                fingerprint=flag_fingerprint,
                referral_id=referral.id,
                decided_by_id=actor.id,
                decided_at=now,
            )
        )
    audit.log(session, "referral.created", actor=actor, obj=referral, case_id=case.id,
              interview_id=interview.id if interview else None, rule_id=flag.rule_id if flag else None,
              priority=priority.value, consent=referral.consent_given, emergency=emergency.value)
    from app.referrals.mail import notify_new_referrals

    notify_new_referrals(session, office_id=case.office_id, settings=settings, list_url=list_url)
    return referral
