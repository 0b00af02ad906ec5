"""One interview state per request: the answers decoded once, one evaluation per answer map, flag changes seen."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from app.formdefs import (
    FormDefinition,
    FormRegistry,
    answer_key,
    evaluate,
    may_change_flags,
    may_change_screen,
    progress,
)
from app.interviews.answers import StoredAnswer
from app.interviews.interview_state import AnswerState, flags_changed, screen_changed, stands_alone
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


def _slots(form: FormDefinition) -> list[str]:
    """Every answer key of the form, a repeat group's members as its first member's keys."""
    keys = []
    for question in form.questions():
        if question.group is not None or not question.holds_answer:
            continue
        keys.append(question.id)
        keys += [answer_key(m.id, question.id, 0) for m in question.questions if m.holds_answer]
    return keys


def test_an_answer_no_rule_reads_changes_nothing_around_it_while_it_stays_answered(form: FormDefinition) -> None:
    """For every answer `may_change_screen` lets through, a new answered value leaves what is shown, the counts, the
    hidden answers and the progress exactly as they were: an autosave may answer with the field alone."""
    base: dict[str, Any] = {"safe_to_talk": True, "optional_segments": ["B", "C", "D", "E", "F", "G"], "household": 2}
    free = [key for key in _slots(form) if not may_change_screen(form, key)]
    assert "city" in free and len(free) > 40
    for key in free:
        one, other = ({**base, key: value} for value in ("x", "y"))
        first, second = evaluate(form, one), evaluate(form, other)
        assert (first.visible, first.visible_sections, first.counts, first.hidden_answers) == (
            second.visible, second.visible_sections, second.counts, second.hidden_answers), key
        assert progress(form, one, evaluation=first) == progress(form, other, evaluation=second), key


def test_the_screen_changes_when_an_answer_is_read_by_a_rule_or_becomes_answered_or_empty(form: FormDefinition) -> None:
    """Typing on in an answered field changes nothing around it; answering it, emptying it, or changing an answer a
    rule, a count or the segment choice reads does."""
    before = _state(form, safe_to_talk=True, city="Puck")
    assert not screen_changed(before, before.with_row(_row("city", "Hel")), "city")
    assert before._evaluation is None
    assert screen_changed(before, before.with_row(_row("city", None, raw="", valid=False)), "city")
    assert screen_changed(before, before.with_row(_row("address", "ul. Polna 1")), "address")
    for key, value in (("answered_by", "other"), ("household", 3), ("optional_segments", ["B"])):
        assert may_change_screen(form, key)
        assert screen_changed(before, before.with_row(_row(key, value)), key)


def _stored(**answers: Any) -> dict[str, StoredAnswer]:
    return {key: StoredAnswer(n, 1, key, json.dumps(value), str(value), True, 1, NOW, 1)
            for n, (key, value) in enumerate(answers.items(), start=1)}


def test_a_save_stands_alone_only_when_it_types_on_in_an_answered_field_nothing_else_reads(
    form: FormDefinition,
) -> None:
    """Such a save relies on no other answer (autosave claims the interview for it whatever else was saved
    meanwhile); a first answer, an emptied one, a member of a repeat group, a watched answer and one whose check
    reads other answers do rely on them."""
    member = answer_key("member_name", "household", 0)
    state = AnswerState(form, _stored(city="Łódź", dwelling_type="flat", pesel="02070803628", household=1,
                                      **{member: "Anna"}))
    question = form.question
    assert stands_alone(state, question("city"), "city", json.dumps("Gdańsk"))
    assert not stands_alone(state, question("city"), "city", None)  # emptied (or kept invalid): progress changes
    assert not stands_alone(state, question("address"), "address", json.dumps("ul. Polna 1"))  # first answer
    assert not stands_alone(state, question("dwelling_type"), "dwelling_type", json.dumps("house"))  # a rule reads it
    assert not stands_alone(state, question("pesel"), "pesel", json.dumps("02070803628"))  # checked against others
    assert not stands_alone(state, question("member_name"), member, json.dumps("Ola"))  # the count may change


@pytest.mark.parametrize("row", [
    _row("city", "Hel"),  # changed
    _row("address", "ul. Polna 1"),  # new
    _row("city", None, raw="", valid=False),  # emptied
    _row("postcode", None, raw="00 95O", valid=False),  # kept invalid as typed
])
def test_the_state_after_a_save_holds_what_reading_every_row_again_would(form: FormDefinition, row: Answer) -> None:
    """`with_row` decodes only the changed answer: the result is the state read afresh, in the same order."""
    before = _state(form, safe_to_talk=True, city="Łódź", postcode="00-950")
    after = before.with_row(row)
    fresh = AnswerState(form, {**before.rows, row.key: row})
    assert after.answers == fresh.answers
    assert list(after.answers) == list(fresh.answers)
