"""Report review: sign and submit, approve with a counter-signature, return with comments."""

from __future__ import annotations

import datetime as dt
import json
import logging

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from app import audit
from app.auth.models import Office, User
from app.auth.reauth import Guard
from app.auth.services import Principal
from app.clock import LOCAL_TZ, utcnow
from app.config import Settings
from app.db import lock_row
from app.formdefs.keys import question_for_key
from app.interviews.answers import form_of, load_answers
from app.interviews.models import Interview, InterviewState
from app.reports import pki_store
from app.reports.build import build_report
from app.reports.document_check import APPROVAL_FIELD, WORKER_FIELD
from app.reports.errors import ReviewError
from app.reports.lookups import report_of_interview, state_of
from app.reports.models import FileKind, Report, ReportFile, ReviewComment
from app.reports.pdf import render_report
from app.reports.signing import SUPERVISOR_STAMP_BOX, WORKER_STAMP_BOX, SigningError, sign_pdf
from app.reports.states import ReportAction, ReportState, TransitionError, next_state
from app.reports.verify import sha256_hex

# fontTools logs every glyph subset at INFO while pyHanko embeds the stamp font: noise, and slow to write.
logging.getLogger("fontTools").setLevel(logging.WARNING)
MAX_COMMENT_CHARS = 2000
MAX_COMMENTS = 100
WORKER_STAMP_ROLE = "pracownik socjalny"
SUPERVISOR_STAMP_ROLE = "kierownik"


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
    audit.log(session, f"report.{action.value}", actor=actor, obj=report, interview_id=interview.id, version=version,
              file_id=stored.id, sha256=stored.sha256)
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
    audit.log(session, "report.approve", actor=actor, obj=report, version=report.version, file_id=stored.id,
              sha256=stored.sha256)
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
    audit.log(session, "report.return", actor=actor, obj=report, version=report.version,
              comment_ids=[c.id for c in saved], answer_keys=sorted({k for k, _ in entries if k}))
    audit.log(session, "interview.reopen", actor=actor, obj=interview, office_id=report.office_id,
              reason="report_returned", report_id=report.id)
    return saved
