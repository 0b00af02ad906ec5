"""Report review services: sign and submit, approve with a counter-signature, return with comments, verify, queue."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement
from sqlmodel import Session, col, func, select

from app.audit.services import record
from app.auth.models import Office, Role, User
from app.auth.reauth import Guard
from app.auth.services import Principal
from app.cases.models import Case, CaseState
from app.clock import LOCAL_TZ, utcnow
from app.config import Settings
from app.db import lock_row
from app.formdefs.logic import question_for_key
from app.interviews.answers import form_of, load_answers
from app.interviews.models import Interview, InterviewState
from app.referrals.models import OPEN_STATES, Referral
from app.referrals.services import is_overdue
from app.reports import pki_store
from app.reports.build import BuiltReport, build_report
from app.reports.models import FileKind, Report, ReportFile, ReviewComment
from app.reports.pdf import render_report
from app.reports.signing import SUPERVISOR_STAMP_BOX, WORKER_STAMP_BOX, SigningError, sign_pdf
from app.reports.states import PENDING_REVIEW, ReportAction, ReportState, TransitionError, next_state
from app.reports.verify import VerificationReport, sha256_hex, verify_pdf
from app.staffing.rota import WeekCoverage, week_coverage
from app.web.paging import PAGE_SIZE, Page, clamp

# fontTools logs every glyph subset at INFO while pyHanko embeds the stamp font: noise, and slow to write.
logging.getLogger("fontTools").setLevel(logging.WARNING)

MAX_COMMENT_CHARS = 2000
MAX_COMMENTS = 100
# A signed report is ~100-250 KB; a verification upload far larger than that is not one of ours.
MAX_VERIFY_UPLOAD_BYTES = 5 * 1024 * 1024
WORKER_STAMP_ROLE = "pracownik socjalny"
SUPERVISOR_STAMP_ROLE = "kierownik"
# Signature field names carry the stage and the version: Podpis_pracownika_v2, Zatwierdzenie_v2.
WORKER_FIELD = "Podpis_pracownika_v"
APPROVAL_FIELD = "Zatwierdzenie_v"


class ReviewError(ValueError):
    """A user-facing refusal; `field` names the form field the message belongs next to."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# --------------------------------------------------------------------------- lookups


def report_of_interview(session: Session, interview_id: int) -> Report | None:
    """The report of an interview, if it was ever submitted."""
    return session.exec(select(Report).where(Report.interview_id == interview_id)).first()


def state_of(interview: Interview, report: Report | None) -> ReportState:
    """The review state of an interview's report (DRAFT/FINISHED while nothing was submitted)."""
    if report is not None:
        return ReportState(report.state)
    return ReportState.FINISHED if interview.state == InterviewState.FINISHED else ReportState.DRAFT


def files_of(session: Session, report_id: int) -> list[ReportFile]:
    """Every stored PDF of a report, newest version first, the approved file before the worker-signed one."""
    rows = session.exec(select(ReportFile).where(ReportFile.report_id == report_id)).all()
    return sorted(rows, key=lambda f: (-f.version, f.kind != FileKind.APPROVED))


def latest_file(session: Session, report: Report) -> ReportFile | None:
    """The newest file of the current version (approved if it exists)."""
    files = [f for f in files_of(session, report.id or 0) if f.version == report.version]
    return files[0] if files else None


def comments_of(session: Session, report_id: int) -> list[ReviewComment]:
    """All comments on a report, oldest version first."""
    return list(session.exec(
        select(ReviewComment).where(ReviewComment.report_id == report_id)
        .order_by(col(ReviewComment.version), col(ReviewComment.id))
    ).all())


def open_comments(session: Session, interview_id: int) -> dict[str, list[ReviewComment]]:
    """Comments the worker still has to act on (the report is returned), grouped by answer key."""
    report = report_of_interview(session, interview_id)
    if report is None or report.state != ReportState.RETURNED:
        return {}
    grouped: dict[str, list[ReviewComment]] = defaultdict(list)
    for comment in comments_of(session, report.id or 0):
        if comment.version == report.version:
            grouped[comment.answer_key].append(comment)
    return dict(grouped)


def may_read_report(principal: Principal, report: Report) -> bool:
    """The report's worker, the office's supervisors and administrators (the office is checked by the caller)."""
    return principal.id == report.worker_id or principal.has(Role.SUPERVISOR, Role.ADMIN)


# --------------------------------------------------------------------------- signing


def _now_local(now: dt.datetime | None) -> dt.datetime:
    return (now or utcnow()).astimezone(LOCAL_TZ).replace(microsecond=0)


def _user(session: Session, principal: Principal) -> User:
    user = session.get(User, principal.id)
    assert user is not None  # noqa: S101 - the principal was loaded from it
    return user


def _sign(pdf: bytes, material: pki_store.SigningMaterial, *, user: User, office: Office, field_name: str,
          reason: str, role: str, box: tuple[float, float, float, float], when: dt.datetime) -> bytes:
    try:
        return sign_pdf(
            pdf, signer_cert=material.certificate.cert_pem.encode(), signer_key=material.key, chain=material.chain,
            field_name=field_name, reason=reason, location=office.name, signer_display_name=user.full_name,
            role=role, when=when, stamp_box=box,
        )
    except SigningError as exc:
        raise ReviewError(str(_l("Nie udało się podpisać dokumentu. Niczego nie zapisano.")), "password") from exc


def _store_file(session: Session, report: Report, *, kind: str, pdf: bytes, signer: User,
                material: pki_store.SigningMaterial, answers_json: str, when: dt.datetime) -> ReportFile:
    if material.is_new:
        pki_store.store_new_certificate(session, material)
    assert report.id is not None  # noqa: S101
    assert signer.id is not None  # noqa: S101
    assert material.certificate.id is not None  # noqa: S101
    stored = ReportFile(
        office_id=report.office_id, report_id=report.id, version=report.version, kind=kind, pdf=pdf,
        sha256=sha256_hex(pdf), size_bytes=len(pdf), signed_by_id=signer.id, certificate_id=material.certificate.id,
        answers_json=answers_json, created_at=when.astimezone(dt.UTC),
    )
    session.add(stored)
    session.flush()
    return stored


def submit_report(session: Session, *, actor: Principal, interview: Interview, password: str, settings: Settings,
                  now: dt.datetime | None = None, guard: Guard | None = None) -> ReportFile:
    """The worker signs the finished interview's report with their password and sends it for review (v1, v2, ...)."""
    assert interview.id is not None  # noqa: S101
    lock_row(session, Interview, interview.id)  # a double submit waits here and then finds the report submitted
    if interview.worker_id != actor.id:
        raise ReviewError(str(_l("Tylko pracownik, który przeprowadził wywiad, może go podpisać.")))
    report = report_of_interview(session, interview.id)
    state = state_of(interview, report)
    action = ReportAction.RESUBMIT if state == ReportState.RETURNED else ReportAction.SUBMIT
    try:
        target = next_state(state, action, actor.roles)
    except TransitionError as exc:
        raise ReviewError(exc.message) from exc
    if interview.state != InterviewState.FINISHED:
        raise ReviewError(str(_l("Najpierw popraw i zakończ wywiad, potem podpisz go ponownie.")))
    version = 1 if report is None else report.version + 1
    when = _now_local(now)
    user = _user(session, actor)
    office = session.get(Office, interview.office_id)
    assert office is not None  # noqa: S101
    # Everything that can fail runs before the first write: a wrong password stores nothing.
    material = pki_store.signing_material(session, user=user, roles=actor.roles, password=password, settings=settings,
                                          guard=guard)
    answers = load_answers(session, interview.id)
    built = build_report(session, interview, version=version, now=when, answers=answers)
    signed = _sign(render_report(built.data), material, user=user, office=office,
                   field_name=f"{WORKER_FIELD}{version}", reason=f"Sporządzenie raportu, wersja {version}",
                   role=WORKER_STAMP_ROLE, box=WORKER_STAMP_BOX, when=when)
    if report is None:
        report = Report(office_id=interview.office_id, interview_id=interview.id, case_id=interview.case_id,
                        worker_id=interview.worker_id, state=target, version=1, submitted_at=when.astimezone(dt.UTC))
    else:
        report.version = version
        report.state = target
        report.submitted_at = when.astimezone(dt.UTC)
        report.decided_at = None
        report.decided_by_id = None
    session.add(report)
    session.flush()
    stored = _store_file(session, report, kind=FileKind.WORKER_SIGNED, pdf=signed, signer=user, material=material,
                         answers_json=json.dumps(answers, ensure_ascii=False, sort_keys=True), when=when)
    record(session, f"report.{action.value}", actor_id=actor.id, office_id=report.office_id, object_type="report",
           object_id=report.id, interview_id=interview.id, version=version, file_id=stored.id, sha256=stored.sha256)
    return stored


def _pending_for_supervisor(session: Session, actor: Principal, report: Report, action: ReportAction) -> ReportState:
    lock_row(session, Report, report.id)  # two decisions at once: the second sees the first's state and is refused
    if actor.office_id != report.office_id:
        raise ReviewError(str(_l("Ten raport należy do innego ośrodka.")))
    try:
        target = next_state(ReportState(report.state), action, actor.roles)
    except TransitionError as exc:
        raise ReviewError(exc.message) from exc
    if actor.id == report.worker_id:
        raise ReviewError(str(_l("Nie można zatwierdzać ani zwracać własnego raportu.")))
    return target


def approve_report(session: Session, *, actor: Principal, report: Report, password: str, settings: Settings,
                   now: dt.datetime | None = None, guard: Guard | None = None) -> ReportFile:
    """The supervisor counter-signs the current version as an incremental update; the worker's signature stays valid."""
    target = _pending_for_supervisor(session, actor, report, ReportAction.APPROVE)
    worker_file = session.exec(select(ReportFile).where(
        ReportFile.report_id == report.id, ReportFile.version == report.version,
        ReportFile.kind == FileKind.WORKER_SIGNED,
    )).first()
    if worker_file is None:
        raise ReviewError(str(_l("Brak podpisanego pliku tej wersji raportu.")))
    when = _now_local(now)
    user = _user(session, actor)
    office = session.get(Office, report.office_id)
    assert office is not None  # noqa: S101
    material = pki_store.signing_material(session, user=user, roles=actor.roles, password=password, settings=settings,
                                          guard=guard)
    signed = _sign(worker_file.pdf, material, user=user, office=office,
                   field_name=f"{APPROVAL_FIELD}{report.version}", reason="Zatwierdzenie raportu",
                   role=SUPERVISOR_STAMP_ROLE, box=SUPERVISOR_STAMP_BOX, when=when)
    report.state = target
    report.decided_at = when.astimezone(dt.UTC)
    report.decided_by_id = actor.id
    session.add(report)
    stored = _store_file(session, report, kind=FileKind.APPROVED, pdf=signed, signer=user, material=material,
                         answers_json=worker_file.answers_json, when=when)
    record(session, "report.approve", actor_id=actor.id, office_id=report.office_id, object_type="report",
           object_id=report.id, version=report.version, file_id=stored.id, sha256=stored.sha256)
    return stored


def return_report(session: Session, *, actor: Principal, report: Report, comments: dict[str, str],
                  general: str = "") -> list[ReviewComment]:
    """Send the report back with comments on answers; the interview is reopened so the worker can correct it."""
    target = _pending_for_supervisor(session, actor, report, ReportAction.RETURN)
    interview = session.get(Interview, report.interview_id)
    assert interview is not None  # noqa: S101
    assert report.id is not None  # noqa: S101
    assert interview.id is not None  # noqa: S101
    form = form_of(interview)
    entries = [(key, text.strip()) for key, text in comments.items() if text and text.strip()]
    if general.strip():
        entries.append(("", general.strip()))
    if not entries:
        raise ReviewError(str(_l("Dodaj co najmniej jedną uwagę: przy pytaniu albo ogólną.")), "general")
    if len(entries) > MAX_COMMENTS:
        raise ReviewError(str(_l("Za dużo uwag naraz.")), "general")
    for key, text in entries:
        if len(text) > MAX_COMMENT_CHARS:
            raise ReviewError(str(_l("Uwaga może mieć najwyżej %(n)d znaków.", n=MAX_COMMENT_CHARS)), key or "general")
        if key:
            try:
                question_for_key(form, key)
            except (KeyError, ValueError) as exc:
                raise ReviewError(str(_l("Nie ma takiego pytania w tym wywiadzie.")), "general") from exc
    saved = []
    for key, text in entries:
        comment = ReviewComment(report_id=report.id, interview_id=interview.id, version=report.version,
                                answer_key=key, text=text, author_id=actor.id)
        session.add(comment)
        saved.append(comment)
    report.state = target
    report.decided_at = utcnow()
    report.decided_by_id = actor.id
    session.add(report)
    interview.state = InterviewState.IN_PROGRESS
    interview.finished_at = None
    interview.updated_at = utcnow()
    session.add(interview)
    session.flush()
    record(session, "report.return", actor_id=actor.id, office_id=report.office_id, object_type="report",
           object_id=report.id, version=report.version, comment_ids=[c.id for c in saved],
           answer_keys=sorted({k for k, _ in entries if k}))
    record(session, "interview.reopen", actor_id=actor.id, office_id=report.office_id, object_type="interview",
           object_id=interview.id, reason="report_returned", report_id=report.id)
    return saved


def built_version(session: Session, report: Report, version: int | None = None) -> BuiltReport | None:
    """The report exactly as signed at `version` (default: the current one), rebuilt from its answer snapshot."""
    version = version or report.version
    stored = session.exec(select(ReportFile).where(
        ReportFile.report_id == report.id, ReportFile.version == version, ReportFile.kind == FileKind.WORKER_SIGNED,
    )).first()
    interview = session.get(Interview, report.interview_id)
    if stored is None or interview is None:
        return None
    return build_report(session, interview, version=version, now=stored.created_at,
                        answers=json.loads(stored.answers_json))


def record_file_access(session: Session, *, actor: Principal, stored: ReportFile, inline: bool) -> None:
    """Audit a download or inline view of a stored PDF (ids and the hash only)."""
    record(session, "report.view_pdf" if inline else "report.download", actor_id=actor.id,
           office_id=stored.office_id, object_type="report_file", object_id=stored.id,
           report_id=stored.report_id, version=stored.version, sha256=stored.sha256)


# --------------------------------------------------------------------------- verification


@dataclass(frozen=True)
class DocumentCheck:
    """Signatures of an uploaded or given PDF and whether it is byte-for-byte an archived report file.

    When it is, `archived.kind` says the stage (signed by the worker, or approved with the supervisor's
    counter-signature) and `latest_approved` is the report's newest approved file, so a copy cut back to the
    worker's signature, or an older version, is never taken for the approved report.
    """

    sha256: str
    size_bytes: int
    verification: VerificationReport
    archived: ReportFile | None
    archived_reference: str | None = None
    latest_approved: ReportFile | None = None
    report_version: int | None = None

    @property
    def ok(self) -> bool:
        """Every signature intact and trusted, the last covering the whole file."""
        return self.verification.all_valid

    @property
    def approved_stage(self) -> bool:
        """The file is an approved (counter-signed) version, not the worker-signed one."""
        return self.archived is not None and self.archived.kind == FileKind.APPROVED

    @property
    def is_latest_approved(self) -> bool:
        """The file is exactly the report's newest approved version."""
        return (self.archived is not None and self.latest_approved is not None
                and self.archived.id == self.latest_approved.id)


def signature_stage(field_name: str) -> tuple[str, int] | None:
    """("worker_signed" | "approved", version) of one of our signature fields; None for any other field."""
    for prefix, stage in ((WORKER_FIELD, FileKind.WORKER_SIGNED), (APPROVAL_FIELD, FileKind.APPROVED)):
        rest = field_name.removeprefix(prefix)
        if rest != field_name and rest.isascii() and rest.isdigit():
            return stage, int(rest)
    return None


def check_document(session: Session, data: bytes, *, office_id: int | None,
                   extra_roots: Sequence[bytes] = ()) -> DocumentCheck:
    """Verify `data` against the office CA (all offices' CAs when office_id is None) and the configured extra
    CAs (TELEWYWIAD_TRUSTED_CA_FILE, e.g. qualified providers), and look it up by SHA-256."""
    digest = sha256_hex(data)
    roots = pki_store.trust_roots(session, office_id)
    if roots:
        roots = [*roots, *extra_roots]
        verification = verify_pdf(data, trust_roots=roots)
    else:
        verification = VerificationReport(signatures=(), error="no office CA exists yet (run `telewywiad pki init`)")
    query = select(ReportFile).where(ReportFile.sha256 == digest)
    if office_id is not None:
        query = query.where(ReportFile.office_id == office_id)
    archived = session.exec(query).first()
    if archived is None:
        return DocumentCheck(digest, len(data), verification, None)
    report = session.get(Report, archived.report_id)
    case = session.get(Case, report.case_id) if report else None
    latest_approved = session.exec(
        select(ReportFile)
        .where(ReportFile.report_id == archived.report_id, ReportFile.kind == FileKind.APPROVED)
        .order_by(col(ReportFile.version).desc())
    ).first()
    return DocumentCheck(digest, len(data), verification, archived, case.reference if case else None,
                         latest_approved, report.version if report else None)


def verify_upload(session: Session, *, actor: Principal, data: bytes,
                  extra_roots: Sequence[bytes] = ()) -> DocumentCheck:
    """A supervisor's uploaded PDF: size-limited, checked against the office CA and archive, audit-logged."""
    if not data:
        raise ReviewError(str(_l("Wybierz plik PDF do sprawdzenia.")), "pdf")
    if len(data) > MAX_VERIFY_UPLOAD_BYTES:
        raise ReviewError(str(_l("Plik jest za duży (najwyżej 5 MB).")), "pdf")
    if not data.lstrip()[:5] == b"%PDF-":
        raise ReviewError(str(_l("To nie jest plik PDF.")), "pdf")
    result = check_document(session, data, office_id=actor.office_id, extra_roots=extra_roots)
    record(session, "report.verify", actor_id=actor.id, office_id=actor.office_id, object_type="report_file",
           object_id=result.archived.id if result.archived else None, sha256=result.sha256, valid=result.ok,
           signatures=len(result.verification.signatures))
    return result


# --------------------------------------------------------------------------- queue and dashboard


@dataclass(frozen=True)
class QueueItem:
    """One report in the review queue."""

    report: Report
    reference: str
    applicant_name: str
    worker_name: str
    due_on: dt.date | None
    overdue: bool


QUEUE_FILTERS = ("pending", "submitted", "resubmitted", "returned", "approved")


def review_queue(session: Session, *, office_id: int, status: str = "pending", worker_id: int | None = None,
                 overdue_only: bool = False, today: dt.date | None = None, page: int = 1,
                 size: int = PAGE_SIZE) -> Page[QueueItem]:
    """One page of the office's reports, oldest submission first; by default those waiting for review."""
    today = today or dt.datetime.now(LOCAL_TZ).date()
    states = PENDING_REVIEW if status not in QUEUE_FILTERS[1:] else frozenset({ReportState(status)})
    where: list[ColumnElement[bool]] = [col(Report.office_id) == office_id,
                                        col(Report.state).in_([s.value for s in states])]
    if worker_id is not None:
        where.append(col(Report.worker_id) == worker_id)
    # Count and page read report alone (ix_report_office_state), joining the case only for the overdue filter;
    # only the page's ids are sorted and skipped, and only its 50 rows are joined to cases and workers.
    count = select(func.count()).select_from(Report).where(*where)
    ids = select(Report.id).where(*where)
    if overdue_only:
        count = count.join(Case, col(Case.id) == Report.case_id).where(col(Case.due_on) < today)
        ids = ids.join(Case, col(Case.id) == Report.case_id).where(col(Case.due_on) < today)
    total = session.exec(count).one()
    number = clamp(page, total, size)
    order = (col(Report.submitted_at), col(Report.id))
    ids = ids.order_by(*order).offset((number - 1) * size).limit(size)
    query = (
        select(Report, Case, User)
        .join(Case, col(Case.id) == Report.case_id)
        .join(User, col(User.id) == Report.worker_id)
        .where(col(Report.id).in_(ids.scalar_subquery()))
        .order_by(*order)
    )
    items = [
        QueueItem(report, case.reference, case.applicant_name, user.full_name, case.due_on,
                  case.due_on is not None and case.due_on < today)
        for report, case, user in session.exec(query).all()
    ]
    return Page(items, number, total, size)


def reports_of_worker(session: Session, *, worker_id: int) -> list[tuple[Report, Case]]:
    """A worker's reports with their cases: returned ones first, then newest submission first."""
    rows = session.exec(
        select(Report, Case).join(Case, col(Case.id) == Report.case_id)
        .where(Report.worker_id == worker_id).order_by(col(Report.submitted_at).desc())
    ).all()
    return sorted(rows, key=lambda rc: rc[0].state != ReportState.RETURNED)


def office_workers(session: Session, office_id: int) -> list[User]:
    """Users of the office who have submitted reports (for the queue's worker filter)."""
    ids = select(Report.worker_id).where(Report.office_id == office_id).distinct()
    return list(session.exec(select(User).where(col(User.id).in_(ids)).order_by(col(User.full_name))).all())


@dataclass
class ReferralAge:
    """Open referrals of one priority, how many are overdue, and the age of the oldest."""

    urgency: str
    count: int
    oldest_days: int
    overdue: int = 0


@dataclass
class Dashboard:
    """What a supervisor sees at a glance."""

    states: list[tuple[ReportState | str, int]]
    overdue: list[tuple[Case, int]]
    overdue_count: int
    referrals: list[ReferralAge] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    # This week's rota: who is in the office per day, and the sections left with nobody or everybody inside.
    coverage: WeekCoverage | None = None


CLOSED_CASE_STATES = (CaseState.INTERVIEW_DONE, CaseState.CLOSED, CaseState.OTHER_ROUTE)


def _open_referrals(session: Session, office_id: int, now: dt.datetime) -> list[ReferralAge]:
    """Open referrals by priority with the overdue ones counted (target times from the referrals feature)."""
    referrals = session.exec(
        select(Referral).where(Referral.office_id == office_id, col(Referral.state).in_(list(OPEN_STATES)))
    ).all()
    order = {"urgent": 0, "high": 1, "normal": 2}
    groups: dict[str, ReferralAge] = {}
    for referral in referrals:
        created = referral.created_at if referral.created_at.tzinfo else referral.created_at.replace(tzinfo=dt.UTC)
        group = groups.setdefault(str(referral.priority), ReferralAge(str(referral.priority), 0, 0))
        group.count += 1
        group.oldest_days = max(group.oldest_days, (now - created).days)
        group.overdue += int(is_overdue(referral, now))
    return sorted(groups.values(), key=lambda r: order.get(r.urgency, 9))


def dashboard(session: Session, *, office_id: int, today: dt.date | None = None) -> Dashboard:
    """Interviews per review state, overdue case deadlines and open referrals for the office."""
    today = today or dt.datetime.now(LOCAL_TZ).date()
    counts: Counter[Any] = Counter()
    rows = session.exec(
        select(Interview.state, Report.state)
        .select_from(Interview)
        .join(Report, col(Report.interview_id) == Interview.id, isouter=True)
        .where(Interview.office_id == office_id)
    ).all()
    for interview_state, report_state in rows:
        if report_state is not None:
            counts[ReportState(report_state)] += 1
        elif interview_state == InterviewState.INTERRUPTED:
            counts["interrupted"] += 1
        elif interview_state == InterviewState.FINISHED:
            counts[ReportState.FINISHED] += 1
        else:
            counts[ReportState.DRAFT] += 1
    order: list[ReportState | str] = [*ReportState, "interrupted"]
    overdue_query = (
        select(Case).where(Case.office_id == office_id, col(Case.due_on) < today,
                           col(Case.state).not_in([s.value for s in CLOSED_CASE_STATES]))
        .order_by(col(Case.due_on))
    )
    overdue_cases = list(session.exec(overdue_query).all())
    assert all(c.due_on for c in overdue_cases)  # noqa: S101
    return Dashboard(
        states=[(s, counts.get(s, 0)) for s in order],
        overdue=[(c, (today - c.due_on).days) for c in overdue_cases[:20] if c.due_on],
        overdue_count=len(overdue_cases),
        referrals=_open_referrals(session, office_id, utcnow()),
        coverage=week_coverage(session, office_id, today),
    )
