"""Data at scale for benchmarks: N cases with interviews, answers, call history and reports, bulk inserted.

`telewywiad demo seed --scale N` runs this after the ordinary demo seed. The office gets about one extra worker
per 500 cases (`skala-worker-NN`, demo password) and the cases are shared between them and demo-worker, so the
today screen, case search and review queue see an office-sized table. Each case has one interview with about
50 answers (a full household of four) and their first change in the answer history; most cases are done and
approved, a few are open, in progress or waiting for review — roughly the mix of a working office.

The answers are produced once through the real interview services (so every stored value is what autosave would
store) and then copied to every interview with executemany inserts: 10,000 cases and 500,000 answers take well
under a minute on SQLite. Idempotent: cases are numbered `SKALA/<n>`; a second run adds only the missing ones.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Table, insert
from sqlmodel import Session, col, func, select

from app.auth.demo import DemoContext
from app.auth.models import Role, User
from app.auth.services import Principal, create_user, find_user
from app.cases.models import CallAttempt, Callback, CallOutcome, Case, CasePhone, CaseState, Channel, name_key
from app.cases.record_models import CaseChange
from app.clock import utcnow
from app.formdefs import extension
from app.interviews import autosave
from app.interviews import start as iv_start
from app.interviews.demo import FINISHED_ANSWERS
from app.interviews.models import Answer, AnswerChange, Interview, InterviewState
from app.reports.models import Report
from app.reports.states import ReportState

PREFIX = "SKALA/"
CASES_PER_WORKER = 500
BATCH = 5_000
FIRST_NAMES = ["Anna", "Katarzyna", "Małgorzata", "Agnieszka", "Barbara", "Ewa", "Krystyna", "Elżbieta", "Zofia",
               "Jan", "Piotr", "Krzysztof", "Andrzej", "Tomasz", "Paweł", "Józef", "Marcin", "Łukasz", "Grzegorz"]
SURNAMES = ["Nowak", "Kowalska", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamińska", "Lewandowski", "Zielińska",
            "Szymański", "Woźniak", "Dąbrowska", "Kozłowski", "Jankowska", "Mazur", "Kwiatkowski", "Krawczyk",
            "Piotrowska", "Grabowski", "Nowakowska", "Pawłowski", "Michalska", "Król", "Wieczorek", "Jabłoński",
            "Wróbel", "Nowicka", "Majewski", "Olszewska", "Stępień", "Malinowski", "Jaworska", "Górecki", "Żak"]
HOUSEHOLD = [
    {"member_name": "Marek Wójcik", "member_relation": "spouse", "member_birth_date": "02.03.1959",
     "member_occupation": "emeryt", "member_income_source": "old_age_pension", "member_income_amount": "2150,40"},
    {"member_name": "Zuzanna Wójcik", "member_relation": "child", "member_birth_date": "11.09.2008",
     "member_occupation": "uczennica", "member_income_source": "none", "member_income_amount": "0"},
    {"member_name": "Oskar Wójcik", "member_relation": "child", "member_birth_date": "30.01.2012",
     "member_occupation": "uczeń", "member_income_source": "none", "member_income_amount": "0"},
    {"member_name": "Helena Żelazna", "member_relation": "parent", "member_birth_date": "07.07.1938",
     "member_occupation": "emerytka", "member_income_source": "old_age_pension", "member_income_amount": "1780"},
]
EXTRA_ANSWERS: dict[str, Any] = {
    "citizenship": "polskie",
    "marital_status": "married",
    "email": "",
    "labour_status": "unemployed_no_benefit",
    "dwelling_type": "flat",
    "rooms": "2",
    "housing_arrears": "no",
    "income_total": "3930,40",
    "fixed_costs": "1450",
    "debts": "no",
}


@dataclass
class ScaleResult:
    """What the scale seed added and how long it took."""

    cases: int
    interviews: int
    answers: int
    seconds: float


def _chunks(rows: Sequence[dict[str, Any]], size: int = BATCH) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _insert(session: Session, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    table: Table = model.__table__
    for chunk in _chunks(rows):
        session.execute(insert(table), list(chunk))


def _ids(session: Session, model: Any, column: Any, values: Iterable[Any]) -> dict[Any, int]:
    wanted = list(values)
    found: dict[Any, int] = {}
    for start in range(0, len(wanted), 900):  # SQLite's bound-parameter limit
        part = wanted[start : start + 900]
        for value, row_id in session.execute(select(column, model.id).where(column.in_(part))).all():
            found[value] = row_id
    return found


def _workers(session: Session, context: DemoContext, count: int) -> list[User]:
    users = [context.users["demo-worker"]]
    password = context.password
    for n in range(1, count):
        username = f"skala-worker-{n:02d}"
        user = find_user(session, username)
        if user is None:
            if password is None:
                raise RuntimeError("the demo password is unknown: set TELEWYWIAD_DEMO_PASSWORD to seed at scale")
            assert context.office.id is not None  # noqa: S101
            user = create_user(session, office_id=context.office.id, username=username,
                               full_name=f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {SURNAMES[n % len(SURNAMES)]} ({n})",
                               password=password, roles={Role.WORKER})
        users.append(user)
    session.flush()
    return users


def _template_answers(session: Session, context: DemoContext, case: Case) -> list[dict[str, Any]]:
    """One interview's answer rows exactly as autosave stores them (through the real services)."""
    user = context.users["demo-worker"]
    assert user.id is not None  # noqa: S101
    actor = Principal(id=user.id, office_id=user.office_id, username=user.username, full_name=user.full_name,
                      locale=user.locale, roles=frozenset({Role.WORKER}))
    interview = iv_start.start_interview(session, actor=actor, case=case)
    answers: dict[str, Any] = {**FINISHED_ANSWERS, **EXTRA_ANSWERS, "household": str(len(HOUSEHOLD))}
    for index, member in enumerate(HOUSEHOLD):
        answers.update({f"household.{index}.{key}": value for key, value in member.items()})
    for key, raw in answers.items():
        autosave.save_answer(session, actor=actor, interview=interview, key=key, raw=raw, client_id="scale")
    session.flush()
    rows = session.exec(select(Answer).where(Answer.interview_id == interview.id)).all()
    # Only valid rows: segment A also starts from the first case, whose made-up PESEL need not be a valid one.
    template = [{"key": r.key, "value": r.value, "raw": r.raw, "valid": r.valid} for r in rows if r.valid]
    # The template interview itself is scaffolding: the copies below are the data.
    for model in (AnswerChange, Answer, CaseChange):  # CaseChange: segment A corrections flowed back to the case
        table: Table = model.__table__  # type: ignore[union-attr]
        session.execute(table.delete().where(table.c.interview_id == interview.id))
    session.delete(interview)
    session.flush()
    return template


def _state(rng: random.Random) -> tuple[CaseState, InterviewState | None, ReportState | None]:
    roll = rng.random()
    if roll < 0.02:
        return CaseState.NEW, None, None
    if roll < 0.04:
        return CaseState.CONTACTING, None, None
    if roll < 0.06:
        return CaseState.INTERVIEW, InterviewState.IN_PROGRESS, None
    if roll < 0.08:
        return CaseState.INTERVIEW_DONE, InterviewState.FINISHED, ReportState.SUBMITTED
    if roll < 0.085:
        return CaseState.INTERVIEW, InterviewState.IN_PROGRESS, ReportState.RETURNED
    if roll < 0.09:
        return CaseState.INTERVIEW_DONE, InterviewState.FINISHED, ReportState.RESUBMITTED
    if roll < 0.70:
        return CaseState.CLOSED, InterviewState.FINISHED, ReportState.APPROVED
    return CaseState.INTERVIEW_DONE, InterviewState.FINISHED, ReportState.APPROVED


def seed_scale(session: Session, context: DemoContext, cases: int, *, seed: int = 15) -> ScaleResult:
    """Make the office hold at least `cases` SKALA/ cases with interviews, answers and reports."""
    started = time.perf_counter()
    rng = random.Random(seed)  # noqa: S311  # nosec B311  # reason: made-up demo data, not secrets
    office_id = context.office.id
    assert office_id is not None  # noqa: S101
    have = session.exec(
        select(func.count()).select_from(Case).where(Case.office_id == office_id,
                                                     col(Case.reference).startswith(PREFIX))
    ).one()
    missing = range(int(have), cases)
    if not missing:
        return ScaleResult(0, 0, 0, time.perf_counter() - started)
    workers = _workers(session, context, max(1, cases // CASES_PER_WORKER))
    worker_ids = [w.id or 0 for w in workers]
    now = utcnow()
    today = now.date()

    plans: list[tuple[str, CaseState, InterviewState | None, ReportState | None, int, date]] = []
    case_rows: list[dict[str, Any]] = []
    for n in missing:
        reference = f"{PREFIX}{n + 1:06d}"
        state, interview_state, report_state = _state(rng)
        worker_id = worker_ids[n % len(worker_ids)]
        received = today - timedelta(days=rng.randint(0 if state in (CaseState.NEW, CaseState.CONTACTING) else 20,
                                                      30 if state != CaseState.CLOSED else 1500))
        due = received + timedelta(days=14)
        plans.append((reference, state, interview_state, report_state, worker_id, due))
        birth = date(1940, 1, 1) + timedelta(days=rng.randint(0, 25_000))
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
        case_rows.append({
            "office_id": office_id, "reference": reference, "applicant_name": name, "search_name": name_key(name),
            "pesel": f"{birth:%y%m%d}{rng.randint(0, 99_999):05d}", "email": "", "address": f"ul. Polna {n % 200 + 1}",
            "channel": rng.choice(list(Channel)).value, "channel_detail": "", "received_on": received,
            "requested": json.dumps(["periodic"]), "request_note": "", "urgent": rng.random() < 0.03,
            "permanent_help": False, "state": state.value, "assigned_worker_id": worker_id, "due_on": due,
            "needs_other_route": False,
            "last_interview_completed_at": now - timedelta(days=1) if interview_state == InterviewState.FINISHED
            else None,
            "created_at": now, "created_by_id": worker_id,
        })
    _insert(session, Case, case_rows)
    case_ids = _ids(session, Case, col(Case.reference), [p[0] for p in plans])

    phone_rows: list[dict[str, Any]] = []
    call_rows: list[dict[str, Any]] = []
    callback_rows: list[dict[str, Any]] = []
    for reference, state, interview_state, _report, worker_id, _due in plans:
        case_id = case_ids[reference]
        number = f"+48{rng.randint(500_000_000, 899_999_999)}"
        phone_rows.append({"case_id": case_id, "number": number, "label": "", "position": 0})
        if state != CaseState.NEW:
            call_rows.append({"case_id": case_id, "worker_id": worker_id, "at": now - timedelta(days=2),
                              "number": number, "outcome": (CallOutcome.ANSWERED if interview_state
                                                            else CallOutcome.NO_ANSWER).value,
                              "note": "", "callback_at": None})
        if state == CaseState.CONTACTING:
            callback_rows.append({"case_id": case_id, "worker_id": worker_id, "attempt_id": None, "note": "",
                                  "due_at": now + timedelta(minutes=rng.randint(-120, 240)), "done_at": None})
    _insert(session, CasePhone, phone_rows)
    _insert(session, CallAttempt, call_rows)
    _insert(session, Callback, callback_rows)

    template = _template_answers(session, context, session.get(Case, case_ids[plans[0][0]]))  # type: ignore[arg-type]
    interview_rows = [
        {"office_id": office_id, "case_id": case_ids[reference], "worker_id": worker_id, "call_attempt_id": None,
         "previous_interview_id": None, "form_id": iv_start.FULL_FORM,
         "form_version": extension.form_registry().latest(iv_start.FULL_FORM).version,
         "state": interview_state.value, "current_section": "segment_h" if interview_state ==
         InterviewState.FINISHED else "segment_a", "notes": "", "started_at": now - timedelta(days=1),
         "finished_at": now if interview_state == InterviewState.FINISHED else None, "updated_at": now}
        for reference, _state_, interview_state, _report, worker_id, _due in plans if interview_state is not None
    ]
    _insert(session, Interview, interview_rows)
    with_interview = [p for p in plans if p[2] is not None]
    interview_ids = _ids(session, Interview, col(Interview.case_id), [case_ids[p[0]] for p in with_interview])

    answers = 0
    answer_rows: list[dict[str, Any]] = []
    change_rows: list[dict[str, Any]] = []
    report_rows: list[dict[str, Any]] = []

    def flush_answers() -> None:
        _insert(session, Answer, answer_rows)
        _insert(session, AnswerChange, change_rows)
        answer_rows.clear()
        change_rows.clear()

    for reference, _case_state, _interview_state, report_state, worker_id, _due in with_interview:
        case_id = case_ids[reference]
        interview_id = interview_ids[case_id]
        for row in template:
            answer_rows.append({**row, "interview_id": interview_id, "revision": 1, "updated_at": now,
                                "updated_by_id": worker_id})
            change_rows.append({"interview_id": interview_id, "key": row["key"], "raw": row["raw"],
                                "value": row["value"], "revision": 1, "changed_at": now, "changed_by_id": worker_id,
                                "client_id": "scale"})
        answers += len(template)
        if report_state is not None:
            decided = report_state in (ReportState.APPROVED, ReportState.RETURNED)
            report_rows.append({"office_id": office_id, "interview_id": interview_id, "case_id": case_id,
                                "worker_id": worker_id, "state": report_state.value,
                                "version": 2 if report_state == ReportState.RESUBMITTED else 1,
                                "submitted_at": now - timedelta(hours=rng.randint(1, 400)),
                                "decided_at": now if decided else None, "decided_by_id": None, "created_at": now})
        if len(answer_rows) >= BATCH * 4:
            flush_answers()
    flush_answers()
    _insert(session, Report, report_rows)
    session.flush()
    return ScaleResult(len(plans), len(interview_rows), answers, time.perf_counter() - started)

