"""Demo applications: about twenty realistic cases across channels, states and deadlines (idempotent by reference)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, select

from app.auth.demo import DemoContext
from app.cases import deadlines
from app.cases.models import (
    CallAttempt,
    Callback,
    CallOutcome,
    Case,
    CasePhone,
    CaseState,
    Channel,
    ContactRoute,
    OtherContact,
    RequestedHelp,
)
from app.clock import LOCAL_TZ, to_local, utcnow
from app.workdays import is_working_day

WORKER = "demo-worker"
Out = CallOutcome
R = RequestedHelp


def _pesel(birth: date, serial: int) -> str:
    """A PESEL with a correct check digit for the birth date (serial's last digit: odd male, even female)."""
    month = birth.month + {18: 80, 19: 0, 20: 20}[birth.year // 100]
    digits = f"{birth.year % 100:02d}{month:02d}{birth.day:02d}{serial:04d}"
    check = (10 - sum(int(d) * w for d, w in zip(digits, (1, 3, 7, 9, 1, 3, 7, 9, 1, 3), strict=True)) % 10) % 10
    return digits + str(check)


@dataclass
class DemoCase:
    """One demo application; days are counted back from today, call-backs at a local time offset."""

    name: str
    phones: list[str]
    channel: Channel
    received_working_days_ago: int
    requested: list[RequestedHelp]
    pesel: str | None = None
    email: str = ""
    address: str = ""
    detail: str = ""
    note: str = ""
    urgent: bool = False
    state: CaseState = CaseState.NEW
    assigned: bool = True
    calls: list[tuple[CallOutcome, int, str]] = field(default_factory=list)  # outcome, hours ago, note
    callback_in_minutes: int | None = None  # relative to now; negative = overdue
    callback_note: str = ""
    other_route: bool = False
    interview_done_days_ago: int | None = None
    wrong_numbers: int = 0  # how many of the first phones a wrong-number call has marked
    letter_hours_ago: int | None = None  # a letter sent after the failed calls; the case waits for the reply
    letter_note: str = ""


CASES: list[DemoCase] = [
    DemoCase("Halina Wróblewska", ["+48601234501"], Channel.EPUAP, 3, [R.HOT_MEAL, R.FOOD],
             pesel=_pesel(date(1941, 3, 14), 1234), address="ul. Kościuszki 12/4, Przykładowo",
             calls=[(Out.CALL_BACK, 2, "Córka odebrała, mama będzie po 15.")], callback_in_minutes=-45,
             callback_note="Córka odebrała, mama będzie po 15.", state=CaseState.CONTACTING),
    DemoCase("Józef Pietrzyk", ["+48602345602", "+48655402512"], Channel.INSTITUTION, 1, [R.FOOD, R.CARE],
             detail="Policja, KPP Przykładowo – osoba samotna w kwarantannie", urgent=True,
             pesel=_pesel(date(1938, 11, 2), 5671), address="Stare Łąki 7, Przykładowo",
             calls=[(Out.CALL_BACK, 1, "Prosi o telefon po obiedzie.")], callback_in_minutes=90,
             callback_note="Prosi o telefon po obiedzie.", state=CaseState.CONTACTING),
    DemoCase("Grażyna Nowakowska-Żak", ["+48603456703"], Channel.EMAIL, 5, [R.PERIODIC],
             email="g.nowakowska@example.pl", address="os. Słoneczne 3/18, Przykładowo",
             calls=[(Out.UNSAFE, 3, "Szeptem: nie może teraz rozmawiać.")], callback_in_minutes=150,
             callback_note="Dzwonić tylko rano lub po 18.", state=CaseState.CONTACTING),
    DemoCase("Stanisław Kęsicki", ["+48604567804"], Channel.DROP_BOX, 2, [R.SPECIAL_PURPOSE],
             pesel=_pesel(date(1967, 6, 30), 4413), address="ul. Polna 2, Przykładowo",
             note="Zasiłek celowy na opał."),
    DemoCase("Małgorzata Dąbrowska", ["+48605678905"], Channel.EMPATIA, 12, [R.PERMANENT],
             pesel=_pesel(date(1959, 1, 22), 3328), email="m.dabrowska@example.pl",
             address="ul. Ogrodowa 15, Przykładowo"),
    DemoCase("Zdzisław Łukasiewicz", ["+48606789006"], Channel.POST, 16, [R.PERIODIC, R.HOT_MEAL],
             address="ul. Młyńska 9/1, Przykładowo",
             calls=[(Out.NO_ANSWER, 50, ""), (Out.BUSY, 26, "")], state=CaseState.CONTACTING),
    DemoCase("Bożena Szczęsna", ["+48607890107"], Channel.PHONE, 0, [R.PSYCHOLOGICAL],
             note="Dzwoniła sama, bardzo zdenerwowana; straciła pracę.", urgent=True,
             address="ul. Lipowa 4, Przykładowo"),
    DemoCase("Ryszard Ćwikła", ["+48608901208"], Channel.EPUAP, 9, [R.FOOD],
             email="r.cwikla@example.pl", address="ul. Długa 40, Przykładowo",
             calls=[(Out.NO_ANSWER, 74, ""), (Out.VOICEMAIL, 50, "Zostawiono wiadomość."), (Out.NO_ANSWER, 4, "")],
             state=CaseState.OTHER_ROUTE, other_route=True),
    DemoCase("Irena Gałązka", ["+48609012309"], Channel.IN_PERSON, 4, [R.CARE],
             pesel=_pesel(date(1935, 8, 8), 2206), address="ul. Klonowa 1, Przykładowo", assigned=False),
    DemoCase("Tadeusz Wójcik", ["+48690123410"], Channel.INSTITUTION, 2, [R.HOT_MEAL],
             detail="Żołnierze WOT – starszy pan sam, bez zakupów", address="Zagórze 14, Przykładowo",
             assigned=False),
    DemoCase("Agnieszka Sędziak", ["+48691234511"], Channel.EMAIL, 1, [R.PERIODIC, R.OTHER],
             email="a.sedziak@example.pl", note="Pomoc w opłaceniu czynszu.", assigned=False),
    DemoCase("Władysław Źrebiec", ["+48692345612"], Channel.INSTITUTION, 13, [R.FOOD, R.OTHER],
             detail="Sanepid – kwarantanna domowa całej rodziny", note="Środki czystości.",
             calls=[(Out.NO_ANSWER, 98, ""), (Out.NO_ANSWER, 74, ""), (Out.BUSY, 50, "")], state=CaseState.OTHER_ROUTE,
             letter_hours_ago=26, letter_note="Pismo z prośbą o telefon do ośrodka, wysłane na adres z wniosku."),
    DemoCase("Krystyna Ślusarczyk", ["+48693456713"], Channel.POST, 30, [R.PERMANENT],
             pesel=_pesel(date(1950, 12, 24), 7780), address="ul. Wiejska 22, Przykładowo",
             state=CaseState.INTERVIEW_DONE, interview_done_days_ago=176,
             calls=[(Out.ANSWERED, 24 * 40, "Wywiad przeprowadzony telefonicznie.")]),
    DemoCase("Eugeniusz Mróz", ["+48694567814"], Channel.EPUAP, 25, [R.SPECIAL_PURPOSE],
             state=CaseState.INTERVIEW_DONE, interview_done_days_ago=10,
             calls=[(Out.ANSWERED, 24 * 12, "")]),
    DemoCase("Danuta Kołodziej", ["+48695678915"], Channel.EMPATIA, 40, [R.PERIODIC],
             state=CaseState.CLOSED, calls=[(Out.REFUSED, 24 * 30, "Rezygnuje z wniosku.")]),
    DemoCase("Marianna Jóźwiak", ["+48696789016", "+48507123416"], Channel.DROP_BOX, 6, [R.HOT_MEAL, R.CARE],
             address="ul. Szkolna 5, Przykładowo", calls=[(Out.WRONG_NUMBER, 20, "Numer nieaktualny.")],
             state=CaseState.CONTACTING, wrong_numbers=1),
    DemoCase("Piotr Żmuda", ["+48697890117"], Channel.PHONE, 11, [R.PSYCHOLOGICAL, R.FOOD],
             calls=[(Out.CALL_BACK, 28, "Prosi o telefon jutro.")], callback_in_minutes=60 * 20,
             callback_note="Prosi o telefon jutro.", state=CaseState.CONTACTING),
    DemoCase("Elżbieta Wąsowicz", ["+48698901218"], Channel.EMAIL, 0, [R.FOOD], email="e.wasowicz@example.pl"),
    DemoCase("Łucja Ostrowska", ["+48730123419"], Channel.EPUAP, 7, [R.PERMANENT, R.CARE],
             pesel=_pesel(date(1947, 4, 1), 3302)),
    DemoCase("Mirosław Chętnik", ["+48731234520"], Channel.POST, 14, [R.PERIODIC], urgent=False,
             address="ul. Graniczna 8, Przykładowo", assigned=False),
]


def _received_on(today: date, working_days_ago: int) -> date:
    day = today
    remaining = working_days_ago
    while remaining:
        day -= timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def _callback_time(now: datetime, minutes: int) -> datetime:
    due = now + timedelta(minutes=minutes)
    local_now = to_local(now)
    end_of_today = datetime.combine(local_now.date(), time(23, 45), tzinfo=LOCAL_TZ)
    if 0 < minutes < 12 * 60 and due > end_of_today:
        due = end_of_today  # "due today" must stay today even when the demo is seeded late in the evening
    return due


def demo_reference(number: int) -> str:
    """Reference of the demo application with this number (this year, as the office numbers them)."""
    return f"RWS/{to_local(utcnow()).year}/{number:04d}"


def seed_cases(session: Session, context: DemoContext) -> None:
    """Create the demo cases that are missing (found by reference), with calls and today's call-backs."""
    office_id = context.office.id
    worker = context.users.get(WORKER)
    if office_id is None or worker is None or worker.id is None:
        return
    now = utcnow()
    today = to_local(now).date()
    for number, demo in enumerate(CASES, start=1):
        reference = demo_reference(number)
        exists = session.exec(select(Case.id).where(Case.office_id == office_id, Case.reference == reference)).first()
        if exists is not None:
            continue
        received = _received_on(today, demo.received_working_days_ago)
        case = Case(
            office_id=office_id,
            reference=reference,
            applicant_name=demo.name,
            pesel=demo.pesel,
            email=demo.email,
            address=demo.address,
            channel=demo.channel,
            channel_detail=demo.detail,
            received_on=received,
            requested=json.dumps([r.value for r in demo.requested]),
            request_note=demo.note,
            urgent=demo.urgent,
            permanent_help=R.PERMANENT in demo.requested,
            state=demo.state,
            assigned_worker_id=worker.id if demo.assigned else None,
            due_on=deadlines.interview_due(received, urgent=demo.urgent),
            needs_other_route=demo.other_route,
            last_interview_completed_at=now - timedelta(days=demo.interview_done_days_ago)
            if demo.interview_done_days_ago is not None
            else None,
            created_at=datetime.combine(received, time(9, 0), tzinfo=LOCAL_TZ),
            created_by_id=worker.id,
        )
        session.add(case)
        session.flush()
        assert case.id is not None  # noqa: S101 - set by flush
        for position, phone in enumerate(demo.phones):
            wrong = position < demo.wrong_numbers
            session.add(
                CasePhone(
                    case_id=case.id, number=phone, position=position,
                    wrong_since=now - timedelta(hours=demo.calls[0][1]) if wrong and demo.calls else None,
                    wrong_by_id=worker.id if wrong else None,
                )
            )
        if demo.letter_hours_ago is not None:
            sent = now - timedelta(hours=demo.letter_hours_ago)
            session.add(
                OtherContact(
                    case_id=case.id, route=ContactRoute.LETTER, sent_on=to_local(sent).date(), note=demo.letter_note,
                    by_id=worker.id, created_at=sent,
                )
            )
        last_attempt: CallAttempt | None = None
        for outcome, hours_ago, note in demo.calls:
            last_attempt = CallAttempt(
                case_id=case.id, worker_id=worker.id, at=now - timedelta(hours=hours_ago), number=demo.phones[0],
                outcome=outcome, note=note,
            )
            session.add(last_attempt)
        session.flush()
        if demo.callback_in_minutes is not None:
            due = _callback_time(now, demo.callback_in_minutes)
            if last_attempt is not None:
                last_attempt.callback_at = due
                session.add(last_attempt)
            session.add(
                Callback(
                    case_id=case.id, worker_id=worker.id, due_at=due,
                    attempt_id=last_attempt.id if last_attempt else None, note=demo.callback_note,
                )
            )
    session.flush()
