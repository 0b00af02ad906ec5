"""Applications (cases): registration, duplicates, visibility, assignment, call attempts and call-backs."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, func, or_
from sqlmodel import Session, col, select

from app.audit.services import record
from app.auth.models import Role, User, UserRole
from app.auth.services import Principal
from app.cases import deadlines, numbering, office_settings, presets
from app.cases.models import (
    FAILED_OUTCOMES,
    OPEN_STATES,
    CallAttempt,
    Callback,
    CallOutcome,
    Case,
    CasePhone,
    CaseState,
    Channel,
    ContactRoute,
    OtherContact,
    RequestedHelp,
    name_key,
)
from app.cases.validation import (
    ADDRESS_MAX,
    DETAIL_MAX,
    NAME_MAX,
    NOTE_MAX,
    PHONE_LABEL_MAX,
    SEARCH_MAX,
    FieldError,
    digits,
    limited,
    local_input_value,
    parse_date,
    parse_email,
    parse_local_datetime,
    parse_past_date,
    parse_pesel,
    parse_phone,
    phone_search_key,
)
from app.clock import LOCAL_TZ, to_local, utcnow
from app.interviews.models import Interview, InterviewState
from app.web.ids import parse_id
from app.web.paging import Page, clamp, page_count, page_number

PHONE_FIELDS = ("phone_1", "phone_2", "phone_3")
PAGE_SIZE = 20
# A call-back may be booked a little in the past (the clock on the phone, a slow form), not more.
CALLBACK_PAST_SLACK = timedelta(minutes=10)
CALLBACK_HORIZON = timedelta(days=92)
UPDATE_NOTICE_WORKING_DAYS = 10


class InputError(ValueError):
    """User input that cannot be accepted; `errors` maps form field names to Polish messages."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


# --- names and search keys -----------------------------------------------------------------------------------



def requested_codes(case: Case) -> list[str]:
    """The requested kinds of help of a case, as codes."""
    try:
        value = json.loads(case.requested or "[]")
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


# --- registration --------------------------------------------------------------------------------------------


@dataclass
class CaseForm:
    """What was typed into the registration form, kept verbatim so an error never loses it."""

    applicant_name: str = ""
    pesel: str = ""
    phones: list[str] = field(default_factory=lambda: ["", "", ""])
    email: str = ""
    address: str = ""
    channel: str = ""
    channel_detail: str = ""
    received_on: str = ""
    requested: list[str] = field(default_factory=list)
    request_note: str = ""
    urgent: bool = False

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], requested: Iterable[str] = ()) -> CaseForm:
        """Build from posted form data (multi-values passed separately)."""

        def text(name: str) -> str:
            return str(data.get(name, "") or "")

        return cls(
            applicant_name=text("applicant_name"),
            pesel=text("pesel"),
            phones=[text(name) for name in PHONE_FIELDS],
            email=text("email"),
            address=text("address"),
            channel=text("channel"),
            channel_detail=text("channel_detail"),
            received_on=text("received_on"),
            requested=[str(r) for r in requested],
            request_note=text("request_note"),
            urgent=text("urgent") in ("1", "on", "true", "yes"),
        )


@dataclass
class CaseData:
    """Validated registration data."""

    applicant_name: str
    pesel: str | None
    phones: list[str]
    email: str
    address: str
    channel: Channel
    channel_detail: str
    received_on: date
    requested: list[RequestedHelp]
    request_note: str
    urgent: bool


def validate_case(form: CaseForm, *, today: date) -> CaseData:
    """Check every field and report all problems at once (InputError), or return clean data."""
    errors: dict[str, str] = {}
    name = " ".join(form.applicant_name.split())
    if not name:
        errors["applicant_name"] = str(_l("Podaj imię i nazwisko wnioskodawcy."))
    elif len(name) > NAME_MAX:
        errors["applicant_name"] = str(_l("Imię i nazwisko może mieć najwyżej %(n)d znaków.", n=NAME_MAX))

    pesel: str | None = None
    try:
        pesel = parse_pesel(form.pesel)
    except FieldError as exc:
        errors["pesel"] = exc.message

    phones: list[str] = []
    for index, raw in enumerate(form.phones):
        try:
            number = parse_phone(raw)
        except FieldError as exc:
            errors[PHONE_FIELDS[index]] = exc.message
            continue
        if number and number not in phones:
            phones.append(number)
    if not phones and PHONE_FIELDS[0] not in errors and not any(k in errors for k in PHONE_FIELDS):
        errors[PHONE_FIELDS[0]] = str(
            _l("Podaj co najmniej jeden numer telefonu: bez niego nie oddzwonimy do wnioskodawcy.")
        )

    email = ""
    try:
        email = parse_email(form.email)
    except FieldError as exc:
        errors["email"] = exc.message

    address = " ".join(form.address.split())
    if len(address) > ADDRESS_MAX:
        errors["address"] = str(_l("Adres może mieć najwyżej %(n)d znaków.", n=ADDRESS_MAX))

    channel: Channel | None = None
    if form.channel in {c.value for c in Channel}:
        channel = Channel(form.channel)
    else:
        errors["channel"] = str(_l("Wybierz, jaką drogą wpłynął wniosek."))
    detail = " ".join(form.channel_detail.split())
    if channel is Channel.INSTITUTION and not detail:
        errors["channel_detail"] = str(_l("Podaj, która instytucja zgłosiła sprawę (np. policja, sanepid, WOT)."))
    elif len(detail) > DETAIL_MAX:
        errors["channel_detail"] = str(_l("Najwyżej %(n)s znaków.", n=DETAIL_MAX))

    received: date | None = None
    try:
        received = parse_date(form.received_on, today=today)
    except FieldError as exc:
        errors["received_on"] = exc.message

    known = {r.value for r in RequestedHelp}
    requested = [RequestedHelp(r) for r in dict.fromkeys(form.requested) if r in known]
    if not requested:
        errors["requested"] = str(_l("Zaznacz, o co wnioskodawca prosi (co najmniej jedną pozycję)."))
    note = form.request_note.strip()
    if RequestedHelp.OTHER in requested and not note:
        errors["request_note"] = str(_l("Opisz, o jaką inną pomoc chodzi."))
    elif len(note) > NOTE_MAX:
        errors["request_note"] = str(_l("Opis może mieć najwyżej %(n)d znaków.", n=NOTE_MAX))

    if errors or channel is None or received is None:
        raise InputError(errors)
    return CaseData(
        applicant_name=name,
        pesel=pesel,
        phones=phones,
        email=email,
        address=address,
        channel=channel,
        channel_detail=detail,
        received_on=received,
        requested=requested,
        request_note=note,
        urgent=form.urgent,
    )


def next_reference(session: Session, office_id: int, year: int) -> str:
    """The next free reference of the office for the year, e.g. RWS/2026/0007 (race-free: see cases.numbering)."""
    return numbering.next_reference(session, office_id, year)


def local_today() -> date:
    """Today's date in Poland."""
    return to_local(utcnow()).date()


def register_case(session: Session, *, actor: Principal, form: CaseForm, today: date | None = None) -> Case:
    """Validate and register an application in the actor's office; a worker's own registration is theirs."""
    today = today or local_today()
    data = validate_case(form, today=today)
    days, urgent_days = office_settings.interview_deadlines(session, actor.office_id)
    case = Case(
        office_id=actor.office_id,
        reference=next_reference(session, actor.office_id, data.received_on.year),
        applicant_name=data.applicant_name,
        pesel=data.pesel,
        email=data.email,
        address=data.address,
        channel=data.channel,
        channel_detail=data.channel_detail,
        received_on=data.received_on,
        requested=json.dumps([r.value for r in data.requested]),
        request_note=data.request_note,
        urgent=data.urgent,
        permanent_help=RequestedHelp.PERMANENT in data.requested,
        state=CaseState.NEW,
        # Supervisors and administrators register for the office and assign later; a worker keeps what they take in.
        assigned_worker_id=actor.id if actor.has(Role.WORKER) and not actor.has(Role.SUPERVISOR) else None,
        due_on=deadlines.interview_due(data.received_on, urgent=data.urgent, days=days, urgent_days=urgent_days),
        created_by_id=actor.id,
    )
    session.add(case)
    session.flush()
    assert case.id is not None  # noqa: S101 - set by flush
    for position, number in enumerate(data.phones):
        session.add(CasePhone(case_id=case.id, number=number, position=position))
    session.flush()
    record(
        session,
        "case.create",
        actor_id=actor.id,
        office_id=actor.office_id,
        object_type="case",
        object_id=case.id,
        channel=str(case.channel),
        urgent=case.urgent,
    )
    return case


# --- duplicates ----------------------------------------------------------------------------------------------


@dataclass
class Duplicate:
    """An existing case of the office sharing the PESEL or a phone number with the one being registered."""

    case: Case
    same_pesel: bool
    same_phone: bool
    visible: bool


def find_duplicates(
    session: Session, *, actor: Principal, pesel: str | None, phones: Iterable[str], exclude_case_id: int | None = None
) -> list[Duplicate]:
    """Cases of the actor's office with the same PESEL or any of the same phone numbers."""
    numbers = [p for p in phones if p]
    conditions: list[ColumnElement[bool]] = []
    if pesel:
        conditions.append(col(Case.pesel) == pesel)
    if numbers:
        conditions.append(
            col(Case.id).in_(select(CasePhone.case_id).where(col(CasePhone.number).in_(numbers)))
        )
    if not conditions:
        return []
    query = select(Case).where(Case.office_id == actor.office_id, or_(*conditions))
    if exclude_case_id is not None:
        query = query.where(Case.id != exclude_case_id)
    cases = session.exec(query.order_by(col(Case.received_on).desc()).limit(10)).all()
    phone_rows = session.exec(
        select(CasePhone.case_id, CasePhone.number).where(col(CasePhone.case_id).in_([c.id for c in cases]))
    ).all()
    by_case: dict[int, set[str]] = {}
    for case_id, number in phone_rows:
        by_case.setdefault(case_id, set()).add(number)
    return [
        Duplicate(
            case=c,
            same_pesel=bool(pesel) and c.pesel == pesel,
            same_phone=bool(by_case.get(c.id or 0, set()).intersection(numbers)),
            visible=_may_see(actor, c),
        )
        for c in cases
    ]


def duplicates_for_form(session: Session, *, actor: Principal, form: CaseForm) -> list[Duplicate]:
    """Duplicates for what has been typed so far; fields that do not parse yet are simply left out."""
    pesel: str | None = None
    try:
        pesel = parse_pesel(form.pesel)
    except FieldError:
        pesel = None
    phones: list[str] = []
    for raw in form.phones:
        try:
            number = parse_phone(raw)
        except FieldError:
            continue
        if number:
            phones.append(number)
    return find_duplicates(session, actor=actor, pesel=pesel, phones=phones)


# --- visibility ----------------------------------------------------------------------------------------------


def sees_whole_office(principal: Principal) -> bool:
    """Supervisors and administrators see every case of their office; workers see their own and unassigned."""
    return principal.has(Role.SUPERVISOR, Role.ADMIN)


def _may_see(principal: Principal, case: Case) -> bool:
    if case.office_id != principal.office_id:
        return False
    if sees_whole_office(principal):
        return True
    if principal.has(Role.WORKER):
        return case.assigned_worker_id in (None, principal.id)
    return False


def visibility_clause(principal: Principal) -> ColumnElement[bool]:
    """SQL condition for the cases the principal may see."""
    same_office = col(Case.office_id) == principal.office_id
    if sees_whole_office(principal):
        return same_office
    if principal.has(Role.WORKER):
        return and_(
            same_office, or_(col(Case.assigned_worker_id).is_(None), col(Case.assigned_worker_id) == principal.id)
        )
    return col(Case.id).is_(None)  # nothing


def visible_case(session: Session, principal: Principal, case_id: int) -> Case:
    """The case when the principal may see it, else 404 (another office's or colleague's case looks absent)."""
    case = session.get(Case, case_id)
    if case is None or not _may_see(principal, case):
        abort(404)
    return case


def record_case_view(session: Session, *, actor: Principal, case: Case) -> None:
    """Log that the actor opened the case (ids only); called with a standalone session from GET views."""
    record(session, "case.view", actor_id=actor.id, office_id=case.office_id, object_type="case", object_id=case.id)


# --- assignment ----------------------------------------------------------------------------------------------


def office_workers(session: Session, office_id: int) -> list[User]:
    """Active social workers of the office, by name."""
    return list(
        session.exec(
            select(User)
            .join(UserRole, col(UserRole.user_id) == col(User.id))
            .where(User.office_id == office_id, col(User.active).is_(True), UserRole.role == Role.WORKER)
            .order_by(User.full_name)
        ).all()
    )


def assign_case(session: Session, *, actor: Principal, case: Case, worker_id: int | None) -> Case:
    """Assign (or unassign) a case: supervisors and administrators freely, a worker only takes an unassigned one."""
    if case.office_id != actor.office_id:
        abort(404)
    taking_unassigned = actor.has(Role.WORKER) and worker_id == actor.id and case.assigned_worker_id is None
    if not sees_whole_office(actor) and not taking_unassigned:
        raise InputError({"worker_id": str(_l("Możesz wziąć tylko sprawę, która nie jest jeszcze przydzielona."))})
    if worker_id is not None and worker_id not in {u.id for u in office_workers(session, actor.office_id)}:
        raise InputError({"worker_id": str(_l("Wybierz pracownika socjalnego z tego ośrodka."))})
    previous = case.assigned_worker_id
    case.assigned_worker_id = worker_id
    session.add(case)
    if previous is not None and previous != worker_id:
        # Call-backs booked by the previous worker move with the case so nobody's list keeps a stale item.
        for callback in _open_callbacks(session, case):
            callback.worker_id = worker_id if worker_id is not None else callback.worker_id
            session.add(callback)
    session.flush()
    record(
        session,
        "case.assign",
        actor_id=actor.id,
        office_id=case.office_id,
        object_type="case",
        object_id=case.id,
        worker_id=worker_id,
        previous_worker_id=previous,
    )
    return case


# --- calls ---------------------------------------------------------------------------------------------------


@dataclass
class CallForm:
    """What was posted with a call outcome, kept verbatim for re-display."""

    number: str = ""
    outcome: str = ""
    note: str = ""
    callback_at: str = ""
    callback_preset: str = ""

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> CallForm:
        """Build from posted form data."""
        return cls(
            number=str(data.get("number", "") or ""),
            outcome=str(data.get("outcome", "") or ""),
            note=str(data.get("note", "") or ""),
            callback_at=str(data.get("callback_at", "") or ""),
            callback_preset=str(data.get("callback_preset", "") or ""),
        )


def case_phones(session: Session, case_id: int) -> list[CasePhone]:
    """The applicant's numbers: the ones still worth calling first, in the order given, then the wrong ones."""
    return list(
        session.exec(
            select(CasePhone)
            .where(CasePhone.case_id == case_id)
            .order_by(col(CasePhone.wrong_since).is_not(None), col(CasePhone.position), col(CasePhone.id))
        ).all()
    )


def usable_phones(phones: Iterable[CasePhone]) -> list[CasePhone]:
    """The numbers not marked wrong, in the order given."""
    return [p for p in phones if p.wrong_since is None]


def all_numbers_wrong(phones: Iterable[CasePhone]) -> bool:
    """True when the case has numbers and every one of them was found wrong."""
    listed = list(phones)
    return bool(listed) and not usable_phones(listed)


def _open_callbacks(session: Session, case: Case) -> list[Callback]:
    return list(
        session.exec(select(Callback).where(Callback.case_id == case.id, col(Callback.done_at).is_(None))).all()
    )


def _streak_starts(session: Session, case_id: int) -> datetime | None:
    """Since when failed calls count: the last letter or e-mail sent, or the last number added to the case."""
    contact = session.exec(select(func.max(OtherContact.created_at)).where(OtherContact.case_id == case_id)).one()
    added = session.exec(select(func.max(CasePhone.added_at)).where(CasePhone.case_id == case_id)).one()
    moments = [m if m.tzinfo else m.replace(tzinfo=UTC) for m in (contact, added) if m is not None]
    return max(moments) if moments else None


def failed_streak(session: Session, case_id: int) -> int:
    """Failed attempts (no answer, busy, voicemail, wrong number) since the person was last reached.

    A letter or e-mail sent, or a number added to the case, starts the count afresh: what failed before has been
    answered by another route.
    """
    query = select(CallAttempt.outcome).where(CallAttempt.case_id == case_id)
    since = _streak_starts(session, case_id)
    if since is not None:
        query = query.where(col(CallAttempt.at) > since)
    outcomes = session.exec(query.order_by(col(CallAttempt.at).desc(), col(CallAttempt.id).desc())).all()
    streak = 0
    for outcome in outcomes:
        if CallOutcome(outcome) not in FAILED_OUTCOMES:
            break
        streak += 1
    return streak


def _callback_time(form: CallForm, now: datetime, tz: tzinfo, errors: dict[str, str]) -> datetime | None:
    """The call-back time typed, or resolved from a tapped preset; an unknown preset is an error at the field."""
    if form.callback_preset:
        preset = presets.parse_preset(form.callback_preset)
        if preset is None:
            errors["callback_at"] = str(_l("Nieznany szybki termin. Wybierz jeden z przycisków albo wpisz dzień i godzinę."))
            return None
        at = presets.resolve(preset, now, tz)
        # Shown in the field if anything else is wrong, so the worker sees what the button meant.
        form.callback_at = local_input_value(at)
        return at
    try:
        return parse_local_datetime(form.callback_at)
    except FieldError as exc:
        errors["callback_at"] = exc.message
        return None


def _mark_other_route(session: Session, *, actor: Principal, case: Case, reason: str, failed: int) -> None:
    case.needs_other_route = True
    if case.state in (CaseState.NEW, CaseState.CONTACTING):
        case.state = CaseState.OTHER_ROUTE
    session.add(case)
    session.flush()
    record(
        session,
        "case.other_route",
        actor_id=actor.id,
        office_id=case.office_id,
        object_type="case",
        object_id=case.id,
        failed_attempts=failed,
        reason=reason,
    )


def log_call(
    session: Session,
    *,
    actor: Principal,
    case: Case,
    form: CallForm,
    threshold: int,
    now: datetime | None = None,
    tz: tzinfo = LOCAL_TZ,
) -> CallAttempt:
    """Record a call attempt and its consequences: call-backs, wrong numbers, the case state, the other-route mark.

    A tapped call-back preset means "asked to call back" whatever outcome was ticked; `tz` is the office's zone.
    """
    now = now or utcnow()
    if case.office_id != actor.office_id:
        abort(404)
    errors: dict[str, str] = {}
    phones = case_phones(session, case.id or 0)
    dialled = next((p for p in phones if p.number == form.number), None)
    if dialled is None:
        errors["number"] = str(_l("Wybierz jeden z numerów wnioskodawcy."))
    if form.callback_preset:
        form.outcome = CallOutcome.CALL_BACK.value
    outcome: CallOutcome | None = None
    if form.outcome in {o.value for o in CallOutcome}:
        outcome = CallOutcome(form.outcome)
    else:
        errors["outcome"] = str(_l("Wybierz wynik rozmowy."))
    callback_at: datetime | None = None
    if outcome is CallOutcome.CALL_BACK:
        callback_at = _callback_time(form, now, tz, errors)
        if callback_at is not None:
            if callback_at < now - CALLBACK_PAST_SLACK:
                errors["callback_at"] = str(_l("Termin telefonu minął. Podaj godzinę w przyszłości."))
            elif callback_at > now + CALLBACK_HORIZON:
                errors["callback_at"] = str(_l("Termin jest zbyt odległy: najwyżej 3 miesiące naprzód."))
    note = form.note.strip()
    if len(note) > NOTE_MAX:
        errors["note"] = str(_l("Notatka może mieć najwyżej %(n)d znaków.", n=NOTE_MAX))
    if errors or outcome is None or dialled is None:
        raise InputError(errors)

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
    for callback in _open_callbacks(session, case):
        if callback.attempt_id is None and callback.due_at > now + CALLBACK_PAST_SLACK:
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
    record(
        session,
        "call.log",
        actor_id=actor.id,
        office_id=case.office_id,
        object_type="call_attempt",
        object_id=attempt.id,
        case_id=case.id,
        outcome=outcome.value,
    )
    if outcome is CallOutcome.WRONG_NUMBER and dialled.wrong_since is None:
        dialled.wrong_since = now
        dialled.wrong_by_id = actor.id
        session.add(dialled)
        session.flush()
        record(
            session,
            "case.phone_wrong",
            actor_id=actor.id,
            office_id=case.office_id,
            object_type="case_phone",
            object_id=dialled.id,
            case_id=case.id,
            call_attempt_id=attempt.id,
        )
    if outcome in FAILED_OUTCOMES and not case.needs_other_route:
        streak = failed_streak(session, case.id or 0)
        if all_numbers_wrong(phones):
            # No number left to dial: waiting for more failed calls would only lose days of the deadline.
            _mark_other_route(session, actor=actor, case=case, reason="all_numbers_wrong", failed=streak)
        elif streak >= threshold:
            _mark_other_route(session, actor=actor, case=case, reason="failed_attempts", failed=streak)
    return attempt


# --- phone numbers -------------------------------------------------------------------------------------------


@dataclass
class PhoneForm:
    """A number typed to add to a case, kept verbatim for re-display."""

    phone: str = ""
    label: str = ""

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> PhoneForm:
        """Build from posted form data."""
        return cls(phone=str(data.get("phone", "") or ""), label=str(data.get("label", "") or ""))


def _phone_route_restored(session: Session, *, actor: Principal, case: Case, threshold: int, reason: str) -> None:
    """A number to call again: lift the other-route mark unless the failed calls since still call for a letter."""
    if not case.needs_other_route or not usable_phones(case_phones(session, case.id or 0)):
        return
    if failed_streak(session, case.id or 0) >= threshold:
        return
    case.needs_other_route = False
    if case.state == CaseState.OTHER_ROUTE:
        case.state = CaseState.CONTACTING
    session.add(case)
    session.flush()
    record(
        session,
        "case.other_route_cleared",
        actor_id=actor.id,
        office_id=case.office_id,
        object_type="case",
        object_id=case.id,
        reason=reason,
    )


def add_phone(
    session: Session, *, actor: Principal, case: Case, form: PhoneForm, threshold: int, now: datetime | None = None
) -> CasePhone:
    """Add a number to an existing case (validated like registration); failed calls before it stop counting."""
    now = now or utcnow()
    if case.office_id != actor.office_id:
        abort(404)
    errors: dict[str, str] = {}
    number: str | None = None
    try:
        number = parse_phone(form.phone)
    except FieldError as exc:
        errors["phone"] = exc.message
    else:
        if number is None:
            errors["phone"] = str(_l("Podaj numer telefonu, np. 601 234 567."))
    existing = case_phones(session, case.id or 0)
    same = next((p for p in existing if p.number == number), None)
    if same is not None and same.wrong_since is not None:
        errors["phone"] = str(
            _l("Ten numer jest już w sprawie jako błędny. Jeśli jednak jest dobry, użyj „Numer jednak poprawny”.")
        )
    elif same is not None:
        errors["phone"] = str(_l("Ten numer jest już w sprawie."))
    label = " ".join(form.label.split())
    if len(label) > PHONE_LABEL_MAX:
        errors["label"] = str(_l("Opis numeru może mieć najwyżej %(n)d znaków.", n=PHONE_LABEL_MAX))
    if errors or number is None:
        raise InputError(errors)
    phone = CasePhone(
        case_id=case.id or 0,
        number=number,
        label=label,
        position=max((p.position for p in existing), default=-1) + 1,
        added_at=now,
        added_by_id=actor.id,
    )
    session.add(phone)
    session.flush()
    record(
        session,
        "case.phone_add",
        actor_id=actor.id,
        office_id=case.office_id,
        object_type="case_phone",
        object_id=phone.id,
        case_id=case.id,
    )
    _phone_route_restored(session, actor=actor, case=case, threshold=threshold, reason="phone_added")
    return phone


def case_phone(session: Session, case: Case, phone_id: int) -> CasePhone:
    """A number of this case, else 404."""
    phone = session.get(CasePhone, phone_id)
    if phone is None or phone.case_id != case.id:
        abort(404)
    return phone


def unmark_wrong_phone(session: Session, *, actor: Principal, case: Case, phone: CasePhone, threshold: int) -> bool:
    """The number is correct after all: offer it again. False when it was not marked (nothing to undo)."""
    if case.office_id != actor.office_id or phone.case_id != case.id:
        abort(404)
    if phone.wrong_since is None:
        return False
    phone.wrong_since = None
    phone.wrong_by_id = None
    session.add(phone)
    session.flush()
    record(
        session,
        "case.phone_correct",
        actor_id=actor.id,
        office_id=case.office_id,
        object_type="case_phone",
        object_id=phone.id,
        case_id=case.id,
    )
    _phone_route_restored(session, actor=actor, case=case, threshold=threshold, reason="phone_correct")
    return True


# --- letters and e-mails -------------------------------------------------------------------------------------


@dataclass
class OtherContactForm:
    """A letter or e-mail being recorded, kept verbatim for re-display."""

    route: str = ""
    sent_on: str = ""
    note: str = ""

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> OtherContactForm:
        """Build from posted form data."""
        return cls(
            route=str(data.get("route", "") or ""),
            sent_on=str(data.get("sent_on", "") or ""),
            note=str(data.get("note", "") or ""),
        )


def may_record_other_contact(case: Case) -> bool:
    """A letter or e-mail can be recorded while the case still waits for its interview."""
    return case.state in OPEN_STATES and case.state != CaseState.INTERVIEW


def record_other_contact(
    session: Session, *, actor: Principal, case: Case, form: OtherContactForm, today: date | None = None
) -> OtherContact:
    """Record a letter or e-mail sent: the case waits for the reply (other route) and no longer needs one."""
    today = today or local_today()
    if case.office_id != actor.office_id:
        abort(404)
    errors: dict[str, str] = {}
    if not may_record_other_contact(case):
        errors[""] = str(_l("Ta sprawa nie czeka już na kontakt: listu ani e-maila nie trzeba zapisywać."))
    route: ContactRoute | None = None
    if form.route in {r.value for r in ContactRoute}:
        route = ContactRoute(form.route)
    else:
        errors["route"] = str(_l("Wybierz, czy wysłano list, czy e-mail."))
    sent_on: date | None = None
    try:
        sent_on = parse_past_date(form.sent_on, today=today, earliest=case.received_on)
    except FieldError as exc:
        errors["sent_on"] = exc.message
    note = form.note.strip()
    if len(note) > NOTE_MAX:
        errors["note"] = str(_l("Notatka może mieć najwyżej %(n)d znaków.", n=NOTE_MAX))
    if errors or route is None or sent_on is None:
        raise InputError(errors)
    contact = OtherContact(case_id=case.id or 0, route=route, sent_on=sent_on, note=note, by_id=actor.id)
    session.add(contact)
    case.needs_other_route = False
    if case.state in (CaseState.NEW, CaseState.CONTACTING):
        case.state = CaseState.OTHER_ROUTE
    session.add(case)
    session.flush()
    record(
        session,
        "case.other_contact",
        actor_id=actor.id,
        office_id=case.office_id,
        object_type="other_contact",
        object_id=contact.id,
        case_id=case.id,
        route=route.value,
    )
    return contact


def last_other_contact(session: Session, case_id: int) -> OtherContact | None:
    """The latest letter or e-mail recorded for the case."""
    return session.exec(
        select(OtherContact)
        .where(OtherContact.case_id == case_id)
        .order_by(col(OtherContact.sent_on).desc(), col(OtherContact.id).desc())
    ).first()


@dataclass
class HistoryEntry:
    """One line of a case's contact history: a call attempt or a letter / e-mail sent."""

    at: datetime
    worker: User | None
    attempt: CallAttempt | None = None
    contact: OtherContact | None = None


def _contact_moment(contact: OtherContact) -> datetime:
    """Where a letter sorts among calls: when it was recorded, or midday of the day it went out if that was earlier."""
    recorded = contact.created_at if contact.created_at.tzinfo else contact.created_at.replace(tzinfo=UTC)
    if to_local(recorded).date() <= contact.sent_on:
        return recorded
    return datetime.combine(contact.sent_on, time(12, 0), tzinfo=LOCAL_TZ)


def contact_history(session: Session, case_id: int) -> list[HistoryEntry]:
    """A case's calls and letters / e-mails, newest first, with who made them."""
    entries = [HistoryEntry(at=a.at, worker=u, attempt=a) for a, u in call_history(session, case_id)]
    rows = session.exec(
        select(OtherContact, User)
        .join(User, col(User.id) == col(OtherContact.by_id), isouter=True)
        .where(OtherContact.case_id == case_id)
    ).all()
    entries += [HistoryEntry(at=_contact_moment(c), worker=u, contact=c) for c, u in rows]
    return sorted(entries, key=lambda e: to_local(e.at), reverse=True)


def users_by_id(session: Session, ids: Iterable[int | None]) -> dict[int, User]:
    """Users by id (for "marked by" and similar names on a page)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.id or 0: u for u in session.exec(select(User).where(col(User.id).in_(wanted))).all()}


def call_history(session: Session, case_id: int) -> list[tuple[CallAttempt, User | None]]:
    """A case's call attempts, newest first, with the worker who called."""
    rows = session.exec(
        select(CallAttempt, User)
        .join(User, col(User.id) == col(CallAttempt.worker_id), isouter=True)
        .where(CallAttempt.case_id == case_id)
        .order_by(col(CallAttempt.at).desc(), col(CallAttempt.id).desc())
    ).all()
    return [(a, u) for a, u in rows]


def case_callbacks(session: Session, case_id: int) -> list[Callback]:
    """A case's call-backs, open ones first, then by time."""
    rows = session.exec(select(Callback).where(Callback.case_id == case_id).order_by(col(Callback.due_at))).all()
    return sorted(rows, key=lambda c: c.done_at is not None)


# --- the worker's day ----------------------------------------------------------------------------------------


@dataclass
class QueueItem:
    """One case on a list, with what a phone needs to act on it in one tap."""

    case: Case
    phones: list[CasePhone]
    deadline: deadlines.DeadlineStatus
    callback: Callback | None = None
    interview: Interview | None = None
    last_attempt: CallAttempt | None = None
    overdue: bool = False
    callback_today: bool = False
    update_due: date | None = None

    @property
    def usable_phones(self) -> list[CasePhone]:
        """The numbers worth calling (not marked wrong)."""
        return usable_phones(self.phones)

    @property
    def wrong_phones(self) -> list[CasePhone]:
        """The numbers a call found wrong."""
        return [p for p in self.phones if p.wrong_since is not None]

    @property
    def all_numbers_wrong(self) -> bool:
        """Every number of the case is wrong: only a letter, an e-mail or a new number helps."""
        return all_numbers_wrong(self.phones)


@dataclass
class Today:
    """The worker's day: call-backs first, then new applications, interviews in progress, deadlines."""

    callbacks: list[QueueItem]
    to_call: list[QueueItem]
    interviews: list[QueueItem]
    deadlines: list[QueueItem]
    unassigned_count: int

    @property
    def empty(self) -> bool:
        """True when there is nothing to do today."""
        return not (self.callbacks or self.to_call or self.interviews or self.deadlines)


def _end_of_local_day(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=LOCAL_TZ)


def _items(session: Session, cases: list[Case], today: date) -> dict[int, QueueItem]:
    ids = [c.id for c in cases if c.id is not None]
    phones: dict[int, list[CasePhone]] = {}
    for phone in session.exec(
        select(CasePhone)
        .where(col(CasePhone.case_id).in_(ids))
        .order_by(col(CasePhone.wrong_since).is_not(None), col(CasePhone.position), col(CasePhone.id))
    ).all():
        phones.setdefault(phone.case_id, []).append(phone)
    last: dict[int, CallAttempt] = {}
    for attempt in session.exec(
        select(CallAttempt).where(col(CallAttempt.case_id).in_(ids)).order_by(col(CallAttempt.at), col(CallAttempt.id))
    ).all():
        last[attempt.case_id] = attempt
    return {
        c.id or 0: QueueItem(
            case=c,
            phones=phones.get(c.id or 0, []),
            deadline=deadlines.deadline_status(c.due_on, today) if c.state in OPEN_STATES else deadlines.DeadlineStatus.NONE,
            last_attempt=last.get(c.id or 0),
        )
        for c in cases
    }


def today_for(session: Session, *, actor: Principal, now: datetime | None = None) -> Today:
    """Everything on the worker's list today, each case once, in the order it should be worked."""
    now = now or utcnow()
    today = to_local(now).date()
    end_of_day = _end_of_local_day(today)

    # A fixed number of statements whatever the length of the list (query budget: tests/integration).
    open_callbacks = session.exec(
        select(Callback, Case)
        .join(Case, col(Case.id) == col(Callback.case_id))
        .where(
            Callback.worker_id == actor.id,
            col(Callback.done_at).is_(None),
            Case.office_id == actor.office_id,
        )
        .order_by(col(Callback.due_at))
    ).all()
    callbacks = [(callback, case) for callback, case in open_callbacks if callback.due_at < end_of_day]
    future_callbacks = {callback.case_id for callback, _case in open_callbacks if callback.due_at >= end_of_day}
    # The worker's open cases and, among their finished ones, permanent help that comes up for its update.
    mine = session.exec(
        select(Case)
        .where(
            Case.office_id == actor.office_id,
            Case.assigned_worker_id == actor.id,
            or_(
                col(Case.state).in_([s.value for s in OPEN_STATES]),
                and_(
                    col(Case.permanent_help).is_(True),
                    col(Case.state) == CaseState.INTERVIEW_DONE,
                    col(Case.last_interview_completed_at).is_not(None),
                ),
            ),
        )
        .order_by(col(Case.urgent).desc(), col(Case.due_on), col(Case.id))
    ).all()
    mine_open = [case for case in mine if case.state in OPEN_STATES]
    permanent = sorted((case for case in mine if case.state not in OPEN_STATES), key=lambda c: c.id or 0)
    interviews = session.exec(
        select(Interview, Case)
        .join(Case, col(Case.id) == col(Interview.case_id))
        .where(
            Interview.worker_id == actor.id,
            Interview.state == InterviewState.IN_PROGRESS,
            Interview.office_id == actor.office_id,
        )
        .order_by(col(Interview.updated_at).desc())
    ).all()
    all_cases = (
        {c.id: c for _cb, c in callbacks} | {c.id: c for c in mine} | {c.id: c for _i, c in interviews}
    )
    items = _items(session, list(all_cases.values()), today)

    shown: set[int] = set()
    callback_items: list[QueueItem] = []
    for callback, case in callbacks:
        if case.id in shown:
            continue
        item = items[case.id or 0]
        item.callback = callback
        item.overdue = callback.due_at < now
        item.callback_today = to_local(callback.due_at).date() == today
        callback_items.append(item)
        shown.add(case.id or 0)
    interview_items: list[QueueItem] = []
    for interview, case in interviews:
        if case.id in shown:
            continue
        item = items[case.id or 0]
        item.interview = interview
        interview_items.append(item)
        shown.add(case.id or 0)
    to_call: list[QueueItem] = []
    deadline_items: list[QueueItem] = []
    for case in mine_open:
        if case.id in shown:
            continue
        item = items[case.id or 0]
        if case.state in (CaseState.NEW, CaseState.CONTACTING) and case.id not in future_callbacks:
            to_call.append(item)
        elif item.deadline in (deadlines.DeadlineStatus.OVERDUE, deadlines.DeadlineStatus.SOON):
            deadline_items.append(item)
        else:
            continue
        shown.add(case.id or 0)
    # Permanent help: the six-monthly update shows up among the deadlines ten working days ahead.
    update_horizon = deadlines.add_working_days(today, UPDATE_NOTICE_WORKING_DAYS)
    for case in permanent:
        completed = case.last_interview_completed_at
        due = deadlines.update_due(to_local(completed).date()) if completed else None
        if case.id in shown or due is None or due > update_horizon:
            continue
        item = items[case.id or 0]
        item.update_due = due
        item.deadline = deadlines.deadline_status(due, today)
        deadline_items.append(item)
        shown.add(case.id or 0)
    # The call section keeps urgent and overdue first: the deadline is what the law counts.
    to_call.sort(key=lambda i: (not i.case.urgent, i.case.due_on or date.max, i.case.id or 0))
    unassigned = session.exec(
        select(func.count())
        .select_from(Case)
        .where(
            Case.office_id == actor.office_id,
            col(Case.assigned_worker_id).is_(None),
            col(Case.state).in_([s.value for s in OPEN_STATES]),
        )
    ).one()
    return Today(
        callbacks=callback_items,
        to_call=to_call,
        interviews=interview_items,
        deadlines=deadline_items,
        unassigned_count=int(unassigned),
    )


# --- finding cases -------------------------------------------------------------------------------------------


@dataclass
class CaseFilters:
    """Search and filters of the case list (all optional)."""

    q: str = ""
    state: str = ""
    worker: str = ""  # "", "me", "none" or a worker id
    deadline: str = ""  # "", "overdue", "soon"
    other_route: bool = False
    page: int = 1

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> CaseFilters:
        """Build from query arguments, ignoring what does not parse."""
        page_raw = str(data.get("page", "1") or "1")
        return cls(
            q=str(data.get("q", "") or "").strip(),
            state=str(data.get("state", "") or ""),
            worker=str(data.get("worker", "") or ""),
            deadline=str(data.get("deadline", "") or ""),
            other_route=str(data.get("other_route", "")) in ("1", "on"),
            page=page_number(page_raw),
        )

    @property
    def problem(self) -> str | None:
        """Why the search text cannot be searched for as typed (too long, digits of another script)."""
        try:
            limited(self.q, SEARCH_MAX)
            digits(self.q)
        except FieldError as exc:
            return exc.message
        return None

    def args(self, **changes: Any) -> dict[str, Any]:
        """Query arguments for links (pagination) keeping the other filters."""
        values: dict[str, Any] = {
            "q": self.q, "state": self.state, "worker": self.worker, "deadline": self.deadline,
            "other_route": "1" if self.other_route else "", "page": self.page,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in ("", None) and not (k == "page" and v == 1)}


@dataclass
class CasePage:
    """One page of search results."""

    items: list[QueueItem]
    total: int
    page: int
    pages: int
    workers: dict[int, User]

    @property
    def paging(self) -> Page[QueueItem]:
        """The page for the shared pager (templates/macros/pager.html)."""
        return Page(items=self.items, number=self.page, total=self.total, size=PAGE_SIZE)


def _search_clause(session: Session, actor: Principal, q: str) -> ColumnElement[bool] | None:
    if not q:
        return None
    q = digits(q)  # full-width digits search like the ones stored; other scripts were refused (filters.problem)
    typed_digits = re.sub(r"[^0-9]", "", q)
    if "/" in q:
        return col(Case.reference).ilike(f"%{q}%")
    if typed_digits and len(typed_digits) >= 3 and not re.search(r"[^0-9\s+()-]", q):
        options: list[ColumnElement[bool]] = [col(Case.pesel).startswith(typed_digits)]
        key = phone_search_key(q)
        phone_like = select(CasePhone.case_id).where(
            or_(col(CasePhone.number).contains(typed_digits), col(CasePhone.number) == (key or ""))
        )
        options.append(col(Case.id).in_(phone_like))
        return or_(*options)
    # Names are compared without case and diacritics ("lecka" finds "Łęcka") through the stored folded name,
    # which neither SQLite's LIKE nor PostgreSQL without extensions could do on the name itself.
    key = name_key(q)
    return col(Case.search_name).contains(key, autoescape=True) if key else None


def search_cases(session: Session, *, actor: Principal, filters: CaseFilters, today: date) -> CasePage:
    """Cases the actor may see matching the search and filters, urgent and earliest deadline first."""
    if filters.problem:
        return CasePage(items=[], total=0, page=1, pages=1, workers={})
    conditions: list[ColumnElement[bool]] = [visibility_clause(actor)]
    clause = _search_clause(session, actor, filters.q)
    if clause is not None:
        conditions.append(clause)
    if filters.state in {s.value for s in CaseState}:
        conditions.append(col(Case.state) == filters.state)
    if filters.worker == "me":
        conditions.append(col(Case.assigned_worker_id) == actor.id)
    elif filters.worker == "none":
        conditions.append(col(Case.assigned_worker_id).is_(None))
    elif parse_id(filters.worker) is not None and sees_whole_office(actor):
        conditions.append(col(Case.assigned_worker_id) == parse_id(filters.worker))
    if filters.deadline in ("overdue", "soon"):
        conditions.append(col(Case.state).in_([s.value for s in OPEN_STATES]))
        if filters.deadline == "overdue":
            conditions.append(col(Case.due_on) < today)
        else:
            conditions.append(and_(col(Case.due_on) >= today, col(Case.due_on) <= deadlines.soon_limit(today)))
    if filters.other_route:
        conditions.append(col(Case.needs_other_route).is_(True))
    where = and_(*conditions)
    total = int(session.exec(select(func.count()).select_from(Case).where(where)).one())
    pages = page_count(total, PAGE_SIZE)
    page = clamp(filters.page, total, PAGE_SIZE)
    cases = session.exec(
        select(Case)
        .where(where)
        .order_by(col(Case.urgent).desc(), col(Case.due_on), col(Case.id).desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    items = _items(session, list(cases), today)
    worker_ids = {c.assigned_worker_id for c in cases if c.assigned_worker_id}
    workers = {u.id or 0: u for u in session.exec(select(User).where(col(User.id).in_(worker_ids))).all()}
    return CasePage(items=[items[c.id or 0] for c in cases], total=total, page=page, pages=pages, workers=workers)


@dataclass
class TeamRow:
    """One worker's queue in numbers (or the unassigned cases when `worker` is None)."""

    worker: User | None
    open: int = 0
    overdue: int = 0
    soon: int = 0
    other_route: int = 0
    callbacks_due: int = 0


def team_queue(session: Session, *, actor: Principal, now: datetime | None = None) -> list[TeamRow]:
    """The office's open cases per worker: how many, overdue, due soon, needing a letter, call-backs due today."""
    if not sees_whole_office(actor):
        abort(403)
    now = now or utcnow()
    today = to_local(now).date()
    limit = deadlines.soon_limit(today)
    rows: dict[int | None, TeamRow] = {u.id: TeamRow(worker=u) for u in office_workers(session, actor.office_id)}
    rows[None] = TeamRow(worker=None)
    cases = session.exec(
        select(Case).where(Case.office_id == actor.office_id, col(Case.state).in_([s.value for s in OPEN_STATES]))
    ).all()
    for case in cases:
        row = rows.get(case.assigned_worker_id)
        if row is None:
            continue  # assigned to someone no longer active as a worker: shown under their filter only
        row.open += 1
        if case.due_on and case.due_on < today:
            row.overdue += 1
        elif case.due_on and case.due_on <= limit:
            row.soon += 1
        if case.needs_other_route:
            row.other_route += 1
    due = session.exec(
        select(Callback.worker_id, func.count())
        .join(Case, col(Case.id) == col(Callback.case_id))
        .where(
            Case.office_id == actor.office_id,
            col(Callback.done_at).is_(None),
            col(Callback.due_at) < _end_of_local_day(today),
        )
        .group_by(col(Callback.worker_id))
    ).all()
    for worker_id, count in due:
        if worker_id in rows:
            rows[worker_id].callbacks_due = int(count)
    return list(rows.values())
