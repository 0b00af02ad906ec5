"""Evaluating a form against its answers: what is visible and required, repeat counts, one answer's validation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.clock import local_today
from app.formdefs.expr import Expression
from app.formdefs.expr_values import Context
from app.formdefs.keys import answer_key, member_count, parse_key, question_for_key
from app.formdefs.model import FormDefinition, Question, Section
from app.formdefs.validators import Result, StorageError, from_storage, validate

# --------------------------------------------------------------------------- evaluation of the whole map


@dataclass
class Evaluation:
    """Typed answers with skip logic applied: what is visible now and what each expression sees."""

    context: Context
    visible_sections: dict[str, bool]
    visible: dict[str, bool]
    typed: dict[str, Any]
    invalid: dict[str, str]
    counts: dict[str, int]
    hidden_answers: list[str] = field(default_factory=list)

    def is_visible(self, key: str) -> bool:
        """Whether the question behind an answer key is shown now."""
        return self.visible.get(key, False)

    def scope(self, key: str) -> Context:
        """The context for validating the answer at `key` (a member's answers shadow the top level)."""
        parsed = parse_key(key)
        if parsed.group is None or parsed.index is None:
            return self.context
        members = self.context.groups.get(parsed.group, [])
        member = members[parsed.index] if parsed.index < len(members) else {}
        return self.context.member(member)


def _holds(expression: Expression | None, context: Context) -> bool:
    return True if expression is None else expression.holds(context)


def evaluate(form: FormDefinition, answers: Mapping[str, Any], *, today: dt.date | None = None) -> Evaluation:
    """Apply skip logic in document order; hidden answers are kept but read as null by later expressions.

    Nothing is cached here: a request evaluates its interview once and hands the Evaluation to the functions
    that take `evaluation=`, see app/interviews/interview_state.py.
    """
    return _evaluate(form, answers, today or local_today())


def _evaluate(form: FormDefinition, answers: Mapping[str, Any], today: dt.date) -> Evaluation:
    typed: dict[str, Any] = {}
    invalid: dict[str, str] = {}
    for key, stored in answers.items():
        try:
            question = question_for_key(form, key)
        except (KeyError, ValueError):
            continue  # answers to questions this version does not have are ignored, never an error
        try:
            typed[key] = from_storage(question, stored)
        except StorageError as exc:
            invalid[key] = str(exc)
            typed[key] = None
    counts = {g.id: member_count(form, answers, g.id) for g in form.repeat_groups()}
    values: dict[str, Any] = {q.id: typed.get(q.id) for q in form.questions() if q.group is None}
    groups: dict[str, list[dict[str, Any]]] = {}
    for group in form.repeat_groups():
        values[group.id] = counts[group.id] if counts[group.id] or group.id in answers else None
        groups[group.id] = [
            {m.id: typed.get(answer_key(m.id, group.id, i)) for m in group.questions}
            for i in range(counts[group.id])
        ]
    context = Context(values, groups, None, today)
    visible_sections: dict[str, bool] = {}
    visible: dict[str, bool] = {}
    for section in form.sections:
        shown = _holds(section.relevant, context)
        visible_sections[section.id] = shown
        for question in section.questions:
            q_shown = shown and _holds(question.relevant, context)
            visible[question.id] = q_shown
            if not q_shown:
                values[question.id] = None
            if question.type != "repeat":
                continue
            for index, member in enumerate(groups[question.id]):
                member_context = context.member(member)
                for m in question.questions:
                    m_shown = q_shown and _holds(m.relevant, member_context)
                    visible[answer_key(m.id, question.id, index)] = m_shown
                    if not m_shown:
                        member[m.id] = None
            if not q_shown:
                groups[question.id].clear()
    hidden = [k for k, v in answers.items() if v not in (None, "", []) and k in visible and not visible[k]]
    return Evaluation(context, visible_sections, visible, typed, invalid, counts, hidden)


def relevant_sections(
    form: FormDefinition, answers: Mapping[str, Any], *, today: dt.date | None = None
) -> list[Section]:
    """The sections shown now, in order."""
    evaluation = evaluate(form, answers, today=today)
    return [s for s in form.sections if evaluation.visible_sections[s.id]]


def reads_answers(question: Question) -> bool:
    """Whether validating an answer to `question` looks at other answers (its constraint or cross-check names one).

    When it does not, the form need not be evaluated to validate it (an autosave then evaluates only the state
    after the save).
    """
    if question.type == "pesel" and question.consistent_with_birth_date:
        return True
    return question.constraint is not None and bool(question.constraint.references())


def validate_answer(
    form: FormDefinition,
    answers: Mapping[str, Any],
    key: str,
    raw: str | list[str] | None,
    *,
    today: dt.date | None = None,
    evaluation: Evaluation | None = None,
) -> Result:
    """Validate a raw answer for `key` in the context of the other answers (what autosave should call).

    `evaluation` is that of `answers` when the caller has it already; the form is evaluated (or `evaluation`
    used) only when the question's validation names other answers.
    """
    question = question_for_key(form, key)
    if not reads_answers(question):
        return validate(question, raw, today=today)
    evaluation = evaluation or evaluate(form, answers, today=today)
    return validate(question, raw, answers=evaluation.scope(key))
