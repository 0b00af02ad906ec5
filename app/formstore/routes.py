"""An office's forms page: upload a YAML definition, see every problem with its place, preview, publish."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l

from app.auth.access import me, roles_required
from app.auth.models import Role
from app.db import get_session
from app.formdefs import FormDefinitionError, Problem
from app.formdefs.extension import form_registry
from app.formstore import catalog, services
from app.formstore.models import FormPublication, FormVersion
from app.offices.access import managed_office
from app.web.htmx import render

bp = Blueprint("formstore", __name__, url_prefix="/admin/offices")


def _index_page(office_id: int, *, text: str = "", name: str = "", problems: list[Problem] | None = None) -> Response:
    office = managed_office(office_id)
    listings = services.office_forms(get_session(), form_registry(), office_id)
    return render("formstore/index.html", status=422 if problems else 200, office=office, listings=listings,
                  text=text, name=name, problems=problems or [], max_kb=services.MAX_UPLOAD_BYTES // 1024)


@bp.route("/<int:office_id>/forms")
@roles_required(Role.ADMIN)
def index(office_id: int) -> Response:
    """Forms of the office: the version new interviews use, uploaded drafts and published versions."""
    return _index_page(office_id)


def _uploaded_text() -> tuple[str, str, list[Problem]]:
    """The definition from the file field (or the text area), its name, and a problem if it is not UTF-8 text."""
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        name = upload.filename[:200]
        data = upload.read(services.MAX_UPLOAD_BYTES + 1)
        try:
            return data.decode("utf-8"), name, []
        except UnicodeDecodeError:
            return "", name, [Problem(name, "file", str(_l("Plik nie jest tekstem w kodowaniu UTF-8.")))]
    return request.form.get("text", ""), (request.form.get("name", "") or "formularz.yaml")[:200], []


@bp.route("/<int:office_id>/forms", methods=["POST"])
@roles_required(Role.ADMIN)
def upload(office_id: int) -> Response:
    """Check an uploaded definition; when it passes, keep it as a draft and show its preview."""
    managed_office(office_id)
    text, name, problems = _uploaded_text()
    if not problems and not text.strip():
        problems = [Problem(name, "file", str(_l("Wybierz plik YAML albo wklej jego treść.")))]
    if problems:
        return _index_page(office_id, text=text, name=name, problems=problems)
    try:
        row = services.upload(get_session(), form_registry(), text=text, name=name, office_id=office_id, actor_id=me().id)
    except services.UploadRefused as exc:
        return _index_page(office_id, text=text, name=name, problems=exc.problems)
    flash(str(_l("Formularz %(form)s v%(version)s przeszedł wszystkie sprawdzenia. Przejrzyj go i opublikuj.",
                 form=row.form_id, version=row.version)), "success")
    return redirect(url_for("formstore.preview", office_id=office_id, version_id=row.id))  # type: ignore[return-value]


def _version(office_id: int, version_id: int) -> FormVersion:
    row = get_session().get(FormVersion, version_id)
    if row is None or (row.office_id not in (None, office_id)):
        abort(404)
    return row


@bp.route("/<int:office_id>/forms/<int:version_id>")
@roles_required(Role.ADMIN)
def preview(office_id: int, version_id: int) -> Response:
    """The version's sections and questions, as workers will meet them; publish from here."""
    office = managed_office(office_id)
    row = _version(office_id, version_id)
    db = get_session()
    try:
        form = catalog.definition_of(db, form_registry(), row)
    except FormDefinitionError as exc:
        return _index_page(office_id, text=row.source, name=f"{row.form_id} v{row.version}", problems=exc.problems)
    published = db.get(FormPublication, (office_id, version_id)) is not None
    return render("formstore/preview.html", office=office, row=row, form=form, published=published)


@bp.route("/<int:office_id>/forms/<int:version_id>/publish", methods=["POST"])
@roles_required(Role.ADMIN)
def publish(office_id: int, version_id: int) -> Response:
    """Publish the version for the office: new interviews use it at once, on every app host."""
    managed_office(office_id)
    _version(office_id, version_id)
    try:
        row = services.publish(get_session(), form_registry(), version_id=version_id, office_id=office_id,
                               actor_id=me().id)
    except services.PublishRefused as exc:
        flash(str(exc), "error")
        return redirect(url_for("formstore.preview", office_id=office_id, version_id=version_id))  # type: ignore[return-value]
    flash(str(_l("Opublikowano %(form)s v%(version)s. Nowe wywiady korzystają z tej wersji; rozpoczęte zachowują swoją.",
                 form=row.form_id, version=row.version)), "success")
    return redirect(url_for("formstore.index", office_id=office_id))  # type: ignore[return-value]
