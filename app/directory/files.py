"""Application templates uploaded by administrators: kept in the database, the type checked from the content."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

import filetype
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from app import audit
from app.auth.services import Principal
from app.db import office_row
from app.directory.models import ApplicationTemplate
from app.errors import InvalidInput

MAX_BYTES = 5 * 1024 * 1024
TITLE_MAX = 200
# What residents can open on a phone or a library computer: by extension the content must really be.
ALLOWED = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "doc": "application/msword",
    "rtf": "application/rtf",
}
_UNSAFE_NAME = re.compile(r"[^\w .()-]+")


def detected_type(data: bytes) -> str | None:
    """The document type the bytes really are (one of ALLOWED), whatever the file was called."""
    kind = filetype.guess(data)
    if kind is None or kind.extension not in ALLOWED:
        return None
    return str(kind.extension)


def safe_filename(raw: str, extension: str) -> str:
    """The uploaded name without folders or odd characters, ending in the detected extension."""
    base = raw.replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = _UNSAFE_NAME.sub("_", stem).strip(" ._") or "wzor"
    return f"{stem[:100]}.{extension}"


def add_template(session: Session, *, actor: Principal, title: str, filename: str, data: bytes | None) -> ApplicationTemplate:
    """Store an uploaded template after checking its title, size and real type."""
    errors: dict[str, str] = {}
    clean_title = " ".join(title.split())
    if not clean_title:
        errors["title"] = str(_l("Podaj nazwę wzoru, np. „Wniosek o zasiłek celowy”."))
    elif len(clean_title) > TITLE_MAX:
        errors["title"] = str(_l("Nazwa może mieć najwyżej %(n)d znaków.", n=TITLE_MAX))
    extension: str | None = None
    if not data:
        errors["file"] = str(_l("Wybierz plik wzoru (PDF, DOCX, ODT, DOC albo RTF)."))
    elif len(data) > MAX_BYTES:
        errors["file"] = str(_l("Plik jest za duży: najwyżej %(n)d MB.", n=MAX_BYTES // (1024 * 1024)))
    else:
        extension = detected_type(data)
        if extension is None:
            errors["file"] = str(_l("To nie jest dokument PDF, DOCX, ODT, DOC ani RTF (sprawdzono zawartość pliku)."))
    if errors or extension is None or data is None:
        raise InvalidInput(errors)
    template = ApplicationTemplate(
        office_id=actor.office_id, title=clean_title, filename=safe_filename(filename, extension),
        media_type=ALLOWED[extension], size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(), data=data,
        uploaded_by_id=actor.id,
    )
    session.add(template)
    session.flush()
    audit.log(session, "directory.template_add", actor=actor, obj=template, size=len(data), type=extension)
    return template


@dataclass(frozen=True)
class TemplateInfo:
    """A template as listed (without its bytes)."""

    id: int
    title: str
    filename: str
    media_type: str
    size_bytes: int
    uploaded_at: datetime

    @property
    def extension(self) -> str:
        """The file type shown next to the link (PDF, DOCX...)."""
        return self.filename.rsplit(".", 1)[-1].upper()


def list_templates(session: Session, office_id: int) -> list[TemplateInfo]:
    """The office's templates by title, without loading the files."""
    rows = session.exec(
        select(ApplicationTemplate)
        .options(defer(ApplicationTemplate.data))  # type: ignore[arg-type]
        .where(ApplicationTemplate.office_id == office_id)
        .order_by(col(ApplicationTemplate.title))
    ).all()
    return [TemplateInfo(t.id or 0, t.title, t.filename, t.media_type, t.size_bytes, t.uploaded_at) for t in rows]


def office_template(session: Session, office_id: int, template_id: int) -> ApplicationTemplate:
    """A template of the office with its bytes; LookupError otherwise."""
    return office_row(session, ApplicationTemplate, template_id, office_id)


def delete_template(session: Session, *, actor: Principal, template_id: int) -> None:
    """Remove a template from the public page."""
    template = office_template(session, actor.office_id, template_id)
    audit.log(session, "directory.template_remove", actor=actor, obj=template, office_id=actor.office_id)
    session.delete(template)
    session.flush()
