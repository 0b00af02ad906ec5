"""Application templates: uploaded by administrators into the database, the type read from the content, the size
limited; downloadable from the public page."""

from __future__ import annotations

import io
import zipfile

from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.auth.models import Office, User
from app.directory.files import MAX_BYTES
from app.directory.models import ApplicationTemplate
from tests.conftest import token

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return buffer.getvalue()


def _upload(client: FlaskClient, title: str, name: str, data: bytes):  # type: ignore[no-untyped-def]
    return client.post("/admin/directory/templates", content_type="multipart/form-data",
                       data={"csrf_token": token(client, "/directory"), "title": title, "file": (io.BytesIO(data), name)})


def test_a_pdf_template_is_stored_and_downloaded_from_the_public_page(
    client: FlaskClient, db: Session, office: Office, admin: User, anonymous: FlaskClient
) -> None:
    """The bytes live in the database; the public link serves them as an attachment, cacheable, without a cookie."""
    assert _upload(client, "Wniosek o zasiłek celowy", "../../wniosek celowy.pdf", PDF).status_code == 302
    stored = db.exec(select(ApplicationTemplate)).one()
    assert (stored.data, stored.media_type, stored.filename) == (PDF, "application/pdf", "wniosek celowy.pdf")
    page = anonymous.get("/contact").get_data(as_text=True)
    assert "Wniosek o zasiłek celowy" in page and "(PDF, 1 kB)" in page
    download = anonymous.get(f"/contact/{office.id}/templates/{stored.id}")
    assert download.status_code == 200 and download.data == PDF and download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"] and "Set-Cookie" not in download.headers
    assert download.cache_control.public and download.headers["X-Content-Type-Options"] == "nosniff"


def test_a_docx_is_recognised_by_its_content(client: FlaskClient, db: Session, admin: User) -> None:
    """A Word file named without an extension still becomes a .docx."""
    assert _upload(client, "Oświadczenie o dochodach", "oswiadczenie", _docx()).status_code == 302
    assert db.exec(select(ApplicationTemplate.filename)).one() == "oswiadczenie.docx"


def test_a_file_that_only_pretends_to_be_a_document_is_refused(client: FlaskClient, db: Session, admin: User) -> None:
    """A script named .pdf, an empty title, a missing file, a file over the limit: clear messages, nothing stored."""
    fake = _upload(client, "Wniosek", "wniosek.pdf", b"#!/bin/sh\necho hej\n")
    assert fake.status_code == 422 and "sprawdzono zawartość pliku" in fake.get_data(as_text=True)
    untitled = _upload(client, "  ", "wniosek.pdf", PDF)
    assert "Podaj nazwę wzoru" in untitled.get_data(as_text=True)
    huge = _upload(client, "Duży", "duzy.pdf", PDF + b"0" * MAX_BYTES)
    assert "Plik jest za duży: najwyżej 5 MB." in huge.get_data(as_text=True)
    nothing = client.post("/admin/directory/templates", data={"csrf_token": token(client, "/directory"), "title": "X"})
    assert "Wybierz plik wzoru" in nothing.get_data(as_text=True)
    assert db.exec(select(ApplicationTemplate)).all() == []


def test_another_offices_template_is_not_found(
    client: FlaskClient, db: Session, office: Office, admin: User, anonymous: FlaskClient
) -> None:
    """A template is reachable only under its own office."""
    from tests.factories import make_office

    _upload(client, "Wniosek", "w.pdf", PDF)
    stored = db.exec(select(ApplicationTemplate)).one()
    other = make_office(db)
    db.commit()
    assert anonymous.get(f"/contact/{other.id}/templates/{stored.id}").status_code == 404
