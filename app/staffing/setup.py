"""The supervisor's rota set-up: groups, who is in which section and group, and the rotation pattern.

One form, validated as a whole and stored as a whole: a rota is never half-saved.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from app import audit
from app.auth.models import User
from app.auth.services import Principal
from app.clock import local_now
from app.errors import InvalidInput
from app.fields import collect, parse_day
from app.staffing.models import PatternKind, RotaPattern, Section, StaffGroup, StaffPlacement
from app.staffing.rota import WORKDAYS, monday_of, office_groups, pattern_days
from app.staffing.sections import office_sections
from app.web.ids import parse_id

MIN_GROUPS, MAX_GROUPS = 2, 4
GROUP_NAME_MAX = 60
DEFAULT_GROUP_NAMES = (_l("Grupa A"), _l("Grupa B"))


def office_staff(session: Session, office_id: int) -> list[User]:
    """Active accounts of the office, by name: everyone who may be placed in the rota."""
    return list(
        session.exec(
            select(User).where(User.office_id == office_id, col(User.active).is_(True)).order_by(col(User.full_name))
        ).all()
    )


@dataclass
class GroupRow:
    """A group line of the form: `g<id>` for a stored group, `n<i>` for a new one."""

    key: str
    name: str


@dataclass
class MemberRow:
    """A staff line of the form: the chosen section id and group key as posted."""

    user_id: int
    name: str
    section: str = ""
    group: str = ""


@dataclass
class SetupForm:
    """The whole rota set-up as typed, kept verbatim for re-display."""

    groups: list[GroupRow] = field(default_factory=list)
    members: list[MemberRow] = field(default_factory=list)
    kind: str = PatternKind.ALTERNATE_WEEKS.value
    anchor: str = ""
    weekdays: dict[int, list[str]] = field(default_factory=dict)

    def group_keys(self) -> list[str]:
        """Keys of the groups that have a name (the ones that will exist)."""
        return [g.key for g in self.groups if g.name.strip()]


def _new_rows(existing: int, defaults: bool) -> list[GroupRow]:
    rows = [GroupRow(f"n{i + 1}", str(name)) for i, name in enumerate(DEFAULT_GROUP_NAMES)] if defaults else []
    if existing + len(rows) < MAX_GROUPS:
        rows.append(GroupRow(f"n{len(rows) + 1}", ""))
    return rows


def current_form(session: Session, office_id: int) -> SetupForm:
    """The form showing what is stored (two default groups when there are none yet)."""
    groups = office_groups(session, office_id)
    placements = {
        p.user_id: p for p in session.exec(select(StaffPlacement).where(StaffPlacement.office_id == office_id)).all()
    }
    pattern = session.get(RotaPattern, office_id)
    form = SetupForm(
        groups=[GroupRow(f"g{g.id}", g.name) for g in groups] + _new_rows(len(groups), defaults=not groups),
        anchor=(pattern.anchor_monday if pattern else monday_of(local_now().date())).isoformat(),
        kind=pattern.kind if pattern else PatternKind.ALTERNATE_WEEKS.value,
    )
    for user in office_staff(session, office_id):
        placement = placements.get(user.id or 0)
        form.members.append(MemberRow(
            user_id=user.id or 0, name=user.full_name,
            section=str(placement.section_id) if placement and placement.section_id else "",
            group=f"g{placement.group_id}" if placement and placement.group_id else "",
        ))
    if pattern is not None and pattern.kind == PatternKind.WEEKDAYS:
        form.weekdays = {day: [f"g{i}" for i in ids] for day, ids in pattern_days(pattern).items()}
    return form


def posted_form(session: Session, office_id: int, data: Mapping[str, Any],
                getlist: Callable[[str], list[str]]) -> SetupForm:
    """The form as posted: group rows, one line per active staff member, the pattern."""
    stored = office_groups(session, office_id)
    keys = [f"g{g.id}" for g in stored] + [f"n{i}" for i in range(1, MAX_GROUPS + 1)]
    groups = [GroupRow(k, str(data.get(f"group-{k}", "") or "")) for k in keys if f"group-{k}" in data]
    return SetupForm(
        groups=groups,
        members=[
            MemberRow(u.id or 0, u.full_name, str(data.get(f"section-{u.id}", "") or ""),
                      str(data.get(f"member-{u.id}", "") or ""))
            for u in office_staff(session, office_id)
        ],
        kind=str(data.get("kind", "") or ""),
        anchor=str(data.get("anchor", "") or ""),
        weekdays={day: [str(v) for v in getlist(f"day-{day}")] for day in WORKDAYS},
    )


@dataclass
class _Checked:
    names: dict[str, str]
    kind: PatternKind
    anchor: date
    sections: dict[int, int | None]
    groups: dict[int, str | None]


def _check_groups(form: SetupForm, stored: list[StaffGroup], errors: dict[str, str]) -> dict[str, str]:
    names: dict[str, str] = {}
    seen: set[str] = set()
    known = {f"g{g.id}" for g in stored}
    for row in form.groups:
        name = " ".join(row.name.split())
        if not name:
            continue
        if not (row.key in known or (row.key.startswith("n") and row.key[1:].isdigit())):
            continue
        if len(name) > GROUP_NAME_MAX:
            errors[f"group-{row.key}"] = str(_l("Nazwa grupy może mieć najwyżej %(n)d znaków.", n=GROUP_NAME_MAX))
        elif name.lower() in seen:
            errors[f"group-{row.key}"] = str(_l("Dwie grupy nie mogą się tak samo nazywać."))
        seen.add(name.lower())
        names[row.key] = name
    if not MIN_GROUPS <= len(names) <= MAX_GROUPS:
        errors["groups"] = str(_l("Grafik potrzebuje od %(a)d do %(b)d grup (każda z nazwą).", a=MIN_GROUPS, b=MAX_GROUPS))
    return names


def _check(session: Session, office_id: int, form: SetupForm) -> _Checked:
    errors: dict[str, str] = {}
    stored = office_groups(session, office_id)
    names = _check_groups(form, stored, errors)
    section_ids = {s.id for s in office_sections(session, office_id)}
    sections: dict[int, int | None] = {}
    groups: dict[int, str | None] = {}
    for member in form.members:
        sections[member.user_id] = parse_id(member.section)
        if member.section and sections[member.user_id] not in section_ids:
            errors[f"section-{member.user_id}"] = str(_l("Wybierz sekcję z listy."))
        groups[member.user_id] = member.group or None
        if member.group and member.group not in names:
            errors[f"member-{member.user_id}"] = str(_l("Wybierz grupę z listy (albo „poza grafikiem”)."))
    for key, name in names.items():
        if key not in groups.values():
            errors[f"group-{key}"] = str(_l("W grupie „%(g)s” nie ma nikogo. Przypisz do niej pracowników poniżej albo usuń "
                                            "grupę, zostawiając jej nazwę pustą.", g=name))
    kind: PatternKind | None = None
    if form.kind in {k.value for k in PatternKind}:
        kind = PatternKind(form.kind)
    else:
        errors["kind"] = str(_l("Wybierz, jak grupy się zmieniają."))
    anchor: date | None = None
    if kind is PatternKind.ALTERNATE_WEEKS:
        anchor = collect(errors, "anchor", parse_day, form.anchor,
                         missing=str(_l("Podaj dzień tygodnia, w którym pierwsza grupa pracuje w ośrodku.")))
    elif kind is PatternKind.WEEKDAYS:
        anchor = monday_of(local_now().date())
        chosen = [k for day in WORKDAYS for k in form.weekdays.get(day, [])]
        if not any(k in names for k in chosen):
            errors["weekdays"] = str(_l("Zaznacz, w które dni która grupa pracuje w ośrodku."))
    if errors or kind is None or anchor is None:
        raise InvalidInput(errors)
    return _Checked(names, kind, monday_of(anchor), sections, groups)


def save_setup(session: Session, *, actor: Principal, form: SetupForm) -> None:
    """Validate the whole set-up (InvalidInput naming each field) and store groups, placements and the pattern."""
    checked = _check(session, actor.office_id, form)
    stored = {f"g{g.id}": g for g in office_groups(session, actor.office_id)}
    by_key: dict[str, StaffGroup] = {}
    for position, (key, name) in enumerate(checked.names.items()):
        group = stored.get(key) or StaffGroup(office_id=actor.office_id, name=name)
        group.name, group.position = name, position
        session.add(group)
        by_key[key] = group
    session.flush()
    placements = {
        p.user_id: p for p in session.exec(select(StaffPlacement).where(StaffPlacement.office_id == actor.office_id)).all()
    }
    for user_id, section_id in checked.sections.items():
        chosen = checked.groups.get(user_id)
        placement = placements.get(user_id) or StaffPlacement(user_id=user_id, office_id=actor.office_id)
        placement.section_id = section_id
        placement.group_id = by_key[chosen].id if chosen else None
        placement.updated_by_id = actor.id
        session.add(placement)
    removed = [g for k, g in stored.items() if k not in by_key]
    for placement in placements.values():
        # Disabled accounts are not on the form; they leave a removed group too.
        if placement.user_id not in checked.sections and placement.group_id in {g.id for g in removed}:
            placement.group_id = None
            session.add(placement)
    session.flush()
    for group in removed:
        session.delete(group)
    pattern = session.get(RotaPattern, actor.office_id) or RotaPattern(
        office_id=actor.office_id, kind=checked.kind, anchor_monday=checked.anchor
    )
    pattern.kind, pattern.anchor_monday, pattern.updated_by_id = checked.kind, checked.anchor, actor.id
    days = {str(day): [by_key[k].id for k in form.weekdays.get(day, []) if k in by_key] for day in WORKDAYS}
    pattern.weekdays = json.dumps(days if checked.kind is PatternKind.WEEKDAYS else {})
    session.add(pattern)
    session.flush()
    audit.log(session, "rota.setup", actor=actor, object_type="rota_pattern", object_id=actor.office_id,
              kind=checked.kind.value, groups=len(by_key), groups_removed=len(removed),
              in_rota=sum(1 for k in checked.groups.values() if k))


def sections_for_form(session: Session, office_id: int) -> list[Section]:
    """Sections offered in the set-up's selects."""
    return office_sections(session, office_id)
