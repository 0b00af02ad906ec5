"""The one tap that confirms segment A's data carried from the case (plain POST, htmx-free)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, url_for
from flask_babel import lazy_gettext as _l

from app.auth.access import me, roles_required
from app.auth.models import Role
from app.db import get_session
from app.errors import NotFound
from app.interviews import access, carry
from app.interviews.models import InterviewState

bp = Blueprint("interview_carry", __name__)


@bp.route("/interviews/<int:interview_id>/carried/confirm", methods=["POST"])
@roles_required(Role.WORKER, Role.SUPERVISOR)
def confirm(interview_id: int) -> Response:
    """The person confirmed the data from the application: the "z wniosku — potwierdź" marks go."""
    db = get_session()
    try:
        interview = access.get_interview(db, me(), interview_id)
    except NotFound:
        abort(404)  # another worker's or office's interview looks absent
    section = ""
    if interview.state == InterviewState.IN_PROGRESS:
        confirmed = carry.confirm(db, actor=me(), interview=interview)
        if confirmed:
            flash(str(_l("Dane z wniosku potwierdzone.")), "success")
        section = interview.current_section
    target = url_for("interviews.run", interview_id=interview.id, section=section or None, _anchor="section-title")
    return redirect(target)  # type: ignore[return-value]
