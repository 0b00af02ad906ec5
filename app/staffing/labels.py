"""Translated names of absence kinds, rota patterns and weekdays."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.staffing.models import AbsenceKind, PatternKind

ABSENCE_LABELS = {
    AbsenceKind.SICK_LEAVE: _l("zwolnienie lekarskie"),
    AbsenceKind.CARE_LEAVE: _l("zasiłek opiekuńczy"),
    AbsenceKind.QUARANTINE: _l("kwarantanna"),
    AbsenceKind.LEAVE: _l("urlop"),
}

PATTERN_LABELS = {
    PatternKind.ALTERNATE_WEEKS: _l("co tydzień inna grupa w ośrodku"),
    PatternKind.WEEKDAYS: _l("grupy w ośrodku w wybrane dni tygodnia"),
}


def absence_label(value: AbsenceKind | str) -> str:
    """The absence kind in the current language."""
    return str(ABSENCE_LABELS[AbsenceKind(value)])


def pattern_label(value: PatternKind | str) -> str:
    """The rota pattern in the current language."""
    return str(PATTERN_LABELS[PatternKind(value)])

WEEKDAY_LABELS = (
    _l("poniedziałek"), _l("wtorek"), _l("środa"), _l("czwartek"), _l("piątek"), _l("sobota"), _l("niedziela"),
)


def weekday_label(weekday: int) -> str:
    """The weekday's name (0 = Monday) in the current language."""
    return str(WEEKDAY_LABELS[weekday])
