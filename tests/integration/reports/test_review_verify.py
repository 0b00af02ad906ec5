"""Integrity: `telewywiad reports list|export|verify` and the supervisor's upload page; a changed file is rejected."""

from __future__ import annotations

import io
from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlmodel import Session, select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.cli import main
from app.reports.models import ReportFile
from tests.conftest import login, token


def _flip(pdf: bytes) -> bytes:
    data = bytearray(pdf)
    data[pdf.index(b"stream\n", 2000) + 200] ^= 0x01  # inside a compressed page content stream
    return bytes(data)


def test_cli_lists_and_exports_the_archived_bytes(runner: FlaskCliRunner, approved: ReportFile, tmp_path: Path) -> None:
    """`reports list` names the report; `reports export` writes exactly the stored approved file."""
    listing = runner.invoke(main, args=["reports", "list"])
    assert listing.exit_code == 0
    assert "RWS/2026/0002" in listing.output
    assert "approved" in listing.output
    out = tmp_path / "raport.pdf"
    result = runner.invoke(main, args=["reports", "export", str(approved.report_id), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == approved.pdf
    assert approved.sha256 in result.output


def test_cli_verify_accepts_the_archived_file(runner: FlaskCliRunner, approved: ReportFile, tmp_path: Path) -> None:
    """Both signatures intact and trusted, the last one covering the file, and the archive match are printed."""
    path = tmp_path / "raport.pdf"
    path.write_bytes(approved.pdf)
    result = runner.invoke(main, args=["reports", "verify", str(path)])
    assert result.exit_code == 0, result.output
    assert "Archive: matches report" in result.output
    assert result.output.count("intact: yes") == 2
    assert result.output.count("trusted (office CA or TELEWYWIAD_TRUSTED_CA_FILE): yes") == 2
    assert "signer: Anna Kowalczyk-Łęcka" in result.output
    assert "signer: Zbigniew Żółkiewski" in result.output
    assert "RESULT: VALID" in result.output


def test_cli_verify_rejects_one_flipped_byte(runner: FlaskCliRunner, approved: ReportFile, tmp_path: Path) -> None:
    """One changed byte: non-zero exit, every signature not intact, no archive match, a clear verdict."""
    path = tmp_path / "zmieniony.pdf"
    path.write_bytes(_flip(approved.pdf))
    result = runner.invoke(main, args=["reports", "verify", str(path)])
    assert result.exit_code == 1
    assert "Archive: NO MATCH" in result.output
    assert "intact: yes" not in result.output
    assert "the signed bytes were changed" in result.output
    assert "RESULT: INVALID - the file was changed" in result.output


def test_cli_verify_of_a_non_pdf_fails(runner: FlaskCliRunner, approved: ReportFile, tmp_path: Path) -> None:
    """Garbage is a negative verdict with a reason, not a crash."""
    path = tmp_path / "nie.pdf"
    path.write_bytes(b"to nie jest PDF")
    result = runner.invoke(main, args=["reports", "verify", str(path)])
    assert result.exit_code == 1
    assert "Error:" in result.output


def _upload(app: Flask, user: User, data: bytes) -> str:
    client = app.test_client()
    login(client, user.username)
    response = client.post("/review/verify", content_type="multipart/form-data", data={
        "pdf": (io.BytesIO(data), "raport.pdf"), "csrf_token": token(client, "/review/verify"),
    })
    return f"{response.status_code}\n{response.get_data(as_text=True)}"


def test_upload_page_shows_signatures_and_archive_match(app: Flask, db: Session, approved: ReportFile,
                                                        supervisor: User) -> None:
    """The supervisor sees each signer, intact/trusted/whole-document, and that the file is archived; audit-logged."""
    page = _upload(app, supervisor, approved.pdf)
    assert page.startswith("200")
    assert "Podpisy są ważne" in page
    assert "Anna Kowalczyk-Łęcka" in page
    assert "Zbigniew Żółkiewski" in page
    assert "identyczny z wersją 1 raportu RWS/2026/0002" in page
    assert "nie (po nim dodano kolejny podpis)" in page
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "report.verify")).one()
    assert approved.sha256 in event.details


def test_upload_page_reports_a_changed_file(app: Flask, approved: ReportFile, supervisor: User) -> None:
    """A tampered copy fails verification and is not found in the archive."""
    page = _upload(app, supervisor, _flip(approved.pdf))
    assert "Plik NIE przeszedł weryfikacji" in page
    assert "Tego pliku nie ma w archiwum" in page
    assert "NIE — podpisane dane zmieniono" in page


def test_upload_page_refuses_non_pdf_and_oversized(app: Flask, approved: ReportFile, supervisor: User) -> None:
    """Size-limited and checked: not a PDF, or over 5 MB, is a clear message next to the field."""
    assert "To nie jest plik PDF." in _upload(app, supervisor, b"GIF89a...")
    big = _upload(app, supervisor, b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024 + 10))
    assert big.startswith("422")
    assert "za duży" in big


def _worker_file(db: Session, approved: ReportFile) -> ReportFile:
    return db.exec(select(ReportFile).where(ReportFile.report_id == approved.report_id,
                                            ReportFile.version == approved.version,
                                            ReportFile.kind == "worker_signed")).one()


def test_file_cut_back_to_the_workers_signature_is_named_as_such(app: Flask, db: Session, approved: ReportFile,
                                                                 supervisor: User) -> None:
    """The approved PDF cut at the end of the worker's signature is valid, but the page says it is the worker-signed
    version 1, not the approved one, and warns that it is not the latest approved version."""
    worker_file = _worker_file(db, approved)
    cut = approved.pdf[: len(worker_file.pdf)]
    assert cut == worker_file.pdf  # the counter-signature is an incremental update after these bytes
    page = _upload(app, supervisor, cut)
    assert "Podpisy są ważne, ale to nie jest najnowsza zatwierdzona wersja" in page
    assert "wersją podpisaną tylko przez pracownika, przed zatwierdzeniem przez kierownika" in page
    assert "najnowsza zatwierdzona wersja tego raportu to wersja 1" in page
    assert "podpis pracownika, wersja 1" in page and "zatwierdzenie przez kierownika" not in page


def test_approved_file_is_named_approved_without_warning(app: Flask, approved: ReportFile, supervisor: User) -> None:
    """The latest approved file: stage "approved", both signatures named, no warning."""
    page = _upload(app, supervisor, approved.pdf)
    assert "wersją zatwierdzoną — podpisaną przez pracownika i kontrasygnowaną przez kierownika" in page
    assert "zatwierdzenie przez kierownika, wersja 1" in page
    assert "Uwaga:" not in page and "nie jest najnowsza" not in page


def test_cli_says_stage_and_warns_about_a_not_approved_copy(runner: FlaskCliRunner, db: Session, approved: ReportFile,
                                                            tmp_path: Path) -> None:
    """The CLI prints the stage of the matched file and a WARNING when it is not the latest approved version."""
    path = tmp_path / "podpisany.pdf"
    path.write_bytes(_worker_file(db, approved).pdf)
    result = runner.invoke(main, args=["reports", "verify", str(path)])
    assert result.exit_code == 0, result.output
    assert "version 1, stage worker_signed (signed by the worker only, before approval)" in result.output
    assert "WARNING: not the latest approved version - that is version 1" in result.output
    assert "RESULT: VALID - every signature is intact and trusted, but this is not the latest approved version" in result.output
    approved_path = tmp_path / "zatwierdzony.pdf"
    approved_path.write_bytes(approved.pdf)
    clean = runner.invoke(main, args=["reports", "verify", str(approved_path)])
    assert "stage approved (approved: signed by the worker and counter-signed by the supervisor)" in clean.output
    assert "WARNING" not in clean.output
    assert "(approval, version 1)" in clean.output and "(worker signature, version 1)" in clean.output


def test_submitted_but_not_approved_file_says_there_is_no_approved_version(
    app: Flask, submitted, supervisor: User, db: Session  # type: ignore[no-untyped-def]
) -> None:
    """A worker-signed file of a report still waiting: "no approved version yet"."""
    stored = db.exec(select(ReportFile).where(ReportFile.report_id == submitted.id)).one()
    page = _upload(app, supervisor, stored.pdf)
    assert "ten raport nie ma jeszcze zatwierdzonej wersji" in page
