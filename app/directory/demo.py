"""Demo directory: the office's contact details, sections with numbers, a fax, and a special number that stopped."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlmodel import Session, select

from app.auth.demo import DemoContext
from app.auth.services import find_user
from app.clock import local_now
from app.directory.models import DirectoryNumber, NumberKind, OfficeContact, StaffContact
from app.staffing.models import Section

# (section, e-mail, [(number, label)]): fictional numbers laid out like a real centre's list.
SECTIONS: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("Dyrekcja", "", [("+48221002030", "dyrektor ośrodka")]),
    ("Świadczenia rodzinne i wychowawcze 500+", "swiadczenia@ops-przykladowo.example",
     [("+48221002031", ""), ("+48221002032", "")]),
    ("Fundusz alimentacyjny", "", [("+48221002033", "")]),
    ("Pracownicy socjalni", "socjalni@ops-przykladowo.example", [("+48221002034", ""), ("+48221002035", "")]),
    ("Księgowość i kadry", "", [("+48221002036", "księgowość"), ("+48221002037", "kadry")]),
]
def seed_directory(session: Session, context: DemoContext) -> None:
    """Contact details, sections and numbers of the demo office (once: skipped when it already has sections)."""
    office_id = context.office.id or 0
    if session.exec(select(Section.id).where(Section.office_id == office_id)).first() is not None:
        return
    today = local_now().date()
    session.add(OfficeContact(
        office_id=office_id, slug="demo", applications_email="wnioski@ops-przykladowo.example",
        epuap_address="/opsprzykladowo/SkrytkaESP", drop_box="w przedsionku budynku, ul. Źródlana 7",
        hours=json.dumps(["7:30–15:30"] * 5 + ["", ""], ensure_ascii=False),
    ))
    position = 0
    for index, (name, email, numbers) in enumerate(SECTIONS):
        section = Section(office_id=office_id, name=name, email=email, position=index + 1)
        session.add(section)
        session.flush()
        for number, label in numbers:
            position += 1
            session.add(DirectoryNumber(office_id=office_id, kind=NumberKind.SECTION, section_id=section.id,
                                        number=number, label=label, position=position))
    session.add_all([
        DirectoryNumber(office_id=office_id, kind=NumberKind.GENERAL, number="+48221002000", position=0),
        DirectoryNumber(office_id=office_id, kind=NumberKind.FAX, number="+48221002040", position=90),
        # The special line of the epidemic's first weeks: stopped a few days ago, so the page says since when.
        DirectoryNumber(office_id=office_id, kind=NumberKind.SPECIAL, number="+48600900091",
                        label="infolinia ośrodka w czasie epidemii", valid_from=today - timedelta(days=60),
                        valid_until=today - timedelta(days=5), position=91),
    ])
    session.flush()


# username, work phone, e-mail, phone public, e-mail public
STAFF_ENTRIES: list[tuple[str, str, str, bool, bool]] = [
    ("demo-worker", "+48221002034", "a.kowalczyk@ops-przykladowo.example", True, True),
    ("demo-socjalny-2", "+48221002035", "t.wojcik@ops-przykladowo.example", True, False),
    ("demo-swiadczenia-1", "+48221002031", "k.zak@ops-przykladowo.example", False, True),
    ("demo-supervisor", "+48221002030", "dyrektor@ops-przykladowo.example", False, False),
]


def seed_staff_entries(session: Session, context: DemoContext) -> None:
    """Work numbers of some demo staff, some of them public (after the rota seeder created the colleagues)."""
    office_id = context.office.id or 0
    if session.exec(select(StaffContact.user_id).where(StaffContact.office_id == office_id)).first() is not None:
        return
    for username, phone, email, phone_public, email_public in STAFF_ENTRIES:
        user = find_user(session, username)
        if user is not None and user.office_id == office_id:
            session.add(StaffContact(user_id=user.id or 0, office_id=office_id, phone=phone, email=email,
                                     phone_public=phone_public, email_public=email_public))
    session.flush()
