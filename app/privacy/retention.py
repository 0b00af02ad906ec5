"""Retention: which records are past their configured period, and anonymising or deleting them in one transaction.

What happens to each record type (also in docs/security.md):

| record | when | what |
|---|---|---|
| case (`case_file`) | `retention_case_years` after its last activity, state closed or interview done, no open referral | anonymised: name replaced, PESEL/e-mail/address/notes blanked; phones deleted; call numbers and notes blanked; interview notes blanked; answers and their history deleted; flag reasons and review comment texts blanked; signed report PDFs deleted (or kept with `retention_report_files=keep`); its referrals anonymised |
| received document (`case_document`) | with its case | deleted whole: the file, its name and description (the audit log keeps ids and hashes) |
| appointment | with its case, or `retention_appointment_years` after its time | anonymised: name, phone, e-mail, cancel reason and history notes blanked |
| referral | `retention_referral_years` after its last change, closed or returned (or with its case) | anonymised: name, phone, best time, needs and every note blanked |
| audit event | `retention_audit_years` old | the oldest events deleted whole (never edited); a `retention.trim` checkpoint keeps the chain verifiable |
| web session, login attempt, resume draft, sent mail | `retention_*_days` | deleted |

Ids, states, dates, form versions and report hashes stay, so statistics and the audit trail still add up.
Nothing is anonymised or deleted unless its period is configured, except the technical rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, delete, func, select, update

from app import audit
from app.appointments import privacy as appointment_privacy
from app.audit.erasure import Erasure
from app.audit.services import lock_chain, trim, trimmable
from app.auth.models import LoginAttempt, Office, ResumeDraft, WebSession
from app.cases import record_privacy
from app.cases.models import CallAttempt, Callback, Case, CasePhone, CaseState, OtherContact
from app.clock import utcnow
from app.config import PrivacySettings, ReportFilePolicy
from app.documents import privacy as document_privacy
from app.documents.models import CaseDocument
from app.interviews.models import Answer, AnswerChange, Interview
from app.referrals.models import (
    OPEN_STATES as OPEN_REFERRAL_STATES,
)
from app.referrals.models import (
    FlagDecision,
    OutboxMessage,
    Referral,
    ReferralContact,
    ReferralState,
    ReferralTransition,
)
from app.reports.models import Report, ReportFile, ReviewComment

ANONYMISED = "(zanonimizowano)"
# Cases whose work is over; anything still open is never anonymised, however old.
ENDED_CASE_STATES = (CaseState.CLOSED, CaseState.INTERVIEW_DONE)
ENDED_REFERRAL_STATES = (ReferralState.CLOSED, ReferralState.RETURNED)
YEAR = timedelta(days=365.25)


@dataclass
class Step:
    """Records of one type that a run anonymises or deletes."""

    record_type: str
    action: str  # "anonymise" or "delete"
    ids: list[int] = field(default_factory=list)
    count: int = 0
    # Ids of technical rows (session hashes, attempt ids) say nothing useful; only their count is listed.
    list_ids: bool = True
    # A contiguous run of ids (the oldest audit events) is listed as first–last.
    as_range: bool = False

    def line(self) -> str:
        """One line of the dry-run listing: type, action, count and ids (never content)."""
        text = f"{self.record_type}: {self.action} {self.count}"
        if self.as_range and self.ids:
            text += f" — ids {self.ids[0]}–{self.ids[-1]}"
        elif self.list_ids and self.ids:
            text += " — ids " + ", ".join(str(i) for i in self.ids)
        return text


@dataclass
class Plan:
    """What a run does at `now`; `kept_forever` names the personal record types with no period configured."""

    now: datetime
    steps: list[Step]
    kept_forever: list[str]

    def step(self, record_type: str) -> Step:
        """The step of one record type (empty when nothing is due)."""
        return next((s for s in self.steps if s.record_type == record_type), Step(record_type, "delete"))

    def counts(self) -> dict[str, int]:
        """Record type → how many are anonymised or deleted."""
        return {s.record_type: s.count for s in self.steps}

    def lines(self) -> list[str]:
        """The listing printed by `telewywiad retention run` (ids and counts only)."""
        result = [s.line() for s in self.steps]
        result += [f"{name}: kept forever (no retention period configured)" for name in self.kept_forever]
        return result


def _ids(session: Session, statement: Any) -> list[int]:
    return sorted(int(i) for i in session.exec(statement).all() if i is not None)


def _last_activity(session: Session, case_ids: list[int]) -> dict[int, datetime]:
    """The newest time anything happened on each case (calls, interviews, reports, referrals)."""
    latest: dict[int, datetime] = {}

    def bump(rows: Iterable[tuple[Any, Any]]) -> None:
        for case_id, at in rows:
            if at is not None:
                at = at if at.tzinfo else at.replace(tzinfo=utcnow().tzinfo)
                latest[case_id] = max(latest.get(case_id, at), at)

    for case in session.exec(select(Case).where(col(Case.id).in_(case_ids))).all():
        bump([(case.id, case.created_at), (case.id, case.last_interview_completed_at)])
    sources: list[tuple[Any, Any]] = [
        (CallAttempt.case_id, CallAttempt.at),
        (Interview.case_id, Interview.updated_at),
        (Interview.case_id, Interview.finished_at),
        (Report.case_id, Report.submitted_at),
        (Report.case_id, Report.decided_at),
        (Referral.case_id, Referral.updated_at),
        (CaseDocument.case_id, CaseDocument.uploaded_at),
    ]
    for case_column, at_column in sources:
        query = select(col(case_column), func.max(col(at_column))).where(col(case_column).in_(case_ids))
        bump(session.exec(query.group_by(col(case_column))).all())
    return latest


def _erased(session: Session, record_type: str) -> Any:
    return select(Erasure.record_id).where(Erasure.record_type == record_type)


def _periods(session: Session, settings: PrivacySettings) -> dict[int, tuple[float | None, float | None]]:
    """Per office: (case years, referral years); the office's own, else the run's installation-wide settings."""
    from app.privacy.office_settings import office_retention  # the settings store sits below this feature

    return {
        office_id: office_retention(session, office_id, settings)
        for office_id in session.exec(select(Office.id)).all() if office_id is not None
    }


def due_cases(session: Session, settings: PrivacySettings, now: datetime) -> list[int]:
    """Ended cases with no activity for their office's configured years, no open referral, not yet anonymised."""
    found: list[int] = []
    for office_id, (years, _) in _periods(session, settings).items():
        if years is None:
            continue
        cutoff = now - years * YEAR
        candidates = _ids(
            session,
            select(Case.id).where(
                Case.office_id == office_id,
                col(Case.state).in_(ENDED_CASE_STATES),
                col(Case.created_at) < cutoff,
                col(Case.id).not_in(_erased(session, "case")),
                col(Case.id).not_in(select(Referral.case_id).where(col(Referral.state).in_(OPEN_REFERRAL_STATES))),
            ),
        )
        latest = _last_activity(session, candidates) if candidates else {}
        found += [case_id for case_id in candidates if latest[case_id] < cutoff]
    return sorted(found)


def due_referrals(session: Session, settings: PrivacySettings, now: datetime, case_ids: list[int]) -> list[int]:
    """Referrals of the anonymised cases, and ended referrals past their office's own period."""
    own: list[int] = []
    for office_id, (_, years) in _periods(session, settings).items():
        if years is None:
            continue
        cutoff = now - years * YEAR
        own += _ids(
            session,
            select(Referral.id).where(
                Referral.office_id == office_id,
                col(Referral.state).in_(ENDED_REFERRAL_STATES),
                col(Referral.updated_at) < cutoff,
            ),
        )
    with_case = _ids(session, select(Referral.id).where(col(Referral.case_id).in_(case_ids))) if case_ids else []
    erased = set(session.exec(_erased(session, "referral")).all())
    return sorted(set(own + with_case) - erased)


def plan(session: Session, settings: PrivacySettings, *, now: datetime | None = None) -> Plan:
    """Everything a run at `now` would anonymise or delete; changes nothing."""
    now = now or utcnow()
    cases = due_cases(session, settings, now)
    referrals = due_referrals(session, settings, now, cases)
    interviews = _ids(session, select(Interview.id).where(col(Interview.case_id).in_(cases))) if cases else []
    steps = [Step("case", "anonymise", cases, len(cases)), Step("referral", "anonymise", referrals, len(referrals))]
    visits = appointment_privacy.due(session, years=settings.retention_appointment_years, now=now, case_ids=cases)
    steps.append(Step("appointment", "anonymise", visits, len(visits)))
    answers = _ids(session, select(Answer.id).where(col(Answer.interview_id).in_(interviews))) if interviews else []
    history = (
        _ids(session, select(AnswerChange.id).where(col(AnswerChange.interview_id).in_(interviews))) if interviews else []
    )
    documents = document_privacy.of_cases(session, cases)
    steps.append(Step(document_privacy.RECORD_TYPE, "delete", documents, len(documents)))
    steps.append(Step("answer", "delete", answers, len(answers), list_ids=False))
    steps.append(Step("answer_change", "delete", history, len(history), list_ids=False))
    files: list[int] = []
    if cases and settings.retention_report_files is ReportFilePolicy.DELETE:
        reports = select(Report.id).where(col(Report.case_id).in_(cases))
        files = _ids(session, select(ReportFile.id).where(col(ReportFile.report_id).in_(reports)))
    steps.append(Step("report_file", "delete", files, len(files)))
    if settings.retention_audit_years is not None:
        _, events = trimmable(session, now - settings.retention_audit_years * YEAR)
        steps.append(Step("audit_event", "delete", events, len(events), as_range=True))
    technical: list[tuple[str, Any]] = [
        ("web_session", select(func.count()).select_from(WebSession).where(
            col(WebSession.last_seen_at) < now - timedelta(days=settings.retention_session_days))),
        ("login_attempt", select(func.count()).select_from(LoginAttempt).where(
            col(LoginAttempt.at) < now - timedelta(days=settings.retention_login_attempt_days))),
        ("resume_draft", select(func.count()).select_from(ResumeDraft).where(
            col(ResumeDraft.created_at) < now - timedelta(days=settings.retention_draft_days))),
        ("mail_outbox", select(func.count()).select_from(OutboxMessage).where(
            col(OutboxMessage.sent_at).is_not(None),
            col(OutboxMessage.sent_at) < now - timedelta(days=settings.retention_mail_days))),
    ]
    for name, query in technical:
        steps.append(Step(name, "delete", [], int(session.exec(query).one()), list_ids=False))
    periods = _periods(session, settings).values()
    kept = [
        name
        for name, unset in (
            ("case", all(case is None for case, _ in periods)),
            ("referral", all(referral is None for _, referral in periods)),
            ("appointment", settings.retention_appointment_years is None),
            ("audit_event", settings.retention_audit_years is None),
        )
        if unset
    ]
    return Plan(now, steps, kept)


def _anonymise_cases(session: Session, case_ids: list[int], interview_ids: list[int], now: datetime) -> None:
    cases = session.exec(select(Case).where(col(Case.id).in_(case_ids))).all()
    for case in cases:
        case.applicant_name = ANONYMISED
        case.pesel = None
        case.email = ""
        case.address = ""
        case.channel_detail = ""
        case.request_note = ""
        session.add(case)
        session.add(Erasure(office_id=case.office_id, record_type="case", record_id=case.id or 0, at=now))
    session.exec(delete(CasePhone).where(col(CasePhone.case_id).in_(case_ids)))
    session.exec(update(CallAttempt).where(col(CallAttempt.case_id).in_(case_ids)).values(number="", note=""))
    session.exec(update(Callback).where(col(Callback.case_id).in_(case_ids)).values(note=""))
    session.exec(update(OtherContact).where(col(OtherContact.case_id).in_(case_ids)).values(note=""))
    if interview_ids:
        session.exec(update(Interview).where(col(Interview.id).in_(interview_ids)).values(notes=""))
        session.exec(delete(Answer).where(col(Answer.interview_id).in_(interview_ids)))
        session.exec(delete(AnswerChange).where(col(AnswerChange.interview_id).in_(interview_ids)))
        session.exec(
            update(FlagDecision).where(col(FlagDecision.interview_id).in_(interview_ids)).values(reason="", fingerprint="")
        )
        session.exec(update(ReviewComment).where(col(ReviewComment.interview_id).in_(interview_ids)).values(text=""))


def _anonymise_referrals(session: Session, referral_ids: list[int], now: datetime) -> None:
    for referral in session.exec(select(Referral).where(col(Referral.id).in_(referral_ids))).all():
        referral.person_name = ANONYMISED
        referral.phone = ""
        referral.best_time = ""
        referral.communication_needs = ""
        referral.worker_note = ""
        referral.worker_contact = ""
        referral.closing_note = ""
        referral.return_reason = ""
        session.add(referral)
        session.add(Erasure(office_id=referral.office_id, record_type="referral", record_id=referral.id or 0, at=now))
    session.exec(update(ReferralContact).where(col(ReferralContact.referral_id).in_(referral_ids)).values(note=""))
    session.exec(update(ReferralTransition).where(col(ReferralTransition.referral_id).in_(referral_ids)).values(note=""))


def run(session: Session, settings: PrivacySettings, *, now: datetime | None = None,
        actor_id: int | None = None) -> Plan:
    """Anonymise and delete what `plan` lists, in the caller's transaction, with one audit entry (ids only)."""
    # Runs on two hosts at once take turns (the audit chain's head row): the second finds the work done.
    lock_chain(session, None)  # the no-office chain's head, where the run's own event goes
    due = plan(session, settings, now=now)
    now = due.now
    cases = due.step("case").ids
    referrals = due.step("referral").ids
    interviews = _ids(session, select(Interview.id).where(col(Interview.case_id).in_(cases))) if cases else []
    if cases:
        _anonymise_cases(session, cases, interviews, now)
        record_privacy.anonymise(session, cases)
    if referrals:
        _anonymise_referrals(session, referrals, now)
    visits = due.step("appointment").ids
    appointment_privacy.anonymise(session, visits, now, ANONYMISED)
    document_privacy.delete_documents(session, due.step(document_privacy.RECORD_TYPE).ids)
    files = due.step("report_file").ids
    if files:
        session.exec(delete(ReportFile).where(col(ReportFile.id).in_(files)))
    session.exec(delete(WebSession).where(
        col(WebSession.last_seen_at) < now - timedelta(days=settings.retention_session_days)))
    session.exec(delete(LoginAttempt).where(
        col(LoginAttempt.at) < now - timedelta(days=settings.retention_login_attempt_days)))
    session.exec(delete(ResumeDraft).where(
        col(ResumeDraft.created_at) < now - timedelta(days=settings.retention_draft_days)))
    session.exec(delete(OutboxMessage).where(
        col(OutboxMessage.sent_at).is_not(None),
        col(OutboxMessage.sent_at) < now - timedelta(days=settings.retention_mail_days)))
    session.flush()
    # The run's own entry comes first, so it is newer than every trimmed event and always survives the trim.
    audit.log(session, "retention.run", actor=actor_id, object_type="retention", counts=due.counts(), case_ids=cases,
              referral_ids=referrals, report_file_ids=files, appointment_ids=visits)
    if settings.retention_audit_years is not None:
        trim(session, before=now - settings.retention_audit_years * YEAR, actor_id=actor_id)
    session.flush()
    return due


