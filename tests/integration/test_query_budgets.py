"""Query budgets per screen: the statements one request sends stay few, whatever the amount of data (issue 14).

Counted with tests/querycount.py on the test engine (transaction control not counted). Recording an audit event
is budgeted on its own, AUDIT_BUDGET per event: with one chain per office (issue 14 item 3) an event still costs
three statements (read the office's head, insert the event, move the head). The screen's budget is for everything
else; measured: autosave 6 + 3, runner 9 + 3, today 9 (the user comes with the session row) (one total budget would not fit the issue's numbers). The case
page and the interview summary are built by their views (with the cards other features add, app/web/parts.py):
their count does not grow with the calls, documents or answers.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.auth.models import Office, User
from app.cases.models import CallAttempt, CallOutcome, Case
from app.documents.models import CaseDocument, DocumentChannel, DocumentKind
from app.interviews.models import Answer, Interview
from tests import factories
from tests.conftest import token
from tests.integration.interviews.conftest import make_case, save, start
from tests.querycount import Counted, count_queries

AUTOSAVE_BUDGET = 6
RUNNER_BUDGET = 9
TODAY_BUDGET = 9
CASE_PAGE_BUDGET = 22
SUMMARY_BUDGET = 10
AUDIT_BUDGET = 3
AUDIT_TABLES = ("audit_head", "audit_event")


def _within(counted: Counted, budget: int, events: int) -> None:
    audit = counted.touching(*AUDIT_TABLES)
    assert audit <= AUDIT_BUDGET * events, counted.report()
    assert counted.total - audit <= budget, counted.report()


@pytest.fixture
def interview(app: Flask, db: Session, office: Office, worker: User) -> Interview:
    """An RWS interview in progress on a case assigned to the logged-in worker."""
    return start(app, db, worker, make_case(db, office, worker))


@pytest.mark.parametrize(("key", "first", "then"), [("city", "Łódź", "Puck"), ("postcode", None, "84-100")],
                         ids=["changed-answer", "first-save"])
def test_autosave_post_stays_within_budget(app: Flask, client: FlaskClient, interview: Interview, key: str,
                                           first: str | None, then: str) -> None:
    """One autosave (the answer, its history, audit, the reply) stays within AUTOSAVE_BUDGET statements, both
    for a changed answer and for its first value (INSERT ... ON CONFLICT)."""
    if first is not None:
        save(client, interview, key, first)
    headers = {"HX-Request": "true", "X-CSRFToken": token(client, f"/interviews/{interview.id}")}
    with count_queries(app) as counted:
        response = client.post(f"/interviews/{interview.id}/answers", data={"key": key, key: then}, headers=headers)
    assert response.status_code == 200
    assert "Zapisano" in response.get_data(as_text=True)
    _within(counted, AUTOSAVE_BUDGET, events=1)


def test_runner_page_stays_within_budget(app: Flask, client: FlaskClient, interview: Interview) -> None:
    """The runner screen of a section is built by services: no statement per question from the templates."""
    client.get(f"/interviews/{interview.id}")
    with count_queries(app) as counted:
        response = client.get(f"/interviews/{interview.id}?section=segment_a")
    assert response.status_code == 200
    _within(counted, RUNNER_BUDGET, events=1)


def _today_count(app: Flask, client: FlaskClient) -> int:
    client.get("/today")
    with count_queries(app) as counted:
        response = client.get("/today")
    assert response.status_code == 200
    _within(counted, TODAY_BUDGET, events=0)
    return counted.total


def test_today_list_costs_the_same_with_1_and_30_cases(
    app: Flask, client: FlaskClient, db: Session, office: Office, worker: User
) -> None:
    """The today list sends the same statements for one case as for thirty (no N+1), within TODAY_BUDGET."""
    factories.make_case(db, office, assigned=worker, name="Zdzisław Łęcki")
    db.commit()
    one = _today_count(app, client)
    for n in range(29):
        factories.make_case(db, office, assigned=worker, name=f"Żaneta Ślęzak {n}")
    db.commit()
    thirty = _today_count(app, client)
    assert thirty == one


def _plans(db: Session, statements: list[str], *, naming: tuple[str, ...]) -> list[str]:
    """SQLite's query plan of each statement with one of these conditions (bound values do not change the plan)."""
    connection = db.connection()
    plans = []
    for statement in statements:
        if any(condition in " ".join(statement.split()) for condition in naming):
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", (None,) * statement.count("?"))
            plans.append(" | ".join(str(row[-1]) for row in rows))
    return plans


def test_today_list_finds_the_worker_s_cases_by_index(
    app: Flask, client: FlaskClient, db: Session, office: Office, worker: User
) -> None:
    """The today list's cases, the office's unassigned count and the worker's open interviews are found through
    indexes on (office, worker, state), not by walking every case and interview of the office (at 10,000 cases
    those walks took 3.8 ms of the list's 30 ms budget, bench/scale_bench.py)."""
    if db.get_bind().dialect.name != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's (PostgreSQL plans by its statistics)")
    factories.make_case(db, office, assigned=worker, name="Zdzisław Łęcki")
    db.commit()
    client.get("/today")
    with count_queries(app) as counted:
        assert client.get("/today").status_code == 200
    cases = _plans(db, counted.statements,
                   naming=("case_file.assigned_worker_id = ?", "case_file.assigned_worker_id IS NULL"))
    interviews = _plans(db, counted.statements, naming=("WHERE interview.worker_id = ?",))
    assert len(cases) == 2 and len(interviews) == 1, counted.report()
    for plan in cases:
        assert "ix_case_file_office_worker_state" in plan, plan
    assert "ix_interview_office_worker_state" in interviews[0], interviews[0]


def _page_count(app: Flask, client: FlaskClient, url: str, budget: int) -> int:
    client.get(url)
    with count_queries(app) as counted:
        response = client.get(url)
    assert response.status_code == 200
    _within(counted, budget, events=1)  # the page records who saw it
    return counted.total


def _add_calls_and_documents(db: Session, case: Case, worker: User, n: int) -> None:
    for i in range(n):
        db.add(CallAttempt(case_id=case.id or 0, worker_id=worker.id or 0, number="+48600100200",
                           outcome=CallOutcome.NO_ANSWER, at=datetime(2026, 3, 2, 9, tzinfo=UTC) + timedelta(hours=i)))
        db.add(CaseDocument(office_id=case.office_id, case_id=case.id or 0, kind=DocumentKind.OTHER,
                            channel=DocumentChannel.EMAIL, received_on=date(2026, 3, 2), filename=f"skan-{i}.pdf",
                            media_type="application/pdf", size_bytes=4, sha256=f"{i:064x}", data=b"%PDF",
                            uploaded_by_id=worker.id or 0))
    db.commit()


def test_case_page_costs_the_same_with_1_and_12_calls_and_documents(
    app: Flask, client: FlaskClient, db: Session, interview: Interview, worker: User
) -> None:
    """The case page (phones, calls, interviews, documents, exports, referrals) is built by its view within
    CASE_PAGE_BUDGET, the same for one call and document as for twelve."""
    case = db.get(Case, interview.case_id)
    assert case is not None
    url = f"/cases/{case.id}"
    _add_calls_and_documents(db, case, worker, 1)
    one = _page_count(app, client, url, CASE_PAGE_BUDGET)
    _add_calls_and_documents(db, case, worker, 11)
    assert _page_count(app, client, url, CASE_PAGE_BUDGET) == one


def test_summary_costs_the_same_with_2_and_12_answers(
    app: Flask, client: FlaskClient, db: Session, interview: Interview
) -> None:
    """The interview summary (answers by section, the report card, the documents) stays within SUMMARY_BUDGET
    whatever the number of answers."""
    url = f"/interviews/{interview.id}/summary"
    assert save(client, interview, "city", "Łódź").status_code == 200
    assert save(client, interview, "postcode", "90-001").status_code == 200
    few = _page_count(app, client, url, SUMMARY_BUDGET)
    for key, value in (("full_name", "Halina Wróblewska"), ("address", "ul. Piotrkowska 12 m. 3"),
                       ("phone", "600100200"), ("email", "ala@example.pl"), ("place_of_stay", "Oficyna"),
                       ("citizenship", "polskie"), ("id_document", "ABC123456"), ("answered_by_name", "Halina"),
                       ("identity_other", "list"), ("safe_callback_times", "wieczorem")):
        assert save(client, interview, key, value).status_code == 200
    assert len(db.exec(select(Answer).where(Answer.interview_id == interview.id)).all()) >= 12
    assert _page_count(app, client, url, SUMMARY_BUDGET) == few
