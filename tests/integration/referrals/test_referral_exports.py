"""Exports of the current list (PDF with correct Polish letters, CSV) from the web and the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from sqlmodel import Session, select

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.cli import main
from app.referrals.models import Priority, ReferralState

NAMES = ("Zażółć Gęślą-Jaźń", "Źdźbło Łęczyńska-Ćwik", "Jerzy Ślązak")


def _pdf_text(data: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is needed: apt-get install poppler-utils")
    pdf = tmp_path / "list.pdf"
    pdf.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def referrals(make_referral: Any) -> None:
    """Three open referrals and a closed one."""
    make_referral(name=NAMES[0], priority=Priority.NORMAL, age=dt.timedelta(days=3))
    make_referral(name=NAMES[1], priority=Priority.URGENT, due_in=-dt.timedelta(hours=2))
    make_referral(name=NAMES[2], priority=Priority.HIGH)
    make_referral(name="Zamknięty Zbigniew", state=ReferralState.CLOSED)



@pytest.mark.usefixtures("referrals")
def test_pdf_export_shows_polish_names_exactly(client: FlaskClient, login_as: Any, tmp_path: Path, db: Session) -> None:
    """pdftotext reads every name with its diacritics, urgent first; closed referrals are not exported; audited."""
    login_as(Role.PSYCHOLOGIST)
    response = client.get("/referrals/export.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = _pdf_text(response.data, tmp_path)
    for name in NAMES:
        assert name in text
    assert text.index(NAMES[1]) < text.index(NAMES[2]) < text.index(NAMES[0])
    assert "Zamknięty" not in text
    assert "po terminie" in text
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "referral.exported")).one()
    assert '"format": "pdf"' in event.details and "Zażółć" not in event.details


@pytest.mark.usefixtures("referrals")
def test_csv_export_has_only_the_minimum_columns(client: FlaskClient, login_as: Any) -> None:
    """UTF-8 CSV (semicolons, BOM) with the psychologist's minimum, phone numbers left as numbers."""
    login_as(Role.SUPERVISOR)
    response = client.get("/referrals/export.csv")
    assert response.status_code == 200
    text = response.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["Pilność", "Imię i nazwisko", "Telefon"]
    assert [r[1] for r in rows[1:]] == [NAMES[1], NAMES[2], NAMES[0]]
    assert rows[1][2] == "+48 600 100 200"
    assert len(rows[0]) == 10


def test_csv_cells_that_look_like_formulas_are_defused() -> None:
    """A note starting with '=' cannot run as a spreadsheet formula; phone numbers keep their '+'."""
    from app.referrals.exports import _safe_cell

    assert _safe_cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert _safe_cell("+48 600 100 200") == "+48 600 100 200"
    assert _safe_cell("-1+1") == "'-1+1"


@pytest.mark.usefixtures("referrals")
@pytest.mark.parametrize("fmt", ["pdf", "csv"])
def test_cli_export_writes_the_list(runner: FlaskCliRunner, tmp_path: Path, fmt: str) -> None:
    """`telewywiad referrals export --format pdf|csv --out FILE` writes the open referrals, readable only by the owner."""
    out = tmp_path / f"lista.{fmt}"
    result = runner.invoke(main, args=["referrals", "export", "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote 3 referrals" in result.output
    text = _pdf_text(out.read_bytes(), tmp_path) if fmt == "pdf" else out.read_text(encoding="utf-8-sig")
    for name in NAMES:
        assert name in text
    assert out.stat().st_mode & 0o077 == 0
