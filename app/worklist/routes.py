"""The worker's today page, and the calls logged and retries booked from its cards (the list answers them).

The forms on the case page post to cases' own routes; the today list's cards post here, so the list, re-rendered
after each call, is built by the composition that owns it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l

from app.auth.access import me, roles_required
from app.auth.models import Role
from app.cases import access, labels
from app.cases.contact import calls, phones, retry
from app.cases.models import CallOutcome
from app.clock import utcnow
from app.dates import moment_text
from app.db import get_session
from app.errors import InvalidInput
from app.web.htmx import go_to, is_htmx, render
from app.worklist.today import today_for

bp = Blueprint("worklist", __name__)

# Each section of the today list shows this many cases, the rest behind "show all": a worker with a long list
# still gets a light page on a weak connection, and what is due first is at the top anyway.
TODAY_SECTION_LIMIT = 15


def _context(**extra: Any) -> dict[str, Any]:
    today = today_for(get_session(), actor=me())
    return {
        "today": today,
        # The menu's "Raporty" badge counts the returned reports the page lists anyway (no second query).
        "nav_returned": len(today.returned),
        **labels.call_form_defaults(utcnow()),
        "call_errors": {},
        "call_values": {},
        "status_message": "",
        "error_message": "",
        "retry_values": {},
        "section_limit": TODAY_SECTION_LIMIT,
        "show_all": "",
        **extra,
    }


def _page(status: int = 200, **extra: Any) -> Response:
    return render("worklist/today.html", "worklist/_today_list.html", status=status, **_context(**extra))


@bp.route("/today")
@roles_required(Role.WORKER)
def today() -> Response:
    """The worker's day: call-backs due, new applications, interviews in progress, deadlines."""
    return _page(show_all=request.args.get("show", ""))


def _saved(message: str) -> Response:
    """After a call or a retry from a card: the list again (htmx), or a message and the page (plain POST)."""
    if is_htmx():
        return render("worklist/_today_list.html", **_context(status_message=message))
    flash(message, "success")
    return redirect(url_for("worklist.today"))  # type: ignore[return-value]


@bp.route("/today/cases/<int:case_id>/call-form")
@roles_required(Role.WORKER)
def call_form(case_id: int) -> Response:
    """A card's "other outcome" form, loaded when the worker opens it (the list stays light with many cases)."""
    db = get_session()
    case = access.visible_case(db, me(), case_id)
    usable = phones.usable_phones(phones.case_phones(db, case.id or 0))
    return render("cases/_call_more.html", case=case, phones=usable, origin="today", errors={}, values=None,
                  **labels.call_form_defaults(utcnow()))


@bp.route("/today/cases/<int:case_id>/calls", methods=["POST"])
@roles_required(Role.WORKER)
def log_call(case_id: int) -> Response:
    """Log a call outcome from the list in one tap; "answered" leads to the case page to start the interview."""
    db = get_session()
    case = access.visible_case(db, me(), case_id)
    form = calls.CallForm.from_mapping(request.form)
    try:
        attempt = calls.log_call(db, actor=me(), case=case, form=form)
    except InvalidInput as exc:
        problems = " ".join(exc.errors.values())
        return _page(422, call_errors={case_id: exc.errors}, call_values={case_id: form},
                     error_message=_l("%(name)s: rozmowy nie zapisano. %(problems)s", name=case.applicant_name,
                                      problems=problems))
    if attempt.outcome == CallOutcome.ANSWERED:
        return go_to(url_for("cases.detail", case_id=case_id, answered=attempt.id))
    return _saved(labels.call_logged_message(case, attempt))


@bp.route("/today/cases/<int:case_id>/retry", methods=["POST"])
@roles_required(Role.WORKER)
def book_retry(case_id: int) -> Response:
    """Plan the next try from the list after a call nobody answered: a call-back on the list."""
    db = get_session()
    case = access.visible_case(db, me(), case_id)
    form = retry.RetryForm.from_mapping(request.form)
    try:
        callback = retry.book_retry(db, actor=me(), case=case, form=form)
    except InvalidInput as exc:
        message = _l("%(name)s: ponownego telefonu nie zaplanowano. %(problems)s", name=case.applicant_name,
                     problems=" ".join(exc.errors.values()))
        return _page(422, error_message=message, retry_values={case_id: form})
    return _saved(str(_l("%(name)s: ponowny telefon zaplanowany na %(when)s.", name=case.applicant_name,
                         when=moment_text(callback.due_at))))
