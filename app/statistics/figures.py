"""The head of the centre's figures for one office and period: each table is one SQL aggregate, never a row loop.

Counted by when things happened: applications and deadlines by the day the application was received, interviews
and art. 7 reasons by the day the interview was finished, referrals by the day they were raised, calls, call-backs
and letters by their own day. A deadline is met when the first finished interview of the case falls, in Polish
time, on or before the case's due day (14 working days, 2 when urgent: app/cases/deadlines.py sets it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_
from sqlalchemy import select as wide_select  # sqlmodel's select() takes at most four columns
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.cases.labels import channel_label, outcome_label, route_label
from app.cases.models import CallAttempt, Callback, Case, CaseState, Channel, OtherContact
from app.formdefs import FormDefinition
from app.interviews.models import Answer, Interview, InterviewState
from app.referrals.labels import CLOSE_LABELS, PRIORITY_LABELS
from app.referrals.models import WAITING_STATES, CloseOutcome, Priority, Referral, ReferralState
from app.referrals.states import STATE_LABELS as REFERRAL_STATE_LABELS
from app.statistics.period import Period
from app.statistics.sql import hours_between, local_date, years_until

Cell = str | int | float | None


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: what it stands for, its value and how the value reads."""

    label: str
    value: float
    text: str


@dataclass(frozen=True)
class Table:
    """One figure: a table (first column the label) and the chart drawn from it, downloadable as CSV."""

    id: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    bars: tuple[Bar, ...] = ()
    chart_title: str = ""
    note: str = ""
    footer: tuple[Cell, ...] | None = None

    @property
    def empty(self) -> bool:
        """Nothing happened in the period."""
        return not self.rows


@dataclass(frozen=True)
class Figures:
    """Every table of the statistics page for one office and period."""

    office_id: int
    period: Period
    tables: tuple[Table, ...] = field(default=())

    def table(self, table_id: str) -> Table:
        """One table by its id (KeyError when unknown)."""
        for table in self.tables:
            if table.id == table_id:
                return table
        raise KeyError(table_id)


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _pct_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} %".replace(".", ",")


def _int(value: Any) -> int:
    return int(value or 0)


def _sum(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


@dataclass(frozen=True)
class _Context:
    session: Session
    office_id: int
    period: Period
    now: datetime
    today: date
    dialect: str


def applications_by_channel(ctx: _Context) -> Table:
    """Applications received in the period, by the channel they came by."""
    counts = dict(ctx.session.exec(
        select(Case.channel, func.count()).where(
            Case.office_id == ctx.office_id, col(Case.received_on) >= ctx.period.start,
            col(Case.received_on) <= ctx.period.end,
        ).group_by(Case.channel)
    ).all())
    total = sum(_int(v) for v in counts.values())
    ordered = sorted(((Channel(k), _int(v)) for k, v in counts.items()), key=lambda kv: -kv[1])
    rows = tuple((channel_label(k), n, _pct_text(_pct(n, total))) for k, n in ordered)
    return Table("channels", str(_l("Wnioski według drogi wpływu")),
                 (str(_l("Droga wpływu")), str(_l("Wnioski")), str(_l("Udział"))), rows,
                 bars=tuple(Bar(str(r[0]), float(r[1]), str(r[1])) for r in rows),
                 chart_title=str(_l("Liczba wniosków według drogi wpływu")),
                 footer=(str(_l("Razem")), total, "100 %" if total else "—"))


MODE_LABELS = {"\"phone_15o\"": _l("telefonicznie (art. 15o)"), "\"onsite\"": _l("w miejscu zamieszkania")}


def _finished_in(ctx: _Context) -> tuple[Any, ...]:
    return (Interview.office_id == ctx.office_id, Interview.state == InterviewState.FINISHED,
            col(Interview.finished_at) >= ctx.period.utc_start, col(Interview.finished_at) < ctx.period.utc_end)


@dataclass(frozen=True)
class InterviewFacts:
    """Interviews finished in the period, grouped by form and mode, with how often each art. 7 reason was given."""

    groups: tuple[tuple[str, str | None, int], ...]  # (form id, stored mode or None, interviews)
    with_reasons: int
    reasons: tuple[tuple[str, int], ...]  # (Polish label, interviews giving it), in the form's order


def interview_facts(ctx: _Context, form: FormDefinition) -> InterviewFacts:
    """One pass over the period's finished interviews: their mode and their segment I reasons together."""
    mode, reasons = aliased(Answer), aliased(Answer)
    choices = form.question("art7_reasons").choices
    value = col(reasons.value)
    counted = [_sum(value.contains(f"\"{c.value}\"", autoescape=True)) for c in choices]
    found = ctx.session.execute(
        wide_select(col(Interview.form_id), col(mode.value), func.count(), func.count(col(reasons.id)), *counted)
        .select_from(Interview)
        .join(mode, and_(col(mode.interview_id) == col(Interview.id), col(mode.key) == "mode"), isouter=True)
        .join(reasons, and_(col(reasons.interview_id) == col(Interview.id), col(reasons.key) == "art7_reasons",
                            col(reasons.valid).is_(True)), isouter=True)
        .where(*_finished_in(ctx))
        .group_by(col(Interview.form_id), col(mode.value))
    ).all()
    totals = [sum(_int(row[4 + i]) for row in found) for i in range(len(choices))]
    return InterviewFacts(
        groups=tuple((str(row[0]), row[1], _int(row[2])) for row in found),
        with_reasons=sum(_int(row[3]) for row in found),
        reasons=tuple((c.label.get("pl"), n) for c, n in zip(choices, totals, strict=True)),
    )


def interviews_by_mode(facts: InterviewFacts) -> Table:
    """Interviews finished in the period: telephone (art. 15o) or on site, full interviews and updates."""
    per_mode: dict[str, list[int]] = {}
    for form_id, value, count in facts.groups:
        key = value if value in MODE_LABELS else ""
        full_update = per_mode.setdefault(key or "", [0, 0])
        full_update[1 if form_id.endswith("-update") else 0] += count
    rows = []
    for key in (*MODE_LABELS, ""):
        if key in per_mode:
            full, update = per_mode[key]
            label = str(MODE_LABELS[key]) if key else str(_l("nie zapisano trybu"))
            rows.append((label, full, update, full + update))
    total = sum(r[3] for r in rows)
    return Table("modes", str(_l("Wywiady według trybu")),
                 (str(_l("Tryb")), str(_l("Wywiady")), str(_l("Aktualizacje")), str(_l("Razem"))), tuple(rows),
                 bars=tuple(Bar(r[0], float(r[3]), str(r[3])) for r in rows),
                 chart_title=str(_l("Zakończone wywiady według trybu")),
                 footer=(str(_l("Razem")), sum(r[1] for r in rows), sum(r[2] for r in rows), total))


def deadlines(ctx: _Context) -> Table:
    """Applications of the period: interview on time (14 / 2 working days), late, overdue, still running."""
    in_period = (col(Case.office_id) == ctx.office_id, col(Case.received_on) >= ctx.period.start,
                 col(Case.received_on) <= ctx.period.end)
    first_done = (
        select(col(Interview.case_id).label("case_id"), func.min(Interview.finished_at).label("done"))
        .join(Case, col(Case.id) == col(Interview.case_id))
        .where(*in_period, Interview.state == InterviewState.FINISHED)
        .group_by(col(Interview.case_id)).subquery()
    )
    done = first_done.c.done
    day = local_date(done, ctx.dialect, years_until(ctx.period.utc_start, ctx.now))
    not_done = done.is_(None)
    closed = col(Case.state) == CaseState.CLOSED
    found = ctx.session.execute(
        wide_select(
            col(Case.urgent), func.count(),
            _sum(and_(done.is_not(None), day <= col(Case.due_on))),
            _sum(and_(done.is_not(None), day > col(Case.due_on))),
            _sum(and_(not_done, ~closed, col(Case.due_on) < ctx.today)),
            _sum(and_(not_done, ~closed, or_(col(Case.due_on) >= ctx.today, col(Case.due_on).is_(None)))),
            _sum(and_(not_done, closed)),
        )
        .select_from(Case).join(first_done, first_done.c.case_id == col(Case.id), isouter=True)
        .where(*in_period)
        .group_by(col(Case.urgent))
    ).all()
    by_kind = {bool(r[0]): [_int(v) for v in r[1:]] for r in found}
    # Measures down, kinds across: four narrow columns read on a phone without scrolling sideways.
    kinds = [(str(_l("zwykłe (14 dni)")), by_kind.get(False, [0] * 6)),
             (str(_l("pilne (2 dni)")), by_kind.get(True, [0] * 6))]
    kinds.append((str(_l("Razem")), [a + b for a, b in zip(kinds[0][1], kinds[1][1], strict=True)]))
    measures = (_l("Sprawy"), _l("W terminie"), _l("Po terminie"), _l("Zaległe, bez wywiadu"), _l("Termin jeszcze trwa"),
                _l("Zamknięte bez wywiadu"))
    rows: list[tuple[Cell, ...]] = [(str(m), *(k[1][i] for k in kinds)) for i, m in enumerate(measures)]
    shares = [_pct(k[1][1], k[1][1] + k[1][2] + k[1][3]) for k in kinds]
    rows.append((str(_l("W terminie (%)")), *(_pct_text(v) for v in shares)))
    return Table(
        "deadlines", str(_l("Terminy ustawowe wywiadów")), (str(_l("Wskaźnik")), *(k[0] for k in kinds)),
        tuple(rows) if found else (),
        bars=tuple(Bar(k[0], float(v or 0), _pct_text(v)) for k, v in zip(kinds[:2], shares[:2], strict=True)
                   if k[1][0]),
        chart_title=str(_l("Odsetek wywiadów przeprowadzonych w terminie")),
        note=str(_l("Odsetek liczony z wywiadów przeprowadzonych (w terminie i po terminie) i spraw zaległych; "
                    "sprawy, w których termin jeszcze trwa, nie są wliczane.")),
    )


def art7_reasons(facts: InterviewFacts) -> Table:
    """How often each art. 7 reason was given in the interviews finished in the period (segment I)."""
    interviews = facts.with_reasons
    counted = sorted(facts.reasons, key=lambda kv: -kv[1])
    rows = tuple((label, n, _pct_text(_pct(n, interviews))) for label, n in counted if n)
    return Table("art7", str(_l("Powody przyznania pomocy (art. 7)")),
                 (str(_l("Powód")), str(_l("Wywiady")), str(_l("Odsetek wywiadów"))), rows,
                 bars=tuple(Bar(str(r[0]), float(r[1]), str(r[1])) for r in rows),
                 chart_title=str(_l("Powody z art. 7 wskazane w wywiadach")),
                 note=str(_l("Wywiadów z wskazanymi powodami: %(n)d. Jeden wywiad może wskazać kilka powodów.",
                             n=interviews)))


def referrals_by_priority(ctx: _Context) -> Table:
    """Referrals raised in the period by priority: contacted, within the target time, waiting late, hours to call."""
    contacted = col(Referral.first_contact_at).is_not(None)
    hours = hours_between(col(Referral.first_contact_at), col(Referral.created_at), ctx.dialect)
    found = ctx.session.execute(
        wide_select(col(Referral.priority), func.count(), _sum(contacted),
               _sum(and_(contacted, col(Referral.first_contact_at) <= col(Referral.due_at))),
               _sum(and_(~contacted, col(Referral.state).in_(WAITING_STATES), col(Referral.due_at) < ctx.now)),
               func.avg(case((contacted, hours), else_=None)))
        .where(col(Referral.office_id) == ctx.office_id, col(Referral.created_at) >= ctx.period.utc_start,
               col(Referral.created_at) < ctx.period.utc_end)
        .group_by(col(Referral.priority))
    ).all()
    by_priority = {Priority(r[0]): r[1:] for r in found}
    columns = [(p, by_priority.get(p, (0, 0, 0, 0, None))) for p in Priority]
    averages = [round(float(v[4]), 1) if v[4] is not None else None for _, v in columns]
    measures = (_l("Skierowania"), _l("Z pierwszym kontaktem"), _l("Kontakt w terminie"), _l("Czekają po terminie"))
    rows: list[tuple[Cell, ...]] = [(str(m), *(_int(v[i]) for _, v in columns)) for i, m in enumerate(measures)]
    shown = ["—" if a is None else f"{a:.1f}".replace(".", ",") for a in averages]
    rows.append((str(_l("Średni czas do 1. kontaktu (godz.)")), *shown))
    return Table(
        "referrals", str(_l("Skierowania do psychologa według pilności")),
        (str(_l("Wskaźnik")), *(str(PRIORITY_LABELS[p]) for p, _ in columns)),
        tuple(rows) if found else (),
        bars=tuple(Bar(str(PRIORITY_LABELS[p]), float(a or 0), t)
                   for (p, v), a, t in zip(columns, averages, shown, strict=True) if _int(v[0])),
        chart_title=str(_l("Średni czas do pierwszego kontaktu psychologa (godziny)")),
    )


def _close_label(outcome: str) -> str:
    try:
        return str(CLOSE_LABELS[CloseOutcome(outcome)])
    except ValueError:
        return outcome


def referrals_by_outcome(ctx: _Context) -> Table:
    """Referrals raised in the period by where they are now (and how the closed ones ended)."""
    found = ctx.session.exec(
        select(Referral.state, Referral.close_outcome, func.count())
        .where(Referral.office_id == ctx.office_id, col(Referral.created_at) >= ctx.period.utc_start,
               col(Referral.created_at) < ctx.period.utc_end)
        .group_by(Referral.state, Referral.close_outcome)
    ).all()
    rows = []
    for state, outcome, count in sorted(found, key=lambda r: -_int(r[2])):
        label = str(REFERRAL_STATE_LABELS[ReferralState(state)])
        if state == ReferralState.CLOSED and outcome:
            label += f": {_close_label(outcome)}"
        rows.append((label, _int(count)))
    return Table("referral_outcomes", str(_l("Skierowania według stanu i wyniku")),
                 (str(_l("Stan / wynik")), str(_l("Skierowania"))), tuple(rows),
                 bars=tuple(Bar(r[0], float(r[1]), str(r[1])) for r in rows),
                 chart_title=str(_l("Skierowania według stanu i wyniku")),
                 footer=(str(_l("Razem")), sum(r[1] for r in rows)))


def call_outcomes(ctx: _Context) -> Table:
    """Calls made in the period by their outcome."""
    found = ctx.session.exec(
        select(CallAttempt.outcome, func.count()).join(Case, col(Case.id) == col(CallAttempt.case_id))
        .where(Case.office_id == ctx.office_id, col(CallAttempt.at) >= ctx.period.utc_start,
               col(CallAttempt.at) < ctx.period.utc_end)
        .group_by(CallAttempt.outcome)
    ).all()
    rows = tuple((outcome_label(o), _int(n)) for o, n in sorted(found, key=lambda r: -_int(r[1])))
    return Table("calls", str(_l("Próby kontaktu telefonicznego")), (str(_l("Wynik")), str(_l("Połączenia"))), rows,
                 bars=tuple(Bar(str(r[0]), float(r[1]), str(r[1])) for r in rows),
                 chart_title=str(_l("Połączenia według wyniku")),
                 footer=(str(_l("Razem")), sum(r[1] for r in rows)))


def callbacks(ctx: _Context) -> Table:
    """Call-backs due in the period: done, overdue and not done, still ahead."""
    done = col(Callback.done_at).is_not(None)
    found = ctx.session.execute(
        wide_select(func.count(), _sum(done), _sum(and_(~done, col(Callback.due_at) < ctx.now)),
               _sum(and_(~done, col(Callback.due_at) >= ctx.now)))
        .join(Case, col(Case.id) == col(Callback.case_id))
        .where(col(Case.office_id) == ctx.office_id, col(Callback.due_at) >= ctx.period.utc_start,
               col(Callback.due_at) < ctx.period.utc_end)
    ).one()
    total, made, late, ahead = (_int(v) for v in found)
    rows = tuple((str(label), n) for label, n in ((_l("wykonane"), made), (_l("zaległe, niewykonane"), late),
                                                 (_l("zaplanowane"), ahead)) if n) if total else ()
    return Table("callbacks", str(_l("Oddzwonienia")), (str(_l("Oddzwonienia")), str(_l("Liczba"))), rows,
                 bars=tuple(Bar(r[0], float(r[1]), str(r[1])) for r in rows),
                 chart_title=str(_l("Oddzwonienia z terminem w okresie")), footer=(str(_l("Razem")), total))


def other_routes(ctx: _Context) -> Table:
    """Letters and e-mails sent when the phone did not reach the person, and the cases waiting for one now."""
    found = ctx.session.exec(
        select(OtherContact.route, func.count()).join(Case, col(Case.id) == col(OtherContact.case_id))
        .where(Case.office_id == ctx.office_id, col(OtherContact.sent_on) >= ctx.period.start,
               col(OtherContact.sent_on) <= ctx.period.end)
        .group_by(OtherContact.route)
    ).all()
    waiting = _int(ctx.session.exec(
        select(func.count()).select_from(Case).where(
            Case.office_id == ctx.office_id, col(Case.needs_other_route).is_(True),
            col(Case.state).not_in((CaseState.CLOSED, CaseState.INTERVIEW_DONE)))
    ).one())
    rows = tuple((str(_l("wysłano: %(route)s", route=route_label(r))), _int(n)) for r, n in found)
    rows += ((str(_l("teraz czeka na list lub e-mail")), waiting),) if waiting else ()
    return Table("other_routes", str(_l("Gdy telefon zawodzi: listy i e-maile")),
                 (str(_l("Droga")), str(_l("Liczba"))), rows,
                 bars=tuple(Bar(r[0], float(r[1]), str(r[1])) for r in rows),
                 chart_title=str(_l("Listy i e-maile zamiast telefonu")),
                 note=str(_l("„Teraz czeka” to stan na dziś, niezależnie od okresu.")))


def figures(session: Session, *, office_id: int, period: Period, now: datetime, today: date,
            form: FormDefinition) -> Figures:
    """Every table for the office and period (one aggregate query each; `form` gives the art. 7 choices)."""
    dialect = session.get_bind().dialect.name
    ctx = _Context(session, office_id, period, now, today, dialect)
    facts = interview_facts(ctx, form)
    makers: list[Callable[[_Context], Table]] = [
        applications_by_channel, lambda _: interviews_by_mode(facts), deadlines, lambda _: art7_reasons(facts),
        referrals_by_priority, referrals_by_outcome, call_outcomes, callbacks, other_routes,
    ]
    from app.statistics.closings import closings  # decisions recorded at closing (app/cases/closing.py)

    makers.append(closings)
    return Figures(office_id, period, tuple(make(ctx) for make in makers))
