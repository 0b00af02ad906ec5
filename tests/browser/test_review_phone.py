"""On a 390×844 phone: the worker signs and submits, the supervisor returns with a comment, the worker
corrects and resubmits version 2, the supervisor approves with a counter-signature."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from app.auth.models import User
from app.cases.models import Case, Channel
from app.clock import local_today
from app.db import make_engine
from app.formdefs import to_storage, validate
from app.formdefs.extension import form_registry
from app.interviews.models import Interview, InterviewState
from app.reports.demo import make_finished_interview, write_answers
from app.reports.models import Report, ReportFile
from tests.browser.conftest import LiveServer, screenshot
from tests.browser.pages import assert_fits_phone, assert_touch_targets, log_in_as, log_out

REFERENCE = "RWS/2026/0500"
COMMENT = "Kwota dochodu nie zgadza się z oświadczeniem z 02.03 — popraw."
INCOME_LABEL = "Łączny dochód netto gospodarstwa domowego (zł/mies.)"


def _seed_finished_interview(server: LiveServer) -> int:
    engine = make_engine(server.database_url)
    with Session(engine) as db:
        worker = db.exec(select(User).where(User.username == "demo-worker")).one()
        case = Case(office_id=worker.office_id, reference=REFERENCE, applicant_name="Żaneta Ćwikła",
                    channel=Channel.EMAIL, received_on=local_today(), assigned_worker_id=worker.id)
        db.add(case)
        db.flush()
        interview = make_finished_interview(db, case=case, worker=worker)
        db.commit()
        assert interview.id is not None
        interview_id = interview.id
    engine.dispose()
    return interview_id


def _correct_and_finish(server: LiveServer, interview_id: int) -> None:
    """What the runner does when the worker changes the answer and finishes again."""
    engine = make_engine(server.database_url)
    with Session(engine) as db:
        interview = db.get(Interview, interview_id)
        assert interview is not None
        assert interview.state == InterviewState.IN_PROGRESS  # reopened by the return
        question = form_registry().get(interview.form_id, interview.form_version).question("income_total")
        write_answers(db, interview, {"income_total": to_storage(question, validate(question, "3 290,50").value)},
                      user_id=interview.worker_id)
        interview.state = InterviewState.FINISHED
        db.add(interview)
        db.commit()
    engine.dispose()


def _report(server: LiveServer, interview_id: int) -> tuple[Report, list[ReportFile]]:
    engine = make_engine(server.database_url)
    with Session(engine) as db:
        report = db.exec(select(Report).where(Report.interview_id == interview_id)).one()
        files = list(db.exec(select(ReportFile).where(ReportFile.report_id == report.id)).all())
    engine.dispose()
    return report, files


def _log_in(page: Page, server: LiveServer, username: str) -> None:
    log_in_as(page, server.url, username, server.password)


def _sign(page: Page, server: LiveServer) -> None:
    page.get_by_label("Twoje hasło").fill(server.password)
    page.get_by_role("button", name="Podpisz i wyślij").tap()


def test_submit_return_correct_resubmit_approve_on_phone(page: Page, live_server: LiveServer, tmp_path: Path) -> None:
    """The whole review cycle on a phone, with both PAdES signatures valid in poppler's pdfsig at the end."""
    interview_id = _seed_finished_interview(live_server)

    # The worker signs and sends version 1.
    _log_in(page, live_server, "demo-worker")
    page.goto(f"{live_server.url}/interviews/{interview_id}/sign")
    expect(page.get_by_role("heading", level=1, name="Podpisz i wyślij do zatwierdzenia")).to_be_visible()
    assert_fits_phone(page)
    assert_touch_targets(page)
    screenshot(page, "review-sign-dialog")
    page.get_by_label("Twoje hasło").fill("to-nie-jest-moje-hasło")
    page.get_by_role("button", name="Podpisz i wyślij").tap()
    expect(page.get_by_text("Hasło jest nieprawidłowe. Niczego nie podpisano.")).to_be_visible()
    _sign(page, live_server)
    expect(page.get_by_text("Raport podpisany i wysłany do zatwierdzenia (wersja 1).")).to_be_visible()
    log_out(page)

    # The supervisor finds it in the queue and returns it with a comment on the income question.
    _log_in(page, live_server, "demo-supervisor")
    expect(page.get_by_role("heading", level=1, name="Do zatwierdzenia")).to_be_visible()
    assert_fits_phone(page)
    assert_touch_targets(page)
    screenshot(page, "review-queue")
    page.get_by_role("link", name=REFERENCE).tap()
    expect(page.get_by_role("heading", level=1, name=f"Raport {REFERENCE}")).to_be_visible()
    expect(page.get_by_role("heading", name="Część A. Dane osoby i rodziny")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "review-report-html")
    page.locator("summary", has_text=INCOME_LABEL).tap()
    page.get_by_label(f"Uwaga do pytania: {INCOME_LABEL}").fill(COMMENT)
    page.get_by_role("button", name="Zwróć do poprawy").tap()
    expect(page.get_by_text("Raport zwrócono do poprawy.")).to_be_visible()
    log_out(page)

    # The worker sees the comment at the question and in the list.
    _log_in(page, live_server, "demo-worker")
    page.get_by_role("link", name="Raporty").first.tap()
    page.get_by_role("link", name=REFERENCE).tap()
    expect(page.get_by_role("heading", name="Do poprawy")).to_be_visible()
    expect(page.locator(".review-comment", has_text=COMMENT)).to_be_visible()
    expect(page.locator(".comment-list", has_text=COMMENT)).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "review-returned-worker")

    # Corrected and finished again (runner), then signed as version 2.
    _correct_and_finish(live_server, interview_id)
    page.reload()
    page.get_by_role("link", name="Podpisz i wyślij ponownie").tap()
    expect(page.get_by_text("Wersja raportu")).to_be_visible()
    _sign(page, live_server)
    expect(page.get_by_text("(wersja 2)")).to_be_visible()
    log_out(page)

    # The supervisor approves version 2 with a counter-signature.
    _log_in(page, live_server, "demo-supervisor")
    page.get_by_role("link", name=REFERENCE).tap()
    expect(page.get_by_text("poprawiony, do zatwierdzenia").first).to_be_visible()
    expect(page.get_by_text("3 290,50 zł")).to_be_visible()
    page.get_by_label("Twoje hasło").fill(live_server.password)
    page.get_by_role("button", name="Zatwierdź i podpisz").tap()
    expect(page.get_by_text("Raport zatwierdzony i podpisany.")).to_be_visible()

    report, files = _report(live_server, interview_id)
    assert (report.state, report.version) == ("approved", 2)
    assert sorted((f.version, f.kind) for f in files) == [(1, "worker_signed"), (2, "approved"), (2, "worker_signed")]
    approved = next(f for f in files if f.kind == "approved")
    stored = tmp_path / "zatwierdzony.pdf"
    stored.write_bytes(approved.pdf)
    out = subprocess.run(["pdfsig", str(stored)], capture_output=True, text=True, timeout=60, check=False).stdout
    assert len(re.findall(r"Signature is Valid\.", out)) == 2, out

    # The same file uploaded on the verification page: both signatures valid, found in the archive.
    page.get_by_role("link", name="Sprawdź plik PDF").tap()
    page.get_by_label("Plik PDF raportu").set_input_files(str(stored))
    page.get_by_role("button", name="Sprawdź").tap()
    expect(page.get_by_role("heading", name="Podpisy są ważne")).to_be_visible()
    expect(page.get_by_text(f"identyczny z wersją 2 raportu {REFERENCE}")).to_be_visible()
    assert_fits_phone(page)
    assert_touch_targets(page)
    screenshot(page, "review-verify-upload")
    page.goto(f"{live_server.url}/review/dashboard")
    expect(page.get_by_role("heading", level=1, name="Pulpit kierownika")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "review-dashboard")
