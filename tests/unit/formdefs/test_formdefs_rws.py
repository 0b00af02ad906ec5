"""The shipped RWS definitions: they load clean and behave as the domain requires."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from app.formdefs import (
    FormDefinition,
    FormRegistry,
    check_paths,
    completion_problems,
    fired_flags,
    prefill_update,
)
from app.formdefs.model import MANDATORY_SEGMENTS

TODAY = dt.date(2020, 4, 15)

ART_7_REASONS = 15  # the catalogue without the repealed point 10

BASE: dict[str, Any] = {
    "mode": "phone_15o",
    "interview_started_at": "2020-04-15T10:00",
    "number_called": "+48600100200",
    "answered_by": "person",
    "identity_confirmation": ["pesel_dob"],
    "safe_to_talk": True,
    "instruction_acknowledged": True,
    "instruction_time": "10:02",
    "optional_segments": [],
    "full_name": "Anna Nowak",
    "birth_date": "1944-05-14",
    "pesel": "44051401359",
    "address": "ul. Morska 1/2",
    "postcode": "84-100",
    "city": "Puck",
    "phone": "+48600100200",
    "needs": ["food"],
    "art7_reasons": ["poverty"],
    "worker_assessment": "Osoba starsza, samotna.",
    "proposed_help": ["in_kind"],
    "plan_description": "Paczka żywnościowa.",
}


def test_shipped_definitions_check_clean() -> None:
    """forms/ has no problems (this is what CI and `telewywiad forms check` run)."""
    assert check_paths([]) == []


def test_registry_has_rws_and_its_update(registry: FormRegistry) -> None:
    """Both forms are published at version 1, the update pinned to rws v1."""
    assert registry.form_ids() == ["rws", "rws-update"]
    assert registry.latest("rws-update").variant_of == ("rws", 1)


def test_rws_has_all_segments_with_a_h_i_j_mandatory(rws: FormDefinition) -> None:
    """Segments A-J are present; exactly A, H, I, J are mandatory."""
    segments = {s.segment: s for s in rws.sections if s.segment}
    assert sorted(segments) == list("ABCDEFGHIJ")
    assert {k for k, s in segments.items() if s.mandatory} == MANDATORY_SEGMENTS


def test_every_section_has_a_comments_field(rws: FormDefinition) -> None:
    """The worker can comment on each part."""
    for section in rws.sections:
        assert any(q.id.endswith("_comments") and q.type == "longtext" for q in section.questions), section.id


def test_art7_reasons_are_all_listed(rws: FormDefinition) -> None:
    """Segment I offers every reason of the art. 7 catalogue."""
    assert len(rws.question("art7_reasons").choices) == ART_7_REASONS


def test_only_the_referral_minimum_is_visible_to_psychologists(rws: FormDefinition) -> None:
    """Name, phone, best time and communication needs; health and violence answers stay with worker+supervisor."""
    visible = {q.id for q in rws.questions() if q.visible_for("psychologist")}
    assert visible == {"full_name", "phone", "psych_phone", "psych_best_time", "psych_communication_needs"}
    for qid in ("suicidal_thoughts", "violence_at_home", "illness_description", "addictions"):
        assert rws.question(qid).visible_to == {"worker", "supervisor"}


def test_minimal_phone_interview_completes_without_blocking_problems(rws: FormDefinition) -> None:
    """The mandatory answers of a telephone interview are enough to finish."""
    problems = completion_problems(rws, BASE, today=TODAY)
    assert [p for p in problems if p.blocking] == []


def test_not_safe_to_talk_interrupts_and_blocks_completion(rws: FormDefinition) -> None:
    """'No' keeps only the call-back question and prevents completing the interview."""
    answers = {**BASE, "safe_to_talk": False}
    problems = completion_problems(rws, answers, today=TODAY)
    assert ("safe_callback_times", "required") in {(p.question_id, p.kind) for p in problems}
    assert {p.section_id for p in problems if p.kind == "segment"} == {
        "segment_a",
        "segment_h",
        "segment_i",
        "segment_j",
    }


@pytest.mark.parametrize(
    ("answers", "expected", "triggers"),
    [
        ({"suicidal_thoughts": True}, "suicide_risk", ("suicidal_thoughts",)),
        (
            {"suicidal_thoughts": True, "suicide_plan": True},
            "suicide_risk",
            ("suicidal_thoughts", "suicide_plan"),
        ),
        ({"warning_signs": ["giving_away"]}, "suicide_warning_signs", ("warning_signs",)),
        ({"violence_at_home": True, "violence_minor": False}, "domestic_violence", ("violence_at_home",)),
        (
            {"violence_at_home": True, "violence_minor": True},
            "violence_child",
            ("violence_at_home", "violence_minor"),
        ),
        ({"fear_about_future": "strong"}, "anxiety_severe", ("fear_about_future",)),
        ({"fear_about_future": "some"}, "anxiety", ("fear_about_future",)),
        ({"lives_alone": True, "quarantine": "quarantine"}, "isolation", ("lives_alone", "quarantine")),
        (
            {"lives_alone": True, "has_support_person": False},
            "isolation",
            ("lives_alone", "has_support_person"),
        ),
        (
            {"lost_job_or_income": True, "distress_about_loss": True},
            "job_loss_distress",
            ("lost_job_or_income", "distress_about_loss"),
        ),
        ({"bereavement": True}, "bereavement", ("bereavement",)),
        ({"addiction_support_lost": True}, "addiction_support_lost", ("addiction_support_lost",)),
        ({"food_access": False}, "no_food_or_medicines", ("food_access",)),
        ({"medicine_access": False}, "no_food_or_medicines", ("medicine_access",)),
    ],
)
def test_each_risk_flag_fires_on_the_answers_it_names(
    rws: FormDefinition, answers: dict[str, Any], expected: str, triggers: tuple[str, ...]
) -> None:
    """Each risk sign from DOMAIN.md raises its flag, naming exactly the answers behind it."""
    fired = {f.rule_id: f for f in fired_flags(rws, {**BASE, **answers}, today=TODAY)}
    assert expected in fired
    assert fired[expected].triggered_by == triggers


@pytest.mark.parametrize(
    "answers",
    [
        {"suicidal_thoughts": False},
        {"suicidal_thoughts": False, "suicide_plan": True},  # hidden follow-up does not count
        {"violence_at_home": False, "violence_minor": True},
        {"fear_about_future": "none"},
        {"lives_alone": True, "quarantine": "none", "has_support_person": True},
        {"lives_alone": False, "quarantine": "isolation"},
        {"lost_job_or_income": True, "distress_about_loss": False},
        {"lost_job_or_income": False, "distress_about_loss": True},
        {"food_access": True, "medicine_access": True},
        {"bereavement": False, "addiction_support_lost": False},
    ],
)
def test_no_flag_fires_on_near_misses(rws: FormDefinition, answers: dict[str, Any]) -> None:
    """Answers next to a risk sign, but not it, raise nothing."""
    assert fired_flags(rws, {**BASE, **answers}, today=TODAY) == []


def test_violence_with_a_child_in_the_household_is_urgent(rws: FormDefinition) -> None:
    """Violence plus a minor household member fires the child rule, naming that member's birth date."""
    answers = {
        **BASE,
        "violence_at_home": True,
        "household": 1,
        "household.0.member_name": "Ola",
        "household.0.member_relation": "child",
        "household.0.member_birth_date": "2012-03-01",
    }
    fired = {f.rule_id: f for f in fired_flags(rws, answers, today=TODAY)}
    assert fired["violence_child"].priority == "urgent"
    assert fired["violence_child"].triggered_by == ("violence_at_home", "household.0.member_birth_date")


def test_update_prefills_facts_but_not_the_call_or_risk_answers(rws_update: FormDefinition) -> None:
    """An update starts from the last interview's facts; call record, safety, instruction and risk are asked anew."""
    previous = {**BASE, "suicidal_thoughts": True, "psych_consent": True}
    prefilled = prefill_update(rws_update, previous)
    for per_call in (
        "mode",
        "interview_started_at",
        "safe_to_talk",
        "instruction_acknowledged",
        "suicidal_thoughts",
        "psych_consent",
    ):
        assert per_call not in prefilled
    assert prefilled["full_name"] == "Anna Nowak"
    assert prefilled["art7_reasons"] == ["poverty"]
    assert rws_update.question("update_reasons").required
