"""A finished interview's answers, read through its pinned form, turned into ReportData (and answer keys for comments)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from app.auth.models import Office, User
from app.cases.models import Case
from app.clock import LOCAL_TZ, utcnow
from app.fields import display_phone, international_phone
from app.formdefs import FormDefinition, Question, display, evaluate, redact
from app.formdefs import Section as FormSection
from app.interviews import carry
from app.interviews.answers import form_of, load_answers
from app.interviews.models import Interview
from app.reports import data as rd
from app.reports.documents import received_documents

# Answers the report shows in its own blocks (call, instruction, household, conclusions, referral), not as rows.
CALL_KEYS = frozenset({"mode", "interview_started_at", "number_called", "answered_by", "answered_by_name",
                       "identity_confirmation", "identity_other"})
INSTRUCTION_KEYS = frozenset({"instruction_acknowledged", "instruction_time"})
CONCLUSION_KEYS = frozenset({"art7_reasons", "worker_assessment", "proposed_help", "plan_description"})
# The referral shows only what the form passes on (psych_reason, psych_urgency) and whether consent was given:
# the phone number and other contact details stay out of the report.
REFERRAL_KEYS = frozenset({"psych_referral", "psych_consent", "psych_phone", "psych_best_time",
                           "psych_communication_needs", "psych_urgency", "psych_reason"})
HOUSEHOLD_GROUP = "household"
SPECIAL_KEYS = CALL_KEYS | INSTRUCTION_KEYS | CONCLUSION_KEYS | REFERRAL_KEYS | {HOUSEHOLD_GROUP}
# Every section ends with a free-text "comments" question: shown under the section, not as a row.
COMMENT_SUFFIX = "_comments"
# The report is read by the worker and the office's supervisors; answers hidden from supervisors stay out.
READER_ROLE = "supervisor"


@dataclass(frozen=True)
class Row:
    """One question and its displayed answer, with the answer key comments attach to."""

    key: str
    label: str
    value: str


@dataclass(frozen=True)
class ReportSection:
    """A section as the HTML view shows it (the PDF gets the same rows through ReportData)."""

    title: str
    segment: str | None
    rows: tuple[Row, ...]
    comment: Row | None = None


@dataclass(frozen=True)
class BuiltReport:
    """ReportData for the PDF plus the answer keys behind each shown answer, for the HTML view and comments."""

    data: rd.ReportData
    sections: tuple[ReportSection, ...]
    call_rows: tuple[Row, ...]
    instruction_rows: tuple[Row, ...]
    conclusion_rows: tuple[Row, ...]
    household_keys: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == []


def _section_title(section: FormSection) -> str:
    title = section.title.pl
    # The PDF writes "Część A. <title>"; the form's own titles already start with "A. ".
    if section.segment and title.startswith(f"{section.segment}. "):
        return title[len(section.segment) + 2:]
    return title


def _label(question: Question) -> str:
    return question.label.pl


class _Reader:
    """Typed, visible, reader-redacted answers of one interview."""

    def __init__(self, form: FormDefinition, answers: dict[str, Any], today: dt.date) -> None:
        self.form = form
        self.answers = redact(form, answers, READER_ROLE)
        self.evaluation = evaluate(form, self.answers, today=today)

    def value(self, key: str) -> Any:
        if not self.evaluation.is_visible(key):
            return None
        return self.evaluation.typed.get(key)

    def shown(self, key: str) -> str:
        value = self.value(key)
        if _blank(value):
            return ""
        question = self.form.question(key.rsplit(".", 1)[-1])
        if question.type == "phone":
            return international_phone(str(value))
        return display(question, value, "pl")

    def row(self, key: str, label: str | None = None) -> Row | None:
        text = self.shown(key)
        if not text:
            return None
        return Row(key, label or _label(self.form.question(key.rsplit(".", 1)[-1])), text)

    def count(self, group: str) -> int:
        if not self.form.has_question(group) or not self.evaluation.is_visible(group):
            return 0
        return self.evaluation.counts.get(group, 0)


def _sections(reader: _Reader) -> tuple[ReportSection, ...]:
    out: list[ReportSection] = []
    for section in reader.form.sections:
        if not reader.evaluation.visible_sections.get(section.id):
            continue
        rows: list[Row] = []
        comment: Row | None = None
        for question in section.questions:
            if question.type == "note" or question.id in SPECIAL_KEYS:
                continue
            if question.id.endswith(COMMENT_SUFFIX) and question.type == "longtext":
                comment = reader.row(question.id)
                continue
            if question.type == "repeat":
                for index in range(reader.count(question.id)):
                    for member in question.questions:
                        key = f"{question.id}.{index}.{member.id}"
                        row = reader.row(key, f"{_label(question)} {index + 1}: {_label(member)}")
                        if row:
                            rows.append(row)
                continue
            row = reader.row(question.id)
            if row:
                rows.append(row)
        if rows or comment:
            out.append(ReportSection(_section_title(section), section.segment, tuple(rows), comment))
    return tuple(out)


def _household(reader: _Reader) -> tuple[tuple[rd.HouseholdMember, ...], tuple[str, ...]]:
    members: list[rd.HouseholdMember] = []
    keys: list[str] = []
    for index in range(reader.count(HOUSEHOLD_GROUP)):
        def key(q: str, i: int = index) -> str:
            return f"{HOUSEHOLD_GROUP}.{i}.{q}"

        amount = reader.value(key("member_income_amount"))
        born = reader.value(key("member_birth_date"))
        members.append(rd.HouseholdMember(
            name=reader.shown(key("member_name")) or "—",
            relation=reader.shown(key("member_relation")) or "—",
            date_of_birth=born if isinstance(born, dt.date) else None,
            occupation=reader.shown(key("member_occupation")) or "—",
            income_source=reader.shown(key("member_income_source")) or "—",
            income_amount=Decimal(amount) if amount is not None else None,
        ))
        keys.append(key("member_name"))
    return tuple(members), tuple(keys)


def _note_label(form: FormDefinition, question_id: str, prefix: str = "") -> str | None:
    if not form.has_question(question_id):
        return None
    text = form.question(question_id).label.pl
    return text[len(prefix):] if prefix and text.startswith(prefix) else text


def _call(reader: _Reader, interview: Interview) -> tuple[rd.CallInfo, tuple[Row, ...]]:
    started = reader.value("interview_started_at")
    if not isinstance(started, dt.datetime):
        started = (interview.started_at if interview.started_at.tzinfo else interview.started_at.replace(
            tzinfo=dt.UTC)).astimezone(LOCAL_TZ)
    who = reader.shown("answered_by_name")
    relation = reader.shown("answered_by")
    answered_by = f"{who} ({relation})" if who and relation else who or relation or "—"
    identity = "; ".join(filter(None, [reader.shown("identity_confirmation"), reader.shown("identity_other")]))
    call = rd.CallInfo(
        date=started.date(),
        time=started.time().replace(second=0, microsecond=0),
        number_called=reader.shown("number_called") or "—",
        answered_by=answered_by,
        identity_check=identity or "—",
    )
    rows = tuple(r for r in (reader.row(k) for k in ("mode", "interview_started_at", "number_called", "answered_by",
                                                       "answered_by_name", "identity_confirmation", "identity_other"))
                 if r)
    return call, rows


def _instruction(reader: _Reader, call: rd.CallInfo) -> tuple[rd.PerjuryInstruction, tuple[Row, ...]]:
    form = reader.form
    text = rd.INSTRUCTION_233
    if form.has_question("instruction_233") and form.question("instruction_233").script is not None:
        script = form.question("instruction_233").script
        assert script is not None  # noqa: S101
        text = script.pl
    acknowledged = reader.value("instruction_acknowledged")
    at = reader.value("instruction_time")
    confirmed_at = (dt.datetime.combine(call.date, at, tzinfo=LOCAL_TZ)
                    if acknowledged is True and isinstance(at, dt.time) else None)
    if acknowledged is True:
        confirmation = "Osoba ustnie potwierdziła, że zrozumiała pouczenie."
    elif acknowledged is False:
        confirmation = "Osoba nie potwierdziła zrozumienia pouczenia."
    else:
        confirmation = "Nie odnotowano potwierdzenia."
    rows = tuple(r for r in (reader.row("instruction_acknowledged"), reader.row("instruction_time")) if r)
    return rd.PerjuryInstruction(text=text, confirmation=confirmation, confirmed_at=confirmed_at), rows


def _referrals(reader: _Reader) -> tuple[rd.ReferralSummary, ...]:
    if reader.value("psych_referral") is not True:
        return ()
    consent = reader.value("psych_consent")
    return (rd.ReferralSummary(
        recipient="psycholog ośrodka",
        urgency=reader.shown("psych_urgency") or "—",
        consent="tak" if consent is True else "nie" if consent is False else "—",
        reason=reader.shown("psych_reason") or "—",
    ),)


def _choice_labels(reader: _Reader, key: str) -> tuple[str, ...]:
    value = reader.value(key)
    if _blank(value) or not reader.form.has_question(key):
        return ()
    question = reader.form.question(key)
    return tuple(c.label.pl for c in question.choices if c.value in value)


def document_id(interview: Interview) -> str:
    """The report's document id: stable across versions of the same interview."""
    return f"TW-{interview.office_id}-{interview.id:06d}"


def build_report(session: Session, interview: Interview, *, version: int, now: dt.datetime | None = None,
                 answers: dict[str, Any] | None = None) -> BuiltReport:
    """ReportData for a (finished) interview at `version`, from its stored answers and its pinned form."""
    assert interview.id is not None  # noqa: S101
    form = form_of(interview)
    case = session.get(Case, interview.case_id)
    office = session.get(Office, interview.office_id)
    worker = session.get(User, interview.worker_id)
    assert case is not None  # noqa: S101 - foreign keys
    assert office is not None  # noqa: S101 - foreign keys
    assert worker is not None  # noqa: S101 - foreign keys
    moment = now or utcnow()
    # SQLite hands timestamps back naive; they are UTC.
    generated = (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(LOCAL_TZ)
    reader = _Reader(form, answers if answers is not None else load_answers(session, interview.id), generated.date())

    call, call_rows = _call(reader, interview)
    instruction, instruction_rows = _instruction(reader, call)
    household, household_keys = _household(reader)
    sections = _sections(reader)
    on_site = reader.value("mode") == "onsite"
    legal_basis = (_note_label(form, "legal_basis_onsite" if on_site else "legal_basis_phone", "Podstawa prawna: ")
                   or (rd.LEGAL_BASIS_ON_SITE if on_site else rd.LEGAL_BASIS_TELEPHONE))
    proposed = reader.shown("proposed_help")
    plan = reader.shown("plan_description")
    help_plan = " ".join(filter(None, [f"Proponowane formy pomocy: {proposed}." if proposed else "", plan])) or "—"
    conclusion_rows = tuple(r for r in (reader.row(k) for k in ("art7_reasons", "worker_assessment",
                                                                 "proposed_help", "plan_description")) if r)
    documents, annexes = received_documents(session, interview, generated)
    data = rd.ReportData(
        office=rd.Office(name=office.name, address=office.address, phone=", ".join(display_phone(p) for p in office.phones),
                         email=office.email, extra_lines=tuple(office.letterhead_lines)),
        case_number=case.reference,
        interview_type=rd.InterviewType.UPDATE if form.is_update else rd.InterviewType.FULL,
        mode=rd.InterviewMode.ON_SITE if on_site else rd.InterviewMode.TELEPHONE,
        legal_basis=legal_basis,
        call=call,
        instruction=instruction,
        sections=tuple(
            rd.Section(title=s.title, answers=tuple((r.label, r.value) for r in s.rows), segment=s.segment,
                       comment=s.comment.value if s.comment else None)
            for s in sections
        ),
        household=household,
        art7_reasons=_choice_labels(reader, "art7_reasons"),
        diagnosis=reader.shown("worker_assessment") or "—",
        help_plan=help_plan,
        document_id=document_id(interview),
        version=version,
        worker_name=worker.full_name,
        generated_at=generated,
        referrals=carry.consent_noted(_referrals(reader), session, interview.id),  # consent with its time
        documents=documents,
        annexes=annexes,
    )
    labels = {row.key: row.label for s in sections for row in (*s.rows, *([s.comment] if s.comment else []))}
    labels.update({r.key: r.label for r in (*call_rows, *instruction_rows, *conclusion_rows)})
    for index, key in enumerate(household_keys):
        labels[key] = f"Osoba {index + 1} w gospodarstwie domowym"
    return BuiltReport(data=data, sections=sections, call_rows=call_rows, instruction_rows=instruction_rows,
                       conclusion_rows=conclusion_rows, household_keys=household_keys, labels=labels)


def question_label(interview: Interview, key: str) -> str:
    """The label of the question behind an answer key (the key itself when the form no longer has it)."""
    form = form_of(interview)
    try:
        question = form.question(key.rsplit(".", 1)[-1])
    except KeyError:
        return key
    parts = key.split(".")
    if len(parts) == 3 and question.group:
        return f"{_label(form.question(question.group))} {int(parts[1]) + 1}: {_label(question)}"
    return _label(question)
