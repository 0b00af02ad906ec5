"""Per-field privacy on screen (issue 15, point 11): `visible_to` holds in the runner and the summary too.

The RWS form shows every answer to supervisors, so the test narrows one question (full_name) to the worker
alone, as a form may (forms/README.md), and looks at each view that shows answers.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session

from app.auth.models import User
from app.formdefs.model import Question
from app.interviews import answers
from app.interviews.models import Interview
from tests.conftest import login, token
from tests.integration.interviews.conftest import save

SECRET = "Zuzanna Tajemnicka"


@pytest.fixture
def worker_only_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """full_name: visible_to [worker] (everything else as the form says)."""
    original = Question.visible_for

    def visible_for(self: Question, role: str) -> bool:
        return role == "worker" if self.id == "full_name" else original(self, role)

    monkeypatch.setattr(Question, "visible_for", visible_for)


@pytest.fixture
def answered(client: FlaskClient, interview: Interview, worker_only_name: None) -> Interview:
    assert save(client, interview, "safe_to_talk", "yes").status_code == 200
    assert save(client, interview, "full_name", SECRET).status_code == 200
    return interview


def _as_supervisor(client: FlaskClient, supervisor: User) -> None:
    client.post("/logout", data={"csrf_token": token(client)})
    assert login(client, supervisor.username).status_code == 302


def test_the_worker_sees_what_they_recorded(client: FlaskClient, answered: Interview) -> None:
    runner = client.get(f"/interviews/{answered.id}?section=segment_a").get_data(as_text=True)
    summary = client.get(f"/interviews/{answered.id}/summary").get_data(as_text=True)
    assert SECRET in runner and SECRET in summary


def test_runner_withholds_the_answer_from_a_supervisor(
    client: FlaskClient, answered: Interview, supervisor: User
) -> None:
    """The question stays (the supervisor knows it was asked); the value and its input do not."""
    _as_supervisor(client, supervisor)
    page = client.get(f"/interviews/{answered.id}?section=segment_a").get_data(as_text=True)
    assert SECRET not in page
    assert "Odpowiedź widoczna tylko dla osób" in page
    assert 'name="full_name"' not in page and 'value="full_name"' not in page


def test_summary_withholds_the_answer_from_a_supervisor(
    client: FlaskClient, answered: Interview, supervisor: User
) -> None:
    _as_supervisor(client, supervisor)
    response = client.get(f"/interviews/{answered.id}/summary")
    assert response.status_code == 200
    assert SECRET not in response.get_data(as_text=True)


def test_a_supervisor_cannot_overwrite_what_they_may_not_see(
    client: FlaskClient, db: Session, answered: Interview, supervisor: User
) -> None:
    """Neither the autosave nor a crafted section post touches the withheld answer."""
    _as_supervisor(client, supervisor)
    refused = save(client, answered, "full_name", "Ktoś Inny")
    assert refused.status_code == 403
    posted: dict[str, Any] = {
        "csrf_token": token(client, f"/interviews/{answered.id}"),
        "_seen": ["full_name"],
        "full_name": "",
        "_go": "next",
    }
    client.post(f"/interviews/{answered.id}/sections/segment_a", data=posted)
    assert answers.load_answers(db, answered.id)["full_name"] == SECRET  # type: ignore[arg-type]
