"""Retention: nothing is removed unless configured; past their period cases and referrals are anonymised,
answers and report files deleted, the oldest audit events trimmed with the chain still verifying; one audit entry."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import text
from sqlmodel import Session, SQLModel, select

from app.audit.erasure import Erasure
from app.audit.models import AuditEvent
from app.audit.services import record, verify
from app.auth.models import LoginAttempt, ResumeDraft
from app.cases.models import CallAttempt, Case, CasePhone, CaseState
from app.cli import main
from app.clock import utcnow
from app.config import PrivacySettings, ReportFilePolicy, Settings, get_settings
from app.interviews.models import Answer, AnswerChange, Interview
from app.privacy.retention import ANONYMISED, plan, run
from app.referrals.models import Referral, ReferralState
from app.reports.models import Report, ReportFile
from tests.auditchain import backdate
from tests.integration.reports.conftest import submit

from .conftest import (
    NAME,
    PERSONAL,
    PESEL,
    World,
    assert_no_personal_data,
    events,
    make_person_case,
    make_referral,
)

LATER = dt.timedelta(days=365 * 11)  # "now" eleven years on: every record of the world is past ten years


@pytest.fixture
def full(db: Session, settings: Settings, world: World) -> World:
    """The person's case with a signed report and a closed referral."""
    submit(db, settings, world.interview, world.worker)
    referral = make_referral(db, world)
    referral.state = ReferralState.CLOSED
    db.add(referral)
    db.commit()
    return world


def _settings(app: Flask, **values: object) -> PrivacySettings:
    settings = PrivacySettings(**values)  # type: ignore[arg-type]
    get_settings(app).privacy = settings
    return settings


def _all_text(db: Session) -> str:
    """Every value of every row of every table, as one string (to search for personal data)."""
    parts = []
    for table in SQLModel.metadata.sorted_tables:
        for row in db.execute(table.select()).all():
            parts.extend(str(v) for v in row if not isinstance(v, bytes))
    return "\n".join(parts)


def test_nothing_personal_is_touched_when_no_period_is_configured(app: Flask, db: Session, full: World) -> None:
    """Unset periods keep cases, referrals and the audit log forever, however old; the run is still audited."""
    settings = _settings(app)
    due = plan(db, settings, now=utcnow() + LATER)
    assert due.counts()["case"] == due.counts()["referral"] == due.counts()["answer"] == 0
    assert "audit_event" not in due.counts()
    assert {"case", "referral", "audit_event"} <= set(due.kept_forever)
    run(db, settings, now=utcnow() + LATER)
    db.commit()
    db.expire_all()
    assert db.get(Case, full.case.id).applicant_name == NAME  # type: ignore[union-attr]
    assert db.exec(select(Answer)).first() is not None
    (entry,) = events(db, "retention.run")
    assert json.loads(entry.details)["case_ids"] == []


def test_dry_run_lists_ids_and_counts_and_changes_nothing(app: Flask, db: Session, full: World) -> None:
    """The plan names the case, the referral and the report files by id, answers by count, and writes nothing."""
    settings = _settings(app, retention_case_years=10)
    due = plan(db, settings, now=utcnow() + LATER)
    files = db.exec(select(ReportFile.id)).all()
    assert due.step("case").ids == [full.case.id]
    assert due.step("referral").ids == [db.exec(select(Referral.id)).one()]
    assert due.step("report_file").ids == sorted(files)
    assert due.step("answer").count == len(db.exec(select(Answer)).all()) > 0
    listing = "\n".join(due.lines())
    assert f"case: anonymise 1 — ids {full.case.id}" in listing
    assert not any(value in listing for value in PERSONAL)
    db.expire_all()
    assert db.get(Case, full.case.id).pesel == PESEL  # type: ignore[union-attr]
    assert events(db, "retention.run") == []


def test_case_past_retention_is_anonymised_everywhere(app: Flask, db: Session, full: World) -> None:
    """After the run no table holds the person's name, PESEL, phones, address or answers; ids and states remain."""
    settings = _settings(app, retention_case_years=10)
    run(db, settings, now=utcnow() + LATER)
    db.commit()
    db.expire_all()
    case = db.get(Case, full.case.id)
    assert case is not None
    assert (case.applicant_name, case.pesel, case.email, case.address) == (ANONYMISED, None, "", "")
    assert case.search_name == "(zanonimizowano)"  # the folded search copy of the name goes too
    assert (case.reference, case.state) == ("RWS/2026/0101", CaseState.INTERVIEW_DONE)
    assert db.exec(select(CasePhone)).all() == []
    assert db.exec(select(Answer)).all() == [] and db.exec(select(AnswerChange)).all() == []
    assert db.exec(select(ReportFile)).all() == []
    report = db.exec(select(Report)).one()
    assert report.case_id == case.id  # the report's bookkeeping stays
    assert db.exec(select(CallAttempt)).one().number == ""
    assert db.exec(select(Referral)).one().person_name == ANONYMISED
    everything = _all_text(db)
    for value in (NAME, PESEL, "601234567", "Źródlana", "Łukasz Wójcik", "Odebrała córka"):
        assert value not in everything, value
    assert sorted((e.record_type, e.record_id) for e in db.exec(select(Erasure)).all())[0] == ("case", case.id)
    (entry,) = events(db, "retention.run")
    details = json.loads(entry.details)
    assert details["case_ids"] == [case.id] and details["counts"]["case"] == 1
    assert_no_personal_data(db)
    assert verify(db) == []


def test_second_run_finds_nothing_more(app: Flask, db: Session, full: World) -> None:
    """An anonymised case is recorded as erased and never counted again."""
    settings = _settings(app, retention_case_years=10)
    run(db, settings, now=utcnow() + LATER)
    db.commit()
    again = plan(db, settings, now=utcnow() + LATER)
    assert again.step("case").count == again.step("referral").count == 0


def test_recent_open_and_referred_cases_are_kept(app: Flask, db: Session, full: World) -> None:
    """A case with recent activity, an open case and a case with an open referral are not anonymised."""
    settings = _settings(app, retention_case_years=10)
    open_case = make_person_case(db, full.office, full.worker, reference="RWS/2026/0500")
    open_case.state = CaseState.CONTACTING
    db.add(open_case)
    db.commit()
    assert plan(db, settings, now=utcnow() + dt.timedelta(days=365 * 5)).step("case").ids == []
    referral = db.exec(select(Referral)).one()
    referral.state = ReferralState.ACCEPTED
    db.add(referral)
    db.commit()
    assert plan(db, settings, now=utcnow() + LATER).step("case").ids == []


def test_late_activity_counts_from_the_newest_call(app: Flask, db: Session, full: World) -> None:
    """A call made years after the case was opened restarts the period."""
    settings = _settings(app, retention_case_years=10)
    db.add(CallAttempt(case_id=full.case.id or 0, worker_id=full.worker.id or 0, number="+48600000000",
                       outcome="no_answer", at=utcnow() + dt.timedelta(days=365 * 5)))
    db.commit()
    assert plan(db, settings, now=utcnow() + LATER).step("case").ids == []


def test_report_files_are_kept_when_configured(app: Flask, db: Session, full: World) -> None:
    """retention_report_files=keep leaves the signed PDFs (the signed record) while the case is anonymised."""
    settings = _settings(app, retention_case_years=10, retention_report_files=ReportFilePolicy.KEEP)
    count = len(db.exec(select(ReportFile)).all())
    run(db, settings, now=utcnow() + LATER)
    db.commit()
    assert len(db.exec(select(ReportFile)).all()) == count
    assert db.get(Case, full.case.id).applicant_name == ANONYMISED  # type: ignore[union-attr]


def test_referral_has_its_own_period(app: Flask, db: Session, full: World) -> None:
    """With only a referral period, a closed referral is anonymised and its case is left alone."""
    settings = _settings(app, retention_referral_years=2)
    run(db, settings, now=utcnow() + dt.timedelta(days=365 * 3))
    db.commit()
    db.expire_all()
    referral = db.exec(select(Referral)).one()
    assert (referral.person_name, referral.phone, referral.worker_note) == (ANONYMISED, "", "")
    assert db.get(Case, full.case.id).applicant_name == NAME  # type: ignore[union-attr]


def test_technical_rows_have_default_periods(app: Flask, db: Session, full: World) -> None:
    """Old login attempts and resume drafts are deleted with no configuration; recent ones stay."""
    settings = _settings(app)
    old = utcnow() - dt.timedelta(days=60)
    db.add(LoginAttempt(username_key="a" * 64, address_key="b" * 64, at=old))
    db.add(LoginAttempt(username_key="c" * 64, address_key="d" * 64))
    db.add(ResumeDraft(user_id=full.worker.id or 0, method="POST", path="/x", form_json="[]", created_at=old))
    db.commit()
    due = plan(db, settings)
    assert (due.step("login_attempt").count, due.step("resume_draft").count) == (1, 1)
    run(db, settings)
    db.commit()
    assert len(db.exec(select(LoginAttempt)).all()) >= 1
    assert db.exec(select(ResumeDraft)).all() == []


def _backdate_everything(db: Session, days: int) -> None:
    """Move every timestamp of the world `days` into the past (as if it had happened then)."""
    shift = dt.timedelta(days=days)
    for model, fields in ((Case, ("created_at", "last_interview_completed_at")), (CallAttempt, ("at",)),
                          (Interview, ("started_at", "finished_at", "updated_at")),
                          (Report, ("submitted_at", "decided_at", "created_at")), (Referral, ("created_at", "updated_at"))):
        for row in db.exec(select(model)).all():
            for name in fields:
                if getattr(row, name) is not None:
                    setattr(row, name, getattr(row, name) - shift)
            db.add(row)
    db.commit()


def _backdate_audit(db: Session, days: int) -> None:
    """Rewrite the chains as if every event so far had been recorded `days` ago."""
    backdate(db, days)


def test_cli_dry_run_then_run_with_audit_trim(app: Flask, runner: FlaskCliRunner, db: Session, full: World,
                                              tmp_path: Path) -> None:
    """`retention run --dry-run` lists and changes nothing; the real run anonymises, trims old events, verifies."""
    _settings(app, retention_case_years=10, retention_audit_years=10)
    _backdate_everything(db, 365 * 11)
    _backdate_audit(db, 365 * 11)
    old_ids = sorted(e.id for e in db.exec(select(AuditEvent)).all())
    dry = runner.invoke(main, ["retention", "run", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"case: anonymise 1 — ids {full.case.id}" in dry.output
    assert f"audit_event: delete {len(old_ids)} — ids {old_ids[0]}–{old_ids[-1]}" in dry.output
    assert not any(value in dry.output for value in PERSONAL)
    db.expire_all()
    assert db.get(Case, full.case.id).pesel == PESEL  # type: ignore[union-attr]
    real = runner.invoke(main, ["retention", "run"])
    assert real.exit_code == 0, real.output
    db.expire_all()
    assert db.get(Case, full.case.id).pesel is None  # type: ignore[union-attr]
    remaining = db.exec(select(AuditEvent).order_by(AuditEvent.id)).all()  # type: ignore[arg-type]
    assert [e.action for e in remaining] == ["retention.run", "retention.trim"]
    verified = runner.invoke(main, ["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    record(db, "case.view", actor_id=full.supervisor.id, office_id=full.office.id, object_type="case",
           object_id=full.case.id)
    db.commit()
    assert verify(db) == []
    db.execute(text("DELETE FROM audit_event WHERE action = 'retention.run'"))
    db.commit()
    assert runner.invoke(main, ["audit", "verify"]).exit_code == 1
