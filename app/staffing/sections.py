"""Sections of the office: created and named in the directory by administrators, used by the rota."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, func, select

from app import audit
from app.auth.services import Principal
from app.db import office_row
from app.errors import InvalidInput
from app.fields import collect, parse_email
from app.staffing.models import Section, StaffPlacement
from app.web.forms import PostedForm

NAME_MAX = 120


def office_sections(session: Session, office_id: int) -> list[Section]:
    """The office's sections in their directory order."""
    return list(
        session.exec(
            select(Section).where(Section.office_id == office_id).order_by(col(Section.position), col(Section.name))
        ).all()
    )


def office_section(session: Session, office_id: int, section_id: int) -> Section:
    """A section of the office; LookupError for another office's or a missing one."""
    return office_row(session, Section, section_id, office_id)


@dataclass
class SectionForm(PostedForm):
    """A section as typed, kept verbatim for re-display."""

    name: str = ""
    email: str = ""

    @classmethod
    def of(cls, section: Section) -> SectionForm:
        """The form showing a stored section."""
        return cls(name=section.name, email=section.email)


def save_section(session: Session, *, actor: Principal, form: SectionForm, section: Section | None = None) -> Section:
    """Create a section (at the end of the list) or rename it; every field checked before anything is stored."""
    errors: dict[str, str] = {}
    name = " ".join(form.name.split())
    if not name:
        errors["name"] = str(_l("Podaj nazwę sekcji, np. „Świadczenia rodzinne i 500+”."))
    elif len(name) > NAME_MAX:
        errors["name"] = str(_l("Nazwa sekcji może mieć najwyżej %(n)d znaków.", n=NAME_MAX))
    else:
        clash = session.exec(
            select(Section.id).where(Section.office_id == actor.office_id, func.lower(Section.name) == name.lower())
        ).first()
        if clash is not None and (section is None or clash != section.id):
            errors["name"] = str(_l("Sekcja o tej nazwie już jest w książce telefonicznej."))
    email = collect(errors, "email", parse_email, form.email) or ""
    if errors:
        raise InvalidInput(errors)
    created = section is None
    if section is None:
        last = session.exec(select(func.max(Section.position)).where(Section.office_id == actor.office_id)).one()
        section = Section(office_id=actor.office_id, name=name, email=email, position=(last or 0) + 1)
    changed = sorted(k for k, v in (("name", name), ("email", email)) if created or getattr(section, k) != v)
    section.name, section.email = name, email
    session.add(section)
    session.flush()
    audit.log(session, "section.create" if created else "section.update", actor=actor, obj=section,
              office_id=actor.office_id, fields=changed)
    return section


def delete_section(session: Session, *, actor: Principal, section: Section) -> None:
    """Remove a section; its staff stay (without a section) and its numbers go with it (database cascade)."""
    placements = session.exec(select(StaffPlacement).where(StaffPlacement.section_id == section.id)).all()
    for placement in placements:
        placement.section_id = None
        session.add(placement)
    session.flush()
    audit.log(session, "section.delete", actor=actor, obj=section, office_id=actor.office_id,
              staff_unplaced=len(placements))
    session.delete(section)
    session.flush()
