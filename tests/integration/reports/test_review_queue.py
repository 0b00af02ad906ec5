"""The supervisor's queue (oldest first, filters), the dashboard, the start page and the runner hooks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from flask import Flask, render_template_string
from flask_login import login_user
from sqlmodel import Session

from app.auth.models import Office, Role, User
from app.auth.services import load_principal
from app.cases.models import CaseState
from app.clock import local_today, utcnow
from app.config import Settings
from app.interviews.models import Interview, InterviewState
from app.reports.demo import make_finished_interview
from app.reports.models import Report
from app.reports.states import ReportState
from app.web import parts
from tests.conftest import login

from .conftest import make_case, submit


def _submit_case(db: Session, settings: Settings, office: Office, worker: User, reference: str,
                 due_on: dt.date | None) -> None:
    interview = make_finished_interview(db, case=make_case(db, office, worker, reference, due_on), worker=worker)
    db.commit()
    submit(db, settings, interview, worker)


@pytest.mark.dates
def test_queue_is_oldest_first_with_filters(app: Flask, db: Session, settings: Settings, office: Office,
                                            worker: User, supervisor: User,
                                            user_factory: Callable[..., User]) -> None:
    """Waiting reports in submission order; filtering by worker and by overdue deadline narrows the list."""
    second = user_factory(Role.WORKER, username="drugi", full_name="Bożena Źdźbło")
    today = local_today()
    _submit_case(db, settings, office, worker, "RWS/2026/0101", today - dt.timedelta(days=3))
    _submit_case(db, settings, office, second, "RWS/2026/0102", today + dt.timedelta(days=5))
    client = app.test_client()
    assert login(client, supervisor.username).headers["Location"].endswith("/review")
    html = client.get("/review").get_data(as_text=True)
    assert "Do zatwierdzenia" in html
    assert html.index("RWS/2026/0101") < html.index("RWS/2026/0102")
    assert "po terminie" in html
    only_second = client.get(f"/review?worker={second.id}").get_data(as_text=True)
    assert "RWS/2026/0102" in only_second
    assert "RWS/2026/0101" not in only_second
    overdue = client.get("/review?overdue=1").get_data(as_text=True)
    assert "RWS/2026/0101" in overdue
    assert "RWS/2026/0102" not in overdue
    approved_only = client.get("/review?status=approved").get_data(as_text=True)
    assert "RWS/2026/0101" not in approved_only
    fragment = client.get("/review?overdue=1", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<section id="queue-items"')


@pytest.mark.dates
def test_dashboard_counts_states_and_overdue_deadlines(app: Flask, db: Session, settings: Settings, office: Office,
                                                       worker: User, supervisor: User) -> None:
    """Interviews per review state and open cases past their due date are shown; closed cases are not overdue."""
    today = local_today()
    _submit_case(db, settings, office, worker, "RWS/2026/0201", None)
    draft_case = make_case(db, office, worker, "RWS/2026/0202", today - dt.timedelta(days=4))
    db.add(Interview(office_id=office.id or 0, case_id=draft_case.id or 0, worker_id=worker.id or 0, form_id="rws",
                     form_version=1, state=InterviewState.IN_PROGRESS))
    closed = make_case(db, office, worker, "RWS/2026/0203", today - dt.timedelta(days=9))
    closed.state = CaseState.CLOSED
    db.add(closed)
    db.commit()
    client = app.test_client()
    login(client, supervisor.username)
    html = client.get("/review/dashboard").get_data(as_text=True)
    assert "Wywiady według stanu" in html
    assert "<dt>do zatwierdzenia</dt><dd>1</dd>" in html
    assert "<dt>w trakcie</dt><dd>1</dd>" in html
    assert "RWS/2026/0202" in html
    assert "dni po terminie: 4" in html
    assert "RWS/2026/0203" not in html
    assert "Otwarte skierowania do psychologa" in html


def test_interview_actions_hook_offers_signing_only_to_its_worker(app: Flask, db: Session, interview: Interview,
                                                                   worker: User, supervisor: User) -> None:
    """The runner's summary hook (built by the view: app/web/parts.py) shows "Podpisz i wyślij do zatwierdzenia" to the interview's worker only."""
    def render_for(user: User) -> str:
        with app.test_request_context():
            principal = load_principal(db, user.id or 0)
            login_user(principal)  # type: ignore[arg-type]
            cards = parts.build("interview", session=db, actor=principal, interview=interview)
            return render_template_string('{% include "reports/_interview_actions.html" %}', interview=interview,
                                          parts=cards)

    assert "Podpisz i wyślij do zatwierdzenia" in render_for(worker)
    assert "zakończony, niewysłany" in render_for(worker)
    assert "Podpisz i wyślij do zatwierdzenia" not in render_for(supervisor)


def _waiting_reports(db: Session, office: Office, worker: User, count: int, *, prefix: str,
                     due_on: dt.date | None) -> None:
    """`count` reports waiting for review, submitted a minute apart (no PDFs: the queue does not read them)."""
    start = utcnow() - dt.timedelta(days=1)
    for n in range(count):
        case = make_case(db, office, worker, f"{prefix}/{n:03d}", due_on)
        interview = Interview(office_id=office.id or 0, case_id=case.id or 0, worker_id=worker.id or 0, form_id="rws",
                              form_version=1, state=InterviewState.FINISHED)
        db.add(interview)
        db.flush()
        db.add(Report(office_id=office.id or 0, interview_id=interview.id or 0, case_id=case.id or 0,
                      worker_id=worker.id or 0, state=ReportState.SUBMITTED,
                      submitted_at=start + dt.timedelta(minutes=n)))
    db.commit()


def test_queue_pages_fifty_at_a_time_and_links_keep_the_filters(
    app: Flask, db: Session, office: Office, worker: User, supervisor: User, user_factory: Callable[..., User]
) -> None:
    """53 overdue reports of one worker (and others that the filters leave out) fill two pages, oldest first;
    the pager marks the current page, and its links keep the worker and overdue filters."""
    other = user_factory(Role.WORKER, username="drugi", full_name="Bożena Źdźbło")
    yesterday = local_today() - dt.timedelta(days=1)
    _waiting_reports(db, office, worker, 53, prefix="LATE", due_on=yesterday)
    _waiting_reports(db, office, worker, 2, prefix="ONTIME", due_on=yesterday + dt.timedelta(days=30))
    _waiting_reports(db, office, other, 2, prefix="OTHER", due_on=yesterday)
    client = app.test_client()
    login(client, supervisor.username)

    everything = client.get("/review").get_data(as_text=True)
    assert "Liczba raportów: 57." in everything
    assert everything.count('class="card queue-item"') == 50

    first = client.get(f"/review?worker={worker.id}&overdue=1").get_data(as_text=True)
    assert "Liczba raportów: 53." in first
    assert first.count('class="card queue-item"') == 50
    assert "LATE/000" in first and "LATE/049" in first and "LATE/050" not in first
    assert "ONTIME" not in first and "OTHER" not in first
    assert '<nav class="pager" aria-label="Strony">' in first
    assert f'href="/review?worker={worker.id}&amp;overdue=1" aria-label="Strona 1 z 2" aria-current="page"' in first
    assert f'rel="next" href="/review?worker={worker.id}&amp;overdue=1&amp;page=2"' in first
    assert 'rel="prev"' not in first

    second = client.get(f"/review?worker={worker.id}&overdue=1&page=2").get_data(as_text=True)
    assert second.count('class="card queue-item"') == 3
    assert "LATE/050" in second and "LATE/052" in second and "LATE/049" not in second
    assert f'rel="prev" href="/review?worker={worker.id}&amp;overdue=1"' in second
    assert 'aria-label="Strona 2 z 2" aria-current="page"' in second

    # Past the end (reports approved meanwhile): the last page; htmx gets the fragment with its pager.
    fragment = client.get(f"/review?worker={worker.id}&overdue=1&page=9", headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="queue-items"')
    assert "LATE/052" in html and 'aria-label="Strona 2 z 2" aria-current="page"' in html

    one_page = client.get(f"/review?worker={other.id}").get_data(as_text=True)
    assert "OTHER/001" in one_page and 'class="pager"' not in one_page
