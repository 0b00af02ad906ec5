"""Sign and submit, return with comments, correct and resubmit as version 2, approve with a counter-signature."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.formdefs import to_storage, validate
from app.interviews.models import Interview, InterviewState
from app.reports import pki_store
from app.reports.build import form_of
from app.reports.demo import write_answers
from app.reports.models import FileKind, Report, ReportFile, ReviewComment, SigningCertificate
from app.reports.verify import sha256_hex, verify_pdf
from tests.conftest import login, token
from tests.factories import PASSWORD

from .conftest import Poppler, approve, submit


def _client(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    assert login(client, user.username).status_code == 302
    return client


def _pdfsig_blocks(output: str) -> list[str]:
    return re.split(r"^Signature #\d+:", output, flags=re.M)[1:]


def _events(db: Session, action: str) -> list[AuditEvent]:
    return list(db.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))).all())


def test_worker_signs_and_submits_with_password(app: Flask, db: Session, interview: Interview, worker: User) -> None:
    """Re-entering the password signs the finished interview: version 1 waits for review, its hash audit-logged."""
    client = _client(app, worker)
    page = client.get(f"/interviews/{interview.id}/sign")
    assert page.status_code == 200
    assert "Podpisz i wyślij" in page.get_data(as_text=True)
    response = client.post(f"/interviews/{interview.id}/sign", data={"password": PASSWORD, "csrf_token": token(client)})
    assert response.status_code == 302
    report = db.exec(select(Report).where(Report.interview_id == interview.id)).one()
    assert response.headers["Location"].endswith(f"/reports/{report.id}")
    assert (report.state, report.version) == ("submitted", 1)
    stored = db.exec(select(ReportFile).where(ReportFile.report_id == report.id)).one()
    assert stored.kind == FileKind.WORKER_SIGNED
    assert stored.sha256 == sha256_hex(stored.pdf)
    (event,) = _events(db, "report.submit")
    assert stored.sha256 in event.details
    assert "Zażółć" not in event.details  # ids and hashes only
    assert db.exec(select(SigningCertificate).where(SigningCertificate.user_id == worker.id)).one().revoked is False


def test_wrong_password_signs_nothing(app: Flask, db: Session, interview: Interview, worker: User) -> None:
    """A wrong password gets a clear message next to the field; no report, file or certificate is stored."""
    client = _client(app, worker)
    response = client.post(f"/interviews/{interview.id}/sign",
                           data={"password": "to-nie-moje-hasło", "csrf_token": token(client)})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Hasło jest nieprawidłowe. Niczego nie podpisano." in html
    assert 'aria-invalid="true"' in html
    assert db.exec(select(Report)).all() == []
    assert db.exec(select(ReportFile)).all() == []
    assert db.exec(select(SigningCertificate)).all() == []


def test_only_the_interviews_worker_may_sign(app: Flask, db: Session, interview: Interview, user_factory) -> None:  # type: ignore[no-untyped-def]
    """Another worker of the office cannot open the sign dialog of someone else's interview."""
    other = user_factory(username="inny-pracownik")
    client = _client(app, other)
    assert client.get(f"/interviews/{interview.id}/sign").status_code == 403


def test_approved_report_passes_poppler_checks(db: Session, approved: ReportFile, settings, poppler: Poppler) -> None:  # type: ignore[no-untyped-def]
    """pdfsig: both signatures valid, the worker's still valid under the counter-signature; text and fonts exact."""
    blocks = _pdfsig_blocks(poppler("pdfsig", approved.pdf))
    assert len(blocks) == 2
    for block in blocks:
        assert "Signature Validation: Signature is Valid." in block
    assert "Signer Certificate Common Name: Anna Kowalczyk-Łęcka" in blocks[0]
    assert "Not total document signed" in blocks[0]
    assert "Signer Certificate Common Name: Zbigniew Żółkiewski" in blocks[1]
    assert "Total document signed" in blocks[1]

    text = poppler("pdftotext", approved.pdf, "-layout")
    for phrase in ("RWS/2026/0002", "Łukasz Wójcik", "Ścisława Wójcik", "ul. Źródlana 7/3",
                   "Zasiłek celowy 800 zł na żywność i opał", "silny stres po utracie pracy",
                   "Gminny Ośrodek Pomocy Społecznej w Pucku", "2 146,80 zł"):
        assert phrase in text, phrase
    assert "+48 601 234 567" in text  # number called, shown in the call block
    fonts = poppler("pdffonts", approved.pdf).splitlines()[2:]
    assert fonts
    assert all(line.split()[-5] == "yes" for line in fonts), fonts  # "emb" column

    trust = pki_store.trust_roots(db, approved.office_id)
    report = verify_pdf(approved.pdf, trust_roots=trust)
    assert report.all_valid
    assert [s.signer_name for s in report.signatures] == ["Anna Kowalczyk-Łęcka", "Zbigniew Żółkiewski"]
    worker_file = db.exec(select(ReportFile).where(ReportFile.kind == FileKind.WORKER_SIGNED)).one()
    assert approved.pdf.startswith(worker_file.pdf)  # an incremental update: the worker's bytes are untouched


def test_report_omits_skipped_sections_and_referral_contact(
    db: Session, settings, interview: Interview, worker: User, poppler: Poppler,  # type: ignore[no-untyped-def]
) -> None:
    """Unselected segments stay out; the referral shows reason, urgency and consent, never the contact details."""
    form = form_of(interview)
    best_time = form.question("psych_best_time")
    write_answers(db, interview, {"psych_best_time": to_storage(best_time, validate(best_time, "po 18:00").value)},
                  user_id=worker.id or 0)
    db.commit()
    text = poppler("pdftotext", submit(db, settings, interview, worker).pdf)
    assert "Sytuacja zdrowotna" not in text  # segment D was not selected
    assert "po 18:00" not in text
    assert "Najlepsza pora" not in text
    assert form.question("psych_urgency").choice("high").label.pl in text  # type: ignore[union-attr]
    assert "silny stres po utracie pracy" in text


def test_supervisor_returns_with_comment_and_worker_resubmits_version_2(
    app: Flask, db: Session, settings, submitted: Report, interview: Interview, worker: User, supervisor: User,  # type: ignore[no-untyped-def]
) -> None:
    """A comment on one answer reopens the interview; the corrected interview becomes version 2; both are kept."""
    boss = _client(app, supervisor)
    page = boss.get(f"/reports/{submitted.id}").get_data(as_text=True)
    assert 'name="comment-income_total"' in page
    response = boss.post(f"/reports/{submitted.id}/return", data={
        "comment-income_total": "Dochód nie zgadza się z oświadczeniem — sprawdź kwotę.",
        "general": "", "csrf_token": token(boss, f"/reports/{submitted.id}"),
    })
    assert response.status_code == 302
    db.expire_all()
    assert db.get(Report, submitted.id).state == "returned"  # type: ignore[union-attr]
    assert db.get(Interview, interview.id).state == InterviewState.IN_PROGRESS  # type: ignore[union-attr]
    (comment,) = db.exec(select(ReviewComment)).all()
    assert (comment.answer_key, comment.version) == ("income_total", 1)
    assert _events(db, "interview.reopen")

    # The worker sees the comment on the report page and at the question (the runner's hook).
    own = _client(app, worker)
    html = own.get(f"/reports/{submitted.id}").get_data(as_text=True)
    assert "Dochód nie zgadza się z oświadczeniem" in html
    assert "Łączny dochód netto gospodarstwa domowego" in html
    runner = own.get(f"/interviews/{interview.id}?section=segment_e").get_data(as_text=True)
    block = runner.split('id="q-income_total"', 1)[1].split('<div class="q', 1)[0]
    assert "Dochód nie zgadza się" in block
    assert runner.count('class="review-comment"') == 1

    # Signing while the interview is being corrected is refused.
    refused = own.post(f"/interviews/{interview.id}/sign", data={"password": PASSWORD, "csrf_token": token(own)})
    assert refused.status_code == 422

    # The worker corrects the answer and finishes (the runner's job; done directly here).
    form = form_of(interview)
    question = form.question("income_total")
    write_answers(db, interview, {"income_total": to_storage(question, validate(question, "3290,50").value)},
                  user_id=worker.id or 0)
    fresh = db.get(Interview, interview.id)
    assert fresh is not None
    fresh.state = InterviewState.FINISHED
    db.add(fresh)
    db.commit()

    assert "Podpisz i wyślij ponownie" in own.get(f"/reports/{submitted.id}").get_data(as_text=True)
    response = own.post(f"/interviews/{interview.id}/sign", data={"password": PASSWORD, "csrf_token": token(own)})
    assert response.status_code == 302
    db.expire_all()
    report = db.get(Report, submitted.id)
    assert report is not None
    assert (report.state, report.version) == ("resubmitted", 2)
    approve(db, settings, report, supervisor)
    files = db.exec(select(ReportFile).where(ReportFile.report_id == report.id).order_by(col(ReportFile.id))).all()
    assert [(f.version, f.kind) for f in files] == [(1, "worker_signed"), (2, "worker_signed"), (2, "approved")]
    assert db.get(Report, report.id).state == "approved"  # type: ignore[union-attr]
    listing = boss.get(f"/reports/{report.id}").get_data(as_text=True)
    assert listing.count("Pobierz PDF") == 3


def test_return_needs_a_comment(app: Flask, db: Session, submitted: Report, supervisor: User) -> None:
    """Returning without any comment is refused with a message; nothing changes."""
    boss = _client(app, supervisor)
    response = boss.post(f"/reports/{submitted.id}/return",
                         data={"general": "  ", "csrf_token": token(boss, f"/reports/{submitted.id}")})
    assert response.status_code == 422
    assert "Dodaj co najmniej jedną uwagę" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Report, submitted.id).state == "submitted"  # type: ignore[union-attr]


def test_approve_with_wrong_password_stores_nothing(app: Flask, db: Session, submitted: Report, supervisor: User) -> None:
    """The supervisor's counter-signature also needs their password; a wrong one leaves the report waiting."""
    boss = _client(app, supervisor)
    response = boss.post(f"/reports/{submitted.id}/approve",
                         data={"password": "zgadywane-hasło", "csrf_token": token(boss, f"/reports/{submitted.id}")})
    assert response.status_code == 422
    assert "Hasło jest nieprawidłowe" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Report, submitted.id).state == "submitted"  # type: ignore[union-attr]
    assert len(db.exec(select(ReportFile)).all()) == 1


def test_supervisor_cannot_approve_own_report(db: Session, settings, office, user_factory) -> None:  # type: ignore[no-untyped-def]
    """Four eyes: a user who is both worker and supervisor cannot approve a report they signed."""
    from app.auth.models import Role
    from app.reports.demo import make_finished_interview
    from app.reports.errors import ReviewError

    from .conftest import make_case

    both = user_factory(Role.WORKER, Role.SUPERVISOR, username="oboje")
    interview = make_finished_interview(db, case=make_case(db, office, both, "RWS/2026/0099"), worker=both)
    db.commit()
    submit(db, settings, interview, both)
    report = db.exec(select(Report)).one()
    with pytest.raises(ReviewError, match="własnego raportu"):
        approve(db, settings, report, both)


def test_stored_pdf_cannot_be_changed(db: Session, submitted: Report) -> None:
    """An archived file refuses updates at the ORM level."""
    stored = db.exec(select(ReportFile)).one()
    stored.pdf = stored.pdf + b"%"
    db.add(stored)
    with pytest.raises(RuntimeError, match="immutable"):
        db.flush()
    db.rollback()
