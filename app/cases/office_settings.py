"""The cases feature's per-office settings: statutory interview deadlines and failed calls before another route."""

from __future__ import annotations

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from app.cases import deadlines
from app.officeconfig import store
from app.officeconfig.registry import define_group, integer

define_group("cases", _l("Sprawy i terminy ustawowe"), order=10,
             description=_l("Terminy liczone w dniach roboczych (bez sobót, niedziel i świąt) od dnia wpływu wniosku."))


def _calls_default() -> int:
    if has_app_context():
        from app.config import get_settings

        if "telewywiad.settings" in current_app.extensions:
            return get_settings().calls_before_other_route
    return 3


INTERVIEW_DAYS = integer(
    "cases.interview_working_days", group="cases", label=_l("Termin wywiadu (dni robocze)"), minimum=1, maximum=60,
    default=lambda: deadlines.INTERVIEW_WORKING_DAYS,
    hint=_l("Ustawowo 14 dni roboczych od dnia wpływu wniosku."),
)
URGENT_INTERVIEW_DAYS = integer(
    "cases.urgent_interview_working_days", group="cases", label=_l("Termin wywiadu w sprawie pilnej (dni robocze)"),
    minimum=0, maximum=14, default=lambda: deadlines.URGENT_INTERVIEW_WORKING_DAYS,
    hint=_l("Ustawowo niezwłocznie, najpóźniej w ciągu 2 dni roboczych."),
)
CALLS_BEFORE_OTHER_ROUTE = integer(
    "cases.calls_before_other_route", group="cases", label=_l("Nieudane połączenia przed inną drogą kontaktu"),
    minimum=1, maximum=20, default=_calls_default,
    hint=_l("Po tylu nieudanych próbach z rzędu sprawa czeka na list lub e-mail."),
)


def interview_deadlines(session: Session, office_id: int) -> tuple[int, int]:
    """The office's (normal, urgent) interview deadlines in working days."""
    return store.get(session, office_id, INTERVIEW_DAYS), store.get(session, office_id, URGENT_INTERVIEW_DAYS)


def calls_before_other_route(session: Session, office_id: int) -> int:
    """Failed calls in a row after which the office's case needs a letter or an e-mail."""
    return store.get(session, office_id, CALLS_BEFORE_OTHER_ROUTE)
