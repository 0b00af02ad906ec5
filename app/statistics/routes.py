"""The statistics page for supervisors (the head of the centre): a period's figures as SVG charts, tables and CSV."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, make_response, request

from app.auth.access import me, roles_required
from app.auth.models import Office, Role
from app.clock import local_today, utcnow
from app.db import get_session
from app.formdefs.extension import form_registry
from app.interviews.start import FULL_FORM
from app.statistics.charts import layout
from app.statistics.csvfile import spreadsheet_csv
from app.statistics.figures import Figures, Table, figures
from app.statistics.period import Period, PeriodError, parse_period, presets
from app.web.htmx import render

bp = Blueprint("statistics", __name__, url_prefix="/statistics")


def _figures(period: Period) -> Figures:
    return figures(get_session(), office_id=me().office_id, period=period, now=utcnow(), today=local_today(),
                   form=form_registry().latest(FULL_FORM))


def _page(status: int = 200, **context: Any) -> Response:
    office = get_session().get(Office, me().office_id)
    return render("statistics/index.html", status=status, office=office, presets=presets(local_today()),
                  layout=layout, **context)


def _period() -> tuple[Period | None, dict[str, str]]:
    try:
        return parse_period(request.args.get("from", ""), request.args.get("to", ""), today=local_today()), {}
    except PeriodError as exc:
        return None, exc.errors


@bp.route("")
@roles_required(Role.SUPERVISOR)
def index() -> Response:
    """Figures of the chosen period (this month by default); a bad period gets a message, the dates kept."""
    period, errors = _period()
    if period is None:
        return _page(422, figures=None, errors=errors, raw_from=request.args.get("from", ""),
                     raw_to=request.args.get("to", ""))
    return _page(figures=_figures(period), errors={}, raw_from=period.start.isoformat(),
                 raw_to=period.end.isoformat())


def table_csv(table: Table, period: Period) -> bytes:
    """One table as CSV, the period in the first line, then the header, the rows and the total."""
    head = [(table.title, f"{period.start:%d.%m.%Y} – {period.end:%d.%m.%Y}"), table.columns]
    return spreadsheet_csv([*head, *table.rows, *([table.footer] if table.footer else [])])


@bp.route("/<table_id>.csv")
@roles_required(Role.SUPERVISOR)
def download(table_id: str) -> Response:
    """One table of the page as CSV for the same period."""
    period, errors = _period()
    if period is None:
        return _page(422, figures=None, errors=errors, raw_from=request.args.get("from", ""),
                     raw_to=request.args.get("to", ""))
    try:
        table = _figures(period).table(table_id)
    except KeyError:
        abort(404)
    response = make_response(table_csv(table, period))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="statystyki-{table.id}-{period.start.isoformat()}-{period.end.isoformat()}.csv"')
    response.headers["Cache-Control"] = "no-store"
    return response
