"""Referral services: flag review, raising a referral with consent, moving it through its states, listing it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import phonenumbers
from flask_babel import lazy_gettext as _l
from sqlalchemy import case as sql_case
from sqlalchemy import update
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from app.audit.services import record
from app.auth.models import Role, User
from app.auth.services import Principal
from app.cases.models import Case, CasePhone
from app.cases.validation import PHONE_MAX, FieldError, parse_phone
from app.clock import utcnow
from app.formdefs import (
    Evaluation,
    FiredFlag,
    FormDefinition,
    LocalText,
    fired_flags,
    redact,
)
from app.formdefs.logic import parse_key
from app.interviews.models import Interview
from app.interviews.services import form_of, load_answers
from app.referrals.deadlines import due_at
from app.referrals.helplines import Helpline, Helplines
from app.referrals.models import (
    PRIORITY_ORDER,
    WAITING_STATES,
    CloseOutcome,
    ContactOutcome,
    EmergencyAction,
    FlagDecision,
    FlagDecisionKind,
    Priority,
    ReasonCategory,
    Referral,
    ReferralContact,
    ReferralState,
    ReferralTransition,
)
from app.referrals.settings import ReferralSettings
from app.referrals.states import Action, TransitionError, transition_for
from app.web.paging import PAGE_SIZE, Page, clamp

NOTE_MAX = 300
# Longest texts of a referral form (characters); longer ones are refused with a message, never cut.
LIMITS = {"person_name": 200, "phone": PHONE_MAX, "best_time": 120, "communication_needs": 200,
          "worker_contact": 120, "note": NOTE_MAX}
CONSENT_METHOD = "verbal_phone"

# Reason category the psychologist sees for each shipped flag rule (unknown rules: "other").
RULE_REASONS: dict[str, ReasonCategory] = {
    "suicide_risk": ReasonCategory.CRISIS,
    "suicide_warning_signs": ReasonCategory.CRISIS,
    "domestic_violence": ReasonCategory.VIOLENCE,
    "violence_child": ReasonCategory.VIOLENCE,
    "anxiety_severe": ReasonCategory.ANXIETY,
    "anxiety": ReasonCategory.ANXIETY,
    "isolation": ReasonCategory.ISOLATION,
    "job_loss_distress": ReasonCategory.LOSS,
    "bereavement": ReasonCategory.BEREAVEMENT,
    "addiction_support_lost": ReasonCategory.ADDICTION,
    "no_food_or_medicines": ReasonCategory.BASIC_NEEDS,
}

REASON_LABELS = {
    ReasonCategory.CRISIS: _l("kryzys psychiczny, ryzyko samobójstwa"),
    ReasonCategory.VIOLENCE: _l("przemoc domowa"),
    ReasonCategory.ANXIETY: _l("lęk, niepokój o przyszłość"),
    ReasonCategory.ISOLATION: _l("izolacja, samotność"),
    ReasonCategory.LOSS: _l("utrata pracy lub dochodu"),
    ReasonCategory.BEREAVEMENT: _l("żałoba"),
    ReasonCategory.ADDICTION: _l("przerwana terapia uzależnień"),
    ReasonCategory.BASIC_NEEDS: _l("brak żywności lub leków"),
    ReasonCategory.OTHER: _l("inny powód"),
}

PRIORITY_LABELS = {
    Priority.URGENT: _l("pilne"),
    Priority.HIGH: _l("wysoki priorytet"),
    Priority.NORMAL: _l("zwykłe"),
}

CONTACT_LABELS = {
    ContactOutcome.REACHED: _l("rozmowa odbyta"),
    ContactOutcome.NO_ANSWER: _l("nie odbiera"),
    ContactOutcome.BUSY: _l("zajęte"),
    ContactOutcome.WRONG_NUMBER: _l("błędny numer"),
    ContactOutcome.CALL_BACK: _l("prosi o telefon później"),
    ContactOutcome.DECLINED: _l("odmawia wsparcia"),
}

CLOSE_LABELS = {
    CloseOutcome.SUPPORT_COMPLETED: _l("wsparcie zakończone"),
    CloseOutcome.REFERRED_ELSEWHERE: _l("skierowano do innej placówki"),
    CloseOutcome.DECLINED: _l("osoba zrezygnowała"),
    CloseOutcome.UNREACHABLE: _l("brak kontaktu mimo prób"),
    CloseOutcome.OTHER: _l("inny wynik"),
}

EMERGENCY_LABELS = {
    EmergencyAction.CALLED: _l("wezwano służby ratunkowe (112)"),
    EmergencyAction.ADVISED: _l("doradzono osobie telefon pod 112"),
}


class ReferralFormError(ValueError):
    """Problems with the referral form, per field (Polish messages); nothing was written."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


# --------------------------------------------------------------------------- the interview's form and answers


# --------------------------------------------------------------------------- flag review


def fingerprint(answers: Mapping[str, Any], keys: Iterable[str]) -> str:
    """Digest of the triggering answers: a dismissal holds only while these stay the same."""
    payload = json.dumps([[k, answers.get(k)] for k in sorted(keys)], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def answer_label(form: FormDefinition, key: str, lang: str = "pl") -> str:
    """The question label of an answer key (members of a repeat group get their number), never the value."""
    parsed = parse_key(key)
    label = form.question(parsed.question_id).label.get(lang)
    if parsed.index is not None:
        return str(_l("%(label)s (osoba %(n)s)", label=label, n=parsed.index + 1))
    return label


def life_in_danger(flag: FiredFlag) -> bool:
    """An urgent flag with crisis guidance (suicidal thoughts or plans): the screen sends the worker to 112."""
    return flag.priority == Priority.URGENT and flag.guidance == "crisis"


@dataclass
class FlagView:
    """A fired flag as the worker sees it: why, what to do, and any decision already taken."""

    flag: FiredFlag
    labels: list[str]
    fingerprint: str
    decision: FlagDecision | None
    decided_by: str
    helplines: list[Helpline]
    guidance: LocalText | None
    referral_id: int | None = None

    @property
    def urgent(self) -> bool:
        """Shown with the crisis guidance open."""
        return self.flag.priority == Priority.URGENT

    @property
    def life_in_danger(self) -> bool:
        """See life_in_danger()."""
        return life_in_danger(self.flag)


@dataclass
class FlagReview:
    """Everything the flags panel shows for one interview."""

    interview: Interview
    flags: list[FlagView]
    referrals: list[Referral] = field(default_factory=list)

    @property
    def open_count(self) -> int:
        """Flags still waiting for the worker's decision."""
        return sum(1 for f in self.flags if f.decision is None)


def _current_decisions(session: Session, interview_id: int) -> dict[str, FlagDecision]:
    rows = session.exec(
        select(FlagDecision).where(FlagDecision.interview_id == interview_id).order_by(col(FlagDecision.id))
    ).all()
    return {row.rule_id: row for row in rows}  # the latest decision per rule wins


def review_flags(
    session: Session, *, interview: Interview, helplines: Helplines, lang: str = "pl",
    answers: Mapping[str, Any] | None = None, evaluation: Evaluation | None = None,
) -> FlagReview:
    """Fired flags of the interview, most urgent first, each naming its triggering questions and its decision.

    `answers` and their `evaluation` are passed by an autosave that has them already (read once per request).
    """
    assert interview.id is not None  # noqa: S101
    form = form_of(interview)
    if answers is None:
        answers = load_answers(session, interview.id)
    decisions = _current_decisions(session, interview.id)
    names = user_names(session, [d.decided_by_id for d in decisions.values()])
    views = []
    for flag in fired_flags(form, answers, evaluation=evaluation):
        digest = fingerprint(answers, flag.triggered_by)
        decision = decisions.get(flag.rule_id)
        # A confirmed flag stays confirmed (its referral exists); a dismissal lapses when the answers change.
        if decision is not None and decision.decision == FlagDecisionKind.DISMISSED and decision.fingerprint != digest:
            decision = None
        guidance_key = flag.guidance
        views.append(
            FlagView(
                flag=flag,
                labels=[answer_label(form, key, lang) for key in flag.triggered_by],
                fingerprint=digest,
                decision=decision,
                decided_by=names.get(decision.decided_by_id, "") if decision else "",
                helplines=helplines.for_guidance(guidance_key),
                guidance=helplines.guidance.get(guidance_key) if guidance_key else None,
                referral_id=decision.referral_id if decision else None,
            )
        )
    referrals = list(
        session.exec(select(Referral).where(Referral.interview_id == interview.id).order_by(col(Referral.id))).all()
    )
    return FlagReview(interview=interview, flags=views, referrals=referrals)


def fired_flag(session: Session, interview: Interview, rule_id: str) -> tuple[FiredFlag, str] | None:
    """The flag if it fires now, with the fingerprint of its triggering answers; None when it does not fire."""
    assert interview.id is not None  # noqa: S101
    answers = load_answers(session, interview.id)
    for flag in fired_flags(form_of(interview), answers):
        if flag.rule_id == rule_id:
            return flag, fingerprint(answers, flag.triggered_by)
    return None


def any_life_in_danger(session: Session, interview: Interview) -> bool:
    """Whether an urgent crisis flag fires in this interview now."""
    assert interview.id is not None  # noqa: S101
    return any(life_in_danger(f) for f in fired_flags(form_of(interview), load_answers(session, interview.id)))


def dismiss_flag(
    session: Session, *, actor: Principal, interview: Interview, rule_id: str, reason: str
) -> FlagDecision:
    """Record that the worker dismissed a fired flag, with the reason; it stays dismissed while its answers stay."""
    reason = reason.strip()
    if len(reason) < 3:
        raise ReferralFormError({"reason": str(_l("Podaj powód odrzucenia sygnału (np. „osoba ma już opiekę psychologa”)."))})
    if len(reason) > 500:
        raise ReferralFormError({"reason": str(_l("Powód może mieć najwyżej 500 znaków."))})
    found = fired_flag(session, interview, rule_id)
    if found is None:
        raise ReferralFormError({"reason": str(_l("Ten sygnał już nie występuje – odpowiedzi się zmieniły."))})
    _, digest = found
    latest = _current_decisions(session, interview.id or 0).get(rule_id)
    if latest is not None and latest.decision == FlagDecisionKind.CONFIRMED:
        raise ReferralFormError({"reason": str(_l("Ten sygnał już potwierdzono i wysłano skierowanie."))})
    decision = FlagDecision(
        office_id=interview.office_id,
        interview_id=interview.id or 0,
        rule_id=rule_id,
        decision=FlagDecisionKind.DISMISSED,
        reason=reason,
        fingerprint=digest,
        decided_by_id=actor.id,
        decided_at=utcnow(),
    )
    session.add(decision)
    session.flush()
    record(
        session,
        "referral.flag_dismissed",
        actor_id=actor.id,
        office_id=interview.office_id,
        object_type="interview",
        object_id=interview.id,
        rule_id=rule_id,
        decision_id=decision.id,
    )
    return decision


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
        phone=format_phone(_text_or_empty(visible.get("psych_phone") or visible.get("phone"))),
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
    return ReferralInput(person_name=case.applicant_name, phone=format_phone(phone or ""), worker_contact=worker_contact)


def format_phone(e164: str) -> str:
    """A stored number as people read it ("+48 600 100 200")."""
    if not e164:
        return ""
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164, "PL"), phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return e164


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
        latest = _current_decisions(session, interview.id or 0).get(flag.rule_id)
        if latest is not None and latest.decision == FlagDecisionKind.CONFIRMED:
            errors["consent"] = str(_l("Ten sygnał już potwierdzono – skierowanie jest na liście psychologów."))
    if errors:
        raise ReferralFormError(errors)
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
    record(
        session,
        "referral.created",
        actor_id=actor.id,
        office_id=case.office_id,
        object_type="referral",
        object_id=referral.id,
        case_id=case.id,
        interview_id=interview.id if interview else None,
        rule_id=flag.rule_id if flag else None,
        priority=priority.value,
        consent=referral.consent_given,
        emergency=emergency.value,
    )
    from app.referrals.mail import notify_new_referrals

    notify_new_referrals(session, office_id=case.office_id, settings=settings, list_url=list_url)
    return referral


# --------------------------------------------------------------------------- moving a referral


@dataclass
class TransitionInput:
    """What the psychologist or supervisor sent with an action."""

    outcome: str = ""
    note: str = ""
    reason: str = ""


def apply_action(
    session: Session, *, actor: Principal, referral: Referral, action: Action, data: TransitionInput
) -> Referral:
    """Move the referral by one allowed transition (see states.py), logging contacts and history."""
    transition = transition_for(referral, action, actor)
    errors: dict[str, str] = {}
    note = data.note.strip()
    if len(note) > NOTE_MAX:
        errors["note"] = str(_l("Notatka może mieć najwyżej %(n)s znaków.", n=NOTE_MAX))
    if action == Action.LOG_CONTACT and data.outcome not in {o.value for o in ContactOutcome}:
        errors["outcome"] = str(_l("Wybierz wynik próby kontaktu."))
    if action == Action.CLOSE and data.outcome not in {o.value for o in CloseOutcome}:
        errors["outcome"] = str(_l("Wybierz wynik, z jakim zamykasz zgłoszenie."))
    reason = data.reason.strip()
    if action == Action.RETURN and not reason:
        errors["reason"] = str(_l("Podaj powód zwrotu do ośrodka."))
    elif len(reason) > NOTE_MAX:
        errors["reason"] = str(_l("Powód może mieć najwyżej %(n)s znaków.", n=NOTE_MAX))
    if errors:
        raise ReferralFormError(errors)

    now = utcnow()
    values: dict[str, Any] = {"state": transition.target, "updated_at": now}
    if action == Action.ACCEPT:
        values.update(accepted_by_id=actor.id, accepted_at=now)
    elif action == Action.RELEASE:
        values.update(accepted_by_id=None, accepted_at=None)
    elif action == Action.LOG_CONTACT and referral.first_contact_at is None:
        values["first_contact_at"] = now
    elif action == Action.CLOSE:
        values.update(close_outcome=data.outcome, closing_note=note)
    elif action == Action.RETURN:
        values["return_reason"] = reason
    # Conditional update: of two psychologists accepting at once, exactly one wins.
    result = session.execute(
        update(Referral)
        .where(col(Referral.id) == referral.id, col(Referral.state) == transition.source)
        .values(**values)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise TransitionError(str(_l("Zgłoszenie zmieniło się w międzyczasie (np. przyjął je ktoś inny). Odśwież listę.")))
    for name, value in values.items():
        setattr(referral, name, value)
    assert referral.id is not None  # noqa: S101
    if action == Action.LOG_CONTACT:
        session.add(
            ReferralContact(
                referral_id=referral.id, psychologist_id=actor.id, at=now, outcome=ContactOutcome(data.outcome), note=note
            )
        )
    history_note = reason if action == Action.RETURN else (note if action != Action.LOG_CONTACT else "")
    session.add(
        ReferralTransition(
            referral_id=referral.id,
            action=action.value,
            from_state=transition.source.value,
            to_state=transition.target.value,
            actor_id=actor.id,
            at=now,
            note=history_note,
        )
    )
    session.flush()
    record(
        session,
        f"referral.{action.value}",
        actor_id=actor.id,
        office_id=referral.office_id,
        object_type="referral",
        object_id=referral.id,
        from_state=transition.source.value,
        to_state=transition.target.value,
        outcome=data.outcome or None,
    )
    return referral


# --------------------------------------------------------------------------- reading


def sort_key(referral: Referral) -> tuple[int, datetime]:
    """Urgent first, then the oldest."""
    return (PRIORITY_ORDER[Priority(referral.priority)], referral.created_at)


def _office_referrals_query(office_id: int, *, include_finished: bool) -> SelectOfScalar[Referral]:
    """The office's referrals, open ones only unless asked (unordered)."""
    query = select(Referral).where(Referral.office_id == office_id)
    if not include_finished:
        query = query.where(col(Referral.state).not_in([ReferralState.CLOSED, ReferralState.RETURNED]))
    return query


def _list_order() -> tuple[Any, ...]:
    """Urgent first, then oldest (the id breaks ties so pages never overlap)."""
    order = sql_case(
        {Priority.URGENT.value: 0, Priority.HIGH.value: 1, Priority.NORMAL.value: 2}, value=col(Referral.priority), else_=3
    )
    return order, col(Referral.created_at), col(Referral.id)


def office_referrals(session: Session, office_id: int, *, include_finished: bool = False) -> list[Referral]:
    """The office's referrals, urgent first, then oldest; closed and returned ones only when asked."""
    query = _office_referrals_query(office_id, include_finished=include_finished)
    return list(session.exec(query.order_by(*_list_order())).all())


def office_referral_page(session: Session, office_id: int, *, include_finished: bool = False, page: int = 1,
                         size: int = PAGE_SIZE) -> Page[Referral]:
    """One page of the psychologists' list, in the order of `office_referrals`."""
    query = _office_referrals_query(office_id, include_finished=include_finished)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    number = clamp(page, total, size)
    rows = session.exec(query.order_by(*_list_order()).offset((number - 1) * size).limit(size)).all()
    return Page(rows, number, total, size)


def overdue_count(session: Session, office_id: int, now: datetime | None = None) -> int:
    """How many of the office's referrals wait past their target time for a first contact (as `is_overdue`)."""
    return session.exec(
        select(func.count()).select_from(Referral).where(
            Referral.office_id == office_id, col(Referral.state).in_(list(WAITING_STATES)),
            col(Referral.due_at) < (now or utcnow()),
        )
    ).one()


def raised_by(session: Session, user_id: int) -> list[Referral]:
    """Referrals a worker raised, newest first."""
    return list(
        session.exec(
            select(Referral).where(Referral.raised_by_id == user_id).order_by(col(Referral.created_at).desc())
        ).all()
    )


def of_case(session: Session, case_id: int) -> list[Referral]:
    """A case's referral history, newest first."""
    return list(
        session.exec(select(Referral).where(Referral.case_id == case_id).order_by(col(Referral.created_at).desc())).all()
    )


def contacts_of(session: Session, referral_id: int) -> list[ReferralContact]:
    """Every contact attempt, oldest first."""
    return list(
        session.exec(
            select(ReferralContact).where(ReferralContact.referral_id == referral_id).order_by(col(ReferralContact.at))
        ).all()
    )


def history_of(session: Session, referral_id: int) -> list[ReferralTransition]:
    """Every state change, oldest first."""
    return list(
        session.exec(
            select(ReferralTransition)
            .where(ReferralTransition.referral_id == referral_id)
            .order_by(col(ReferralTransition.id))
        ).all()
    )


def is_overdue(referral: Referral, now: datetime | None = None) -> bool:
    """Past its target time and still waiting for a first contact attempt."""
    return referral.state in WAITING_STATES and (now or utcnow()) > referral.due_at


def user_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """Full names of users by id (for who accepted, raised, decided)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.exec(select(User.id, User.full_name).where(col(User.id).in_(wanted))).all()
    return {row[0]: row[1] for row in rows if row[0] is not None}


def default_worker_contact(session: Session, principal: Principal) -> str:
    """The worker's e-mail, or the office phone, as the contact the psychologist can use."""
    from app.auth.models import Office

    user = session.get(User, principal.id)
    office = session.get(Office, principal.office_id)
    parts = [p for p in ((office.phone if office else ""), (user.email if user else "")) if p]
    return ", ".join(parts)[:120]
