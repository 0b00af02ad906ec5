"""Fixtures for the review feature: a case, a finished interview with Polish answers, submitted/approved reports.

`worker` (who conducted the interview) and `supervisor` are the shared ones from tests/conftest.py.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.auth.models import Office, User
from app.auth.services import load_principal
from app.cases.models import Case, Channel
from app.config import Settings
from app.interviews.models import Interview
from app.reports import review
from app.reports.demo import make_finished_interview
from app.reports.models import Report, ReportFile
from tests import factories
from tests.factories import PASSWORD

Poppler = Callable[..., str]


def make_case(db: Session, office: Office, worker: User, reference: str = "RWS/2026/0002",
              due_on: dt.date | None = None) -> Case:
    """A case assigned to the worker (flushed, not committed)."""
    return factories.make_case(db, office, assigned=worker, reference=reference, name="Zażółć Gęślą-Jaźń",
                               channel=Channel.EPUAP, received_on=dt.date(2026, 3, 1), due_on=due_on, commit=False)


@pytest.fixture
def interview(db: Session, office: Office, worker: User) -> Interview:
    """A finished interview of RWS/2026/0002 with the demo answers (Polish text, two household members)."""
    result = make_finished_interview(db, case=make_case(db, office, worker), worker=worker)
    db.commit()
    return result


def submit(db: Session, settings: Settings, interview: Interview, worker: User) -> ReportFile:
    """Sign and submit through the service, as the worker."""
    principal = load_principal(db, worker.id or 0)
    assert principal is not None
    stored = review.submit_report(db, actor=principal, interview=interview, password=PASSWORD, settings=settings)
    db.commit()
    return stored


def approve(db: Session, settings: Settings, report: Report, supervisor: User) -> ReportFile:
    """Counter-sign through the service, as the supervisor."""
    principal = load_principal(db, supervisor.id or 0)
    assert principal is not None
    stored = review.approve_report(db, actor=principal, report=report, password=PASSWORD, settings=settings)
    db.commit()
    return stored


@pytest.fixture
def submitted(db: Session, settings: Settings, interview: Interview, worker: User) -> Report:
    """The interview's report, signed by the worker and waiting for review."""
    submit(db, settings, interview, worker)
    return db.exec(select(Report).where(Report.interview_id == interview.id)).one()


@pytest.fixture
def approved(db: Session, settings: Settings, submitted: Report, supervisor: User) -> ReportFile:
    """The report counter-signed by the supervisor: the approved file."""
    return approve(db, settings, submitted, supervisor)


@pytest.fixture
def poppler(tmp_path: Path) -> Poppler:
    """Run a poppler tool on PDF bytes and return its stdout (fails if poppler-utils is missing)."""

    def run(tool: str, pdf: bytes, *args: str, after: tuple[str, ...] = ()) -> str:
        exe = shutil.which(tool)
        assert exe, f"{tool} (poppler-utils) is not installed"
        path = tmp_path / f"doc-{len(list(tmp_path.glob('doc-*.pdf')))}.pdf"
        path.write_bytes(pdf)
        tail = after or (("-",) if tool == "pdftotext" else ())
        result = subprocess.run([exe, *args, str(path), *tail], capture_output=True, text=True, timeout=60, check=False)
        return result.stdout

    return run
