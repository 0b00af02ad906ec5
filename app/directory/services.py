"""Editing the directory: the office's contact details, numbers with validity dates, staff entries. Every change
is checked field by field (nothing half-stored) and audited."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, func, select

from app import audit
from app.auth.models import User
from app.auth.services import Principal
from app.db import office_row
from app.directory.models import DirectoryNumber, NumberKind, OfficeContact, StaffContact
from app.errors import InvalidInput
from app.fields import (
    FieldError,
    collect,
    optional_day,
    parse_clock,
    parse_email,
    parse_phone,
    require_phone,
)
from app.staffing.models import Section
from app.web.forms import PostedForm, posted_texts
from app.web.ids import parse_id

SLUG = re.compile(r"^[a-z][a-z0-9-]{1,39}$")
RESERVED_SLUGS = frozenset({"guides", "en", "pl"})
EPUAP = re.compile(r"^/[^\s/]+/[^\s]+$")
HOURS_SPLIT = re.compile(r"\s*[-–—]\s*")
LABEL_MAX = 120
WEEKDAYS = range(7)


def office_contact(session: Session, office_id: int) -> OfficeContact:
    """The office's contact details (empty defaults, not stored, when none were saved yet)."""
    return session.get(OfficeContact, office_id) or OfficeContact(office_id=office_id)


def weekly_hours(contact: OfficeContact) -> list[str]:
    """Office hours Monday to Sunday ("" = closed)."""
    try:
        raw = json.loads(contact.hours or "[]")
    except ValueError:
        raw = []
    hours = [str(h) for h in raw] if isinstance(raw, list) else []
    return (hours + [""] * 7)[:7]


def _parse_hours(raw: str) -> str:
    """"7:30-15:30" (any dash, dots allowed) as "7:30–15:30"; blank means closed."""
    value = raw.strip()
    if not value:
        return ""
    parts = HOURS_SPLIT.split(value)
    if len(parts) != 2:
        raise FieldError(str(_l("Wpisz godziny jako od–do, np. 7:30–15:30, albo zostaw puste, gdy nieczynne.")))
    missing = str(_l("Wpisz godziny jako od–do, np. 7:30–15:30."))
    opens, closes = parse_clock(parts[0], missing=missing), parse_clock(parts[1], missing=missing)
    if closes <= opens:
        raise FieldError(str(_l("Godzina zamknięcia musi być późniejsza niż otwarcia.")))
    return f"{opens.hour}:{opens.minute:02d}–{closes.hour}:{closes.minute:02d}"


@dataclass
class ContactForm(PostedForm):
    """The office's contact details as typed, kept verbatim for re-display."""

    slug: str = ""
    applications_email: str = ""
    epuap_address: str = ""
    drop_box: str = ""
    hours: list[str] = field(default_factory=lambda: [""] * 7)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ContactForm:
        """Build from posted form data."""
        form = super().from_mapping(data)
        form.hours = list(posted_texts(data, (f"hours_{d}" for d in WEEKDAYS)).values())
        return form

    @classmethod
    def of(cls, contact: OfficeContact) -> ContactForm:
        """The form showing what is stored."""
        return cls(contact.slug or "", contact.applications_email, contact.epuap_address, contact.drop_box,
                   weekly_hours(contact))


def save_contact(session: Session, *, actor: Principal, form: ContactForm) -> OfficeContact:
    """Store the office's contact details after checking every field."""
    errors: dict[str, str] = {}
    slug = form.slug.strip().lower() or None
    if slug is not None and (not SLUG.match(slug) or slug in RESERVED_SLUGS):
        errors["slug"] = str(_l("Krótka nazwa: 2–40 znaków, małe litery bez polskich znaków, cyfry i „-”, "
                                "zaczyna się literą (np. gops-puck)."))
    elif slug is not None:
        taken = session.exec(select(OfficeContact.office_id).where(OfficeContact.slug == slug)).first()
        if taken is not None and taken != actor.office_id:
            errors["slug"] = str(_l("Tę krótką nazwę ma już inny ośrodek."))
    email = collect(errors, "applications_email", parse_email, form.applications_email) or ""
    epuap = form.epuap_address.strip()
    if epuap and (len(epuap) > 120 or not EPUAP.match(epuap)):
        errors["epuap_address"] = str(_l("Adres skrzynki ePUAP wygląda tak: /skrot-urzedu/SkrytkaESP."))
    drop_box = " ".join(form.drop_box.split())
    if len(drop_box) > 300:
        errors["drop_box"] = str(_l("Najwyżej 300 znaków."))
    hours = [collect(errors, f"hours_{day}", _parse_hours, raw) or ""
             for day, raw in zip(WEEKDAYS, (form.hours + [""] * 7)[:7], strict=True)]
    if errors:
        raise InvalidInput(errors)
    contact = session.get(OfficeContact, actor.office_id) or OfficeContact(office_id=actor.office_id)
    values: dict[str, Any] = {"slug": slug, "applications_email": email, "epuap_address": epuap, "drop_box": drop_box,
                              "hours": json.dumps(hours, ensure_ascii=False)}
    changed = sorted(k for k, v in values.items() if getattr(contact, k) != v)
    for key, value in values.items():
        setattr(contact, key, value)
    contact.updated_by_id = actor.id
    session.add(contact)
    session.flush()
    audit.log(session, "directory.contact", actor=actor, object_type="office_contact", object_id=actor.office_id,
              fields=changed)
    return contact


# --- numbers -------------------------------------------------------------------------------------------------


@dataclass
class NumberForm(PostedForm):
    """A directory number as typed, kept verbatim for re-display."""

    kind: str = NumberKind.SECTION.value
    section_id: str = ""
    label: str = ""
    number: str = ""
    valid_from: str = ""
    valid_until: str = ""

    @classmethod
    def of(cls, entry: DirectoryNumber) -> NumberForm:
        """The form showing a stored number."""
        return cls(str(entry.kind), str(entry.section_id or ""), entry.label, entry.number,
                   entry.valid_from.isoformat() if entry.valid_from else "",
                   entry.valid_until.isoformat() if entry.valid_until else "")


def office_numbers(session: Session, office_id: int) -> list[DirectoryNumber]:
    """Every number of the office (current, announced and ended), in directory order."""
    return list(
        session.exec(
            select(DirectoryNumber).where(DirectoryNumber.office_id == office_id)
            .order_by(col(DirectoryNumber.position), col(DirectoryNumber.id))
        ).all()
    )


def office_number(session: Session, office_id: int, number_id: int) -> DirectoryNumber:
    """A number of the office; LookupError otherwise."""
    return office_row(session, DirectoryNumber, number_id, office_id)


def save_number(session: Session, *, actor: Principal, form: NumberForm, entry: DirectoryNumber | None = None
                ) -> DirectoryNumber:
    """Add or change a number: a real phone number, its section when it is a section's, sensible validity dates."""
    errors: dict[str, str] = {}
    kind = NumberKind(form.kind) if form.kind in {k.value for k in NumberKind} else None
    if kind is None:
        errors["kind"] = str(_l("Wybierz, czyj to numer."))
    section_id = parse_id(form.section_id) if kind is NumberKind.SECTION else None
    if kind is NumberKind.SECTION:
        section = session.get(Section, section_id) if section_id is not None else None
        if section is None or section.office_id != actor.office_id:
            errors["section_id"] = str(_l("Wybierz sekcję, do której należy numer."))
    label = " ".join(form.label.split())
    if len(label) > LABEL_MAX:
        errors["label"] = str(_l("Opis może mieć najwyżej %(n)d znaków.", n=LABEL_MAX))
    elif kind is NumberKind.SPECIAL and not label:
        errors["label"] = str(_l("Opisz, do czego służy numer specjalny (np. „infolinia w czasie epidemii”)."))
    number = collect(errors, "number", require_phone, form.number, missing=str(_l("Podaj numer telefonu, np. 58 675 46 75.")))
    valid_from = optional_day(errors, "valid_from", form.valid_from)
    valid_until = optional_day(errors, "valid_until", form.valid_until)
    if valid_from and valid_until and valid_until <= valid_from:
        errors["valid_until"] = str(_l("Dzień wyłączenia numeru musi być późniejszy niż dzień, od którego działa."))
    if errors or kind is None or number is None:
        raise InvalidInput(errors)
    created = entry is None
    if entry is None:
        last = session.exec(select(func.max(DirectoryNumber.position)).where(DirectoryNumber.office_id == actor.office_id)
                            ).one()
        entry = DirectoryNumber(office_id=actor.office_id, kind=kind, number=number, position=(last or 0) + 1)
    values: dict[str, Any] = {"kind": kind, "section_id": section_id, "label": label, "number": number,
                              "valid_from": valid_from, "valid_until": valid_until}
    changed = sorted(k for k, v in values.items() if created or getattr(entry, k) != v)
    for key, value in values.items():
        setattr(entry, key, value)
    session.add(entry)
    session.flush()
    audit.log(session, "directory.number_add" if created else "directory.number_change", actor=actor, obj=entry,
              office_id=actor.office_id, kind=kind.value, fields=changed)
    return entry


def delete_number(session: Session, *, actor: Principal, entry: DirectoryNumber) -> None:
    """Remove a number from the directory (a number that merely stops: set its end date instead)."""
    audit.log(session, "directory.number_remove", actor=actor, obj=entry, office_id=actor.office_id,
              kind=str(entry.kind))
    session.delete(entry)
    session.flush()


def section_numbers_removed(session: Session, *, actor: Principal, section: Section) -> int:
    """Before a section goes: remove its numbers (audited), so the directory never lists an orphan."""
    entries = session.exec(select(DirectoryNumber).where(DirectoryNumber.section_id == section.id)).all()
    for entry in entries:
        delete_number(session, actor=actor, entry=entry)
    return len(entries)


# --- staff entries -------------------------------------------------------------------------------------------


@dataclass
class StaffForm(PostedForm):
    """A staff member's directory entry as typed."""

    phone: str = ""
    email: str = ""
    phone_public: bool = False
    email_public: bool = False

    @classmethod
    def of(cls, entry: StaffContact) -> StaffForm:
        """The form showing a stored entry."""
        return cls(entry.phone, entry.email, entry.phone_public, entry.email_public)


def staff_entry(session: Session, user: User) -> StaffContact:
    """The user's directory entry (an empty one, not stored, when none yet)."""
    return session.get(StaffContact, user.id) or StaffContact(user_id=user.id or 0, office_id=user.office_id)


def save_staff_entry(session: Session, *, actor: Principal, user: User, form: StaffForm) -> StaffContact:
    """Store a work number and e-mail; only the person themselves decides what is public."""
    errors: dict[str, str] = {}
    phone = collect(errors, "phone", parse_phone, form.phone)
    email = collect(errors, "email", parse_email, form.email) or ""
    own = user.id == actor.id
    if own and form.phone_public and not phone and "phone" not in errors:
        errors["phone"] = str(_l("Podaj numer, żeby pokazać go na stronie publicznej."))
    if own and form.email_public and not email and "email" not in errors:
        errors["email"] = str(_l("Podaj adres, żeby pokazać go na stronie publicznej."))
    if errors:
        raise InvalidInput(errors)
    entry = staff_entry(session, user)
    entry.phone, entry.email = phone or "", email
    if own:
        entry.phone_public, entry.email_public = form.phone_public, form.email_public
    entry.phone_public = entry.phone_public and bool(entry.phone)
    entry.email_public = entry.email_public and bool(entry.email)
    session.add(entry)
    session.flush()
    audit.log(session, "directory.staff_entry", actor=actor, object_type="staff_contact", object_id=user.id, own=own,
              phone_public=entry.phone_public, email_public=entry.email_public)
    return entry


def staff_entries(session: Session, office_id: int) -> list[tuple[User, StaffContact | None]]:
    """Active staff of the office with their entries, by name."""
    rows = session.exec(
        select(User, StaffContact)
        .join(StaffContact, col(StaffContact.user_id) == col(User.id), isouter=True)
        .where(User.office_id == office_id, col(User.active).is_(True))
        .order_by(col(User.full_name))
    ).all()
    return [(u, c) for u, c in rows]
