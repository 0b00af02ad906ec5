"""Who works in the office and who remotely on a given day, and the sections left with nobody or everybody inside.

Pure once the rows are loaded: `plan_days` reads the office's groups, pattern, placements and absences in a fixed
number of queries and computes every day from them, so a week costs the same whatever the office's size.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from sqlmodel import Session, col, select

from app.auth.models import User
from app.staffing.models import (
    AbsenceKind,
    PatternKind,
    RotaException,
    RotaPattern,
    Section,
    StaffGroup,
    StaffPlacement,
)
from app.staffing.sections import office_sections
from app.workdays import is_public_holiday

WORKDAYS = range(5)  # Monday to Friday


class Where(StrEnum):
    """Where a staff member works on a day."""

    OFFICE = "office"
    REMOTE = "remote"
    ABSENT = "absent"


class Alert(StrEnum):
    """Why a section's day needs the supervisor's attention."""

    NOBODY = "nobody"
    EVERYBODY = "everybody"


def monday_of(day: date) -> date:
    """The Monday of the day's week."""
    return day - timedelta(days=day.weekday())


def week_days(monday: date) -> list[date]:
    """Monday to Sunday of the week."""
    return [monday + timedelta(days=i) for i in range(7)]


@dataclass(frozen=True)
class Member:
    """A staff member in the rota (placed in a group)."""

    user_id: int
    name: str
    section_id: int | None
    group_id: int


@dataclass
class SectionDay:
    """One section on one day: who is in, who works remotely, who is away, and the warning if any."""

    section_id: int | None
    name: str
    office: list[str] = field(default_factory=list)
    remote: list[str] = field(default_factory=list)
    absent: list[tuple[str, AbsenceKind]] = field(default_factory=list)
    alert: Alert | None = None


@dataclass
class DayPlan:
    """The rota of one day for the whole office."""

    day: date
    working: bool
    sections: list[SectionDay] = field(default_factory=list)

    @property
    def warnings(self) -> list[SectionDay]:
        """Sections needing attention that day."""
        return [s for s in self.sections if s.alert is not None]

    def count(self, where: Where | str) -> int:
        """How many staff are in the office / remote / away."""
        where = Where(where)
        if where is Where.OFFICE:
            return sum(len(s.office) for s in self.sections)
        if where is Where.REMOTE:
            return sum(len(s.remote) for s in self.sections)
        return sum(len(s.absent) for s in self.sections)


@dataclass(frozen=True)
class Rota:
    """The office's rota rows, loaded once."""

    groups: list[StaffGroup]
    pattern: RotaPattern | None
    members: list[Member]
    sections: list[Section]
    absences: list[RotaException]

    @property
    def configured(self) -> bool:
        """True when there is a pattern and someone in a group."""
        return self.pattern is not None and bool(self.members)


def office_groups(session: Session, office_id: int) -> list[StaffGroup]:
    """The office's rotating groups in order."""
    return list(
        session.exec(
            select(StaffGroup)
            .where(StaffGroup.office_id == office_id)
            .order_by(col(StaffGroup.position), col(StaffGroup.id))
        ).all()
    )


def pattern_days(pattern: RotaPattern) -> dict[int, list[int]]:
    """Named-weekday pattern as {weekday: [group ids in the office]}."""
    try:
        raw = json.loads(pattern.weekdays or "{}")
    except ValueError:
        return {}
    if not isinstance(raw, dict):
        return {}
    days: dict[int, list[int]] = {}
    for key, ids in raw.items():
        if str(key).isdigit() and isinstance(ids, list):
            days[int(key)] = [int(i) for i in ids if isinstance(i, int)]
    return days


def load_rota(session: Session, office_id: int, first: date, last: date) -> Rota:
    """Everything needed to plan the days from `first` to `last` (five queries)."""
    rows = session.exec(
        select(StaffPlacement, User)
        .join(User, col(User.id) == col(StaffPlacement.user_id))
        .where(StaffPlacement.office_id == office_id, col(StaffPlacement.group_id).is_not(None),
               col(User.active).is_(True))
        .order_by(col(User.full_name))
    ).all()
    members = [Member(u.id or 0, u.full_name, p.section_id, p.group_id or 0) for p, u in rows]
    absences = session.exec(
        select(RotaException).where(
            RotaException.office_id == office_id, col(RotaException.starts_on) <= last, col(RotaException.ends_on) >= first
        )
    ).all()
    return Rota(
        groups=office_groups(session, office_id),
        pattern=session.get(RotaPattern, office_id),
        members=members,
        sections=office_sections(session, office_id),
        absences=list(absences),
    )


def groups_in_office(rota: Rota, day: date) -> set[int]:
    """Ids of the groups working in the office on a working day under the office's pattern."""
    pattern = rota.pattern
    if pattern is None or not rota.groups:
        return set()
    if pattern.kind == PatternKind.WEEKDAYS:
        return set(pattern_days(pattern).get(day.weekday(), []))
    weeks = (monday_of(day) - monday_of(pattern.anchor_monday)).days // 7
    return {rota.groups[weeks % len(rota.groups)].id or 0}


def is_working(day: date) -> bool:
    """Rota days: Monday to Friday except public holidays."""
    return day.weekday() in WORKDAYS and not is_public_holiday(day)


def _absence_on(absences: Iterable[RotaException], user_id: int, day: date) -> AbsenceKind | None:
    for absence in absences:
        if absence.user_id == user_id and absence.starts_on <= day <= absence.ends_on:
            return AbsenceKind(absence.kind)
    return None


def _alert(section: SectionDay) -> Alert | None:
    available = len(section.office) + len(section.remote)
    if not section.office:
        return Alert.NOBODY
    # One person cannot be split between groups: only a section of several people all inside is a risk.
    if available > 1 and len(section.office) == available:
        return Alert.EVERYBODY
    return None


def plan_day(rota: Rota, day: date) -> DayPlan:
    """The day's rota: sections in directory order, then staff without a section."""
    plan = DayPlan(day=day, working=is_working(day))
    if not plan.working or rota.pattern is None:
        return plan
    inside = groups_in_office(rota, day)
    by_section: dict[int | None, SectionDay] = {s.id: SectionDay(s.id, s.name) for s in rota.sections}
    for member in rota.members:
        target = by_section.get(member.section_id)
        if target is None:
            target = by_section.setdefault(None, SectionDay(None, ""))
        kind = _absence_on(rota.absences, member.user_id, day)
        if kind is not None:
            target.absent.append((member.name, kind))
        elif member.group_id in inside:
            target.office.append(member.name)
        else:
            target.remote.append(member.name)
    for section in by_section.values():
        staffed = section.office or section.remote or section.absent
        if section.section_id is not None and staffed:
            section.alert = _alert(section)
    plan.sections = [s for s in by_section.values() if s.office or s.remote or s.absent]
    return plan


def plan_days(session: Session, office_id: int, days: Sequence[date]) -> list[DayPlan]:
    """The rota of each day (in the order given)."""
    if not days:
        return []
    rota = load_rota(session, office_id, min(days), max(days))
    return [plan_day(rota, day) for day in days]


@dataclass
class WeekCoverage:
    """This week's rota for the supervisor's dashboard."""

    monday: date
    days: list[DayPlan]
    configured: bool

    @property
    def working_days(self) -> list[DayPlan]:
        """The days with a rota (Monday to Friday, holidays left out)."""
        return [d for d in self.days if d.working]

    @property
    def warning_count(self) -> int:
        """Section-days needing attention this week."""
        return sum(len(d.warnings) for d in self.days)


def week_coverage(session: Session, office_id: int, today: date) -> WeekCoverage:
    """The rota of the week containing `today`."""
    monday = monday_of(today)
    days = week_days(monday)
    rota = load_rota(session, office_id, days[0], days[-1])
    return WeekCoverage(monday=monday, days=[plan_day(rota, d) for d in days], configured=rota.configured)
