"""A case's phone numbers: adding one, marking one wrong or right again."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from app import audit
from app.auth.services import Principal
from app.cases.contact.attempts import failed_streak
from app.cases.models import (
    Case,
    CasePhone,
    CaseState,
)
from app.clock import utcnow
from app.errors import InvalidInput, NotFound
from app.fields import (
    PHONE_LABEL_MAX,
    FieldError,
    parse_phone,
)
from app.web.forms import PostedForm


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


# --- phone numbers -------------------------------------------------------------------------------------------


@dataclass
class PhoneForm(PostedForm):
    """A number typed to add to a case, kept verbatim for re-display."""

    phone: str = ""
    label: str = ""


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
    audit.log(session, "case.other_route_cleared", actor=actor, obj=case, reason=reason)


def add_phone(
    session: Session, *, actor: Principal, case: Case, form: PhoneForm, threshold: int, now: datetime | None = None
) -> CasePhone:
    """Add a number to an existing case (validated like registration); failed calls before it stop counting."""
    now = now or utcnow()
    if case.office_id != actor.office_id:
        raise NotFound()
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
        raise InvalidInput(errors)
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
    audit.log(session, "case.phone_add", actor=actor, obj=phone, office_id=case.office_id, case_id=case.id)
    _phone_route_restored(session, actor=actor, case=case, threshold=threshold, reason="phone_added")
    return phone


def case_phone(session: Session, case: Case, phone_id: int) -> CasePhone:
    """A number of this case, else 404."""
    phone = session.get(CasePhone, phone_id)
    if phone is None or phone.case_id != case.id:
        raise NotFound()
    return phone


def unmark_wrong_phone(session: Session, *, actor: Principal, case: Case, phone: CasePhone, threshold: int) -> bool:
    """The number is correct after all: offer it again. False when it was not marked (nothing to undo)."""
    if case.office_id != actor.office_id or phone.case_id != case.id:
        raise NotFound()
    if phone.wrong_since is None:
        return False
    phone.wrong_since = None
    phone.wrong_by_id = None
    session.add(phone)
    session.flush()
    audit.log(session, "case.phone_correct", actor=actor, obj=phone, office_id=case.office_id, case_id=case.id)
    _phone_route_restored(session, actor=actor, case=case, threshold=threshold, reason="phone_correct")
    return True
