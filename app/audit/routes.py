"""Audit log viewer for administrators and supervisors: filters, paging and CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, time, timedelta

from flask import Blueprint, Response, request
from sqlmodel import col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from app import audit
from app.audit.models import AuditEvent
from app.auth.access import me, roles_required
from app.auth.models import Role, User
from app.clock import local_today
from app.db import get_session, standalone_session
from app.fields import query_day
from app.web.htmx import render
from app.web.ids import parse_id
from app.web.paging import PAGE_SIZE, Page, clamp, page_number

bp = Blueprint("audit", __name__, url_prefix="/audit")
FILTERS = ("action", "actor", "object_type", "from", "to")  # kept in the page links
MAX_EXPORT = 50_000


def _filtered() -> SelectOfScalar[AuditEvent]:
    """The office's events narrowed by the query-string filters."""
    query = select(AuditEvent).where(AuditEvent.office_id == me().office_id)
    action = request.args.get("action", "").strip()
    if action:
        query = query.where(col(AuditEvent.action).startswith(action))
    actor = request.args.get("actor", "").strip()
    if parse_id(actor) is not None:
        query = query.where(AuditEvent.actor_id == parse_id(actor))
    object_type = request.args.get("object_type", "").strip()
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    start, end = query_day(request.args.get("from")), query_day(request.args.get("to"))
    if start:
        query = query.where(AuditEvent.at >= datetime.combine(start, time.min, UTC))
    if end:
        query = query.where(AuditEvent.at < datetime.combine(end + timedelta(days=1), time.min, UTC))
    return query


@bp.route("")
@roles_required(Role.ADMIN, Role.SUPERVISOR)
def index() -> Response:
    """Events of the office, newest first."""
    db = get_session()
    query = _filtered()
    total = db.exec(select(func.count()).select_from(query.subquery())).one()
    number = clamp(page_number(request.args.get("page")), total)
    events = db.exec(
        query.order_by(col(AuditEvent.id).desc()).offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    users = {u.id: u for u in db.exec(select(User).where(User.office_id == me().office_id)).all()}
    actions = db.exec(
        select(AuditEvent.action).where(AuditEvent.office_id == me().office_id).distinct().order_by(AuditEvent.action)
    ).all()
    return render(
        "audit/index.html",
        "audit/_rows.html",
        events=events,
        users=users,
        actions=actions,
        paged=Page(events, number, total),
        args=request.args,
        filters={k: v for k in FILTERS if (v := request.args.get(k, "").strip())},
    )


@bp.route("/export.csv")
@roles_required(Role.ADMIN, Role.SUPERVISOR)
def export() -> Response:
    """The filtered events as CSV (ids and codes only, like the log itself)."""
    db = get_session()
    events = db.exec(_filtered().order_by(col(AuditEvent.id)).limit(MAX_EXPORT)).all()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "at_utc", "actor_id", "action", "object_type", "object_id", "details", "hash"])
    for event in events:
        writer.writerow(
            [event.id, event.at.astimezone(UTC).isoformat(), event.actor_id or "", event.action, event.object_type,
             event.object_id, event.details, event.hash]
        )
    with standalone_session() as audit_db:
        audit.log(audit_db, "audit.export", actor=me(), rows=len(events))
    response = Response(buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="audit-{local_today().isoformat()}.csv"'
    return response
