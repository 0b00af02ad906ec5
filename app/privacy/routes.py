"""Subject-access export on the case page: supervisors and administrators download everything held about a person."""

from __future__ import annotations

from flask import Blueprint, Response, abort, make_response
from flask_babel import lazy_gettext as _l

from app import audit
from app.auth.access import me, roles_required
from app.auth.models import Role
from app.cases.access import visible_case
from app.cases.models import Case
from app.db import get_session, standalone_session
from app.privacy import office_settings  # noqa: F401 - registers the retention settings of the settings page
from app.privacy.export import ExportError, cases_for, collect, to_json, to_pdf
from app.web.htmx import render

bp = Blueprint("privacy", __name__)
EXPORT_ROLES = (Role.SUPERVISOR, Role.ADMIN)
FORMATS = {"json": "application/json", "pdf": "application/pdf"}
TITLE = _l("Eksport danych osoby (RODO)")


def _person_cases(case_id: int) -> list[Case]:
    """The case (404 outside the office) and the office's other cases of the same PESEL."""
    case = visible_case(get_session(), me(), case_id)
    try:
        return cases_for(get_session(), case_id=case.id, office_id=me().office_id)
    except ExportError:
        abort(404)


@bp.app_template_global()
def may_export_person() -> bool:
    """Whether the case page shows the subject-access export link."""
    return me().has(Role.SUPERVISOR) or me().has(Role.ADMIN)


@bp.route("/cases/<int:case_id>/privacy")
@roles_required(*EXPORT_ROLES)
def page(case_id: int) -> Response:
    """What the export holds and the two downloads."""
    cases = _person_cases(case_id)
    case = next(c for c in cases if c.id == case_id)
    return render("privacy/export.html", case=case, cases=cases, title=TITLE)


@bp.route("/cases/<int:case_id>/privacy/export.<fmt>")
@roles_required(*EXPORT_ROLES)
def export(case_id: int, fmt: str) -> Response:
    """The person's data as an attachment (never cached), the export audit-logged with ids only."""
    if fmt not in FORMATS:
        abort(404)
    cases = _person_cases(case_id)
    data = collect(get_session(), cases)
    body = to_json(data) if fmt == "json" else to_pdf(data)
    with standalone_session() as audit_db:
        audit.log(audit_db, "privacy.export", actor=me(), object_type="case", object_id=case_id,
                  case_ids=[c.id for c in cases], format=fmt)
    response = make_response(body)
    response.headers["Content-Type"] = FORMATS[fmt] + ("; charset=utf-8" if fmt == "json" else "")
    response.headers["Content-Disposition"] = f'attachment; filename="dane-osoby-sprawa-{case_id}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response
