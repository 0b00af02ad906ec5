"""Documents in the signed report (list with hashes, chosen annexes), in the GDPR export and in retention."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.auth.models import Office, User
from app.auth.services import load_principal
from app.cases.models import Case, CaseState
from app.config import PrivacySettings, Settings
from app.documents.models import CaseDocument
from app.interviews.models import Interview
from app.privacy.export import cases_for, collect
from app.privacy.retention import plan, run
from app.reports import lookups, review
from app.reports.demo import make_finished_interview
from app.reports.models import Report, ReportFile
from tests.conftest import token
from tests.factories import PASSWORD, make_case
from tests.integration.documents.conftest import Poster, pdf_bytes, photo_bytes


def _text(pdf: bytes, tmp_path: Path) -> str:
    exe = shutil.which("pdftotext")
    assert exe, "pdftotext (poppler-utils) is not installed"
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    out = subprocess.run([exe, str(path), "-"], capture_output=True, text=True, check=True, timeout=60).stdout
    return " ".join(out.split())  # table cells wrap: compare words, not lines


def _pages(pdf: bytes, tmp_path: Path) -> int:
    path = tmp_path / "count.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True, timeout=60).stdout
    return int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[-1])


@pytest.fixture
def finished(app: Flask, db: Session, my_case: Case, worker: User) -> Interview:
    """A finished interview of the worker's case (the demo answers)."""
    with app.app_context():
        interview = make_finished_interview(db, case=my_case, worker=worker)
        db.commit()
    return interview


def _submit(app: Flask, db: Session, settings: Settings, interview: Interview, worker: User) -> ReportFile:
    with app.test_request_context():
        principal = load_principal(db, worker.id or 0)
        assert principal is not None
        stored = review.submit_report(db, actor=principal, interview=interview, password=PASSWORD, settings=settings)
        db.commit()
    return stored


def test_signed_report_lists_documents_with_hashes_and_appends_only_chosen_annexes(
    app: Flask, db: Session, settings: Settings, upload: Poster, my_case: Case, finished: Interview, worker: User,
    tmp_path: Path, office: Office,
) -> None:
    """The report names every document (kind, name, channel, date, SHA-256); the photo ticked as an annex is a page."""
    photo, decision = photo_bytes(), pdf_bytes(2)
    assert upload(my_case, photo, "oswiadczenie.jpg", annex="1").status_code == 302
    assert upload(my_case, decision, "decyzja-pup.pdf", field="file", kind="other_decision", channel="epuap",
                  description="zasiłek dla bezrobotnych").status_code == 302
    plain = _pages(_submit_without_documents(app, db, settings, office, worker), tmp_path)
    stored = _submit(app, db, settings, finished, worker)
    text = _text(stored.pdf, tmp_path)
    assert "Dokumenty i oświadczenia otrzymane" in text
    assert "oswiadczenie.jpg; załącznik nr 1" in text and "decyzja-pup.pdf" in text
    assert hashlib.sha256(photo).hexdigest() in text.replace(" ", "")
    assert "ePUAP" in text and "zdjęcie z telefonu wnioskodawcy (MMS, komunikator)" in text
    assert "Załącznik nr 1 — oświadczenie (oswiadczenie.jpg)" in text
    assert "Decyzja PUP" not in text  # the PDF that was not ticked is listed, not appended
    # The photo annex is one page; the signatures then stand on a page of their own.
    assert _pages(stored.pdf, tmp_path) >= plain + 1


def _submit_without_documents(app: Flask, db: Session, settings: Settings, office: Office, worker: User) -> bytes:
    """The same report for a case without documents, to compare page counts."""
    other = make_case(db, office, assigned=worker)
    with app.app_context():
        interview = make_finished_interview(db, case=other, worker=worker)
        db.commit()
    return _submit(app, db, settings, interview, worker).pdf


def test_pdf_annex_pages_are_drawn_into_the_report(
    app: Flask, db: Session, settings: Settings, upload: Poster, my_case: Case, finished: Interview, worker: User,
    tmp_path: Path,
) -> None:
    """A 2-page PDF ticked as an annex adds two pages whose text is the annex's own, and the signature still holds."""
    assert upload(my_case, pdf_bytes(2), "decyzja.pdf", field="file", kind="other_decision", annex="1").status_code == 302
    stored = _submit(app, db, settings, finished, worker)
    text = _text(stored.pdf, tmp_path)
    assert "Załącznik nr 1 — decyzja innego organu (decyzja.pdf), strona 2 z 2" in text
    assert "Decyzja PUP - strona 1" in text and "Decyzja PUP - strona 2" in text
    path = tmp_path / "signed.pdf"
    path.write_bytes(stored.pdf)
    verdict = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60, check=False).stdout
    assert "Signature Validation: Signature is Valid." in verdict


def test_report_view_of_a_signed_version_lists_what_was_on_file_then(
    app: Flask, client: FlaskClient, db: Session, settings: Settings, upload: Poster, my_case: Case,
    finished: Interview, worker: User,
) -> None:
    """A document added after signing is not in that version's list; one withdrawn after signing still is."""
    start = dt.datetime.now(dt.UTC)
    assert upload(my_case, photo_bytes(), "przed.jpg").status_code == 302
    with time_machine.travel(start + dt.timedelta(seconds=5)):
        _submit(app, db, settings, finished, worker)
    report = db.exec(select(Report).where(Report.interview_id == finished.id)).one()
    with time_machine.travel(start + dt.timedelta(seconds=10)):
        assert upload(my_case, photo_bytes(), "po.jpg").status_code == 302
        before = db.exec(select(CaseDocument).where(CaseDocument.filename == "przed.jpg")).one()
        withdrawn = client.post(f"/cases/{my_case.id}/documents/{before.id}/withdraw",
                                data={"csrf_token": token(client), "reason": "pomyłka"})
        assert withdrawn.status_code == 302
    with app.app_context():
        built = lookups.built_version(db, report)
    assert built is not None
    assert [d.filename for d in built.data.documents] == ["przed.jpg"]
    client.get("/account")  # shows (and so clears) the upload messages that name both files
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Dokumenty i oświadczenia otrzymane" in page
    assert "przed.jpg" in page and "po.jpg" not in page


def test_gdpr_export_carries_the_files_and_retention_deletes_them(
    app: Flask, db: Session, upload: Poster, my_case: Case
) -> None:
    """The subject-access export holds each file (base64) with its hash; retention deletes them with the case."""
    photo = photo_bytes()
    assert upload(my_case, photo, "oswiadczenie.jpg").status_code == 302
    with app.test_request_context():
        exported = collect(db, cases_for(db, case_id=my_case.id))
    [document] = exported["cases"][0]["documents"]
    assert base64.b64decode(document["content_base64"]) == photo
    assert document["sha256"] == hashlib.sha256(photo).hexdigest() and document["kind"] == "oświadczenie"
    assert any(e["action"] == "document.add" for e in exported["cases"][0]["audit_events"])
    my_case.state = CaseState.CLOSED
    my_case.created_at = dt.datetime(2010, 1, 1, tzinfo=dt.UTC)
    db.add(my_case)
    db.commit()
    stored = db.exec(select(CaseDocument)).one()
    stored.uploaded_at = dt.datetime(2010, 1, 2, tzinfo=dt.UTC)
    db.add(stored)
    db.commit()
    policy = PrivacySettings(retention_case_years=10)
    due = plan(db, policy)
    assert due.step("case_document").ids == [stored.id]
    run(db, policy)
    db.commit()
    assert db.exec(select(CaseDocument)).all() == []


def test_a_recent_document_keeps_an_old_case_from_retention(app: Flask, db: Session, upload: Poster,
                                                            my_case: Case) -> None:
    """Adding a document is activity on the case: an ended case with a fresh document is not anonymised yet."""
    assert upload(my_case, photo_bytes(), "nowe.jpg").status_code == 302
    my_case.state = CaseState.CLOSED
    my_case.created_at = dt.datetime(2010, 1, 1, tzinfo=dt.UTC)
    db.add(my_case)
    db.commit()
    assert plan(db, PrivacySettings(retention_case_years=10)).step("case").ids == []
