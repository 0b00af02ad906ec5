"""Registering an application (case): the form, its checks, numbering and likely duplicates."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, select

from app import audit
from app.auth.models import Role
from app.auth.services import Principal
from app.cases import deadlines, numbering, office_settings
from app.cases.access import may_see
from app.cases.models import (
    Case,
    CasePhone,
    CaseState,
    Channel,
    RequestedHelp,
)
from app.clock import local_today
from app.errors import InvalidInput
from app.fields import (
    DETAIL_MAX,
    NOTE_MAX,
    FieldError,
    codes,
    collect,
    parse_address,
    parse_date,
    parse_email,
    parse_name,
    parse_pesel,
    parse_phone,
)
from app.web.forms import PostedForm, posted_texts

PHONE_FIELDS = ("phone_1", "phone_2", "phone_3")


# --- names and search keys -----------------------------------------------------------------------------------



def requested_codes(case: Case) -> list[str]:
    """The requested kinds of help of a case, as codes."""
    return codes(case.requested)


# --- registration --------------------------------------------------------------------------------------------


@dataclass
class CaseForm(PostedForm):
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
        form = super().from_mapping(data)
        form.phones = list(posted_texts(data, PHONE_FIELDS).values())
        form.requested = [str(r) for r in requested]
        return form


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
    """Check every field and report all problems at once (InvalidInput), or return clean data."""
    errors: dict[str, str] = {}
    name = collect(errors, "applicant_name", parse_name, form.applicant_name) or ""

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

    email = ""
    try:
        email = parse_email(form.email)
    except FieldError as exc:
        errors["email"] = exc.message

    address = collect(errors, "address", parse_address, form.address) or ""

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
        raise InvalidInput(errors)
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
        # Without a phone number (letters, ePUAP filings) contact starts by letter, e-mail or ePUAP.
        state=CaseState.NEW if data.phones else CaseState.OTHER_ROUTE,
        needs_other_route=not data.phones,
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
    audit.log(session, "case.create", actor=actor, obj=case, channel=str(case.channel), urgent=case.urgent)
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
            visible=may_see(actor, c),
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
