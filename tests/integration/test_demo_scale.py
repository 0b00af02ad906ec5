"""`telewywiad demo seed --scale N`: bulk data for benchmarks that the screens can read."""

from __future__ import annotations

import json

from flask.testing import FlaskClient, FlaskCliRunner
from pydantic import SecretStr
from sqlmodel import Session, col, func, select

from app.cases.models import Case
from app.cli import main
from app.config import Settings
from app.interviews.models import Answer, AnswerChange, Interview
from app.reports.models import Report
from tests.conftest import csrf_from

PASSWORD = "Skalowane-Hasło-Demo-1"


def _count(db: Session, model: type, *where: object) -> int:
    return int(db.exec(select(func.count()).select_from(model).where(*where)).one())  # type: ignore[arg-type]


def test_scale_seed_makes_cases_interviews_answers_and_reports_once(runner: FlaskCliRunner, db: Session,
                                                                    settings: Settings) -> None:
    """N cases, each with an interview of ~50 valid answers and their history; a second run adds nothing."""
    settings.demo_password = SecretStr(PASSWORD)
    result = runner.invoke(main, args=["demo", "seed", "--scale", "60"])
    assert result.exit_code == 0, result.output
    assert "60 cases" in result.output
    scaled = col(Case.reference).startswith("SKALA/")
    assert _count(db, Case, scaled) == 60
    interviews = db.exec(select(Interview).join(Case, col(Case.id) == Interview.case_id).where(scaled)).all()
    assert 45 <= len(interviews) <= 60  # a few cases are new or still being called
    answers = db.exec(select(Answer).where(Answer.interview_id == interviews[0].id)).all()
    assert len(answers) >= 45 and all(a.valid for a in answers)
    by_key = {a.key: a for a in answers}
    assert by_key["household"].value == "4" and json.loads(by_key["household.3.member_name"].value or "") != ""
    assert _count(db, AnswerChange, AnswerChange.interview_id == interviews[0].id) == len(answers)
    assert _count(db, Report) > 0

    again = runner.invoke(main, args=["demo", "seed", "--scale", "60"])
    assert again.exit_code == 0, again.output
    assert _count(db, Case, scaled) == 60


def test_scaled_office_screens_answer(runner: FlaskCliRunner, client: FlaskClient, settings: Settings) -> None:
    """The today screen, case search and review queue work on the scaled data."""
    settings.demo_password = SecretStr(PASSWORD)
    assert runner.invoke(main, args=["demo", "seed", "--scale", "40"]).exit_code == 0
    for username, paths in (("demo-worker", ["/today", "/cases?q=nowak"]),
                            ("demo-supervisor", ["/cases?q=SKALA/00001", "/review"])):
        token = csrf_from(client.get("/login").get_data(as_text=True))
        assert client.post("/login", data={"username": username, "password": PASSWORD,
                                           "csrf_token": token}).status_code == 302
        for path in paths:
            assert client.get(path).status_code == 200, path
        client.post("/logout", data={"csrf_token": csrf_from(client.get("/account").get_data(as_text=True))})
