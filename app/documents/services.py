"""Adding, listing, downloading and withdrawing the documents of a case; every change and download audited."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import defer
from sqlmodel import Session, col, or_, select

from app import audit
from app.auth.models import Role
from app.auth.services import Principal
from app.cases.models import Case
from app.clock import utcnow
from app.documents import content
from app.documents.models import CaseDocument, DocumentChannel, DocumentKind
from app.errors import InvalidInput, NotFound
from app.fields import FieldError, collect, parse_day
from app.interviews.models import Interview
from app.web.forms import PostedForm
from app.web.ids import parse_id

DESCRIPTION_MAX = 300
REASON_MAX = 300
MAX_ANNEX_PAGES = 30
# Roles that handle a case's documents (besides seeing the case): never psychologists, reception or administrators.
DOCUMENT_ROLES = (Role.WORKER, Role.SUPERVISOR)


class DocumentNotFound(NotFound):
    """No such document on this case (or it was withdrawn and has no file any more)."""


@dataclass
class DocumentForm(PostedForm):
    """What was typed into the upload form, kept verbatim so an error never loses it."""

    kind: str = ""
    channel: str = ""
    received_on: str = ""
    description: str = ""
    interview_id: str = ""
    annex: bool = False


@dataclass(frozen=True)
class Upload:
    """One chosen file: its name as the browser sent it and its bytes (None when nothing was chosen)."""

    filename: str
    data: bytes | None


@dataclass(frozen=True)
class DocumentInfo:
    """A document as listed (without its bytes)."""

    id: int
    interview_id: int | None
    kind: DocumentKind
    channel: DocumentChannel
    received_on: date
    description: str
    filename: str
    media_type: str
    size_bytes: int
    sha256: str
    annex: bool
    uploaded_by_id: int
    uploaded_at: datetime
    withdrawn_at: datetime | None
    withdrawal_reason: str

    @property
    def extension(self) -> str:
        """The file type shown next to the name (JPG, PDF, EML...)."""
        return self.filename.rsplit(".", 1)[-1].upper()

    @property
    def annexable(self) -> bool:
        """Whether the worker may append it to the report."""
        return self.extension.lower() in content.ANNEXABLE and self.withdrawn_at is None

    @property
    def inline(self) -> bool:
        """Whether the browser may show it in place."""
        return self.extension.lower() in content.INLINE


def _info(doc: CaseDocument) -> DocumentInfo:
    return DocumentInfo(
        id=doc.id or 0, interview_id=doc.interview_id, kind=DocumentKind(doc.kind), channel=DocumentChannel(doc.channel),
        received_on=doc.received_on, description=doc.description, filename=doc.filename, media_type=doc.media_type,
        size_bytes=doc.size_bytes, sha256=doc.sha256, annex=doc.annex, uploaded_by_id=doc.uploaded_by_id,
        uploaded_at=doc.uploaded_at, withdrawn_at=doc.withdrawn_at, withdrawal_reason=doc.withdrawal_reason,
    )


def may_handle(principal: Principal) -> bool:
    """Whether the principal's roles let them see and add documents (the case itself is checked by the caller)."""
    return principal.has(*DOCUMENT_ROLES)


# --------------------------------------------------------------------------- adding


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB".replace(".", ",")


def _file_errors(uploads: Iterable[Upload], max_bytes: int, errors: dict[str, str]) -> tuple[Upload, bytes] | None:
    chosen = [u for u in uploads if u.data is not None and (u.filename or u.data)]
    if not chosen:
        errors["file"] = str(_l("Wybierz plik albo zrób zdjęcie dokumentu."))
        return None
    if len(chosen) > 1:
        errors["file"] = str(_l("Dodaj jeden plik naraz: zdjęcie albo plik z urządzenia."))
        return None
    upload = chosen[0]
    data = upload.data or b""
    if not data:
        errors["file"] = str(_l("Plik jest pusty (0 bajtów). Wybierz go ponownie albo zrób nowe zdjęcie."))
        return None
    if len(data) > max_bytes:
        errors["file"] = str(_l("Plik jest za duży (%(size)s). Można dodać najwyżej %(max)d MB — zmniejsz zdjęcie "
                                "albo zeskanuj dokument w niższej rozdzielczości.",
                                size=_size(len(data)), max=max_bytes // (1024 * 1024)))
        return None
    return upload, data


def _detect(upload: Upload, data: bytes, errors: dict[str, str]) -> tuple[content.Detected, str] | None:
    try:
        detected = content.detect(data)
    except content.NotAccepted as exc:
        if exc.program:
            errors["file"] = str(_l("To jest plik programu (%(type)s), a nie dokument. Takich plików nie przyjmujemy.",
                                    type=exc.program.upper()))
        else:
            errors["file"] = str(_l("Nie rozpoznano dokumentu po zawartości pliku. Przyjmujemy zdjęcia (JPG, PNG, "
                                    "HEIC, WebP, TIFF), dokumenty PDF i zapisane wiadomości e-mail (.eml)."))
        return None
    try:
        name = content.checked_name(upload.filename or f"dokument.{detected.extension}", detected)
    except content.BadName as exc:
        if exc.reason == "long":
            errors["file"] = str(_l("Nazwa pliku jest za długa (najwyżej %(n)d znaków). Zmień nazwę pliku i wybierz "
                                    "go ponownie.", n=content.NAME_MAX))
        else:
            errors["file"] = str(_l("Nazwa pliku zawiera ścieżkę folderów albo niedozwolone znaki (/ \\ : * ? \" < > |). "
                                    "Zmień nazwę pliku i wybierz go ponownie."))
        return None
    return detected, name


def _annex_error(detected: content.Detected, data: bytes) -> str | None:
    if not detected.annexable:
        return str(_l("Jako załącznik do raportu można dołączyć tylko zdjęcie (JPG, PNG, WebP, TIFF) albo PDF."))
    pages = content.annex_pages(detected, data)
    if pages is None:
        return str(_l("Tego pliku nie da się dołączyć do raportu (jest uszkodzony albo zaszyfrowany). "
                      "Zapisz dokument bez zaznaczania „załącznik”."))
    if pages > MAX_ANNEX_PAGES:
        return str(_l("Do raportu można dołączyć dokument PDF o najwyżej %(n)d stronach.", n=MAX_ANNEX_PAGES))
    return None


def _received_on(raw: str, today: date) -> date:
    day = parse_day(raw, missing=str(_l("Podaj datę wpływu dokumentu.")))
    if day > today:
        raise FieldError(str(_l("Data wpływu nie może być późniejsza niż dzisiaj.")))
    return day


def _choice(raw: str, enum: type[DocumentKind] | type[DocumentChannel]) -> Any:
    try:
        return enum(raw)
    except ValueError:
        return None


def add_document(session: Session, *, actor: Principal, case: Case, form: DocumentForm, uploads: Iterable[Upload],
                 max_bytes: int, today: date, interviews: Iterable[Interview]) -> CaseDocument:
    """Check everything posted, then store the file with its hash in one flush (nothing when anything is wrong)."""
    errors: dict[str, str] = {}
    kind = _choice(form.kind, DocumentKind)
    if kind is None:
        errors["kind"] = str(_l("Wybierz, jaki to dokument."))
    channel = _choice(form.channel, DocumentChannel)
    if channel is None:
        errors["channel"] = str(_l("Wybierz, jak dokument wpłynął."))
    received = collect(errors, "received_on", _received_on, form.received_on, today)
    description = " ".join(form.description.split())
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = str(_l("Opis może mieć najwyżej %(n)d znaków.", n=DESCRIPTION_MAX))
    interview_id: int | None = None
    if form.interview_id:
        interview_id = parse_id(form.interview_id)
        if interview_id not in {i.id for i in interviews if i.case_id == case.id}:
            errors["interview_id"] = str(_l("Wybierz wywiad tej sprawy albo „cała sprawa”."))
    chosen = _file_errors(uploads, max_bytes, errors)
    checked = _detect(*chosen, errors) if chosen else None
    if checked is not None and chosen is not None and form.annex:
        problem = _annex_error(checked[0], chosen[1])
        if problem:
            errors["annex"] = problem
    if errors or chosen is None or checked is None or kind is None or channel is None or received is None:
        raise InvalidInput(errors)
    data = chosen[1]
    detected, name = checked
    document = CaseDocument(
        office_id=case.office_id, case_id=case.id or 0, interview_id=interview_id, kind=kind, channel=channel,
        received_on=received, description=description, filename=name, media_type=detected.media_type,
        size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(), data=data, annex=form.annex,
        uploaded_by_id=actor.id,
    )
    session.add(document)
    session.flush()
    audit.log(session, "document.add", actor=actor, obj=document, case_id=case.id, interview_id=interview_id,
              kind=kind.value, channel=channel.value, type=detected.extension, size=len(data), sha256=document.sha256,
              annex=form.annex)
    return document


# --------------------------------------------------------------------------- reading


def _listing() -> Any:
    return select(CaseDocument).options(defer(CaseDocument.data))  # type: ignore[arg-type]


def case_documents(session: Session, case_id: int) -> list[DocumentInfo]:
    """The case's documents, newest received first, withdrawn ones included (marked), without their bytes."""
    rows = session.exec(
        _listing().where(CaseDocument.case_id == case_id)
        .order_by(col(CaseDocument.received_on).desc(), col(CaseDocument.id).desc())
    ).all()
    return [_info(row) for row in rows]


def document_of_case(session: Session, case: Case, document_id: int) -> CaseDocument:
    """A document of this case (with its bytes); DocumentNotFound otherwise."""
    document = session.get(CaseDocument, document_id)
    if document is None or document.case_id != case.id or document.office_id != case.office_id:
        raise DocumentNotFound(document_id)
    return document


def record_download(session: Session, *, actor: Principal, document: CaseDocument, inline: bool) -> None:
    """Audit that the actor opened or downloaded the file (ids and the hash only)."""
    if document.withdrawn_at is not None:
        raise DocumentNotFound(document.id)
    audit.log(session, "document.view" if inline else "document.download", actor=actor, obj=document,
              case_id=document.case_id, sha256=document.sha256)


def documents_at(session: Session, *, case_id: int, interview_id: int, at: datetime) -> list[CaseDocument]:
    """What a report signed at `at` lists: the case's and this interview's documents on the case at that moment."""
    moment = at + timedelta(seconds=1)  # the report's time is kept to the second
    return list(session.exec(
        select(CaseDocument).where(
            CaseDocument.case_id == case_id,
            or_(col(CaseDocument.interview_id).is_(None), CaseDocument.interview_id == interview_id),
            col(CaseDocument.uploaded_at) < moment,
            or_(col(CaseDocument.withdrawn_at).is_(None), col(CaseDocument.withdrawn_at) >= moment),
        ).order_by(col(CaseDocument.received_on), col(CaseDocument.id))
    ).all())


# --------------------------------------------------------------------------- changing


def set_annex(session: Session, *, actor: Principal, case: Case, document: CaseDocument, annex: bool) -> CaseDocument:
    """Append the document to the report as an annex, or stop doing so (later report versions only)."""
    if document.withdrawn_at is not None:
        raise DocumentNotFound(document.id)
    if annex:
        try:
            detected = content.detect(document.data)
        except content.NotAccepted:
            detected = content.Detected("", document.media_type)
        problem = _annex_error(detected, document.data)
        if problem:
            raise InvalidInput({"annex": problem})
    if document.annex != annex:
        document.annex = annex
        session.add(document)
        session.flush()
        audit.log(session, "document.annex", actor=actor, obj=document, office_id=case.office_id, case_id=case.id,
                  annex=annex)
    return document


def may_withdraw(principal: Principal, document: DocumentInfo | CaseDocument) -> bool:
    """The worker who added it or a supervisor, while it is still on the case."""
    return document.withdrawn_at is None and (
        document.uploaded_by_id == principal.id or principal.has(Role.SUPERVISOR)
    )


def withdraw(session: Session, *, actor: Principal, case: Case, document: CaseDocument, reason: str) -> CaseDocument:
    """Take a document added by mistake off the case: its file is erased, its name, hash and the reason stay."""
    if not may_withdraw(actor, document):
        raise DocumentNotFound(document.id)
    cleaned = " ".join(reason.split())
    if not cleaned:
        raise InvalidInput({"reason": str(_l("Napisz, dlaczego dokument jest wycofywany (np. „plik innej osoby”)."))})
    if len(cleaned) > REASON_MAX:
        raise InvalidInput({"reason": str(_l("Powód może mieć najwyżej %(n)d znaków.", n=REASON_MAX))})
    document.withdrawn_at = utcnow()
    document.withdrawn_by_id = actor.id
    document.withdrawal_reason = cleaned
    document.data = b""
    document.annex = False
    session.add(document)
    session.flush()
    audit.log(session, "document.withdraw", actor=actor, obj=document, office_id=case.office_id, case_id=case.id,
              sha256=document.sha256)
    return document
