"""Data carried forward and never retyped: segment A starts from the case, a referral fills segment J's block.

- Segment A: the applicant's name, PESEL, address, phone and e-mail from the case are written at the start of an
  interview with the mark CASE_PREFILL, shown as "z wniosku — potwierdź" until the worker confirms them (one tap,
  CASE_CONFIRMED) or corrects them. A correction flows back to the case, with a row in the case's history.
- Segment J: a referral raised from the interview (from a flag or by hand) fills psych_referral, consent, the
  phone, best time, needs, urgency and reason, so the signed PDF's referral table shows it.
- Finishing: carried data not yet confirmed is a warning (undecided flags are referrals' finish check, see
  app/interviews/hooks.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from app.auth.services import Principal
from app.cases.models import Case, CasePhone
from app.fields import display_phone
from app.formdefs import CompletionProblem, FormDefinition, LocalText
from app.interviews.models import Answer, AnswerChange, Interview

CASE_PREFILL = "case-prefill"
CASE_CONFIRMED = "case-confirmed"
# Segment A answer key → Case column (phone: the case's phone numbers).
CASE_KEYS = {"full_name": "applicant_name", "pesel": "pesel", "address": "address", "email": "email", "phone": "phone"}
CONFIRM_KIND = "confirm"


# --------------------------------------------------------------------------- segment A from the case


def _first_phone(session: Session, case_id: int) -> str:
    number = session.exec(
        select(CasePhone.number)
        .where(CasePhone.case_id == case_id, col(CasePhone.wrong_since).is_(None))
        .order_by(col(CasePhone.position), col(CasePhone.id))
    ).first()
    return display_phone(number) if number else ""


def case_answers(session: Session, *, case: Case, form: FormDefinition) -> dict[str, str]:
    """Segment A answers the case already knows (raw, as a worker would type them); only keys the form has."""
    values = {
        "full_name": case.applicant_name,
        "pesel": case.pesel or "",
        "address": case.address,
        "email": case.email,
        "phone": _first_phone(session, case.id or 0),
    }
    return {key: value for key, value in values.items() if value and form.has_question(key)}


def _latest_marks(session: Session, interview_id: int) -> dict[str, str]:
    """For each case-carried key: the client mark of its latest save."""
    rows = session.exec(
        select(AnswerChange.key, AnswerChange.client_id)
        .where(AnswerChange.interview_id == interview_id, col(AnswerChange.key).in_(list(CASE_KEYS)))
        .order_by(col(AnswerChange.id))
    ).all()
    return dict(rows)


def unconfirmed(session: Session, interview_id: int) -> list[str]:
    """Keys still as they came from the case, not yet confirmed or corrected by the worker."""
    return [key for key, mark in _latest_marks(session, interview_id).items() if mark == CASE_PREFILL]


def confirm(session: Session, *, actor: Principal, interview: Interview) -> list[str]:
    """The worker read the carried data back to the person and it is right: every unconfirmed key is confirmed."""
    from app import audit
    from app.clock import utcnow

    keys = unconfirmed(session, interview.id or 0)
    rows = session.exec(
        select(Answer).where(Answer.interview_id == interview.id, col(Answer.key).in_(keys))
    ).all() if keys else []
    now = utcnow()
    for row in rows:
        session.add(AnswerChange(interview_id=interview.id or 0, key=row.key, raw=row.raw, value=row.value,
                                 revision=row.revision, changed_at=now, changed_by_id=actor.id, client_id=CASE_CONFIRMED))
    if rows:
        session.flush()
        audit.log(session, "interview.case_data_confirmed", actor=actor, obj=interview,
                  keys=sorted(r.key for r in rows))
    return [r.key for r in rows]


@dataclass(frozen=True, slots=True)
class FlowBack:
    """A segment A correction to write back to the case, planned from what the case held when it was read."""

    key: str
    case_id: int
    column: str
    old: str | None  # as stored: the write goes ahead only while the case still holds it
    new: str


def _case_value(key: str, value: Any) -> str | None:
    """The value a segment A answer gives the case's field (None: it changes nothing, e.g. blank or not an address)."""
    if key not in CASE_KEYS or value in (None, "") or not isinstance(value, str):
        return None
    if key == "phone":
        return value
    if key == "email":
        from app.fields import FieldError, parse_email

        try:
            value = parse_email(value)  # segment A's e-mail is free text: only a real address reaches the case
        except FieldError:
            return None
    return None if len(value) > _column_limit(CASE_KEYS[key]) else value


_CASE_TABLE = Case.__table__  # type: ignore[attr-defined]
# Built once: a statement built per save costs ~0.1 ms of Python.
_CASE_FIELDS = {column: select(_CASE_TABLE.c.id, _CASE_TABLE.c[column]).where(_CASE_TABLE.c.id == bindparam("b_case"))
                for column in CASE_KEYS.values() if column != "phone"}


def plan_flow_back(session: Session, *, interview: Interview, key: str, value: Any) -> FlowBack | None:
    """What a segment A answer would change in the case, read before the write (an autosave reads as a reader and
    writes under the writer turn); None when nothing goes back.

    Phone numbers are planned without reading: adding one reads the case's numbers when it is written (flow_back).
    """
    new = _case_value(key, value)
    if new is None:
        return None
    column = CASE_KEYS[key]
    if key == "phone":
        return FlowBack(key, interview.case_id, column, None, new)
    found = session.connection().execute(_CASE_FIELDS[column], {"b_case": interview.case_id}).first()
    if found is None or (found[1] or "") == new:
        return None  # no case (gone), or it already holds this
    return FlowBack(key, interview.case_id, column, found[1], new)


def write_flow_back(session: Session, *, actor: Principal, interview: Interview, back: FlowBack) -> None:
    """Write a planned correction: one conditional UPDATE and the history row; when the case changed since it was
    read (or for a phone number), read it again the ORM way (flow_back), so the later save still wins."""
    from app.cases.editing import correct_if_unchanged

    if back.key != "phone" and correct_if_unchanged(
        session, actor=actor, case_id=back.case_id, field=back.column, old=back.old, new=back.new,
        source="interview", interview_id=interview.id,
    ):
        return
    flow_back(session, actor=actor, interview=interview, key=back.key, value=back.new)


def flow_back(session: Session, *, actor: Principal, interview: Interview, key: str, value: Any) -> None:
    """A corrected segment A answer becomes the case's data (with a history row); blank answers change nothing."""
    new = _case_value(key, value)
    if new is None:
        return
    case = session.get(Case, interview.case_id)
    if case is None:
        return
    from app.cases.editing import note_change

    if key == "phone":
        _add_phone(session, actor=actor, case=case, number=new, interview=interview)
        return
    column = CASE_KEYS[key]
    current = getattr(case, column) or ""
    if new == current:
        return
    note_change(session, actor=actor, case=case, field=column, old=current, new=new, source="interview",
                interview_id=interview.id)
    setattr(case, column, new)
    session.add(case)


def _column_limit(column: str) -> int:
    from app.fields import ADDRESS_MAX, EMAIL_MAX, NAME_MAX

    return {"applicant_name": NAME_MAX, "address": ADDRESS_MAX, "email": EMAIL_MAX, "pesel": 11}[column]


def _add_phone(session: Session, *, actor: Principal, case: Case, number: str, interview: Interview) -> None:
    from app.cases import office_settings
    from app.cases.contact.phones import PhoneForm, add_phone, case_phones
    from app.cases.editing import note_change
    from app.errors import InvalidInput

    if number in {p.number for p in case_phones(session, case.id or 0)}:
        return
    threshold = office_settings.calls_before_other_route(session, case.office_id)
    try:
        add_phone(session, actor=actor, case=case, form=PhoneForm(phone=number, label=str(_l("z wywiadu"))),
                  threshold=threshold)
    except InvalidInput:
        return  # a number the case cannot take (e.g. too many): the answer stays in the interview
    note_change(session, actor=actor, case=case, field="phone", old="", new=display_phone(number), source="interview",
                interview_id=interview.id)


# --------------------------------------------------------------------------- segment J from a referral


def referral_answers(referral: Any) -> dict[str, str]:
    """Segment J's referral block as the referral states it (raw answers)."""
    values = {
        "psych_referral": "yes",
        "psych_consent": "yes" if referral.consent_given else "no",
        "psych_phone": display_phone(referral.phone) if referral.phone else "",
        "psych_best_time": referral.best_time,
        "psych_communication_needs": referral.communication_needs,
        "psych_urgency": str(referral.priority),
        "psych_reason": referral.worker_note,
    }
    return {key: value for key, value in values.items() if value}


def fill_segment_j(session: Session, *, actor: Principal, interview: Interview, referral: Any) -> list[str]:
    """Write the referral into segment J: the decision and consent always, the details where nothing was typed."""
    from app.interviews.answers import answer_rows, form_of
    from app.interviews.autosave import write_answer  # the one way answers are stored
    from app.interviews.models import InterviewState

    if interview.state != InterviewState.IN_PROGRESS:
        return []
    form = form_of(interview)
    rows = answer_rows(session, interview.id or 0)
    written = []
    for key, raw in referral_answers(referral).items():
        if not form.has_question(key):
            continue
        row = rows.get(key)
        if key not in ("psych_referral", "psych_consent") and row is not None and row.raw:
            continue  # the worker's own words stay
        saved = write_answer(session, actor, interview, form, key, raw, client_id=f"referral-{referral.id}", answers=None)
        if saved.changed:
            written.append(key)
    return written


# --------------------------------------------------------------------------- finishing


def unconfirmed_gap(session: Session, interview: Interview) -> list[CompletionProblem]:
    """Carried data not yet confirmed with the person, as a warning before finishing (none when all confirmed)."""
    from app.interviews.answers import form_of

    form = form_of(interview)
    waiting = unconfirmed(session, interview.id or 0)
    if not waiting or not form.has_question(waiting[0]):
        return []
    first = form.question(waiting[0])
    return [CompletionProblem(
        "warning", CONFIRM_KIND, first.section, first.id, waiting[0],
        LocalText(
            "Dane z wniosku nie zostały potwierdzone z rozmówcą (część A).",
            "The data from the application has not been confirmed with the person (segment A).",
        ),
    )]


def prefill_marks(session: Session, interview_id: int) -> Mapping[str, str]:
    """Keys shown with "z wniosku — potwierdź" in the runner."""
    return dict.fromkeys(unconfirmed(session, interview_id), CASE_PREFILL)


def stored(value: str | None) -> Any:
    """An Answer's JSON value decoded (None when blank or invalid)."""
    return json.loads(value) if value else None


def panel(
    session: Session, interview: Interview, section_id: str, *, rows: Mapping[str, Answer] | None = None
) -> list[tuple[str, LocalText, str]]:
    """Carried answers of this section still to confirm: (key, question label, the answer as typed).

    `rows`: the interview's answer rows when the caller has read them already (the runner's screen)."""
    from app.interviews.answers import answer_rows, form_of
    from app.interviews.models import InterviewState

    if interview.state != InterviewState.IN_PROGRESS:
        return []
    keys = unconfirmed(session, interview.id or 0)
    if not keys:
        return []
    form = form_of(interview)
    if rows is None:
        rows = answer_rows(session, interview.id or 0)
    return [
        (key, form.question(key).label, rows[key].raw)
        for key in CASE_KEYS
        if key in keys and key in rows and form.has_question(key) and form.question(key).section == section_id
    ]


def consent_noted(summaries: tuple[Any, ...], session: Session, interview_id: int) -> tuple[Any, ...]:
    """The PDF's referral rows with the moment consent was recorded (the referral's, in local time) after "tak"."""
    from dataclasses import replace

    from app.clock import to_local
    from app.referrals.models import Referral

    moment = session.exec(
        select(Referral.consent_at)
        .where(Referral.interview_id == interview_id, col(Referral.consent_at).is_not(None))
        .order_by(col(Referral.id).desc())
    ).first()
    if moment is None:
        return summaries
    at = to_local(moment).strftime("%d.%m.%Y %H:%M")
    return tuple(replace(s, consent=f"{s.consent} ({at})") if s.consent == "tak" else s for s in summaries)
