"""Idempotent demo seed: the demo office, one account per role, then each feature's seeder."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlmodel import Session, select

from app.auth.demo import DemoContext, Seeder
from app.auth.models import Office, Role
from app.auth.services import create_user, find_user

DEMO_OFFICE = {
    "name": "Miejski Ośrodek Pomocy Społecznej w Przykładowie (demo)",
    "address": "ul. Źródlana 7, 00-950 Przykładowo",
    "phone": "+48 22 000 00 00",
    "short_name": "MOPS Przykładowo",
    "email": "sekretariat@mops-przykladowo.example.pl",
}
DEMO_ACCOUNTS: list[tuple[str, str, set[Role]]] = [
    ("demo-worker", "Anna Kowalczyk-Łęcka", {Role.WORKER}),
    ("demo-psychologist", "Ewa Wiśniewska", {Role.PSYCHOLOGIST}),
    ("demo-supervisor", "Zbigniew Żółkiewski", {Role.SUPERVISOR}),
    ("demo-admin", "Jolanta Ślęzak", {Role.ADMIN}),
    ("demo-reception", "Teresa Nowak-Bąk", {Role.RECEPTION}),
]


def feature_seeders() -> list[Seeder]:
    """Each feature's demo seeder, in dependency order: cases, interviews, referrals, reports, appointments, directory, rota."""
    from app.appointments.demo import seed_appointments
    from app.cases.demo import seed_cases
    from app.directory.demo import seed_directory, seed_staff_entries
    from app.interviews.demo import seed_interviews
    from app.referrals.demo import seed_referrals
    from app.reports.demo import seed_reports
    from app.staffing.demo import seed_staffing

    return [seed_cases, seed_interviews, seed_referrals, seed_reports, seed_appointments, seed_directory, seed_staffing,
            seed_staff_entries]


@dataclass
class SeedResult:
    """What the seed did, for the CLI to print."""

    created_accounts: list[str]
    password: str | None
    context: DemoContext | None = None


def is_empty(session: Session) -> bool:
    """True when the database holds no office yet."""
    return session.exec(select(Office.id)).first() is None


def seed(session: Session, password: str | None) -> SeedResult:
    """Create the demo office and accounts if missing, then run feature seeders; safe to repeat."""
    office = session.exec(select(Office).where(Office.name == DEMO_OFFICE["name"])).first()
    if office is None:
        office = Office.model_validate(DEMO_OFFICE)
        session.add(office)
        session.flush()
    assert office.id is not None  # noqa: S101
    known = password is not None
    password = password or secrets.token_urlsafe(12)
    created: list[str] = []
    context = DemoContext(office=office)
    for username, full_name, roles in DEMO_ACCOUNTS:
        user = find_user(session, username)
        if user is None:
            user = create_user(
                session, office_id=office.id, username=username, full_name=full_name, password=password, roles=roles
            )
            created.append(username)
        context.users[username] = user
    context.password = password if known or len(created) == len(DEMO_ACCOUNTS) else None
    for seeder in feature_seeders():
        seeder(session, context)
    return SeedResult(created_accounts=created, password=password if created else None, context=context)
