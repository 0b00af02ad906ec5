"""Demo rota and duty: a few colleagues, two groups alternating weekly, one absence, an evening duty every working
day this week. One section sits wholly in one group, so the rota warns about it every day (on purpose)."""

from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta

from sqlmodel import Session, select

from app.auth.demo import DemoContext
from app.auth.models import Role, User
from app.auth.services import create_user, find_user
from app.clock import LOCAL_TZ, local_now
from app.staffing.models import (
    AbsenceKind,
    DutySettings,
    DutySlot,
    PatternKind,
    RotaException,
    RotaPattern,
    Section,
    StaffGroup,
    StaffPlacement,
)
from app.staffing.rota import is_working, monday_of

# username, full name, section, group (0 = A, 1 = B); the demo accounts of app/demo/seed.py are placed too.
COLLEAGUES: list[tuple[str, str, str, int]] = [
    ("demo-socjalny-2", "Tomasz Wójcik", "Pracownicy socjalni", 1),
    ("demo-socjalny-3", "Małgorzata Dąbrowska-Kurek", "Pracownicy socjalni", 0),
    ("demo-swiadczenia-1", "Krystyna Żak", "Świadczenia rodzinne i wychowawcze 500+", 0),
    ("demo-swiadczenia-2", "Paweł Łuczak", "Świadczenia rodzinne i wychowawcze 500+", 1),
    ("demo-fundusz-1", "Beata Szymańska", "Fundusz alimentacyjny", 0),
    ("demo-fundusz-2", "Jerzy Kołodziej", "Fundusz alimentacyjny", 0),
]
PLACED_DEMO_ACCOUNTS: list[tuple[str, str | None, int]] = [
    ("demo-worker", "Pracownicy socjalni", 0),
    ("demo-supervisor", "Dyrekcja", 0),
    ("demo-admin", "Dyrekcja", 1),
    ("demo-psychologist", None, 1),
]
DUTY_NUMBER = "+48600900348"


def seed_staffing(session: Session, context: DemoContext) -> None:
    """Colleagues, groups, placements, the pattern, an absence and this week's evening duties (once per office)."""
    office_id = context.office.id or 0
    if session.get(RotaPattern, office_id) is not None:
        return
    sections = {s.name: s.id for s in session.exec(select(Section).where(Section.office_id == office_id)).all()}
    groups = [StaffGroup(office_id=office_id, name=name, position=i) for i, name in enumerate(("Grupa A", "Grupa B"))]
    session.add_all(groups)
    session.flush()
    password = context.password or secrets.token_urlsafe(16)
    placed: list[tuple[User, str | None, int]] = []
    for username, full_name, section, group in COLLEAGUES:
        user = find_user(session, username) or create_user(
            session, office_id=office_id, username=username, full_name=full_name, password=password, roles={Role.WORKER}
        )
        placed.append((user, section, group))
    for username, section_name, group in PLACED_DEMO_ACCOUNTS:
        account = context.users.get(username) or find_user(session, username)
        if account is not None:
            placed.append((account, section_name, group))
    for user, section_name, group in placed:
        session.add(StaffPlacement(user_id=user.id or 0, office_id=office_id, group_id=groups[group].id,
                                   section_id=sections.get(section_name) if section_name else None))
    today = local_now().date()
    monday = monday_of(today)
    session.add(RotaPattern(office_id=office_id, kind=PatternKind.ALTERNATE_WEEKS, anchor_monday=monday))
    sick = next(user for user, _, _ in placed if user.username == "demo-swiadczenia-2")
    session.add(RotaException(office_id=office_id, user_id=sick.id or 0, kind=AbsenceKind.SICK_LEAVE,
                              starts_on=monday + timedelta(days=1), ends_on=monday + timedelta(days=3)))
    session.add(DutySettings(office_id=office_id, number=DUTY_NUMBER,
                             note="Telefon dyżurny jest czynny także w święta, w godzinach podanych wyżej."))
    worker = context.users.get("demo-worker") or find_user(session, "demo-worker")
    if worker is not None:
        for day in (monday + timedelta(days=i) for i in range(5)):
            if is_working(day):
                session.add(DutySlot(office_id=office_id, worker_id=worker.id or 0,
                                     starts_at=datetime.combine(day, time(15, 30), tzinfo=LOCAL_TZ),
                                     ends_at=datetime.combine(day, time(19, 0), tzinfo=LOCAL_TZ)))
    session.flush()
