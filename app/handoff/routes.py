"""Download an interview as JSON (case and interview pages) and the cases of a period as CSV (supervisors)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, make_response, request
from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from app.auth.access import me, roles_required
from app.auth.models import Role
from app.auth.services import Principal
from app.cases.models import Case
from app.clock import local_today
from app.db import get_session
from app.errors import NotFound
from app.handoff import services
from app.interviews.access import can_reach, case_interviews, get_interview
from app.interviews.models import Interview, InterviewState
from app.reports.lookups import reports_of_interviews, state_of
from app.reports.states import STATE_LABELS
from app.statistics.period import PeriodError, parse_period, presets
from app.web.htmx import render
from app.web.parts import part

bp = Blueprint("handoff", __name__)
INTERVIEW_ROLES = (Role.WORKER, Role.SUPERVISOR)


@part("case", "exports")
def _exportable_interviews(*, session: Session, actor: Principal, case: Case, **_: Any) -> list[tuple[Interview, str]]:
    """The case's finished interviews the user may export, each with its report's state (the case page's card)."""
    if not actor.has(*INTERVIEW_ROLES):
        return []
    interviews = [i for i in case_interviews(session, case.id or 0)
                  if i.state == InterviewState.FINISHED and can_reach(actor, i, case)]
    reports = reports_of_interviews(session, [i.id or 0 for i in interviews])
    return [(i, str(STATE_LABELS[state_of(i, reports.get(i.id or 0))])) for i in interviews]


def _download(export: services.Export) -> Response:
    response = make_response(export.body)
    response.headers["Content-Type"] = export.media_type
    response.headers["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/interviews/<int:interview_id>/export.json")
@roles_required(*INTERVIEW_ROLES)
def interview_json(interview_id: int) -> Response:
    """The finished interview in the published format; an unfinished one gets a page saying why, not a file."""
    db = get_session()
    try:
        interview = get_interview(db, me(), interview_id)
    except NotFound:
        abort(404)
    try:
        export = services.export_interview(db, actor_id=me().id, interview=interview, channel="web")
    except services.NotFinished:
        return render("handoff/not_finished.html", status=409, interview=interview,
                      message=_l("Wywiad nie jest zakończony, więc nie ma czego przekazać. Zakończ wywiad "
                                 "(a najlepiej podpisz i zatwierdź raport), a potem pobierz eksport."))
    return _download(export)


def _cases_page(status: int = 200, **context: Any) -> Response:
    return render("handoff/cases.html", status=status, presets=presets(local_today()), **context)


@bp.route("/exports/cases")
@roles_required(Role.SUPERVISOR)
def cases() -> Response:
    """Choose a period; `?download=1` sends the CSV of the cases registered in it."""
    raw_from, raw_to = request.args.get("from", ""), request.args.get("to", "")
    try:
        period = parse_period(raw_from, raw_to, today=local_today())
    except PeriodError as exc:
        return _cases_page(422, errors=exc.errors, raw_from=raw_from, raw_to=raw_to, period=None)
    if request.args.get("download") != "1":
        return _cases_page(errors={}, raw_from=period.start.isoformat(), raw_to=period.end.isoformat(), period=period)
    export = services.export_cases(get_session(), actor_id=me().id, office_id=me().office_id, period=period,
                                   channel="web")
    return _download(export)
