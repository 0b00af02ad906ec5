"""Cases closed in the period, by outcome, with the time from the application and from the interview to the closing."""

from __future__ import annotations

from statistics import median
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import col, func, select

from app.cases.closing import outcome_label
from app.cases.models import Case
from app.cases.record_models import CaseClosing, CaseOutcome
from app.clock import to_local
from app.interviews.models import Interview, InterviewState
from app.statistics.figures import Bar, Table
from app.workdays import working_days_between


def _median_text(values: list[int]) -> str:
    return str(round(median(values))) if values else "—"


def closings(ctx: Any) -> Table:
    """Closings in force made in the period (a reopened case counts when it is closed again)."""
    first_done = (
        select(col(Interview.case_id).label("case_id"), func.min(Interview.finished_at).label("done"))
        .where(Interview.office_id == ctx.office_id, Interview.state == InterviewState.FINISHED)
        .group_by(col(Interview.case_id)).subquery()
    )
    found = ctx.session.execute(
        select(col(CaseClosing.outcome), col(CaseClosing.closed_at), col(Case.received_on), first_done.c.done)
        .join(Case, col(Case.id) == col(CaseClosing.case_id))
        .join(first_done, first_done.c.case_id == col(CaseClosing.case_id), isouter=True)
        .where(CaseClosing.office_id == ctx.office_id, col(CaseClosing.reopened_at).is_(None),
               col(CaseClosing.closed_at) >= ctx.period.utc_start, col(CaseClosing.closed_at) < ctx.period.utc_end)
    ).all()
    by_outcome: dict[str, tuple[list[int], list[int]]] = {}
    for outcome, closed_at, received_on, done in found:
        closed_day = to_local(closed_at).date()
        from_application, from_interview = by_outcome.setdefault(str(outcome), ([], []))
        from_application.append(max(working_days_between(received_on, closed_day), 0))
        if done is not None:
            from_interview.append(max(working_days_between(to_local(done).date(), closed_day), 0))
    rows = tuple(
        (outcome_label(CaseOutcome(outcome)), len(spans[0]), _median_text(spans[0]), _median_text(spans[1]))
        for outcome, spans in sorted(by_outcome.items(), key=lambda kv: -len(kv[1][0]))
    )
    everything = [n for spans in by_outcome.values() for n in spans[0]]
    after_interview = [n for spans in by_outcome.values() for n in spans[1]]
    return Table(
        "closings", str(_l("Zamknięte sprawy i decyzje")),
        (str(_l("Wynik")), str(_l("Sprawy")), str(_l("Dni robocze od wpływu (mediana)")),
         str(_l("Dni robocze od wywiadu (mediana)"))),
        rows,
        bars=tuple(Bar(str(r[0]), float(r[1]), str(r[1])) for r in rows),
        chart_title=str(_l("Zamknięte sprawy według wyniku")),
        footer=(str(_l("Razem")), len(everything), _median_text(everything), _median_text(after_interview)) if rows
        else None,
        note=str(_l("Sprawy zamknięte w okresie (bez ponownie otwartych); czas mierzony do dnia zamknięcia.")),
    )
