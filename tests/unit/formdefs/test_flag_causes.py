"""A flag names only the answers that are its reason (issue 15, point 6)."""

from __future__ import annotations

from typing import Any

from app.formdefs import FormDefinition
from app.formdefs.flags import fired_flags
from app.referrals.flag_causes import causes
from tests.unit.formdefs.test_formdefs_rws import BASE, TODAY


def _causes(form: FormDefinition, answers: dict[str, Any], rule: str) -> list[str]:
    merged = {**BASE, **answers}
    flag = next(f for f in fired_flags(form, merged, today=TODAY) if f.rule_id == rule)
    return causes(form, merged, flag)


def test_a_plan_answered_no_is_not_named(rws: FormDefinition) -> None:
    """Thoughts "Tak", plan "Nie": the flag cites the thoughts only."""
    assert _causes(rws, {"suicidal_thoughts": True, "suicide_plan": False}, "suicide_risk") == ["suicidal_thoughts"]


def test_both_yes_are_both_named(rws: FormDefinition) -> None:
    named = _causes(rws, {"suicidal_thoughts": True, "suicide_plan": True}, "suicide_risk")
    assert named == ["suicidal_thoughts", "suicide_plan"]


def test_a_no_the_rule_looks_for_is_named(rws: FormDefinition) -> None:
    """ "No access to food" is the risk itself."""
    assert _causes(rws, {"food_access": False, "medicine_access": True}, "no_food_or_medicines") == ["food_access"]
    both = _causes(rws, {"food_access": False, "medicine_access": False}, "no_food_or_medicines")
    assert both == ["food_access", "medicine_access"]


def test_a_child_in_the_household_is_named_not_the_minor_answered_no(rws: FormDefinition) -> None:
    answers = {
        "violence_at_home": True,
        "violence_minor": False,
        "household": 1,
        "household.0.member_name": "Ola",
        "household.0.member_relation": "child",
        "household.0.member_birth_date": "2012-03-01",
    }
    named = _causes(rws, answers, "violence_child")
    assert named == ["violence_at_home", "household.0.member_birth_date"]
