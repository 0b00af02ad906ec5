"""Ids and counts sent by clients: Unicode digits and numbers past the database's integer range are refused cleanly.

Regressions found by fuzzing: `"²".isdigit()` is true but `int("²")` fails, and a 30-digit id overflows SQLite's
and PostgreSQL's integers; both ended in a 500. A hand-posted repeat-group count could ask for millions of members.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.auth.models import Office, Role, User
from app.interviews.models import Answer, Interview
from app.web.ids import MAX_ID, parse_id
from tests.conftest import token
from tests.integration.interviews.conftest import make_case, save, start

HUGE = "9" * 30


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("42", 42), ("0", 0), (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None), (HUGE, None), ("²", None),
     ("٣", None), ("-1", None), ("", None), (" 1", None), (None, None)],
)
def test_parse_id_accepts_only_ascii_digits_in_range(raw: str | None, expected: int | None) -> None:
    """Only plain digits that fit PostgreSQL's INTEGER become an id."""
    assert parse_id(raw) == expected


@pytest.mark.parametrize("worker_id", ["²", HUGE, str(MAX_ID + 1)])
def test_assigning_to_a_strange_worker_id_is_a_422_not_a_500(
    client: FlaskClient, db: Session, office: Office, login_as: Callable[..., User], worker_id: str
) -> None:
    """A supervisor posting an impossible worker id gets the case page with a message."""
    login_as(Role.SUPERVISOR)
    case = make_case(db, office)
    response = client.post(f"/cases/{case.id}/assign", data={"worker_id": worker_id, "csrf_token": token(client)})
    assert response.status_code in (302, 422)


@pytest.mark.parametrize("path", [f"/cases/{HUGE}", f"/interviews/{MAX_ID + 1}", f"/reports/{HUGE}"])
def test_ids_in_urls_past_the_integer_range_are_404(
    client: FlaskClient, login_as: Callable[..., User], path: str
) -> None:
    """An id that no row can have is simply not found."""
    login_as(Role.WORKER, Role.SUPERVISOR)
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "path",
    [f"/cases?page={HUGE}&worker={HUGE}", "/cases?worker=²&page=²", f"/audit?actor={HUGE}&page={HUGE}",
     f"/review?worker={HUGE}", f"/cases/1?answered={HUGE}"],
)
def test_filters_with_huge_or_unicode_numbers_are_ignored(
    client: FlaskClient, login_as: Callable[..., User], path: str
) -> None:
    """Query-string numbers that cannot be ids are ignored instead of crashing the page."""
    login_as(Role.SUPERVISOR, Role.ADMIN)
    assert client.get(path).status_code in (200, 404)


def test_start_with_a_huge_call_attempt_id_starts_without_the_call(
    client: FlaskClient, db: Session, office: Office, login_as: Callable[..., User]
) -> None:
    """A call attempt id past the integer range is treated as none."""
    worker = login_as(Role.WORKER)
    case = make_case(db, office, worker)
    response = client.post(f"/cases/{case.id}/interviews", data={"call_attempt_id": HUGE, "csrf_token": token(client)})
    assert response.status_code == 302


def test_hand_posted_member_count_is_bounded_by_the_form(
    app: Flask, client: FlaskClient, db: Session, office: Office, login_as: Callable[..., User]
) -> None:
    """Posting a household size of millions stores the form's maximum (20), so the screen stays renderable."""
    worker = login_as(Role.WORKER)
    interview: Interview = start(app, db, worker, make_case(db, office, worker))
    response = save(client, interview, "household", "99999999", **{"_rev:household": HUGE})
    assert response.status_code == 200
    db.expire_all()
    row = db.exec(select(Answer).where(Answer.interview_id == interview.id, Answer.key == "household")).one()
    assert json.loads(row.value or "null") == 20
    assert client.get(f"/interviews/{interview.id}?section=segment_a").status_code == 200
