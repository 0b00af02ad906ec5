"""Filing guides: the list and a guide for staff, a guide during a call about a case (ticks, outcome), and the
same guides for residents on the public pages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l

from app.auth.access import me, roles_required
from app.auth.models import STAFF_ROLES, Role
from app.cases import access
from app.cases.contact import phones as case_phones
from app.cases.models import Case
from app.clock import utcnow
from app.config import get_settings
from app.db import get_session, standalone_session
from app.errors import InvalidInput
from app.guides import services
from app.guides.loader import Guide
from app.web.htmx import is_htmx, render
from app.web.public import render_public

bp = Blueprint("guides", __name__)

CASE_ROLES = (Role.WORKER, Role.SUPERVISOR, Role.ADMIN)


def _guide(guide_id: str) -> Guide:
    try:
        return services.current_guide(guide_id)
    except LookupError:
        abort(404)


@bp.route("/guides")
@roles_required(*STAFF_ROLES)
def index() -> Response:
    """Every guide, to read or read aloud (for a call about a case, open it from the case)."""
    return render("guides/index.html", guides=services.guide_registry().current())


@bp.route("/guides/<guide_id>")
@roles_required(*STAFF_ROLES)
def read(guide_id: str) -> Response:
    """A guide without a case (e.g. a call on the duty phone)."""
    return render("guides/read.html", guide=_guide(guide_id))


def _case_context(case: Case, guide: Guide, **extra: Any) -> dict[str, Any]:
    db = get_session()
    progress = services.open_progress(db, worker_id=me().id, case_id=case.id or 0, guide_id=guide.id)
    phones = case_phones.usable_phones(case_phones.case_phones(db, case.id or 0))
    return {
        "case": case,
        "guide": guide,
        "done": services.done_steps(progress),
        "summary": services.summary(guide, progress),
        "phones": phones,
        "outcome_errors": {},
        "outcome_number": phones[0].number if phones else "",
        "outcome_note": "",
        "saved": False,
        **extra,
    }


@bp.route("/cases/<int:case_id>/guides/<guide_id>")
@roles_required(*CASE_ROLES)
def for_case(case_id: int, guide_id: str) -> Response:
    """The guide during a call about the case: tick the steps done, then record the outcome."""
    case = access.visible_case(get_session(), me(), case_id)
    guide = _guide(guide_id)
    with standalone_session() as audit_db:
        access.record_case_view(audit_db, actor=me(), case=case)
    return render("guides/case.html", **_case_context(case, guide))


@bp.route("/cases/<int:case_id>/guides/<guide_id>/steps", methods=["POST"])
@roles_required(*CASE_ROLES)
def steps(case_id: int, guide_id: str) -> Response:
    """Keep which steps are done (htmx sends the form on every tick; without JavaScript, the save button)."""
    db = get_session()
    case = access.visible_case(db, me(), case_id)
    guide = _guide(guide_id)
    services.save_steps(db, actor=me(), case=case, guide=guide, ticked=request.form.getlist("done"), now=utcnow())
    if is_htmx():
        return render("guides/_progress.html", **_case_context(case, guide, saved=True))
    flash(str(_l("Zapisano wykonane kroki.")), "success")
    return redirect(url_for("guides.for_case", case_id=case_id, guide_id=guide_id, _anchor="guide-outcome"))  # type: ignore[return-value]


@bp.route("/cases/<int:case_id>/guides/<guide_id>/outcome", methods=["POST"])
@roles_required(*CASE_ROLES)
def outcome(case_id: int, guide_id: str) -> Response:
    """Record "guided to file electronically" as the call's outcome on the case."""
    db = get_session()
    case = access.visible_case(db, me(), case_id)
    guide = _guide(guide_id)
    number = str(request.form.get("number", "") or "")
    note = str(request.form.get("note", "") or "")
    try:
        services.record_guided(db, actor=me(), case=case, guide=guide, number=number, note=note,
                               threshold=get_settings().calls_before_other_route, now=utcnow())
    except InvalidInput as exc:
        context = _case_context(case, guide, outcome_errors=exc.errors, outcome_number=number, outcome_note=note)
        return render("guides/case.html", status=422, **context)
    flash(str(_l("Zapisano w historii kontaktów: poinstruowano, jak złożyć wniosek elektronicznie.")), "success")
    return redirect(url_for("cases.detail", case_id=case_id, _anchor="h-history"))  # type: ignore[return-value]


@bp.route("/contact/guides/<guide_id>")
def public(guide_id: str) -> Response:
    """The same guide for residents: no login, no cookie, cacheable."""
    return render_public("contact/guide.html", now=utcnow(), guide=_guide(guide_id))
