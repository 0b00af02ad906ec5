"""Editing a case, closing it with its outcome and reopening it (pages of their own, plain POST forms)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l

from app import clock
from app.auth.access import me, roles_required
from app.auth.models import Role
from app.cases import access, assignment, closing, editing, labels, registration
from app.cases.contact import history
from app.cases.models import Case, CaseState, RequestedHelp
from app.cases.record_models import DECISION_OUTCOMES, CaseOutcome
from app.db import get_session
from app.errors import InvalidInput
from app.fields import LIMITS
from app.web.htmx import render

bp = Blueprint("case_record", __name__)

CASE_ROLES = (Role.WORKER, Role.SUPERVISOR, Role.ADMIN)


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {
        "case_outcome_label": closing.outcome_label,
        "CaseOutcome": CaseOutcome,
        "DECISION_OUTCOMES": DECISION_OUTCOMES,
        "case_field_label": editing.field_label,
        "case_change_value": editing.shown_value,
        "closing_help_kinds": closing.help_kinds_of,
    }


def case_record_context(case: Case) -> dict[str, Any]:
    """What the case page shows about the case's history and closing (app/cases/routes.py adds it)."""
    db = get_session()
    changes = editing.history(db, case.id or 0)
    closings = closing.closings(db, case.id or 0)
    people = editing.people_in(db, changes)
    people.update(history.users_by_id(db, [c.closed_by_id for c in closings] + [c.reopened_by_id for c in closings]))
    return {"case_changes": changes, "case_closings": closings, "case_people": people}


def _edit_page(case: Case, form: editing.EditForm, errors: dict[str, str], *, status: int = 200) -> Response:
    db = get_session()
    workers = assignment.office_workers(db, me().office_id) if access.sees_whole_office(me()) else []
    return render("cases/edit.html", status=status, case=case, form=form, errors=errors, workers=workers, limits=LIMITS)


@bp.route("/cases/<int:case_id>/edit", methods=["GET", "POST"])
@roles_required(*CASE_ROLES)
def edit(case_id: int) -> Response:
    """Change the applicant's data, urgency, permanent help or the worker; every change is kept in the history."""
    db = get_session()
    case = access.visible_case(db, me(), case_id)
    if request.method == "GET":
        return _edit_page(case, editing.EditForm.from_case(case), {})
    form = editing.EditForm.from_mapping(request.form)
    try:
        changes = editing.edit_case(db, actor=me(), case=case, form=form)
    except InvalidInput as exc:
        db.rollback()
        return _edit_page(case, form, exc.errors, status=422)
    names = ", ".join(editing.field_label(c.field).lower() for c in changes)
    flash(str(_l("Zapisano zmiany w sprawie %(ref)s: %(fields)s.", ref=case.reference, fields=names)), "success")
    return redirect(url_for("cases.detail", case_id=case.id, _anchor="h-changes"))  # type: ignore[return-value]


def _close_page(case: Case, form: closing.CloseForm, errors: dict[str, str], *, status: int = 200) -> Response:
    return render(
        "cases/close.html", status=status, case=case, form=form, errors=errors, RequestedHelp=RequestedHelp,
        today=clock.local_today(), limits=LIMITS, requested_label=labels.requested_label,
        open_interviews=closing.interviews_in_progress(get_session(), case.id or 0),
    )


@bp.route("/cases/<int:case_id>/close", methods=["GET", "POST"])
@roles_required(*CASE_ROLES)
def close(case_id: int) -> Response:
    """Record how the case ended (with the decision's number and date) and take it off the work lists."""
    db = get_session()
    case = access.visible_case(db, me(), case_id)
    if request.method == "GET":
        if case.state == CaseState.CLOSED:
            return redirect(url_for("cases.detail", case_id=case.id, _anchor="h-closing"))  # type: ignore[return-value]
        return _close_page(case, closing.CloseForm(help_kinds=registration.requested_codes(case)), {})
    form = closing.CloseForm.from_mapping(request.form, request.form.getlist("help_kinds"))
    try:
        done = closing.close_case(db, actor=me(), case=case, form=form, today=clock.local_today())
    except InvalidInput as exc:
        db.rollback()
        return _close_page(case, form, exc.errors, status=422)
    flash(
        str(_l("Sprawa %(ref)s zamknięta: %(outcome)s.", ref=case.reference, outcome=closing.outcome_label(done.outcome))),
        "success",
    )
    return redirect(url_for("cases.detail", case_id=case.id))  # type: ignore[return-value]


@bp.route("/cases/<int:case_id>/reopen", methods=["POST"])
@roles_required(*CASE_ROLES)
def reopen(case_id: int) -> Response:
    """Reopen a closed case (an appeal, a new fact), with the reason."""
    db = get_session()
    case = access.visible_case(db, me(), case_id)
    try:
        closing.reopen_case(db, actor=me(), case=case, reason=request.form.get("reason", ""))
    except InvalidInput as exc:
        db.rollback()
        from app.cases import routes as case_pages  # the case page, with its blueprint's template helpers

        return case_pages._detail_page(  # noqa: SLF001 - the one case page, shown again with the reason as typed
            case, status=422, reopen_error=" ".join(exc.errors.values()), reopen_reason=request.form.get("reason", ""),
            **case_pages._helpers(),  # noqa: SLF001
        )
    flash(str(_l("Sprawa %(ref)s wróciła do pracy.", ref=case.reference)), "success")
    return redirect(url_for("cases.detail", case_id=case.id))  # type: ignore[return-value]
