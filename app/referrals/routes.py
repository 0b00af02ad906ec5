"""Referral routes: the flags panel in the interview, raising a referral, the psychologists' list, exports."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, abort, flash, redirect, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from app import audit
from app.auth.access import me, require_same_office, roles_required
from app.auth.models import Office, Role
from app.cases.access import visible_case
from app.cases.models import Case
from app.config import get_settings
from app.db import get_session, standalone_session
from app.errors import InvalidInput, NotFound
from app.fields import international_phone
from app.interviews import carry
from app.interviews.access import get_interview
from app.interviews.answers import form_of, load_answers
from app.interviews.models import Interview
from app.referrals import flag_causes, flags, intake, queries, workflow
from app.referrals import labels as ref_labels
from app.referrals.exports import export_rows, to_csv, to_pdf
from app.referrals.helplines import Helplines, load_helplines
from app.referrals.intake import ReferralInput
from app.referrals.models import Referral
from app.referrals.office_settings import office_helplines, office_referral_settings
from app.referrals.states import Action, TransitionError, allowed_actions
from app.referrals.workflow import TransitionInput
from app.web.htmx import is_htmx, render
from app.web.paging import page_number
from app.web.parts import part

bp = Blueprint("referrals", __name__)


@bp.context_processor
def _limits() -> dict[str, Any]:
    return {"limits": intake.LIMITS}


@bp.record_once
def _check_helplines(state: BlueprintSetupState) -> None:
    # Helplines are configuration an office edits: a broken file stops the start, not a crisis call.
    app = state.app
    assert isinstance(app, Flask)  # noqa: S101
    load_helplines(get_settings(app).referrals.helplines_file)


def _helplines() -> Helplines:
    """The user's office's helplines in service today (database, falling back to the installation's file)."""
    return office_helplines(get_session(), me().office_id)


def _lang() -> str:
    return str(get_locale() or "pl")


# --------------------------------------------------------------------------- access


def _interview(interview_id: int) -> Interview:
    """The interview if the user may work on it (the runner's rule); 404 otherwise."""
    try:
        return get_interview(get_session(), me(), interview_id)
    except NotFound:
        abort(404)


def _visible_case(case_id: int) -> Case:
    """The case if the user may see it (the cases feature's rule)."""
    return visible_case(get_session(), me(), case_id)


def _referral(referral_id: int) -> Referral:
    referral = get_session().get(Referral, referral_id)
    if referral is None:
        abort(404)
    require_same_office(referral.office_id)
    return referral


# --------------------------------------------------------------------------- flags in the interview


def _flags_response(interview: Interview, *, status: int = 200, errors: dict[str, str] | None = None,
                    values: dict[str, str] | None = None, expanded: bool = False) -> Response:
    review = flags.review_flags(get_session(), interview=interview, helplines=_helplines(), lang=_lang())
    return render(
        "referrals/interview_flags.html",
        "referrals/_interview_flags.html",
        status=status,
        interview=interview,
        review=review,
        dismiss_errors=errors or {},
        dismiss_values=values or {},
        runner_url=url_for("interviews.run", interview_id=interview.id),
        # Open on its own page and after a decision in the panel; a compact banner in the runner otherwise.
        flags_expanded=expanded or not is_htmx(),
    )


@bp.route("/interviews/<int:interview_id>/flags")
@roles_required(Role.WORKER, Role.SUPERVISOR)
def interview_flags(interview_id: int) -> Response:
    """The fired flags of an interview (htmx: the panel's content, loaded once with the runner; autosave sends it again
    out of band when the flags change)."""
    return _flags_response(_interview(interview_id))


@bp.route("/interviews/<int:interview_id>/flags/<rule_id>/dismiss", methods=["POST"])
@roles_required(Role.WORKER, Role.SUPERVISOR)
def dismiss_flag(interview_id: int, rule_id: str) -> Response:
    """Dismiss a fired flag with a reason."""
    interview = _interview(interview_id)
    reason = request.form.get("reason", "")
    try:
        flags.dismiss_flag(get_session(), actor=me(), interview=interview, rule_id=rule_id, reason=reason)
    except InvalidInput as exc:
        # htmx swaps only 2xx responses: the panel with the message comes back as 200 there.
        return _flags_response(
            interview, status=200 if is_htmx() else 422, errors={rule_id: exc.errors["reason"]}, values={rule_id: reason},
            expanded=True,
        )
    if is_htmx():
        return _flags_response(interview, expanded=True)
    flash(str(_l("Sygnał odrzucono; powód zapisano.")), "success")
    return redirect(url_for("referrals.interview_flags", interview_id=interview_id))  # type: ignore[return-value]


# --------------------------------------------------------------------------- raising a referral


def _list_url() -> str:
    return get_settings().referrals.base_url.rstrip("/") + url_for("referrals.list")


def _referral_form(*, case: Case, interview: Interview | None, flag_id: str, cancel_url: str) -> Response:
    db = get_session()
    principal = me()
    found = flags.fired_flag(db, interview, flag_id) if (interview is not None and flag_id) else None
    flag, digest = found if found else (None, "")
    danger = flags.any_life_in_danger(db, interview) if interview is not None else False
    contact = queries.default_worker_contact(db, principal)
    if request.method == "POST":
        data = ReferralInput.from_form(request.form)
        try:
            referral = intake.raise_referral(
                db,
                actor=principal,
                case=case,
                interview=interview,
                flag=flag,
                flag_fingerprint=digest,
                danger=danger,
                data=data,
                settings=office_referral_settings(db, case.office_id),
                list_url=_list_url(),
            )
        except InvalidInput as exc:
            errors = exc.errors
        else:
            flash(str(_l("Skierowanie wysłano do psychologów.")), "success")
            if interview is not None:
                carry.fill_segment_j(db, actor=principal, interview=interview, referral=referral)  # shown in part J
                target = url_for("interviews.run", interview_id=interview.id)
            else:
                target = url_for("cases.detail", case_id=case.id)
            return redirect(target)  # type: ignore[return-value]
    else:
        errors = {}
        if interview is not None:
            data = intake.prefill_from_interview(db, interview=interview, flag=flag, worker_contact=contact)
        else:
            data = intake.prefill_from_case(db, case=case, worker_contact=contact)
    form = form_of(interview) if interview is not None else None
    labels = []
    if flag and form and interview is not None and interview.id is not None:
        named = flag_causes.causes(form, load_answers(db, interview.id), flag)
        labels = [flags.answer_label(form, k, _lang()) for k in named]
    consent_question = form.question("psych_consent") if form and form.has_question("psych_consent") else None
    consent_script = consent_question.script.get(_lang()) if consent_question and consent_question.script else None
    helplines = _helplines()
    return render(
        "referrals/new.html",
        status=422 if errors else 200,
        case=case,
        interview=interview,
        flag=flag,
        flag_labels=labels,
        danger=danger,
        emergency=helplines.emergency,
        values=data,
        errors=errors,
        cancel_url=cancel_url,
        reasons=ref_labels.REASON_LABELS,
        priorities=ref_labels.PRIORITY_LABELS,
        emergency_labels=ref_labels.EMERGENCY_LABELS,
        consent_script=consent_script,
    )


@bp.route("/interviews/<int:interview_id>/referrals/new", methods=["GET", "POST"])
@roles_required(Role.WORKER, Role.SUPERVISOR)
def new_from_interview(interview_id: int) -> Response:
    """Confirm a flag (or raise a referral by hand) from an interview, with the person's consent."""
    interview = _interview(interview_id)
    case = get_session().get(Case, interview.case_id)
    if case is None:
        abort(404)
    flag_id = request.args.get("flag", "")
    return _referral_form(
        case=case,
        interview=interview,
        flag_id=flag_id,
        cancel_url=url_for("referrals.interview_flags", interview_id=interview_id),
    )


@bp.route("/cases/<int:case_id>/referrals/new", methods=["GET", "POST"])
@roles_required(Role.WORKER, Role.SUPERVISOR)
def new_from_case(case_id: int) -> Response:
    """Raise a referral by hand from a case, with the person's consent."""
    case = _visible_case(case_id)
    return _referral_form(case=case, interview=None, flag_id="", cancel_url=url_for("cases.detail", case_id=case_id))


# --------------------------------------------------------------------------- lists


def _list_context(referrals: list[Referral]) -> dict[str, Any]:
    db = get_session()
    ids = [r.raised_by_id for r in referrals] + [r.accepted_by_id for r in referrals]
    return {
        "referrals": referrals,
        "names": queries.user_names(db, ids),
        "overdue": {r.id for r in referrals if queries.is_overdue(r)},
        "actions": {r.id: allowed_actions(r, me()) for r in referrals},
        "labels": _labels(),
    }


def _labels() -> dict[str, object]:
    from app.referrals.states import ACTION_LABELS, STATE_LABELS

    return {
        "state": STATE_LABELS,
        "priority": ref_labels.PRIORITY_LABELS,
        "reason": ref_labels.REASON_LABELS,
        "contact": ref_labels.CONTACT_LABELS,
        "close": ref_labels.CLOSE_LABELS,
        "emergency": ref_labels.EMERGENCY_LABELS,
        "action": ACTION_LABELS,
    }


@bp.route("/referrals", endpoint="list")
@roles_required(Role.PSYCHOLOGIST, Role.SUPERVISOR)
def referral_list() -> Response:
    """The psychologists' list: urgent first, then oldest, 50 to a page; overdue ones highlighted and counted."""
    db = get_session()
    show_all = request.args.get("show") == "all"
    paged = queries.office_referral_page(db, me().office_id, include_finished=show_all,
                                          page=page_number(request.args.get("page")))
    return render("referrals/list.html", show_all=show_all, paged=paged, filters={"show": "all"} if show_all else {},
                  overdue_total=queries.overdue_count(db, me().office_id), **_list_context(list(paged.items)))


@bp.route("/referrals/mine")
@roles_required(Role.WORKER)
def mine() -> Response:
    """The referrals this worker raised and where each one is now."""
    referrals = queries.raised_by(get_session(), me().id)
    return render("referrals/mine.html", **_list_context(referrals))


@bp.route("/referrals/<int:referral_id>")
@roles_required(Role.PSYCHOLOGIST, Role.SUPERVISOR)
def detail(referral_id: int) -> Response:
    """One referral: the minimum to call the person, contact attempts, history and the next steps."""
    referral = _referral(referral_id)
    audit.view(actor=me(), obj=referral)
    return _detail_response(referral)


def _detail_response(referral: Referral, *, status: int = 200, errors: dict[str, str] | None = None,
                     form_action: str = "", values: dict[str, str] | None = None) -> Response:
    db = get_session()
    assert referral.id is not None  # noqa: S101
    contacts = queries.contacts_of(db, referral.id)
    history = queries.history_of(db, referral.id)
    names = queries.user_names(
        db,
        [referral.raised_by_id, referral.accepted_by_id, referral.consent_recorded_by_id]
        + [c.psychologist_id for c in contacts]
        + [h.actor_id for h in history],
    )
    return render(
        "referrals/detail.html",
        status=status,
        referral=referral,
        contacts=contacts,
        history=history,
        names=names,
        overdue=queries.is_overdue(referral),
        actions=allowed_actions(referral, me()),
        labels=_labels(),
        errors=errors or {},
        form_action=form_action,
        values=values or {},
        phone_display=international_phone(referral.phone),
    )


@bp.route("/referrals/<int:referral_id>/<action>", methods=["POST"])
@roles_required(Role.PSYCHOLOGIST, Role.SUPERVISOR)
def act(referral_id: int, action: str) -> Response:
    """Take one step of the state machine (accept, log a contact, start support, close, return, release)."""
    referral = _referral(referral_id)
    try:
        chosen = Action(action)
    except ValueError:
        abort(404)
    data = TransitionInput(
        outcome=request.form.get("outcome", ""), note=request.form.get("note", ""), reason=request.form.get("reason", "")
    )
    try:
        workflow.apply_action(get_session(), actor=me(), referral=referral, action=chosen, data=data)
    except TransitionError as exc:
        flash(str(exc), "error")
        return _detail_response(referral, status=409)
    except InvalidInput as exc:
        return _detail_response(
            referral, status=422, errors=exc.errors, form_action=chosen.value,
            values={"outcome": data.outcome, "note": data.note, "reason": data.reason},
        )
    flash(str(_l("Zapisano.")), "success")
    if request.form.get("back") == "list":
        return redirect(url_for("referrals.list"))  # type: ignore[return-value]
    return redirect(url_for("referrals.detail", referral_id=referral_id))  # type: ignore[return-value]


# --------------------------------------------------------------------------- exports


@bp.route("/referrals/export.<fmt>")
@roles_required(Role.PSYCHOLOGIST, Role.SUPERVISOR)
def export(fmt: str) -> Response:
    """The current list as PDF or CSV (the psychologist's minimum only); every export is audited."""
    if fmt not in ("pdf", "csv"):
        abort(404)
    db = get_session()
    principal = me()
    rows = export_rows(db, principal.office_id)
    if fmt == "csv":
        body, mimetype = to_csv(rows), "text/csv; charset=utf-8"
    else:
        body, mimetype = to_pdf(rows, office=db.get(Office, principal.office_id)), "application/pdf"
    with standalone_session() as write:

        audit.log(write, "referral.exported", actor=principal, object_type="referral_list", format=fmt, count=len(rows))
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="zgloszenia.{fmt}"'
    return response


# --------------------------------------------------------------------------- hooks for other features' templates


@part("case", "referrals")
def _case_referrals(*, session: Session, case: Case, **_: Any) -> dict[str, object]:
    """What `referrals/_case_referrals.html` shows: the case's referral history and the labels."""
    referrals = queries.of_case(session, case.id or 0)
    return {"referrals": referrals, "names": queries.user_names(session, [r.raised_by_id for r in referrals]),
            "labels": _labels()}


@bp.app_template_filter("phone_display")
def phone_display(value: str) -> str:
    """A stored E.164 number as people read it."""
    return international_phone(value)
