"""Applications and the call-back queue: today's list, registration, case page, calls, search, team queue."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l

from app.appointments.visits import case_visits
from app.auth.access import me, roles_required
from app.auth.drafts import register_form
from app.auth.expiry import register_not_kept
from app.auth.models import Role, User
from app.cases import (
    access,
    assignment,
    deadlines,
    editing,
    labels,
    office_settings,
    registration,
    search,
)
from app.cases import team as case_team
from app.cases.contact import attempts, calls, history, others, retry
from app.cases.contact import phones as case_phones
from app.cases.models import (
    OPEN_STATES,
    CallAttempt,
    CallOutcome,
    Case,
    CaseState,
    Channel,
    ContactRoute,
    RequestedHelp,
)
from app.cases.record_routes import case_record_context
from app.clock import local_today, to_local, utcnow
from app.dates import day_text, moment_text
from app.db import get_session, standalone_session
from app.errors import InvalidInput
from app.fields import LIMITS, display_phone
from app.interviews.models import Interview
from app.web import parts
from app.web.htmx import go_to, render
from app.web.ids import parse_id
from app.workdays import working_days_between

bp = Blueprint("cases", __name__)

CASE_ROLES = (Role.WORKER, Role.SUPERVISOR, Role.ADMIN)

# A registration sent after the session timed out is kept; the resume page names its fields.
register_form(
    "cases.new",
    _l("Rejestracja wniosku"),
    {
        "applicant_name": _l("Imię i nazwisko"), "pesel": _l("PESEL"), "phone_1": _l("Telefon"),
        "phone_2": _l("Telefon dodatkowy %(n)d", n=1), "phone_3": _l("Telefon dodatkowy %(n)d", n=2), "email": _l("E-mail"),
        "address": _l("Adres"), "channel": _l("Jak wpłynął"), "channel_detail": _l("Szczegóły zgłoszenia"),
        "received_on": _l("Data wpływu"), "requested": _l("O co prosi"), "request_note": _l("Uwagi do wniosku"),
    },
    {"channel": lambda v: labels.channel_label(Channel(v)), "requested": lambda v: labels.requested_label(RequestedHelp(v))},
)
register_not_kept("cases.duplicates")  # a live look-up while typing, not input to send again


@bp.app_template_filter("phone")
def _phone(value: str) -> str:
    """A stored E.164 number as people read it."""
    return display_phone(value)


@bp.app_template_filter("day")
def _day(value: object) -> str:
    """A calendar date in the user's language (short form)."""
    return day_text(value) if isinstance(value, date) else ""


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {
        "channel_label": labels.channel_label,
        "requested_label": labels.requested_label,
        "state_label": labels.state_label,
        "outcome_label": labels.outcome_label,
        "route_label": labels.route_label,
        "ContactRoute": ContactRoute,
        "requested_codes": registration.requested_codes,
        "interview_link": _interview_link,
        "Channel": Channel,
        "RequestedHelp": RequestedHelp,
        "CallOutcome": CallOutcome,
        "CaseState": CaseState,
        "RETRYABLE": retry.RETRYABLE,
        "PHONE_FIELDS": registration.PHONE_FIELDS,
        "limits": LIMITS,
    }


def _interview_link(interview: Interview) -> str:
    """The runner's page for an interview."""
    return url_for("interviews.run", interview_id=interview.id)


# --- registration --------------------------------------------------------------------------------------------


def _new_form_page(form: registration.CaseForm, errors: dict[str, str], *, status: int = 200, **extra: Any) -> Response:
    return render(
        "cases/new.html",
        status=status,
        form=form,
        errors=errors,
        today=local_today(),
        **{"duplicates": [], "confirm_duplicates": False, **extra},
    )


@bp.route("/cases/new", methods=["GET", "POST"])
@roles_required(*CASE_ROLES)
def new() -> Response:
    """Register an application; possible duplicates are shown before it is saved."""
    if request.method == "GET":
        return _new_form_page(registration.CaseForm(received_on=local_today().isoformat()), {})
    form = registration.CaseForm.from_mapping(request.form, request.form.getlist("requested"))
    db = get_session()
    if request.form.get("start") == "1":
        # Another page (the duty phone) hands over what it already knows: shown to complete, nothing checked or stored.
        return _new_form_page(form, {}, duplicates=registration.duplicates_for_form(db, actor=me(), form=form))
    try:
        registration.validate_case(form, today=local_today())
    except InvalidInput as exc:
        duplicates = registration.duplicates_for_form(db, actor=me(), form=form)
        return _new_form_page(form, exc.errors, status=422, duplicates=duplicates)
    duplicates = registration.duplicates_for_form(db, actor=me(), form=form)
    if duplicates and request.form.get("confirm_duplicates") != "1":
        # Shown again on submit: the worker looks at the existing case(s) and may still register.
        return _new_form_page(form, {}, status=422, duplicates=duplicates, confirm_duplicates=True)
    case = registration.register_case(db, actor=me(), form=form)
    flash(str(_l("Zarejestrowano wniosek %(ref)s.", ref=case.reference)), "success")
    return redirect(url_for("cases.detail", case_id=case.id))  # type: ignore[return-value]


@bp.route("/cases/duplicates", methods=["POST"])
@roles_required(*CASE_ROLES)
def duplicates() -> Response:
    """Live check while the registration form is filled in (POST so PESEL never sits in a URL)."""
    form = registration.CaseForm.from_mapping(request.form)
    found = registration.duplicates_for_form(get_session(), actor=me(), form=form)
    return render("cases/_duplicates.html", "cases/_duplicates.html", duplicates=found, confirm_duplicates=False)


# --- the case page -------------------------------------------------------------------------------------------


def _detail_page(case: Case, *, status: int = 200, **extra: Any) -> Response:
    db = get_session()
    principal = me()
    answered: CallAttempt | None = None
    answered_raw = request.args.get("answered", "")
    answered_id = parse_id(answered_raw)
    if answered_id is not None:
        attempt = db.get(CallAttempt, answered_id)
        if attempt is not None and attempt.case_id == case.id and attempt.outcome == CallOutcome.ANSWERED:
            answered = attempt
    today_local = local_today()
    last_done = to_local(case.last_interview_completed_at).date() if case.last_interview_completed_at else None
    assigned = db.get(User, case.assigned_worker_id) if case.assigned_worker_id else None
    phones = case_phones.case_phones(db, case.id or 0)
    context: dict[str, Any] = {
        "case": case,
        "phones": phones,
        "usable_phones": case_phones.usable_phones(phones),
        "all_numbers_wrong": case_phones.all_numbers_wrong(phones),
        "phone_people": history.users_by_id(db, [p.wrong_by_id for p in phones]),
        "phone_errors": {},
        "phone_values": None,
        "history": history.contact_history(db, case.id or 0),
        "last_contact": others.last_other_contact(db, case.id or 0),
        "may_record_contact": others.may_record_other_contact(case)
        and (case.needs_other_route or case.state == CaseState.OTHER_ROUTE),
        "contact_errors": {},
        "contact_values": None,
        "today_iso": today_local.isoformat(),
        "callbacks": history.case_callbacks(db, case.id or 0),
        "case_visits": case_visits(db, case.id or 0),
        "deadline": deadlines.deadline_status(case.due_on, today_local)
        if case.state in OPEN_STATES
        else deadlines.DeadlineStatus.NONE,
        "working_days_left": working_days_between(today_local, case.due_on) if case.due_on else None,
        "update_due": deadlines.update_due(last_done) if case.permanent_help else None,
        "assigned": assigned,
        "workers": assignment.office_workers(db, principal.office_id) if access.sees_whole_office(principal) else [],
        "answered": answered,
        "answered_call_id": answered.id if answered else None,
        "failed_streak": attempts.failed_streak(db, case.id or 0),
        "threshold": office_settings.calls_before_other_route(db, case.office_id),
        **labels.call_form_defaults(utcnow()),
        "call_errors": {},
        "call_values": {},
        "assign_error": "",
        "now": utcnow(),
        "reopen_error": "",
        "reopen_reason": "",
        **case_record_context(case),
        # What other features add to the page (interviews, documents, exports, referrals): app/web/parts.py.
        "parts": parts.build("case", session=db, actor=principal, case=case),
    }
    context.update(extra)
    return render("cases/detail.html", status=status, **context)


@bp.route("/cases/<int:case_id>")
@roles_required(*CASE_ROLES)
def detail(case_id: int) -> Response:
    """Everything about one case: applicant, phones, deadline, calls, call-backs, interviews, referrals."""
    case = access.visible_case(get_session(), me(), case_id)
    with standalone_session() as audit_db:
        access.record_case_view(audit_db, actor=me(), case=case)
    return _detail_page(case)


@bp.route("/cases/<int:case_id>/calls", methods=["POST"])
@roles_required(*CASE_ROLES)
def log_call(case_id: int) -> Response:
    """Log a call outcome in one tap; "answered" leads to the case page to start the interview."""
    db = get_session()
    case = access.visible_case(db, me(), case_id)
    form = calls.CallForm.from_mapping(request.form)
    try:
        attempt = calls.log_call(db, actor=me(), case=case, form=form)
    except InvalidInput as exc:
        return _detail_page(case, status=422, call_errors=exc.errors, call_values=form)
    if attempt.outcome == CallOutcome.ANSWERED:
        return go_to(url_for("cases.detail", case_id=case_id, answered=attempt.id))
    flash(labels.call_logged_message(case, attempt), "success")
    return redirect(url_for("cases.detail", case_id=case_id))  # type: ignore[return-value]


@bp.route("/cases/<int:case_id>/retry", methods=["POST"])
@roles_required(*CASE_ROLES)
def book_retry(case_id: int) -> Response:
    """Plan the next try after a call nobody answered: a call-back on the list, not another call on the record."""
    db = get_session()
    case = access.visible_case(db, me(), case_id)
    form = retry.RetryForm.from_mapping(request.form)
    try:
        callback = retry.book_retry(db, actor=me(), case=case, form=form)
    except InvalidInput as exc:
        flash(str(_l("%(name)s: ponownego telefonu nie zaplanowano. %(problems)s", name=case.applicant_name,
                     problems=" ".join(exc.errors.values()))), "error")
        return redirect(url_for("cases.detail", case_id=case_id))  # type: ignore[return-value]
    flash(str(_l("%(name)s: ponowny telefon zaplanowany na %(when)s.", name=case.applicant_name,
                 when=moment_text(callback.due_at))), "success")
    return redirect(url_for("cases.detail", case_id=case_id))  # type: ignore[return-value]


@bp.route("/cases/<int:case_id>/phones", methods=["POST"])
@roles_required(*CASE_ROLES)
def add_phone(case_id: int) -> Response:
    """Add a phone number to the case (a new number learnt from a relative, a letter, another institution)."""
    db = get_session()
    case = access.visible_case(db, me(), case_id)
    form = case_phones.PhoneForm.from_mapping(request.form)
    try:
        phone = case_phones.add_phone(
            db, actor=me(), case=case, form=form, threshold=office_settings.calls_before_other_route(db, case.office_id)
        )
    except InvalidInput as exc:
        return _detail_page(case, status=422, phone_errors=exc.errors, phone_values=form)
    editing.note_change(db, actor=me(), case=case, field="phone", old="", new=display_phone(phone.number))  # history
    flash(str(_l("Dodano numer %(number)s.", number=display_phone(phone.number))), "success")
    return redirect(url_for("cases.detail", case_id=case_id, _anchor="h-phones"))  # type: ignore[return-value]


@bp.route("/cases/<int:case_id>/phones/<int:phone_id>/correct", methods=["POST"])
@roles_required(*CASE_ROLES)
def correct_phone(case_id: int, phone_id: int) -> Response:
    """Undo "wrong number": the number is offered for calls again (from the case page or the today list)."""
    db = get_session()
    case = access.visible_case(db, me(), case_id)
    phone = case_phones.case_phone(db, case, phone_id)
    changed = case_phones.unmark_wrong_phone(
        db, actor=me(), case=case, phone=phone, threshold=office_settings.calls_before_other_route(db, case.office_id)
    )
    if changed:
        flash(str(_l("Numer %(number)s znów jest do dzwonienia.", number=display_phone(phone.number))), "success")
    if request.form.get("from") == "today" and me().has(Role.WORKER):
        return redirect(url_for("worklist.today"))  # type: ignore[return-value]
    return redirect(url_for("cases.detail", case_id=case_id, _anchor="h-phones"))  # type: ignore[return-value]


@bp.route("/cases/<int:case_id>/contacts", methods=["POST"])
@roles_required(*CASE_ROLES)
def record_contact(case_id: int) -> Response:
    """Record a letter or e-mail sent to the applicant: the case then waits for their reply."""
    db = get_session()
    case = access.visible_case(db, me(), case_id)
    form = others.OtherContactForm.from_mapping(request.form)
    try:
        contact = others.record_other_contact(db, actor=me(), case=case, form=form)
    except InvalidInput as exc:
        return _detail_page(case, status=422, contact_errors=exc.errors, contact_values=form)
    flash(
        str(_l("Zapisano: %(route)s wysłany %(d)s. Sprawa czeka na odpowiedź.",
               route=labels.route_label(contact.route), d=day_text(contact.sent_on))),
        "success",
    )
    return redirect(url_for("cases.detail", case_id=case_id))  # type: ignore[return-value]


@bp.route("/cases/<int:case_id>/assign", methods=["POST"])
@roles_required(*CASE_ROLES)
def assign(case_id: int) -> Response:
    """Assign the case to a worker (supervisor, administrator) or take it (worker, when unassigned)."""
    db = get_session()
    case = access.visible_case(db, me(), case_id)
    raw = request.form.get("worker_id", "")
    worker_id = me().id if raw == "me" else parse_id(raw)
    try:
        assignment.assign_case(db, actor=me(), case=case, worker_id=worker_id)
    except InvalidInput as exc:
        return _detail_page(case, status=422, assign_error=exc.errors.get("worker_id", ""))
    if worker_id is None:
        flash(str(_l("Sprawa %(ref)s nie jest teraz przydzielona.", ref=case.reference)), "success")
    elif worker_id == me().id:
        flash(str(_l("Sprawa %(ref)s jest teraz Twoja.", ref=case.reference)), "success")
    else:
        flash(str(_l("Przydzielono sprawę %(ref)s.", ref=case.reference)), "success")
    return redirect(url_for("cases.detail", case_id=case_id))  # type: ignore[return-value]


# --- finding cases -------------------------------------------------------------------------------------------


@bp.route("/cases")
@roles_required(*CASE_ROLES)
def index() -> Response:
    """Search by name, PESEL, phone or reference; filter by state, worker and deadline."""
    db = get_session()
    filters = search.CaseFilters.from_mapping(request.args)
    result = search.search_cases(db, actor=me(), filters=filters, today=local_today())
    workers = assignment.office_workers(db, me().office_id) if access.sees_whole_office(me()) else []
    return render(
        "cases/index.html", "cases/_case_results.html", filters=filters, result=result, workers=workers
    )


@bp.route("/cases/team")
@roles_required(Role.SUPERVISOR, Role.ADMIN)
def team() -> Response:
    """The office's queue per worker, with the cases that need a letter or an e-mail."""
    db = get_session()
    rows = case_team.team_queue(db, actor=me())
    other_route = search.search_cases(
        db, actor=me(), filters=search.CaseFilters(other_route=True), today=local_today()
    )
    return render("cases/team.html", rows=rows, other_route=other_route)

