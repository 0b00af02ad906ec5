"""What the directory shows on a given day: current numbers, numbers that stopped (and since when), staff entries,
today's office hours. Expiry is a matter of the date asked for, so a number disappears on its own date."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session, col, select

from app.appointments.calendar import entry_rules
from app.auth.models import Office, User
from app.directory.models import DirectoryNumber, NumberKind, OfficeContact, StaffContact
from app.directory.services import office_contact, office_numbers, weekly_hours
from app.staffing.models import Section, StaffPlacement
from app.staffing.sections import office_sections
from app.workdays import is_public_holiday

# How long a number that stopped is still listed with "no longer in use since ...".
ENDED_NOTICE = timedelta(days=90)


def is_current(entry: DirectoryNumber, day: date) -> bool:
    """In use on `day`: started (or no start) and not yet at its end date (the end date itself is not in use)."""
    started = entry.valid_from is None or entry.valid_from <= day
    return started and (entry.valid_until is None or day < entry.valid_until)


def has_ended(entry: DirectoryNumber, day: date) -> bool:
    """No longer in use on `day`, and stopped recently enough to say so."""
    return entry.valid_until is not None and entry.valid_until <= day < entry.valid_until + ENDED_NOTICE


def is_upcoming(entry: DirectoryNumber, day: date) -> bool:
    """Announced: starts after `day`."""
    return entry.valid_from is not None and entry.valid_from > day


@dataclass
class SectionEntry:
    """A section with its numbers in use."""

    section: Section
    numbers: list[DirectoryNumber] = field(default_factory=list)


@dataclass(frozen=True)
class StaffEntry:
    """One person in the directory: what may be shown of them."""

    user_id: int
    name: str
    section_id: int | None
    phone: str
    email: str


@dataclass(frozen=True)
class TodayHours:
    """The office's hours today: the text, or closed (a holiday, a day without hours)."""

    weekday: int
    hours: str
    holiday: bool


@dataclass
class Directory:
    """The whole directory as of one day."""

    office: Office
    contact: OfficeContact
    day: date
    general: list[DirectoryNumber]
    fax: list[DirectoryNumber]
    sections: list[SectionEntry]
    special: list[DirectoryNumber]
    upcoming: list[DirectoryNumber]
    ended: list[DirectoryNumber]
    staff: list[StaffEntry]
    hours: list[str]
    visit_rules: list[str]  # as the visit setup states them (one place: appointments), one rule per line

    @property
    def today(self) -> TodayHours:
        """Today's office hours."""
        holiday = is_public_holiday(self.day)
        return TodayHours(self.day.weekday(), "" if holiday else self.hours[self.day.weekday()], holiday)

    @property
    def has_hours(self) -> bool:
        """False until the office entered its hours (then the page says nothing about them rather than "closed")."""
        return any(self.hours)

    def staff_of(self, section_id: int | None) -> list[StaffEntry]:
        """The listed staff of a section (None: without a section)."""
        return [s for s in self.staff if s.section_id == section_id]


def _staff(session: Session, office_id: int, public: bool) -> list[StaffEntry]:
    rows = session.exec(
        select(User.id, User.full_name, StaffPlacement.section_id, StaffContact)
        .join(StaffContact, col(StaffContact.user_id) == col(User.id))
        .join(StaffPlacement, col(StaffPlacement.user_id) == col(User.id), isouter=True)
        .where(User.office_id == office_id, col(User.active).is_(True))
        .order_by(col(User.full_name))
    ).all()
    entries = []
    for user_id, name, section_id, contact in rows:
        phone = contact.phone if (contact.phone_public or not public) else ""
        email = contact.email if (contact.email_public or not public) else ""
        if phone or email:
            entries.append(StaffEntry(user_id or 0, name, section_id, phone, email))
    return entries


def directory_on(session: Session, office: Office, day: date, *, public: bool) -> Directory:
    """The directory as of `day`; `public` leaves out what staff did not choose to publish."""
    office_id = office.id or 0
    numbers = office_numbers(session, office_id)
    current = [n for n in numbers if is_current(n, day)]
    sections = [SectionEntry(s) for s in office_sections(session, office_id)]
    by_id = {entry.section.id: entry for entry in sections}
    for number in current:
        if number.kind == NumberKind.SECTION and number.section_id in by_id:
            by_id[number.section_id].numbers.append(number)
    contact = office_contact(session, office_id)
    return Directory(
        office=office,
        contact=contact,
        day=day,
        general=[n for n in current if n.kind == NumberKind.GENERAL],
        fax=[n for n in current if n.kind == NumberKind.FAX],
        sections=sections,
        special=[n for n in current if n.kind == NumberKind.SPECIAL],
        upcoming=[n for n in numbers if is_upcoming(n, day)],
        ended=sorted((n for n in numbers if has_ended(n, day)), key=lambda n: n.valid_until or day, reverse=True),
        staff=_staff(session, office_id, public),
        hours=weekly_hours(contact),
        visit_rules=[line.strip() for line in entry_rules(session, office_id).splitlines() if line.strip()],
    )
