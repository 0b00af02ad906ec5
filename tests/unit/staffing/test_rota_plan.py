"""The rota of a day, computed from groups, the pattern, placements and absences (no database)."""

from __future__ import annotations

import json
from datetime import date

from app.staffing.models import AbsenceKind, PatternKind, RotaException, RotaPattern, Section, StaffGroup
from app.staffing.rota import Alert, Member, Rota, groups_in_office, monday_of, plan_day

MONDAY = date(2026, 3, 2)  # an ordinary working week
A, B = StaffGroup(id=1, office_id=1, name="Grupa A", position=0), StaffGroup(id=2, office_id=1, name="Grupa B", position=1)
BENEFITS = Section(id=10, office_id=1, name="Świadczenia rodzinne")
FUND = Section(id=11, office_id=1, name="Fundusz alimentacyjny")


def _rota(pattern: RotaPattern, members: list[Member], absences: list[RotaException] | None = None) -> Rota:
    return Rota(groups=[A, B], pattern=pattern, members=members, sections=[BENEFITS, FUND], absences=absences or [])


def _alternate(anchor: date = MONDAY) -> RotaPattern:
    return RotaPattern(office_id=1, kind=PatternKind.ALTERNATE_WEEKS, anchor_monday=anchor)


SPLIT = [Member(1, "Żak", 10, 1), Member(2, "Łuczak", 10, 2), Member(3, "Szymańska", 11, 1), Member(4, "Kołodziej", 11, 1)]


def test_alternate_weeks_put_the_first_group_in_the_anchor_week_and_the_second_next_week() -> None:
    """Week 0 from the anchor: group A inside; week 1: group B; week 2: A again (also before the anchor)."""
    rota = _rota(_alternate(), SPLIT)
    assert groups_in_office(rota, MONDAY) == {1}
    assert groups_in_office(rota, date(2026, 3, 13)) == {2}
    assert groups_in_office(rota, date(2026, 3, 18)) == {1}
    assert groups_in_office(rota, date(2026, 2, 25)) == {2}


def test_named_weekdays_put_the_chosen_groups_inside_on_their_days() -> None:
    """Monday and Wednesday A, Tuesday both, Thursday nobody."""
    pattern = RotaPattern(office_id=1, kind=PatternKind.WEEKDAYS, anchor_monday=MONDAY,
                          weekdays=json.dumps({"0": [1], "1": [1, 2], "2": [1], "3": [], "4": [2]}))
    rota = _rota(pattern, SPLIT)
    assert [groups_in_office(rota, date(2026, 3, d)) for d in range(2, 7)] == [{1}, {1, 2}, {1}, set(), {2}]


def test_a_section_split_between_groups_has_someone_inside_and_someone_remote() -> None:
    """Benefits: Żak inside, Łuczak remote, no alert."""
    day = plan_day(_rota(_alternate(), SPLIT), MONDAY)
    benefits = next(s for s in day.sections if s.section_id == 10)
    assert (benefits.office, benefits.remote, benefits.alert) == (["Żak"], ["Łuczak"], None)


def test_a_section_wholly_in_one_group_is_all_inside_one_week_and_nobody_the_next() -> None:
    """The fund's two people are both in group A: everybody inside in A's week, nobody in B's week."""
    rota = _rota(_alternate(), SPLIT)
    this_week = next(s for s in plan_day(rota, MONDAY).sections if s.section_id == 11)
    next_week = next(s for s in plan_day(rota, date(2026, 3, 9)).sections if s.section_id == 11)
    assert this_week.alert is Alert.EVERYBODY and next_week.alert is Alert.NOBODY
    assert sorted(next_week.remote) == ["Kołodziej", "Szymańska"]


def test_an_absence_takes_the_person_out_and_can_leave_the_section_uncovered() -> None:
    """Żak on sick leave: in A's week nobody of benefits is inside (Łuczak is remote) and Żak is listed away."""
    sick = RotaException(office_id=1, user_id=1, kind=AbsenceKind.SICK_LEAVE, starts_on=MONDAY, ends_on=date(2026, 3, 4))
    day = plan_day(_rota(_alternate(), SPLIT, [sick]), date(2026, 3, 3))
    benefits = next(s for s in day.sections if s.section_id == 10)
    assert benefits.absent == [("Żak", AbsenceKind.SICK_LEAVE)] and benefits.alert is Alert.NOBODY
    after = plan_day(_rota(_alternate(), SPLIT, [sick]), date(2026, 3, 5))
    assert next(s for s in after.sections if s.section_id == 10).office == ["Żak"]


def test_one_person_section_never_warns_that_everybody_is_inside() -> None:
    """A single person cannot be split between groups: only "nobody inside" is worth a warning."""
    rota = _rota(_alternate(), [Member(1, "Żak", 10, 1)])
    assert next(s for s in plan_day(rota, MONDAY).sections).alert is None
    assert next(s for s in plan_day(rota, date(2026, 3, 9)).sections).alert is Alert.NOBODY


def test_weekends_and_public_holidays_have_no_rota() -> None:
    """Saturday and Easter Monday (6 April 2026) are days off: no sections, no alerts."""
    rota = _rota(_alternate(), SPLIT)
    for day in (date(2026, 3, 7), date(2026, 4, 6)):
        plan = plan_day(rota, day)
        assert not plan.working and plan.sections == [] and plan.warnings == []


def test_staff_without_a_section_are_listed_apart_and_never_alert() -> None:
    """The psychologist is in group B but in no section: shown under "without a section", no alert."""
    rota = _rota(_alternate(), [*SPLIT, Member(5, "Wiśniewska", None, 2)])
    loose = next(s for s in plan_day(rota, MONDAY).sections if s.section_id is None)
    assert loose.remote == ["Wiśniewska"] and loose.alert is None


def test_counts_add_up_over_sections() -> None:
    """Monday: three inside (Żak, both of the fund), one remote."""
    day = plan_day(_rota(_alternate(), SPLIT), MONDAY)
    assert (day.count("office"), day.count("remote"), day.count("absent")) == (3, 1, 0)


def test_monday_of_any_day_is_its_week_s_monday() -> None:
    """Sunday belongs to the week that started six days earlier."""
    assert monday_of(date(2026, 3, 8)) == MONDAY and monday_of(MONDAY) == MONDAY
