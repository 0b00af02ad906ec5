"""The bench's statements route (bench/statements_app.py) sends what one autosave sends, no more and no less.

`make bench` reports autosave beside that route ("statements": the save's own reads and writes with nothing else
around them) to tell what the statements cost from what the app's Python around them costs. That only holds while
the route sends the same statements as the app; when autosave comes to send another statement (or one fewer), this
fails until the route follows.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from app.audit.models import AuditEvent
from app.audit.services import verify
from app.auth.sessions import COOKIE_NAME
from app.cases.models import Case
from app.db import ENGINE_KEY
from app.interviews.models import Answer, AnswerChange, Interview
from bench import statements_app
from tests.conftest import token
from tests.integration.interviews.conftest import save
from tests.querycount import Counted, count_queries

_SHAPE = re.compile(r'^\s*(SELECT\s+"?(\w+)"?\.|UPDATE\s+"?(\w+)"?|INSERT\s+INTO\s+"?(\w+)"?)', re.I)


def _shapes(counted: Counted) -> list[str]:
    """Each statement as its verb and table: SELECT by the table of its first column."""
    shapes = []
    for statement in counted.statements:
        match = _SHAPE.match(statement)
        assert match is not None, counted.report()
        verb = match.group(1).split()[0].upper()
        shapes.append(f"{verb} {match.group(2) or match.group(3) or match.group(4)}")
    return shapes


@pytest.mark.parametrize(("key", "first", "then"),
                         [("city", "Łódź", "Puck"), ("address", "ul. Polna 1", "ul. Polna 2")],
                         ids=["answer", "answer-back-to-the-case"])
def test_the_statements_route_sends_what_an_autosave_sends(app: Flask, client: FlaskClient, db: Session,
                                                           interview: Interview, key: str, first: str,
                                                           then: str) -> None:
    save(client, interview, key, first)
    headers = {"HX-Request": "true", "X-CSRFToken": token(client, f"/interviews/{interview.id}")}
    with count_queries(app) as by_app:
        response = client.post(f"/interviews/{interview.id}/answers", data={"key": key, key: then}, headers=headers)
    assert response.status_code == 200

    route = statements_app.create_app(app.extensions[ENGINE_KEY].url.render_as_string(hide_password=False))
    bench = route.test_client()
    cookie = client.get_cookie(COOKIE_NAME)
    assert cookie is not None
    bench.set_cookie(COOKIE_NAME, cookie.value)
    try:
        with count_queries(route) as by_route:
            response = bench.post(f"/interviews/{interview.id}/answers", data={"key": key, key: then + " i 3"})
        assert response.status_code == 200, response.get_data(as_text=True)
    finally:
        route.extensions[ENGINE_KEY].dispose()

    assert _shapes(by_route) == _shapes(by_app), f"app: {by_app.report()}\nroute: {by_route.report()}"
    # And it wrote what a save writes: the answer's next revision, its history row, a sound link of the chain.
    db.expire_all()
    answer = db.exec(select(Answer).where(Answer.interview_id == interview.id, Answer.key == key)).one()
    assert (answer.raw, answer.revision) == (then + " i 3", 3)
    changes = db.exec(select(AnswerChange.revision).where(AnswerChange.interview_id == interview.id,
                                                          AnswerChange.key == key)).all()
    assert sorted(changes)[-1] == 3
    last = db.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()
    assert last is not None and (last.action, last.object_id) == ("answer.change", str(interview.id))
    with app.app_context():
        assert verify(db) == []
    if key == "address":
        case = db.get(Case, interview.case_id)
        assert case is not None and case.address == then + " i 3"
