"""Translated names of appointment kinds, states, history steps and weekdays, for the UI."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.appointments.models import AppointmentKind, AppointmentState

KIND_LABELS = {
    AppointmentKind.IN_PERSON: _l("wizyta w ośrodku"),
    AppointmentKind.PHONE: _l("rozmowa telefoniczna"),
}

STATE_LABELS = {
    AppointmentState.BOOKED: _l("umówiona"),
    AppointmentState.ARRIVED: _l("przyszła osoba"),
    AppointmentState.NO_SHOW: _l("nie przyszła"),
    AppointmentState.DONE: _l("załatwiona"),
    AppointmentState.CANCELLED: _l("odwołana"),
}

EVENT_LABELS = {
    "booked": _l("umówiono"),
    "arrived": _l("przyszła"),
    "no_show": _l("nie przyszła"),
    "done": _l("załatwiono"),
    "rescheduled": _l("przełożono"),
    "cancelled": _l("odwołano"),
}

WEEKDAY_LABELS = (
    _l("poniedziałek"), _l("wtorek"), _l("środa"), _l("czwartek"), _l("piątek"), _l("sobota"), _l("niedziela"),
)


def kind_label(kind: str) -> str:
    """The kind's name in the current language."""
    return str(KIND_LABELS[AppointmentKind(kind)])


def state_label(state: str) -> str:
    """The state's name in the current language."""
    return str(STATE_LABELS[AppointmentState(state)])


def event_label(action: str) -> str:
    """A history step's name in the current language."""
    return str(EVENT_LABELS.get(action, action))
