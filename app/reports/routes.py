"""Review screens: the supervisor's queue and verification; signing, approving, returning; PDF downloads."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, abort, flash, make_response, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from app import audit
from app.auth.access import me, require_same_office, roles_required
from app.auth.models import Role, User
from app.auth.reauth import ReauthThrottled
from app.auth.routes import password_guard
from app.auth.services import Principal
from app.cases.models import Case
from app.config import get_settings
from app.db import get_session, standalone_session
from app.interviews.models import Interview
from app.reports import document_check, lookups, pki_store, returned, review
from app.reports import errors as rep_errors
from app.reports import queue as rep_queue
from app.reports.build import build_report, question_label
from app.reports.comments import open_comments
from app.reports.models import FileKind, Report, ReportFile
from app.reports.pdf.story import format_amount
from app.reports.states import PENDING_REVIEW, STATE_LABELS, ReportState
from app.web import ratelimit
from app.web.htmx import render
from app.web.ids import parse_id
from app.web.paging import page_number
from app.web.parts import part

bp = Blueprint("reports", __name__)


@bp.app_template_filter("signature_stage")
def _signature_stage(field_name: str) -> tuple[str, int] | None:
    """The stage and version one of our signature fields stands for (templates/reports/_verify_result.html)."""
    return document_check.signature_stage(field_name)

COMMENT_PREFIX = "comment-"


def _report(report_id: int) -> Report:
    """The report if the user may read it: another office's is 404, a psychologist's or other worker's 403."""
    report = get_session().get(Report, report_id)
    if report is None:
        abort(404)
    require_same_office(report.office_id)
    if not lookups.may_read_report(me(), report):
        abort(403)
    return report


def _own_interview(interview_id: int) -> Interview:
    """An interview the current worker conducted (only they can sign it)."""
    interview = get_session().get(Interview, interview_id)
    if interview is None:
        abort(404)
    require_same_office(interview.office_id)
    if interview.worker_id != me().id:
        abort(403)
    return interview


# --------------------------------------------------------------------------- template hooks


@part("interview", "report")
def _report_status(*, session: Session, actor: Principal, interview: Interview, **_: Any) -> dict[str, Any]:
    """For `reports/_interview_actions.html`: the review state of an interview's report and what the user may do."""
    report = lookups.report_of_interview(session, interview.id or 0)
    state = lookups.state_of(interview, report)
    principal = actor
    return {
        "state": state,
        "label": STATE_LABELS[state],
        "report": report,
        "can_sign": interview.worker_id == principal.id and principal.has(Role.WORKER)
        and interview.state == "finished" and state in (ReportState.FINISHED, ReportState.RETURNED),
        "open_comments": sum(len(v) for v in open_comments(session, interview.id or 0).values()),
    }


@bp.app_template_filter("pln")
def pln(value: Decimal | None) -> str:
    """An amount in the Polish format (1 234,50), as in the PDF."""
    return format_amount(value)


# --------------------------------------------------------------------------- supervisor screens


@bp.route("/review")
@roles_required(Role.SUPERVISOR)
def queue() -> Response:
    """Reports waiting for review in the supervisor's office, oldest first, with filters, 50 to a page."""
    db = get_session()
    status = request.args.get("status", "pending")
    if status not in rep_queue.QUEUE_FILTERS:
        status = "pending"
    worker_id = parse_id(request.args.get("worker"))
    overdue = request.args.get("overdue") == "1"
    paged = rep_queue.review_queue(db, office_id=me().office_id, status=status, worker_id=worker_id,
                                  overdue_only=overdue, page=page_number(request.args.get("page")))
    # The filters as the page links carry them: only those that differ from the defaults.
    filters = {k: v for k, v in (("status", status if status != "pending" else None), ("worker", worker_id),
                                 ("overdue", "1" if overdue else None)) if v is not None}
    return render("reports/queue.html", "reports/_queue_items.html", paged=paged, items=paged.items,
                  filter_status=status, worker_id=worker_id, overdue=overdue, filters=filters,
                  workers=rep_queue.office_workers(db, me().office_id), state_labels=STATE_LABELS)


@bp.route("/review/verify", methods=["GET", "POST"])
@roles_required(Role.SUPERVISOR, Role.ADMIN)
def verify() -> Response:
    """Upload a PDF: each signature's verdict and whether it is an archived report file."""
    if request.method == "GET":
        return render("reports/verify.html", "reports/_verify_result.html", result=None, error=None)
    wait = ratelimit.retry_after(get_session(), bucket="report.verify", user_id=me().id,
                                 limit=get_settings().verify_max_per_minute, window=timedelta(minutes=1))
    if wait:
        seconds = ratelimit.seconds(wait)
        error = _l("Zbyt wiele sprawdzeń w krótkim czasie. Spróbuj ponownie za %(s)d s.", s=seconds)
        response = render("reports/verify.html", "reports/_verify_result.html", status=429, result=None, error=error)
        response.headers["Retry-After"] = str(seconds)
        return response
    ratelimit.count(get_session(), bucket="report.verify", user_id=me().id)
    upload = request.files.get("pdf")
    data = upload.read(document_check.MAX_VERIFY_UPLOAD_BYTES + 1) if upload else b""
    try:
        result = document_check.verify_upload(get_session(), actor=me(), data=data,
                                        extra_roots=get_settings().trusted_ca_certificates())
    except rep_errors.ReviewError as exc:
        return render("reports/verify.html", "reports/_verify_result.html", status=422, result=None,
                      error=exc.message)
    return render("reports/verify.html", "reports/_verify_result.html", result=result, error=None, FileKind=FileKind)


# --------------------------------------------------------------------------- the report


@bp.route("/reports")
@roles_required(Role.WORKER)
def mine() -> Response:
    """The worker's own reports, returned ones first."""
    rows = rep_queue.reports_of_worker(get_session(), worker_id=me().id)
    return render("reports/mine.html", rows=rows, state_labels=STATE_LABELS)


def _detail_context(report: Report, errors: dict[str, str] | None = None,
                    typed: dict[str, str] | None = None) -> dict[str, Any]:
    db = get_session()
    interview = db.get(Interview, report.interview_id)
    case = db.get(Case, report.case_id)
    worker = db.get(User, report.worker_id)
    assert interview is not None  # noqa: S101
    comments = lookups.comments_of(db, report.id or 0)
    principal = me()
    pending = report.state in PENDING_REVIEW
    return {
        "report": report,
        "interview": interview,
        "case": case,
        "worker": worker,
        "built": lookups.built_version(db, report),
        "files": lookups.files_of(db, report.id or 0),
        "comments": comments,
        "comment_labels": {c.answer_key: question_label(interview, c.answer_key) for c in comments if c.answer_key},
        "fix_target": returned.first_commented_of(interview, [c.answer_key for c in comments
                                                              if c.version == report.version]),
        "open_comments": open_comments(db, interview.id or 0),
        "state_label": STATE_LABELS[ReportState(report.state)],
        "can_review": pending and principal.has(Role.SUPERVISOR) and principal.id != report.worker_id,
        "can_resubmit": report.state == ReportState.RETURNED and principal.id == report.worker_id
        and interview.state == "finished",
        "errors": errors or {},
        "typed": typed or {},
        "FileKind": FileKind,
    }


@bp.route("/reports/<int:report_id>")
@roles_required(Role.WORKER, Role.SUPERVISOR, Role.ADMIN)
def detail(report_id: int) -> Response:
    """The report: state, versions, comments, the HTML view; approve or return for supervisors."""
    report = _report(report_id)
    audit.view(actor=me(), obj=report, version=report.version)
    return render("reports/detail.html", **_detail_context(report))


def _pdf_response(report_id: int, file_id: int, *, inline: bool) -> Response:
    report = _report(report_id)
    stored = get_session().get(ReportFile, file_id)
    if stored is None or stored.report_id != report.id:
        abort(404)
    # A GET runs in a read transaction: the audit event goes through its own short write.
    with standalone_session() as db:
        lookups.record_file_access(db, actor=me(), stored=stored, inline=inline)
    case = get_session().get(Case, report.case_id)
    reference = (case.reference if case else str(report.id)).replace("/", "-")
    suffix = "zatwierdzony" if stored.kind == FileKind.APPROVED else "podpisany"
    name = f"raport-{reference}-v{stored.version}-{suffix}.pdf"
    response = make_response(stored.pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/reports/<int:report_id>/files/<int:file_id>/download")
@roles_required(Role.WORKER, Role.SUPERVISOR, Role.ADMIN)
def download(report_id: int, file_id: int) -> Response:
    """The stored PDF as an attachment (never cached), audit-logged."""
    return _pdf_response(report_id, file_id, inline=False)


@bp.route("/reports/<int:report_id>/files/<int:file_id>/view")
@roles_required(Role.WORKER, Role.SUPERVISOR, Role.ADMIN)
def view_pdf(report_id: int, file_id: int) -> Response:
    """The stored PDF shown by the browser's own viewer (same access rules and audit as downloads)."""
    return _pdf_response(report_id, file_id, inline=True)


@bp.route("/reports/<int:report_id>/approve", methods=["POST"])
@roles_required(Role.SUPERVISOR)
def approve(report_id: int) -> Response:
    """Counter-sign the current version with the supervisor's password."""
    report = _report(report_id)
    try:
        review.approve_report(get_session(), actor=me(), report=report, password=request.form.get("password", ""),
                                settings=get_settings(), guard=password_guard())
    except ReauthThrottled as exc:
        return render("reports/detail.html", status=429, **_detail_context(report, {"approve_password": exc.message}))
    except (rep_errors.ReviewError, pki_store.SigningProblem) as exc:
        errors = {"approve_password" if exc.field == "password" else "approve": exc.message}
        return render("reports/detail.html", status=422, **_detail_context(report, errors))
    flash(str(_l("Raport zatwierdzony i podpisany.")), "success")
    return redirect(url_for("reports.queue"))  # type: ignore[return-value]


@bp.route("/reports/<int:report_id>/return", methods=["POST"])
@roles_required(Role.SUPERVISOR)
def return_report(report_id: int) -> Response:
    """Send the report back to the worker with comments at specific questions."""
    report = _report(report_id)
    comments = {key[len(COMMENT_PREFIX):]: value for key, value in request.form.items()
                if key.startswith(COMMENT_PREFIX)}
    general = request.form.get("general", "")
    try:
        review.return_report(get_session(), actor=me(), report=report, comments=comments, general=general)
    except rep_errors.ReviewError as exc:
        typed = {**comments, "general": general}
        return render("reports/detail.html", status=422,
                      **_detail_context(report, {"return": exc.message}, typed))
    flash(str(_l("Raport zwrócono do poprawy. Pracownik zobaczy uwagi przy pytaniach.")), "success")
    return redirect(url_for("reports.queue"))  # type: ignore[return-value]


# --------------------------------------------------------------------------- signing


def _sign_context(interview: Interview, error: str | None = None) -> dict[str, Any]:
    db = get_session()
    report = lookups.report_of_interview(db, interview.id or 0)
    version = 1 if report is None else report.version + 1
    return {
        "interview": interview,
        "case": db.get(Case, interview.case_id),
        "report": report,
        "version": version,
        "state": lookups.state_of(interview, report),
        "built": build_report(db, interview, version=version),
        "certificate": pki_store.active_certificate(db, me().id),
        "error": error,
    }


@bp.route("/interviews/<int:interview_id>/sign", methods=["GET", "POST"])
@roles_required(Role.WORKER)
def sign(interview_id: int) -> Response:
    """The sign dialog: re-enter the password to sign the finished interview and send it for review."""
    interview = _own_interview(interview_id)
    if request.method == "GET":
        return render("reports/sign.html", "reports/_sign_dialog.html", **_sign_context(interview))
    try:
        stored = review.submit_report(get_session(), actor=me(), interview=interview,
                                        password=request.form.get("password", ""), settings=get_settings(),
                                        guard=password_guard())
    except ReauthThrottled as exc:
        return render("reports/sign.html", "reports/_sign_dialog.html", status=429,
                      **_sign_context(interview, exc.message))
    except (rep_errors.ReviewError, pki_store.SigningProblem) as exc:
        return render("reports/sign.html", "reports/_sign_dialog.html", status=422,
                      **_sign_context(interview, exc.message))
    flash(str(_l("Raport podpisany i wysłany do zatwierdzenia (wersja %(v)d).", v=stored.version)), "success")
    target = url_for("reports.detail", report_id=stored.report_id)
    if request.headers.get("HX-Request") == "true":
        response = make_response("", 204)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)  # type: ignore[return-value]


# --------------------------------------------------------------------------- the user's signing certificate


@bp.route("/account/signing", methods=["GET", "POST"])
@roles_required(Role.WORKER, Role.SUPERVISOR)
def certificate() -> Response:
    """The user's signing certificates; upload one's own PKCS#12 instead of the office certificate."""
    db = get_session()
    error: dict[str, str] = {}
    status = 422
    if request.method == "POST":
        user = db.get(User, me().id)
        assert user is not None  # noqa: S101
        upload = request.files.get("pkcs12")
        data = upload.read(pki_store.MAX_PKCS12_BYTES + 1) if upload else b""
        try:
            row = pki_store.import_pkcs12(db, user=user, data=data,
                                          p12_password=request.form.get("p12_password", ""),
                                          password=request.form.get("password", ""), guard=password_guard())
        except ReauthThrottled as exc:
            error, status = {"password": exc.message}, 429
        except pki_store.SigningProblem as exc:
            error = {exc.field or "pkcs12": exc.message}
        else:
            flash(str(_l("Twój certyfikat będzie używany do podpisywania raportów.")), "success")
            if not pki_store.certificate_trusted(db, row, extra_roots=get_settings().trusted_ca_certificates()):
                flash(str(_l("Wystawca tego certyfikatu nie jest na liście zaufanych w ośrodku: przy sprawdzaniu "
                             "podpisy będą oznaczone jako niezaufane. Poproś administratora o dodanie wystawcy "
                             "(ustawienie TELEWYWIAD_TRUSTED_CA_FILE).")), "warning")
            return redirect(url_for("reports.certificate"))  # type: ignore[return-value]
    return render("reports/certificate.html", status=status if error else 200,
                  certificates=pki_store.certificates_of(db, me().id), errors=error)
