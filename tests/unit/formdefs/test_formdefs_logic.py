"""Interview logic over stored answers: skip logic, completion, flags with their triggers, progress, updates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from app.formdefs import (
    FormDefinition,
    answer_key,
    changes,
    completion_problems,
    evaluate,
    fired_flags,
    load_form,
    may_change_flags,
    may_change_screen,
    parse_key,
    pending_actions,
    prefill_update,
    progress,
    redact,
    validate_answer,
)
from app.formdefs.keys import AnswerKey, remove_member

TODAY = dt.date(2020, 4, 15)

FORM = """
id: demo
version: 1
title: {pl: Demo, en: Demo}
segment_choice: segs
sections:
  - id: safety
    title: {pl: B, en: S}
    questions:
      - {id: safe, type: yesno, label: {pl: a, en: a}, required: true, on_no: interrupt_unsafe, prefill: false}
      - {id: callback, type: text, label: {pl: a, en: a}, relevant: "safe = false", required: true}
  - id: scope
    title: {pl: Z, en: S}
    relevant: "safe = true"
    questions:
      - id: segs
        type: select_multiple
        label: {pl: a, en: a}
        choices: [{value: B, label: {pl: B, en: B}}]
  - id: a
    segment: A
    mandatory: true
    title: {pl: A, en: A}
    relevant: "safe = true"
    questions:
      - {id: name, type: text, label: {pl: Imię, en: Name}, required: true, visible_to: [worker, supervisor, psychologist]}
      - {id: email, type: text, label: {pl: E-mail, en: E-mail}, recommended: true}
      - id: household
        type: repeat
        label: {pl: Domownicy, en: Household}
        max_count: 3
        questions:
          - {id: dob, type: date, label: {pl: Data, en: Date}, required: true}
          - {id: pesel, type: pesel, label: {pl: PESEL, en: PESEL}, consistent_with_birth_date: dob}
          - {id: school, type: text, label: {pl: Szkoła, en: School}, relevant: "age(dob) < 18", required: true}
  - id: b
    segment: B
    title: {pl: B, en: B}
    relevant: "safe = true and selected(segs, 'B')"
    questions:
      - {id: income, type: money, label: {pl: Dochód, en: Income}, required: true}
  - {id: h, segment: H, mandatory: true, title: {pl: H, en: H}, relevant: "safe = true", questions: [{id: needs, type: text, label: {pl: Potrzeby, en: Needs}, required: true}]}
  - {id: i, segment: I, mandatory: true, title: {pl: I, en: I}, relevant: "safe = true", questions: [{id: diag, type: text, label: {pl: Diagnoza, en: Diagnosis}}]}
  - {id: j, segment: J, mandatory: true, title: {pl: J, en: J}, relevant: "safe = true", questions: [{id: plan, type: text, label: {pl: Plan, en: Plan}}]}
  - id: risk
    title: {pl: R, en: R}
    relevant: "safe = true"
    questions:
      - {id: suicidal, type: yesno, label: {pl: a, en: a}, prefill: false}
      - {id: violence, type: yesno, label: {pl: a, en: a}, prefill: false}
      - {id: minor, type: yesno, label: {pl: a, en: a}, relevant: "violence = true", prefill: false}
flags:
  - {id: violence_child, when: "violence = true and (minor = true or any(household, age(dob) < 18))", priority: urgent, guidance: niebieska_karta, explanation: {pl: a, en: a}}
  - {id: suicide, when: "suicidal = true", priority: urgent, guidance: crisis, explanation: {pl: a, en: a}}
  - {id: lonely, when: "count(household) = 0 and answered(name)", priority: normal, explanation: {pl: a, en: a}}
"""

COMPLETE = {
    "safe": True,
    "segs": [],
    "name": "Jan Kowalski",
    "email": "jan@example.pl",
    "household": 1,
    "household.0.dob": "1970-01-01",
    "needs": "żywność",
    "diag": "ubóstwo",
    "plan": "zasiłek",
}


@pytest.fixture
def form(write_form: Callable[..., Path]) -> FormDefinition:
    """The small demo form above."""
    return load_form(write_form(FORM))


def kinds(problems: list) -> list[tuple[str, str, str | None]]:
    return [(p.severity, p.kind, p.answer_key) for p in problems]


def test_answer_keys_round_trip() -> None:
    """Top-level keys are the question id; members are group.index.question."""
    assert answer_key("dob", "household", 2) == "household.2.dob"
    assert parse_key("household.2.dob") == AnswerKey("dob", "household", 2)
    assert parse_key("name") == AnswerKey("name")
    with pytest.raises(ValueError, match="not an answer key"):
        parse_key("household.x.dob")


def test_unsafe_answer_hides_everything_but_the_callback_and_asks_to_interrupt(form: FormDefinition) -> None:
    """'Not safe to talk' leaves only the call-back question, keeps earlier answers hidden, and interrupts."""
    answers = {"safe": False, "name": "Jan"}
    evaluation = evaluate(form, answers, today=TODAY)
    assert [s for s, shown in evaluation.visible_sections.items() if shown] == ["safety"]
    assert evaluation.is_visible("callback")
    assert evaluation.hidden_answers == ["name"]
    assert [(a.question_id, a.action) for a in pending_actions(form, answers)] == [
        ("safe", "interrupt_unsafe")
    ]
    assert pending_actions(form, {"safe": True}) == []


def test_member_skip_logic_is_evaluated_per_member(form: FormDefinition) -> None:
    """A member question's relevance uses that member's own answers."""
    answers = {"safe": True, "household": 2, "household.0.dob": "2010-05-01", "household.1.dob": "1960-05-01"}
    evaluation = evaluate(form, answers, today=TODAY)
    assert evaluation.is_visible("household.0.school")
    assert not evaluation.is_visible("household.1.school")


def test_complete_interview_has_no_problems(form: FormDefinition) -> None:
    """All required answers in mandatory segments: nothing blocks, nothing warns."""
    assert completion_problems(form, COMPLETE, today=TODAY) == []


def test_completion_lists_required_as_blocking_and_recommended_as_warning(form: FormDefinition) -> None:
    """Missing required answers block; missing recommended ones only warn; messages are bilingual."""
    answers = {**COMPLETE, "email": None, "household.0.dob": None}
    problems = completion_problems(form, answers, today=TODAY)
    assert kinds(problems) == [
        ("warning", "recommended", "email"),
        ("blocking", "required", "household.0.dob"),
    ]
    assert problems[1].message.pl == "Brak wymaganej odpowiedzi: Data"
    assert problems[1].section_id == "a"
    assert problems[1].question_id == "dob"


def test_optional_segments_are_enforced_only_when_applicable(form: FormDefinition) -> None:
    """B's required income is checked only when B is marked applicable (by answer or argument)."""
    assert completion_problems(form, COMPLETE, applicable_segments=[], today=TODAY) == []
    marked = {**COMPLETE, "segs": ["B"]}
    assert kinds(completion_problems(form, marked, today=TODAY)) == [
        ("blocking", "required", "income"),
        ("blocking", "segment", None),
    ]


def test_mandatory_segments_must_have_answers_and_cannot_be_skipped(form: FormDefinition) -> None:
    """An empty mandatory segment blocks completion, and so does an interrupted (unsafe) call."""
    problems = completion_problems(form, {**COMPLETE, "diag": None, "plan": ""}, today=TODAY)
    assert [(p.kind, p.section_id) for p in problems] == [("segment", "i"), ("segment", "j")]
    assert problems[0].message.en == "Part I (I) is mandatory and has no answers."
    unsafe = completion_problems(form, {"safe": False, "callback": "jutro"}, today=TODAY)
    assert {p.section_id for p in unsafe} == {"a", "h", "i", "j"}
    assert all(p.blocking for p in unsafe)


def test_invalid_stored_values_and_cross_checks_block_completion(form: FormDefinition) -> None:
    """Stored answers are re-validated in context, e.g. a PESEL that contradicts the member's birth date."""
    answers = {**COMPLETE, "household.0.pesel": "44051401359", "household": 4}
    problems = completion_problems(form, answers, today=TODAY)
    assert ("blocking", "count", "household") in kinds(problems)
    assert ("blocking", "invalid", "household.0.pesel") in kinds(problems)
    invalid = next(p for p in problems if p.kind == "invalid")
    assert invalid.message.en == "PESEL: The PESEL number does not match the date of birth (01.01.1970)."


def test_validate_answer_sees_the_member_scope(form: FormDefinition) -> None:
    """validate_answer checks a member's PESEL against that member's birth date."""
    answers = {**COMPLETE, "household": 2, "household.1.dob": "1944-05-14"}
    assert validate_answer(form, answers, "household.1.pesel", "44051401359", today=TODAY).ok
    assert not validate_answer(form, answers, "household.0.pesel", "44051401359", today=TODAY).ok


def test_flags_fire_with_the_answers_that_triggered_them(form: FormDefinition) -> None:
    """A fired flag names the referenced answers that hold values, most urgent first."""
    answers = {**COMPLETE, "violence": True, "minor": False, "household": 2, "household.1.dob": "2012-01-01"}
    fired = fired_flags(form, answers, today=TODAY)
    assert [f.rule_id for f in fired] == ["violence_child"]
    assert fired[0].triggered_by == ("violence", "minor", "household.0.dob", "household.1.dob")
    assert fired[0].guidance == "niebieska_karta"


@pytest.mark.parametrize(
    "near_miss",
    [
        {"violence": False, "minor": True},  # hidden minor answer must not count
        {"violence": True, "minor": False},  # only adults in the household
        {"violence": None},
        {"suicidal": False},
    ],
)
def test_flags_do_not_fire_on_near_misses(form: FormDefinition, near_miss: dict) -> None:
    """Flags need the exact condition: 'no', unanswered or hidden answers never fire them."""
    fired = fired_flags(form, {**COMPLETE, **near_miss}, today=TODAY)
    assert [f.rule_id for f in fired] == []


def test_hidden_answers_do_not_fire_flags(form: FormDefinition) -> None:
    """When it is not safe to talk, earlier risk answers are hidden and fire nothing."""
    assert [f.rule_id for f in fired_flags(form, {**COMPLETE, "suicidal": True}, today=TODAY)] == ["suicide"]
    assert fired_flags(form, {**COMPLETE, "suicidal": True, "safe": False}, today=TODAY) == []


def test_progress_counts_visible_questions_in_enforced_sections(form: FormDefinition) -> None:
    """Progress counts answered vs. shown questions, members per member, skipping notes and hidden ones."""
    result = progress(form, {"safe": True, "name": "Jan", "household": 1}, today=TODAY)
    section_a = next(s for s in result.sections if s.section_id == "a")
    assert (section_a.answered, section_a.total, section_a.required_missing) == (1, 4, 1)
    assert not next(s for s in result.sections if s.section_id == "b").visible
    assert 0 < result.percent < 100


def test_redact_keeps_only_what_the_role_may_see(form: FormDefinition) -> None:
    """A psychologist sees only fields marked visible_to psychologist."""
    assert redact(form, COMPLETE, "psychologist") == {"name": "Jan Kowalski"}
    assert redact(form, COMPLETE, "supervisor") == COMPLETE


def test_remove_member_shifts_later_members_down(form: FormDefinition) -> None:
    """Deleting a household member renumbers the ones after it and updates the count."""
    answers = {
        "household": 3,
        "household.0.dob": "2000-01-01",
        "household.1.dob": "2001-01-01",
        "household.2.dob": "2002-01-01",
    }
    assert remove_member(form, answers, "household", 1) == {
        "household": 2,
        "household.0.dob": "2000-01-01",
        "household.1.dob": "2002-01-01",
    }


def test_prefill_copies_previous_answers_except_per_call_ones(form: FormDefinition) -> None:
    """The update starts from the last interview but asks safety and risk questions anew."""
    previous = {**COMPLETE, "suicidal": True, "unknown_question": "x", "household.0.pesel": "bad"}
    prefilled = prefill_update(form, previous)
    assert "safe" not in prefilled
    assert "suicidal" not in prefilled
    assert "unknown_question" not in prefilled
    assert "household.0.pesel" not in prefilled  # no longer valid: asked again
    assert prefilled["name"] == "Jan Kowalski"
    assert prefilled["household.0.dob"] == "1970-01-01"


def test_changes_list_added_removed_and_changed_answers_in_form_order(form: FormDefinition) -> None:
    """The diff says what changed between the last interview and the update."""
    previous = {**COMPLETE}
    current = {
        **COMPLETE,
        "email": None,
        "household": 2,
        "household.1.dob": "2015-02-02",
        "name": "Jan Nowak",
        "safe": False,
    }
    diff = changes(previous, current, form)
    assert [(c.key, c.kind, c.before, c.after) for c in diff] == [
        ("name", "changed", "Jan Kowalski", "Jan Nowak"),
        ("email", "removed", "jan@example.pl", None),
        ("household", "changed", 1, 2),
        ("household.1.dob", "added", None, "2015-02-02"),
    ]
    assert [c.key for c in changes(previous, current)] == [
        "email",
        "household",
        "household.1.dob",
        "name",
        "safe",
    ]


def test_a_count_and_the_segment_choice_change_the_screen_though_no_rule_names_them(
    write_form: Callable[..., Path],
) -> None:
    """A repeat's count decides which members are shown and the segment choice which sections count towards
    progress, so both shape the screen even where no `relevant` or flag names them; a free text does not."""
    unnamed = FORM.replace("relevant: \"safe = true and selected(segs, 'B')\"", 'relevant: "safe = true"')
    unnamed = "\n".join(line for line in unnamed.splitlines() if not line.startswith("  - {id: violence_child")
                         and not line.startswith("  - {id: lonely"))
    form = load_form(write_form(unnamed.replace('relevant: "age(dob) < 18", ', "")))
    assert not may_change_flags(form, "segs") and not may_change_flags(form, "household")
    assert may_change_screen(form, "segs") and may_change_screen(form, "household")
    assert not may_change_screen(form, "email") and not may_change_screen(form, answer_key("pesel", "household", 0))
