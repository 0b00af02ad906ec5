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
