"""One interview state per request: the answers decoded once, one evaluation per answer map, flag changes seen."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from app.formdefs import FormDefinition, FormRegistry, may_change_flags
from app.interviews.interview_state import AnswerState, flags_changed
from app.interviews.models import Answer

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def form() -> FormDefinition:
    """The built-in RWS form."""
    return FormRegistry.from_directory(None).latest("rws")


def _row(key: str, value: Any, *, raw: str | None = None, valid: bool = True) -> Answer:
    return Answer(interview_id=1, key=key, raw=raw if raw is not None else str(value),
                  value=json.dumps(value) if valid else None, valid=valid, revision=1, updated_at=NOW, updated_by_id=1)


def _state(form: FormDefinition, **answers: Any) -> AnswerState:
    return AnswerState(form, {key: _row(key, value) for key, value in answers.items()})


def test_answers_are_the_valid_stored_values_only(form: FormDefinition) -> None:
    """Rows kept invalid as typed count as unanswered for the form's logic."""
    state = AnswerState(form, {"safe_to_talk": _row("safe_to_talk", True),
                               "postcode": _row("postcode", None, raw="00 95O", valid=False)})
    assert state.answers == {"safe_to_talk": True}


def test_evaluation_is_made_once_per_state_and_kept_while_the_answers_stay_the_same(form: FormDefinition) -> None:
    """A save that changes only an invalid raw text shares the evaluation; one that changes a value does not."""
    state = _state(form, safe_to_talk=True)
    first = state.evaluation
    assert state.evaluation is first
    retyped = state.with_row(_row("postcode", None, raw="00-95", valid=False))
    assert retyped.evaluation is first
    changed = state.with_row(_row("answered_by", "other"))
    assert changed.evaluation is not first
    assert changed.evaluation.is_visible("answered_by_name") and not first.is_visible("answered_by_name")


def test_flags_changed_only_when_a_flag_fires_stops_or_its_trigger_changes(form: FormDefinition) -> None:
    """The banner is sent again when the set of fired flags (or what made one fire) changes, not for other saves."""
    calm = _state(form, safe_to_talk=True, suicidal_thoughts=False)
    assert not flags_changed(calm, calm.with_row(_row("city", "Łódź")), "city")
    fired = calm.with_row(_row("suicidal_thoughts", True))
    assert flags_changed(calm, fired, "suicidal_thoughts")
    assert not flags_changed(fired, fired.with_row(_row("fear_about_future", "none")), "fear_about_future")
    planned = fired.with_row(_row("suicide_plan", True))
    assert flags_changed(fired, planned, "suicide_plan")  # same flag, now also fired by the plan
    not_safe = planned.with_row(_row("safe_to_talk", False))
    assert flags_changed(planned, not_safe, "safe_to_talk")  # not safe: everything hidden


def test_a_save_no_flag_or_visibility_reads_does_not_evaluate_the_state_before_it(form: FormDefinition) -> None:
    """Only the state after such a save is evaluated (for the reply); the state before it stays unevaluated."""
    before = _state(form, safe_to_talk=True, suicidal_thoughts=True)
    after = before.with_row(_row("city", "Łódź"))
    assert not flags_changed(before, after, "city")
    assert before._evaluation is None


@pytest.mark.parametrize("key", ["city", "address", "postcode"])
def test_answers_no_rule_or_relevant_names_cannot_change_flags(form: FormDefinition, key: str) -> None:
    """For every answer `may_change_flags` lets through, changing it leaves the fired flags exactly as they were."""
    assert not may_change_flags(form, key)


def test_answers_rules_or_visibility_read_can_change_flags(form: FormDefinition) -> None:
    """The answers a rule names, and those `relevant` names (they hide what rules read), are watched."""
    assert may_change_flags(form, "suicidal_thoughts")
    assert may_change_flags(form, "safe_to_talk")
    assert may_change_flags(form, "answered_by")
