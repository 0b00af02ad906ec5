"""A returned report finds its worker (issue 15, point 5): top of "Dzisiaj" with the comment count, a badge on
"Raporty", and "Popraw wywiad" opening the first commented question in the form's order."""

from __future__ import annotations

import re

from flask import Flask
from sqlmodel import Session

from app.auth.models import User
from app.interviews.models import Interview
from app.reports.models import Report
from tests.conftest import token

from .test_review_flow import _client


def _return(app: Flask, report: Report, supervisor: User) -> None:
    boss = _client(app, supervisor)
    response = boss.post(f"/reports/{report.id}/return", data={
        "comment-income_total": "Dochód nie zgadza się z oświadczeniem.",
        "comment-full_name": "Sprawdź pisownię nazwiska.",
        "general": "", "csrf_token": token(boss, f"/reports/{report.id}"),
    })
    assert response.status_code == 302


def test_returned_report_is_at_the_top_of_today_with_its_comments(
    app: Flask, db: Session, submitted: Report, interview: Interview, worker: User, supervisor: User
) -> None:
    _return(app, submitted, supervisor)
    own = _client(app, worker)
    page = own.get("/today").get_data(as_text=True)
    assert "Raporty do poprawy" in page and "uwagi kierownika: 2" in page
    assert page.index("<h2 ") == page.index('<h2 id="h-returned"')  # the first section of the day
    badge = re.search(r'Raporty <span class="badge badge-urgent nav-badge">1<', page)
    assert badge is not None


def test_popraw_wywiad_opens_the_first_commented_question(
    app: Flask, db: Session, submitted: Report, interview: Interview, worker: User, supervisor: User
) -> None:
    """full_name (part A) comes before income_total in the form, whatever order the comments were written in."""
    _return(app, submitted, supervisor)
    own = _client(app, worker)
    expected = f"/interviews/{interview.id}?section=segment_a#q-full_name"
    assert expected in own.get("/today").get_data(as_text=True)
    assert expected in own.get(f"/reports/{submitted.id}").get_data(as_text=True)


def test_today_with_a_returned_report_stays_within_its_budget(
    app: Flask, db: Session, submitted: Report, interview: Interview, worker: User, supervisor: User
) -> None:
    """The returned reports (with their comment counts and where fixing starts) cost one statement on "Dzisiaj",
    and the menu badge none: the list stays within the today budget (tests/integration/test_query_budgets.py)."""
    from tests.integration.test_query_budgets import TODAY_BUDGET, _within
    from tests.querycount import count_queries

    _return(app, submitted, supervisor)
    own = _client(app, worker)
    own.get("/today")
    with count_queries(app) as counted:
        page = own.get("/today").get_data(as_text=True)
    assert "uwagi kierownika: 2" in page
    _within(counted, TODAY_BUDGET, events=0)
    assert counted.touching("review_comment") == 1 and counted.touching("report") == 1, counted.report()
