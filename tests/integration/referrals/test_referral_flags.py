"""The flags panel: each shipped rule shows its banner naming the triggering questions; decisions are recorded."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.referrals.models import FlagDecision
from tests.conftest import token
from tests.integration.referrals.conftest import put_answers

RULE_CASES = [
    ("suicide_risk", {"suicidal_thoughts": True, "suicide_plan": False}, ["Myśli samobójcze"]),
    ("suicide_warning_signs", {"warning_signs": ["giving_away"]}, ["Sygnały zauważone przez pracownika"]),
    ("domestic_violence", {"violence_at_home": True, "violence_minor": False}, ["Przemoc w domu"]),
    ("violence_child", {"violence_at_home": True, "violence_minor": True}, ["Przemoc w domu", "Przemoc może dotyczyć dziecka"]),
    ("anxiety_severe", {"fear_about_future": "strong"}, ["Lęk lub niepokój o przyszłość"]),
    ("anxiety", {"fear_about_future": "some"}, ["Lęk lub niepokój o przyszłość"]),
    ("isolation", {"lives_alone": True, "quarantine": "quarantine"}, ["Mieszka sam/sama", "Kwarantanna lub izolacja"]),
    (
        "job_loss_distress",
        {"lost_job_or_income": True, "distress_about_loss": True},
        ["Utrata pracy lub dochodu w związku z epidemią", "Sytuacja bardzo przytłacza osobę"],
    ),
    ("bereavement", {"bereavement": True}, ["Niedawna śmierć bliskiej osoby"]),
    ("addiction_support_lost", {"addiction_support_lost": True}, ["Przerwana terapia uzależnień lub grupa wsparcia"]),
    ("no_food_or_medicines", {"medicine_access": False}, ["Ma dostęp do potrzebnych leków"]),
]

NEAR_MISSES = [
    {"suicidal_thoughts": False},
    {"suicidal_thoughts": False, "suicide_plan": True},
    {"violence_at_home": False, "violence_minor": True},
    {"fear_about_future": "none"},
    {"lives_alone": True, "quarantine": "none", "has_support_person": True},
    {"lives_alone": False, "quarantine": "isolation"},
    {"lost_job_or_income": True, "distress_about_loss": False},
    {"food_access": True, "medicine_access": True},
    {"bereavement": False, "addiction_support_lost": False},
]


@pytest.fixture
def worker_interview(login_as: Callable[..., Any], make_case: Callable[..., Any], make_interview: Callable[..., Any]):  # type: ignore[no-untyped-def]
    """Log in as a worker and give them an interview with the given answers."""

    def build(answers: dict[str, Any]):  # type: ignore[no-untyped-def]
        worker = login_as(Role.WORKER)
        interview = make_interview(make_case(worker), worker, answers)
        return worker, interview

    return build


@pytest.mark.parametrize(("rule_id", "answers", "labels"), RULE_CASES, ids=[c[0] for c in RULE_CASES])
def test_flags_endpoint_shows_banner_for_each_rule_naming_its_questions(
    client: FlaskClient, worker_interview: Any, rule_id: str, answers: dict[str, Any], labels: list[str]
) -> None:
    """Each shipped rule puts a banner in the panel that names the triggering questions by label, not by value."""
    _, interview = worker_interview(answers)
    response = client.get(f"/interviews/{interview.id}/flags", headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'id="flag-{rule_id}"' in html
    banner = html.split(f'id="flag-{rule_id}"', 1)[1].split("</article>", 1)[0]
    for label in labels:
        assert label in banner
    assert "<html" not in html  # an htmx fragment, not a page


@pytest.mark.parametrize("answers", NEAR_MISSES)
def test_flags_endpoint_shows_no_banner_on_near_misses(
    client: FlaskClient, worker_interview: Any, answers: dict[str, Any]
) -> None:
    """Answers next to a risk sign but not it raise no banner."""
    _, interview = worker_interview(answers)
    html = client.get(f"/interviews/{interview.id}/flags", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'class="flag flag-' not in html
    assert "Odpowiedzi nie wskazują na potrzebę wsparcia psychologicznego." in html


def test_urgent_flags_come_first_with_crisis_numbers_open(client: FlaskClient, worker_interview: Any) -> None:
    """The most urgent flag is first; urgent ones show the crisis guidance open with tel: links."""
    _, interview = worker_interview({"bereavement": True, "suicidal_thoughts": True, "suicide_plan": True})
    html = client.get(f"/interviews/{interview.id}/flags").get_data(as_text=True)
    assert html.index('id="flag-suicide_risk"') < html.index('id="flag-bereavement"')
    urgent = html.split('id="flag-suicide_risk"', 1)[1].split("</article>", 1)[0]
    assert '<details class="crisis" open>' in urgent
    for tel in ("tel:112", "tel:800702222", "tel:116123", "tel:116111"):
        assert f'href="{tel}"' in urgent
    bereavement = html.split('id="flag-bereavement"', 1)[1].split("</article>", 1)[0]
    assert "tel:" not in bereavement


def test_violence_flag_points_to_niebieska_karta_and_blue_line(client: FlaskClient, worker_interview: Any) -> None:
    """Violence at home shows the Niebieska Karta note and 800 120 002."""
    _, interview = worker_interview({"violence_at_home": True, "violence_minor": False})
    html = client.get(f"/interviews/{interview.id}/flags").get_data(as_text=True)
    banner = html.split('id="flag-domestic_violence"', 1)[1].split("</article>", 1)[0]
    assert "Niebieska Karta" in banner
    assert 'href="tel:800120002"' in banner


def test_panel_loads_once_with_the_runner_and_never_per_save(client: FlaskClient, worker_interview: Any) -> None:
    """The runner's panel loads with the page; saves do not make it fetch itself (they send it when flags change)."""
    _, interview = worker_interview({})
    runner = client.get(f"/interviews/{interview.id}").get_data(as_text=True)
    panel = runner.split('id="flags-panel"', 1)[1].split("</section>", 1)[0]
    assert f'hx-get="/interviews/{interview.id}/flags"' in panel
    assert 'hx-trigger="load"' in panel
    assert "answer-saved" not in runner
    page = client.get(f"/interviews/{interview.id}/flags").get_data(as_text=True)
    assert "hx-trigger" not in page.split('id="flags-panel"', 1)[1].split(">", 1)[0]


def test_dismissal_needs_a_reason(client: FlaskClient, worker_interview: Any, db: Session) -> None:
    """Dismissing without a reason is refused with a Polish message next to the field; nothing is stored."""
    _, interview = worker_interview({"bereavement": True})
    response = client.post(
        f"/interviews/{interview.id}/flags/bereavement/dismiss", data={"reason": " ", "csrf_token": token(client)}
    )
    assert response.status_code == 422
    assert "Podaj powód odrzucenia sygnału" in response.get_data(as_text=True)
    assert db.exec(select(FlagDecision)).all() == []


def test_dismissed_flag_stays_dismissed_until_its_answers_change(
    client: FlaskClient, worker_interview: Any, db: Session
) -> None:
    """A dismissal is recorded with who and when, holds across reloads, and lapses when a triggering answer changes."""
    worker, interview = worker_interview({"lives_alone": True, "quarantine": "quarantine"})
    response = client.post(
        f"/interviews/{interview.id}/flags/isolation/dismiss",
        data={"reason": "Córka codziennie robi zakupy.", "csrf_token": token(client)},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    decision = db.exec(select(FlagDecision)).one()
    assert (decision.decision, decision.decided_by_id, decision.reason) == ("dismissed", worker.id, "Córka codziennie robi zakupy.")
    html = client.get(f"/interviews/{interview.id}/flags").get_data(as_text=True)
    assert "Córka codziennie robi zakupy." in html
    assert "Potwierdź i skieruj do psychologa" not in html

    # Unrelated answers change: still dismissed.
    put_answers(db, interview, {"bereavement": False}, worker)
    assert "Potwierdź i skieruj do psychologa" not in client.get(f"/interviews/{interview.id}/flags").get_data(as_text=True)

    # A triggering answer changes (quarantine -> isolation): the flag asks for a decision again.
    put_answers(db, interview, {"quarantine": "isolation"}, worker)
    html = client.get(f"/interviews/{interview.id}/flags").get_data(as_text=True)
    assert "Potwierdź i skieruj do psychologa" in html
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "referral.flag_dismissed")).one()
    assert "Córka" not in event.details  # ids only in the audit log


@pytest.mark.parametrize("role", [Role.PSYCHOLOGIST, Role.ADMIN])
def test_flags_endpoint_is_forbidden_to_psychologists_and_admins(
    client: FlaskClient, login_as: Callable[..., Any], make_case: Any, make_interview: Any, user_factory: Any, role: Role
) -> None:
    """Only workers and supervisors see an interview's flags."""
    worker = user_factory(Role.WORKER)
    interview = make_interview(make_case(worker), worker, {"bereavement": True})
    login_as(role)
    assert client.get(f"/interviews/{interview.id}/flags").status_code == 403


def test_flags_of_another_workers_interview_are_not_found(
    client: FlaskClient, login_as: Callable[..., Any], make_case: Any, make_interview: Any, user_factory: Any
) -> None:
    """A worker who neither ran the interview nor holds the case gets 404."""
    other = user_factory(Role.WORKER)
    interview = make_interview(make_case(other), other, {"bereavement": True})
    login_as(Role.WORKER)
    assert client.get(f"/interviews/{interview.id}/flags").status_code == 404
