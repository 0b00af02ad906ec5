"""A case's documents: the list and upload form, downloads (audited), annex choice and withdrawal."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, make_response, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from app.auth.access import me, roles_required
from app.auth.services import Principal
from app.cases.access import visible_case
from app.cases.contact.history import users_by_id
from app.cases.models import Case
from app.clock import local_today
from app.config import get_settings
from app.db import get_session
from app.documents import services
from app.documents.labels import CHANNEL_LABELS, KIND_LABELS, channel_label, kind_label
from app.documents.models import CaseDocument
from app.errors import InvalidInput, NotFound
from app.interviews.access import case_interviews
from app.interviews.models import Interview
from app.web.htmx import render
from app.web.ids import parse_id
from app.web.parts import part

bp = Blueprint("documents", __name__)
MB = 1024 * 1024


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"document_kind_label": kind_label, "document_channel_label": channel_label}


@part("case", "documents")
def _case_documents_card(*, session: Session, actor: Principal, case: Case, **_: Any) -> dict[str, Any] | None:
    """What the case page's "Dokumenty" card shows; None for roles that handle no documents."""
    if not services.may_handle(actor):
        return None
    documents = services.case_documents(session, case.id or 0)
    return {"documents": [d for d in documents if d.withdrawn_at is None],
            "withdrawn": sum(1 for d in documents if d.withdrawn_at is not None)}


@part("interview", "documents")
def _interview_documents_card(*, session: Session, actor: Principal, interview: Interview,
                              **_: Any) -> dict[str, Any] | None:
    """The interview summary's documents: this interview's and the whole case's (None without access to the case)."""
    if not services.may_handle(actor):
        return None
    try:
        visible_case(session, actor, interview.case_id)
    except NotFound:
        return None
    documents = services.case_documents(session, interview.case_id)
    return {"documents": [d for d in documents if d.withdrawn_at is None and d.interview_id in (None, interview.id)]}


def max_bytes() -> int:
    """The size limit of one document: TELEWYWIAD_DOCUMENT_MAX_MB, never above the request limit."""
    settings = get_settings()
    return min(settings.document_max_mb, settings.max_upload_mb) * MB


def _case(case_id: int) -> Case:
    return visible_case(get_session(), me(), case_id)


def _document(case: Case, document_id: int) -> CaseDocument:
    try:
        return services.document_of_case(get_session(), case, document_id)
    except services.DocumentNotFound:
        abort(404)


def _page(case: Case, *, form: services.DocumentForm | None = None, errors: dict[str, str] | None = None,
          status: int = 200, withdraw_errors: dict[int, str] | None = None, withdraw_typed: dict[int, str] | None = None,
          came_from: str = "") -> Response:
    db = get_session()
    documents = services.case_documents(db, case.id or 0)
    interviews = case_interviews(db, case.id or 0)
    preset = request.args.get("interview", "")
    form = form or services.DocumentForm(received_on=local_today().isoformat(),
                                         interview_id=preset if parse_id(preset) else "")
    return render(
        "documents/index.html", status=status, case=case, documents=documents, interviews=interviews, form=form,
        errors=errors or {}, withdraw_errors=withdraw_errors or {}, withdraw_typed=withdraw_typed or {}, kinds=KIND_LABELS, channels=CHANNEL_LABELS,
        people=users_by_id(db, [d.uploaded_by_id for d in documents]), max_mb=max_bytes() // MB,
        today_iso=local_today().isoformat(), may_withdraw=lambda d: services.may_withdraw(me(), d),
        came_from=came_from or request.args.get("from", ""),
    )


@bp.route("/cases/<int:case_id>/documents", methods=["GET", "POST"])
@roles_required(*services.DOCUMENT_ROLES)
def index(case_id: int) -> Response:
    """GET: the case's documents and the form; POST: add one (a photo from the camera or a file)."""
    case = _case(case_id)
    if request.method == "GET":
        return _page(case)
    form = services.DocumentForm.from_mapping(request.form)
    limit = max_bytes()
    uploads = []
    for field in ("photo", "file"):
        part = request.files.get(field)
        if part is not None:
            uploads.append(services.Upload(part.filename or "", part.stream.read(limit + 1)))
    db = get_session()
    try:
        document = services.add_document(db, actor=me(), case=case, form=form, uploads=uploads, max_bytes=limit,
                                         today=local_today(), interviews=case_interviews(db, case.id or 0))
    except InvalidInput as exc:
        return _page(case, form=form, errors=exc.errors, status=422, came_from=request.form.get("from", ""))
    flash(str(_l("Dodano dokument: %(kind)s (%(name)s).", kind=kind_label(document.kind), name=document.filename)),
          "success")
    if request.form.get("from") == "interview" and document.interview_id:
        return redirect(url_for("interviews.summary", interview_id=document.interview_id,  # type: ignore[return-value]
                                _anchor="h-documents"))
    return redirect(url_for("cases.detail", case_id=case_id, _anchor="h-documents"))  # type: ignore[return-value]


def _disposition(document: CaseDocument, inline: bool) -> str:
    ascii_name = document.filename.encode("ascii", "replace").decode("ascii").replace("?", "_").replace('"', "_")
    return f"{'inline' if inline else 'attachment'}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(document.filename)}"


@bp.route("/cases/<int:case_id>/documents/<int:document_id>")
@roles_required(*services.DOCUMENT_ROLES)
def download(case_id: int, document_id: int) -> Response:
    """The file as it was received; `?inline=1` shows an image or PDF in the browser. Every opening is audited."""
    case = _case(case_id)
    document = _document(case, document_id)
    inline = request.args.get("inline") == "1" and document.filename.rsplit(".", 1)[-1] in services.content.INLINE
    try:
        services.record_download(get_session(), actor=me(), document=document, inline=inline)
    except services.DocumentNotFound:
        abort(404)
    response = make_response(document.data)
    response.headers["Content-Type"] = document.media_type
    response.headers["Content-Disposition"] = _disposition(document, inline)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    # A received file is never a page of this application: no scripts, no forms, no same-origin access.
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; object-src 'self'"
    return response


@bp.route("/cases/<int:case_id>/documents/<int:document_id>/annex", methods=["POST"])
@roles_required(*services.DOCUMENT_ROLES)
def annex(case_id: int, document_id: int) -> Response:
    """Append the document to the report as an annex (or stop): applies to the next signed version."""
    case = _case(case_id)
    document = _document(case, document_id)
    wanted = request.form.get("annex") == "1"
    try:
        services.set_annex(get_session(), actor=me(), case=case, document=document, annex=wanted)
    except services.DocumentNotFound:
        abort(404)
    except InvalidInput as exc:
        flash(exc.errors.get("annex", ""), "error")
        return redirect(url_for("documents.index", case_id=case_id))  # type: ignore[return-value]
    flash(str(_l("Dokument będzie załącznikiem do raportu.") if wanted
              else _l("Dokument nie będzie już dołączany do raportu.")), "success")
    return redirect(url_for("documents.index", case_id=case_id))  # type: ignore[return-value]


@bp.route("/cases/<int:case_id>/documents/<int:document_id>/withdraw", methods=["POST"])
@roles_required(*services.DOCUMENT_ROLES)
def withdraw(case_id: int, document_id: int) -> Response:
    """Withdraw a document added by mistake (the uploader or a supervisor), with the reason."""
    case = _case(case_id)
    document = _document(case, document_id)
    try:
        services.withdraw(get_session(), actor=me(), case=case, document=document,
                          reason=request.form.get("reason", ""))
    except services.DocumentNotFound:
        abort(404)
    except InvalidInput as exc:
        return _page(case, status=422, withdraw_errors={document_id: exc.errors.get("reason", "")},
                     withdraw_typed={document_id: request.form.get("reason", "")})
    flash(str(_l("Dokument %(name)s wycofano; plik usunięto.", name=document.filename)), "success")
    return redirect(url_for("documents.index", case_id=case_id))  # type: ignore[return-value]

