"""Adding a received document: a phone photo, a PDF, a saved e-mail; everything else refused in Polish, nothing stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.cases.models import Case
from app.clock import local_today
from app.config import Settings
from app.documents.models import CaseDocument
from tests.integration.documents.conftest import (
    EML,
    EXECUTABLE,
    HTML,
    RECEIVED,
    Poster,
    pdf_bytes,
    photo_bytes,
)


def _documents(db: Session) -> list[CaseDocument]:
    db.expire_all()
    return list(db.exec(select(CaseDocument)).all())


def test_photo_from_the_camera_is_stored_with_its_hash_and_audited(
    upload: Poster, my_case: Case, db: Session, worker: User, client: FlaskClient
) -> None:
    """A JPEG from the camera input lands in the database with its SHA-256, kind, channel and date; audited."""
    photo = photo_bytes()
    response = upload(my_case, photo, "1700000000000.jpg")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{my_case.id}#h-documents")
    [document] = _documents(db)
    assert document.data == photo
    assert document.sha256 == hashlib.sha256(photo).hexdigest()
    assert (document.kind, document.channel, document.received_on.isoformat()) == ("statement", "phone_photo", RECEIVED)
    assert (document.media_type, document.filename, document.size_bytes) == ("image/jpeg", "1700000000000.jpg", len(photo))
    assert document.uploaded_by_id == worker.id and document.interview_id is None
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "document.add")).one()
    details = json.loads(event.details)
    assert event.object_id == str(document.id) and details["sha256"] == document.sha256
    assert "dochody" not in event.details  # ids and codes only, never what was typed
    page = client.get(f"/cases/{my_case.id}").get_data(as_text=True)
    assert 'id="h-documents"' in page and "Oświadczenie" in page and "dochody za luty" in page


def test_pdf_and_saved_email_are_recognised_by_content(upload: Poster, my_case: Case, db: Session) -> None:
    """A PDF and an .eml are accepted; a JPEG sent as "skan.pdf" is stored as what it is (skan.jpg, image/jpeg)."""
    assert upload(my_case, pdf_bytes(), "decyzja.pdf", field="file", kind="other_decision", channel="epuap").status_code == 302
    assert upload(my_case, EML, "oswiadczenie.eml", field="file", channel="email").status_code == 302
    assert upload(my_case, photo_bytes(), "skan.pdf", field="file").status_code == 302
    stored = {d.filename: d.media_type for d in _documents(db)}
    assert stored == {"decyzja.pdf": "application/pdf", "oswiadczenie.eml": "message/rfc822", "skan.jpg": "image/jpeg"}


@pytest.mark.parametrize(("data", "name", "message"), [
    (EXECUTABLE, "zdjecie.jpg", "To jest plik programu (EXE)"),
    (HTML, "oswiadczenie.pdf", "Nie rozpoznano dokumentu po zawartości pliku"),
    (b"To jest zwykly tekst, nie e-mail.\n\nDruga linia.", "list.eml", "Nie rozpoznano dokumentu"),
    (b"", "puste.jpg", "Plik jest pusty"),
    (photo_bytes(), "../../etc/passwd.jpg", "ścieżkę folderów albo niedozwolone znaki"),
    (photo_bytes(), "C:\\Users\\Jan\\skan.jpg", "ścieżkę folderów albo niedozwolone znaki"),
    (photo_bytes(), "skan:1.jpg", "ścieżkę folderów albo niedozwolone znaki"),
    (photo_bytes(), "a" * 250 + ".jpg", "Nazwa pliku jest za długa"),
])
def test_wrong_files_are_refused_with_a_polish_message_and_nothing_is_stored(
    upload: Poster, my_case: Case, db: Session, data: bytes, name: str, message: str
) -> None:
    """A renamed executable, an HTML page, a text "e-mail", an empty file, a name with a path: 422, the form kept."""
    response = upload(my_case, data, name, field="file", description="dochody za luty")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in body
    assert 'role="alert"' in body and 'value="dochody za luty"' in body  # what was typed stays on screen
    assert _documents(db) == []
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "document.add")).first() is None


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """A 1 MB document limit (the request limit stays at 10 MB): an oversized photo reaches the form's check."""
    return settings.model_copy(update={"document_max_mb": 1})


def test_file_over_the_document_limit_gets_a_message_at_the_field(upload: Poster, my_case: Case, db: Session) -> None:
    """Over TELEWYWIAD_DOCUMENT_MAX_MB: 422 naming the size and the limit, the other fields kept."""
    big = photo_bytes() + b"\x00" * (1024 * 1024)
    response = upload(my_case, big, "duze.jpg", channel="email")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Plik jest za duży" in body and "najwyżej 1 MB" in body
    assert '<option value="email" selected>' in body
    assert _documents(db) == []


def test_missing_fields_are_named_and_a_future_date_refused(upload: Poster, my_case: Case, db: Session) -> None:
    """No kind, no channel, tomorrow's date, no file: each field says what is wrong."""
    tomorrow = (local_today() + dt.timedelta(days=1)).isoformat()
    body = upload(my_case, None, kind="", channel="", received_on=tomorrow).get_data(as_text=True)
    for message in ("Wybierz, jaki to dokument.", "Wybierz, jak dokument wpłynął.",
                    "Data wpływu nie może być późniejsza niż dzisiaj.", "Wybierz plik albo zrób zdjęcie dokumentu."):
        assert message in body
    assert _documents(db) == []


def test_photo_and_file_together_are_refused(upload: Poster, my_case: Case, db: Session, client: FlaskClient) -> None:
    """One file per upload: a photo and a file at once is a message, not two documents or a guess."""
    import io

    from tests.conftest import token

    response = client.post(f"/cases/{my_case.id}/documents", content_type="multipart/form-data", data={
        "csrf_token": token(client), "kind": "statement", "channel": "email", "received_on": RECEIVED,
        "photo": (io.BytesIO(photo_bytes()), "a.jpg"), "file": (io.BytesIO(pdf_bytes()), "b.pdf")})
    assert response.status_code == 422
    assert "Dodaj jeden plik naraz" in response.get_data(as_text=True)
    assert _documents(db) == []


def test_document_may_belong_to_an_interview_of_the_case_only(
    upload: Poster, my_case: Case, db: Session, case_factory: object, worker: User
) -> None:
    """interview_id must be one of this case's interviews."""
    from app.interviews.models import Interview

    interview = Interview(office_id=my_case.office_id, case_id=my_case.id or 0, worker_id=worker.id or 0, form_id="rws",
                          form_version=1)
    db.add(interview)
    db.commit()
    assert upload(my_case, photo_bytes(), interview_id="999999").status_code == 422
    assert upload(my_case, photo_bytes(), interview_id=str(interview.id)).status_code == 302
    assert [d.interview_id for d in _documents(db)] == [interview.id]


def test_annex_is_only_for_images_and_readable_pdfs(upload: Poster, my_case: Case, db: Session) -> None:
    """An e-mail or a broken PDF cannot be ticked as an annex; a photo or a PDF can."""
    assert "tylko zdjęcie" in upload(my_case, EML, "m.eml", field="file", annex="1").get_data(as_text=True)
    broken = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF"
    assert "nie da się dołączyć" in upload(my_case, broken, "x.pdf", field="file", annex="1").get_data(as_text=True)
    assert _documents(db) == []
    assert upload(my_case, photo_bytes(), annex="1").status_code == 302
    assert upload(my_case, pdf_bytes(3), "d.pdf", field="file", annex="1").status_code == 302
    assert [d.annex for d in _documents(db)] == [True, True]
