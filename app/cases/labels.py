"""Translated names of channels, requested help, case states and call outcomes, for the UI."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.cases.callbacks import NEEDS_TIME, TAKES_TIME
from app.cases.models import CallAttempt, CallOutcome, Case, CaseState, Channel, ContactRoute, RequestedHelp
from app.cases.presets import Choice, Preset, available
from app.clock import LOCAL_TZ
from app.dates import moment_text

# Written as shown (ePUAP, Emp@tia keep their own capitals), so templates never re-case them.
CHANNEL_LABELS = {
    Channel.POST: _l("Poczta"),
    Channel.EMAIL: _l("E-mail"),
    Channel.EPUAP: _l("ePUAP"),
    Channel.EMPATIA: _l("Emp@tia"),
    Channel.DROP_BOX: _l("Skrzynka podawcza w przedsionku"),
    Channel.PHONE: _l("Telefon"),
    Channel.IN_PERSON: _l("Osobiście"),
    Channel.INSTITUTION: _l("Zgłoszenie innej instytucji"),
    Channel.DUTY_PHONE: _l("Telefon dyżurny"),
}

REQUESTED_LABELS = {
    RequestedHelp.PERMANENT: _l("zasiłek stały"),
    RequestedHelp.PERIODIC: _l("zasiłek okresowy"),
    RequestedHelp.SPECIAL_PURPOSE: _l("zasiłek celowy"),
    RequestedHelp.HOT_MEAL: _l("gorący posiłek"),
    RequestedHelp.FOOD: _l("żywność"),
    RequestedHelp.CARE: _l("usługi opiekuńcze"),
    RequestedHelp.PSYCHOLOGICAL: _l("wsparcie psychologiczne"),
    RequestedHelp.OTHER: _l("inne"),
}

STATE_LABELS = {
    CaseState.NEW: _l("nowy"),
    CaseState.CONTACTING: _l("w kontakcie"),
    CaseState.OTHER_ROUTE: _l("inna droga kontaktu"),
    CaseState.INTERVIEW: _l("wywiad w toku"),
    CaseState.INTERVIEW_DONE: _l("po wywiadzie"),
    CaseState.CLOSED: _l("zamknięty"),
}

OUTCOME_LABELS = {
    CallOutcome.ANSWERED: _l("odebrał(a)"),
    CallOutcome.NO_ANSWER: _l("nie odbiera"),
    CallOutcome.BUSY: _l("zajęte"),
    CallOutcome.VOICEMAIL: _l("poczta głosowa"),
    CallOutcome.WRONG_NUMBER: _l("błędny numer"),
    CallOutcome.REFUSED: _l("odmowa"),
    CallOutcome.CALL_BACK: _l("prosi o telefon później"),
    CallOutcome.UNSAFE: _l("nie może bezpiecznie rozmawiać"),
    CallOutcome.GUIDED_EFILING: _l("poinstruowano, jak złożyć wniosek elektronicznie"),
}

ROUTE_LABELS = {
    ContactRoute.LETTER: _l("list"),
    ContactRoute.EMAIL: _l("e-mail"),
    ContactRoute.EPUAP: _l("pismo przez ePUAP"),
}


def channel_label(value: Channel | str) -> str:
    """The channel's name in the current language."""
    return str(CHANNEL_LABELS[Channel(value)])


def requested_label(value: RequestedHelp | str) -> str:
    """The kind of help in the current language."""
    return str(REQUESTED_LABELS[RequestedHelp(value)])


def state_label(value: CaseState | str) -> str:
    """The case state in the current language."""
    return str(STATE_LABELS[CaseState(value)])


def outcome_label(value: CallOutcome | str) -> str:
    """The call outcome in the current language."""
    return str(OUTCOME_LABELS[CallOutcome(value)])


def route_label(value: ContactRoute | str) -> str:
    """The other contact route (letter, e-mail) in the current language."""
    return str(ROUTE_LABELS[ContactRoute(value)])


def preset_label(choice: Choice) -> str:
    """What a call-back preset button says: "jutro 9:00", or the day's name when the next working day is later."""
    preset = choice.preset
    if preset is Preset.IN_AN_HOUR:
        return _("za godzinę")
    if preset is Preset.TODAY_AFTERNOON:
        return _("dziś 16:00")
    if preset is Preset.TWO_WORKING_DAYS:
        return _("za 2 dni robocze")
    clock = "9:00" if preset is Preset.NEXT_DAY_MORNING else "16:00"
    if choice.tomorrow:
        return _("jutro %(clock)s", clock=clock)
    return _("%(day)s %(clock)s", day=format_date(choice.day, "EEEE"), clock=clock)


def preset_detail(choice: Choice) -> str:
    """The exact time a preset books, shown under its label where the label alone does not say it."""
    if choice.preset is Preset.IN_AN_HOUR:
        return format_datetime(choice.at, "HH:mm")
    if choice.preset is Preset.TWO_WORKING_DAYS:
        return format_datetime(choice.at, "EEE d.MM, HH:mm")
    if choice.preset in (Preset.NEXT_DAY_MORNING, Preset.NEXT_DAY_AFTERNOON) and not choice.tomorrow:
        return format_date(choice.day, "d.MM")
    return ""


# The outcomes a call form offers as one-tap buttons (the rest are one tap further).
QUICK_OUTCOMES = (CallOutcome.ANSWERED, CallOutcome.NO_ANSWER, CallOutcome.BUSY, CallOutcome.VOICEMAIL)


def call_form_defaults(now: datetime) -> dict[str, Any]:
    """What a call form offers at `now` (aware UTC): the call-back preset buttons and the one-tap outcomes.

    The call-back time field starts empty: a time the worker did not choose is never booked (cases.callbacks).
    """
    presets = [(c.preset.value, preset_label(c), preset_detail(c)) for c in available(now, LOCAL_TZ)]
    # The one-tap outcomes, worded once per page rather than once per card.
    quick = [(outcome, outcome_label(outcome).capitalize()) for outcome in QUICK_OUTCOMES]
    return {"callback_presets": presets, "quick_outcomes": quick, "callback_hint": callback_hint()}


def callback_hint() -> str:
    """The call-back time field's hint: which outcomes need a time, which take one if given (cases.callbacks)."""

    def named(outcomes: frozenset[CallOutcome]) -> str:
        return ", ".join(f"„{outcome_label(o)}”" for o in CallOutcome if o in outcomes)

    return _("Termin wymagany przy wyniku %(needs)s. Przy wynikach %(may)s — tylko gdy planujesz następny telefon; "
             "przy innych zostaw puste.",
             needs=named(NEEDS_TIME), may=named(TAKES_TIME - NEEDS_TIME))


def call_logged_message(case: Case, attempt: CallAttempt) -> str:
    """What the worker reads after logging a call that was not answered: the outcome and what follows from it."""
    message = _("%(name)s: zapisano „%(outcome)s”.", name=case.applicant_name, outcome=outcome_label(attempt.outcome))
    if attempt.callback_at:
        message += " " + _("Oddzwonienie dodane do listy na %(when)s.", when=moment_text(attempt.callback_at))
    if attempt.outcome == CallOutcome.WRONG_NUMBER:
        message += " " + _("Numer oznaczony jako błędny.")
    if case.needs_other_route:
        message += " " + _("Sprawa wymaga innej drogi kontaktu (list lub e-mail).")
    return message
