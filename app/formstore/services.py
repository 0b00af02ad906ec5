"""Uploading a form version (the same checks as `telewywiad forms check`), previewing it, publishing it for an office.

An upload that passes every check is stored as a draft of the office that uploaded it; a draft may be replaced by
a corrected upload of the same version until it is published. Publishing makes the version immutable: new
interviews of the office use it (when it is the newest), running interviews keep the version they pinned.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app import audit
from app.db import dialect_insert
from app.formdefs import FormDefinition, FormRegistry, Problem
from app.formdefs.loader import check_source, content_hash
from app.formstore import catalog
from app.formstore.models import FormOrigin, FormPublication, FormVersion

MAX_UPLOAD_BYTES = 1024 * 1024


class UploadRefused(ValueError):
    """The upload cannot be stored; `problems` lists each with its place (as `telewywiad forms check` does)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class PublishRefused(ValueError):
    """The version cannot be published for the office; the message says why, in Polish."""


def _problem(name: str, item: str, message: object) -> Problem:
    return Problem(name, item, str(message))


def check_upload(session: Session, registry: FormRegistry, text: str, *, name: str) -> tuple[FormDefinition | None, list[Problem]]:
    """Every problem of an uploaded definition, including a clash with a version already in use."""
    if len(text.encode("utf-8")) > MAX_UPLOAD_BYTES:
        return None, [_problem(name, "file", _l("Plik jest za duży (najwyżej 1 MB)."))]
    form, problems = check_source(text, name=name, base_source=catalog.base_source(session, registry))
    if form is None:
        return None, problems
    digest = content_hash(text)
    if registry.has(form.id, form.version) and registry.get(form.id, form.version).content_hash != digest:
        return None, [_problem(name, "version", _l(
            "%(form)s v%(version)s to wersja wbudowana w aplikację; zapisz zmiany jako wyższą wersję (np. v%(next)s).",
            form=form.id, version=form.version, next=_next_version(session, registry, form.id)))]
    row = _row(session, form.id, form.version)
    if row is not None and row.content_hash != digest and _locked(session, row):
        return None, [_problem(name, "version", _l(
            "%(form)s v%(version)s jest już opublikowana i nie może się zmienić; zapisz zmiany jako v%(next)s.",
            form=form.id, version=form.version, next=_next_version(session, registry, form.id)))]
    return form, []


def _row(session: Session, form_id: str, version: int) -> FormVersion | None:
    return session.exec(select(FormVersion).where(FormVersion.form_id == form_id, FormVersion.version == version)).first()


def _locked(session: Session, row: FormVersion) -> bool:
    """Published somewhere, or built in (an interview pinned it): its text may never change."""
    if row.origin == FormOrigin.BUILTIN:
        return True
    return session.exec(select(FormPublication).where(FormPublication.form_version_id == row.id)).first() is not None


def _next_version(session: Session, registry: FormRegistry, form_id: str) -> int:
    stored = session.exec(select(FormVersion.version).where(FormVersion.form_id == form_id)).all()
    return max([*stored, *registry.versions(form_id), 0]) + 1


def upload(session: Session, registry: FormRegistry, *, text: str, name: str, office_id: int, actor_id: int) -> FormVersion:
    """Check and store an uploaded version as a draft of the office; UploadRefused lists every problem."""
    form, problems = check_upload(session, registry, text, name=name)
    if form is None:
        raise UploadRefused(problems)
    digest = content_hash(text)
    same = session.exec(select(FormVersion).where(FormVersion.content_hash == digest)).first()
    if same is not None:
        return same
    row = _row(session, form.id, form.version)
    if row is not None:
        if row.office_id != office_id:
            raise UploadRefused([_problem(name, "version", _l(
                "Inny ośrodek przygotowuje już %(form)s v%(version)s; nadaj inny numer wersji (np. v%(next)s).",
                form=form.id, version=form.version, next=_next_version(session, registry, form.id)))])
        row.source, row.content_hash, row.title, row.created_by_id = text, digest, form.title.pl[:300], actor_id
    else:
        row = FormVersion(form_id=form.id, version=form.version, content_hash=digest, source=text,
                          title=form.title.pl[:300], origin=FormOrigin.UPLOAD, office_id=office_id,
                          created_by_id=actor_id)
    nested = session.begin_nested()
    try:
        session.add(row)
        session.flush()
    except IntegrityError:
        nested.rollback()  # the same version uploaded at the same moment by another request
        raise UploadRefused([_problem(name, "version", _l("Tę wersję właśnie zapisano w innym oknie; odśwież stronę."))]) from None
    nested.commit()
    audit.log(session, "form.upload", actor=actor_id, obj=row, office_id=office_id, form=form.id, version=form.version,
              sha256=digest)
    return row


def publish(session: Session, registry: FormRegistry, *, version_id: int, office_id: int, actor_id: int) -> FormVersion:
    """Publish an uploaded version for the office: new interviews use it from the next request, on every host."""
    row = session.get(FormVersion, version_id)
    if row is None or row.office_id != office_id:
        raise PublishRefused(str(_l("Nie ma takiej wersji formularza w tym ośrodku.")))
    try:
        current: FormDefinition | None = catalog.latest_for_office(session, registry, office_id, row.form_id)
    except KeyError:
        current = None
    if current is not None and current.version >= row.version and current.content_hash != row.content_hash:
        raise PublishRefused(str(_l("Ośrodek używa już nowszej wersji (v%(version)s) tego formularza.",
                                    version=current.version)))
    catalog.definition_of(session, registry, row)  # checks it again against the bases as they are now
    inserted = session.exec(
        dialect_insert(session, FormPublication)
        .values(office_id=office_id, form_version_id=version_id, published_by_id=actor_id)
        .on_conflict_do_nothing()
    ).rowcount
    if inserted:
        audit.log(session, "form.publish", actor=actor_id, obj=row, office_id=office_id, form=row.form_id,
                  version=row.version, sha256=row.content_hash)
    return row


@dataclass
class FormListing:
    """One form of the office: the version in use for new interviews, and every version the office may see."""

    form_id: str
    title: str
    current: int | None
    builtin: list[int] = field(default_factory=list)
    uploads: list[tuple[FormVersion, bool]] = field(default_factory=list)  # (version, published here)


def office_forms(session: Session, registry: FormRegistry, office_id: int) -> list[FormListing]:
    """Forms of the office with their versions, for the forms page."""
    uploads = session.exec(
        select(FormVersion).where(FormVersion.office_id == office_id).order_by(col(FormVersion.form_id),
                                                                                col(FormVersion.version))
    ).all()
    published = set(session.exec(
        select(FormPublication.form_version_id).where(FormPublication.office_id == office_id)).all())
    form_ids = sorted(set(registry.form_ids()) | {row.form_id for row in uploads})
    listings = []
    for form_id in form_ids:
        current: FormDefinition | None
        try:
            current = catalog.latest_for_office(session, registry, office_id, form_id)
        except KeyError:
            current = None
        listings.append(FormListing(
            form_id=form_id,
            title=current.title.pl if current else form_id,
            current=current.version if current else None,
            builtin=registry.versions(form_id),
            uploads=[(row, row.id in published) for row in uploads if row.form_id == form_id],
        ))
    return listings
