"""Fixtures for the hand-off export: an approved interview with a referral, a document and both signatures."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import jsonschema
import pytest
from flask import Flask
from reportlab.pdfgen.canvas import Canvas
from sqlmodel import Session, select

from app.auth.models import Office, User
from app.auth.services import load_principal
from app.cases.models import Case, Channel
from app.config import Settings
from app.documents.models import CaseDocument, DocumentChannel, DocumentKind
from app.handoff.interview import SCHEMA_PATH
from app.interviews.models import Interview
from app.reports import review
from app.reports.demo import make_finished_interview
from app.reports.models import Report
from tests.factories import PASSWORD, make_case


@pytest.fixture(scope="session")
def schema() -> dict[str, Any]:
    """The published JSON Schema of the export, as shipped in forms/schema/."""
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(loaded)
    return loaded


@pytest.fixture
def validate(schema: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    """Validate an export against the shipped schema (formats checked too), failing with every error listed."""
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())

    def check(document: dict[str, Any]) -> None:
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
        assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:20])

    return check


def _pdf() -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out)
    canvas.drawString(72, 720, "Decyzja PUP")
    canvas.save()
    return out.getvalue()


@pytest.fixture
def approved_interview(app: Flask, db: Session, office: Office, worker: User, supervisor: User,
                       settings: Settings) -> Interview:
    """A finished interview (the demo answers) of an ePUAP case with a decision on file, signed and approved."""
    case: Case = make_case(db, office, assigned=worker, name="Zażółć Gęślą-Jaźń", channel=Channel.EPUAP,
                           pesel="44051401359", commit=False)
    with app.test_request_context():
        interview = make_finished_interview(db, case=case, worker=worker)
        data = _pdf()
        import hashlib

        db.add(CaseDocument(office_id=office.id or 0, case_id=case.id or 0, interview_id=interview.id,
                            kind=DocumentKind.OTHER_DECISION, channel=DocumentChannel.EPUAP,
                            received_on=case.received_on, filename="decyzja.pdf", media_type="application/pdf",
                            size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(), data=data,
                            uploaded_by_id=worker.id or 0))
        db.commit()
        principal = load_principal(db, worker.id or 0)
        assert principal is not None
        review.submit_report(db, actor=principal, interview=interview, password=PASSWORD, settings=settings)
        db.commit()
        report = db.exec(select(Report).where(Report.interview_id == interview.id)).one()
        boss = load_principal(db, supervisor.id or 0)
        assert boss is not None
        review.approve_report(db, actor=boss, report=report, password=PASSWORD, settings=settings)
        db.commit()
    return interview
