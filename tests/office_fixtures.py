"""Helpers for the staffing, directory and guides tests (issue 18): cases, sections and a rota built directly."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from app.auth.models import Office, User
from app.cases.models import Case
from app.staffing.models import PatternKind, RotaPattern, Section, StaffGroup, StaffPlacement
from tests import factories


def make_case(db: Session, office: Office, *, assigned: User | None = None, phones: tuple[str, ...] = ("+48601234567",),
              name: str = "Halina Wróblewska") -> Case:
    """A new committed case of the office with the phones given (tests/factories.py's newly registered case)."""
    return factories.make_new_case(db, office, assigned=assigned, phones=phones, name=name)


def make_section(db: Session, office: Office, name: str, position: int = 0) -> Section:
    """A committed section of the office."""
    section = Section(office_id=office.id or 0, name=name, position=position)
    db.add(section)
    db.commit()
    return section


def make_rota(db: Session, office: Office, anchor: date, placements: list[tuple[User, Section | None, int]]) -> list[StaffGroup]:
    """Groups A and B alternating weekly from `anchor`, and each (user, section, group index) placed."""
    groups = [StaffGroup(office_id=office.id or 0, name=name, position=i) for i, name in enumerate(("Grupa A", "Grupa B"))]
    db.add_all(groups)
    db.flush()
    for user, section, group in placements:
        db.add(StaffPlacement(user_id=user.id or 0, office_id=office.id or 0, group_id=groups[group].id,
                              section_id=section.id if section else None))
    db.add(RotaPattern(office_id=office.id or 0, kind=PatternKind.ALTERNATE_WEEKS, anchor_monday=anchor))
    db.commit()
    return groups
