"""Flag rules an interview fires, the actions its answers call for, and answers redacted per role (visible_to)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from app.formdefs.evaluation import Evaluation, evaluate
from app.formdefs.expr import Expression
from app.formdefs.keys import answer_key, parse_key, question_for_key
from app.formdefs.model import FormDefinition, LocalText

PRIORITY_ORDER = {"urgent": 0, "high": 1, "normal": 2}


# --------------------------------------------------------------------------- flags


@dataclass(frozen=True)
class FiredFlag:
    """A flag rule that holds now, with the answer keys that made it fire."""

    rule_id: str
    priority: str
    explanation: LocalText
    guidance: str | None
    triggered_by: tuple[str, ...]


def _trigger_keys(expression: Expression, evaluation: Evaluation) -> tuple[str, ...]:
    context = evaluation.context
    keys: list[str] = []

    def add(key: str) -> None:
        if key not in keys:
            keys.append(key)

    sites = expression.reference_sites()
    # any(group, ...) is explained by the member answers it looked at, count(group) by the count itself.
    per_member = {site.scope for site in sites if site.scope is not None}
    for site in sites:
        if site.role == "group" and site.name in per_member:
            continue
        if site.role == "column":
            group, question_id = site.name.split(".")
            for index, member in enumerate(context.groups.get(group, [])):
                if member.get(question_id) is not None:
                    add(answer_key(question_id, group, index))
        elif site.role == "value" and site.scope is not None and site.name not in context.values:
            for index, member in enumerate(context.groups.get(site.scope, [])):
                if member.get(site.name) is not None:
                    add(answer_key(site.name, site.scope, index))
        elif context.values.get(site.name) is not None:
            add(site.name)
    return tuple(keys)


def fired_flags(
    form: FormDefinition, answers: Mapping[str, Any], *, today: dt.date | None = None,
    evaluation: Evaluation | None = None,
) -> list[FiredFlag]:
    """Flag rules that hold for the visible answers, most urgent first, each naming its triggering answers."""
    evaluation = evaluation or evaluate(form, answers, today=today)
    fired = [
        FiredFlag(
            rule.id, rule.priority, rule.explanation, rule.guidance, _trigger_keys(rule.when, evaluation)
        )
        for rule in form.flags
        if rule.when.holds(evaluation.context)
    ]
    return sorted(fired, key=lambda f: PRIORITY_ORDER[f.priority])


def may_change_flags(form: FormDefinition, key: str) -> bool:
    """Whether changing the answer at `key` can change which flags fire or what made them fire.

    Flags read the answers through their rules and through visibility (hidden answers read as null). An answer no
    rule and no `relevant` names (nor its repeat group, nor a member of the group it counts) changes neither, so
    the fired flags before and after its change are the same without evaluating the form before it.
    """
    parsed = parse_key(key)
    names = _watched_names(form)
    question = form.question(parsed.question_id)
    own = {question.id, *(member.id for member in question.questions)}  # a repeat's count changes its members
    group = parsed.group or (question.id if question.type == "repeat" else None)
    if group is not None:
        own.add(group)
    return bool(own & names) or (group is not None and any(name.startswith(f"{group}.") for name in names))


def may_change_screen(form: FormDefinition, key: str) -> bool:
    """Whether a new value at `key` can change more of the runner than its own slot: what is shown (a `relevant` or
    a flag names it), the repeat counts (a member count), the applicable segments (the segment choice) or the flags.

    When not, and the answer is no more or less answered than before, the form's evaluation after its change is the
    one before: visibility, progress and the flags stand, and an autosave answers with the field alone.
    """
    question = form.question(parse_key(key).question_id)
    return question.type == "repeat" or question.id == form.segment_choice or may_change_flags(form, key)


_WATCHED: WeakKeyDictionary[FormDefinition, frozenset[str]] = WeakKeyDictionary()


def _watched_names(form: FormDefinition) -> frozenset[str]:
    """Every name a flag rule or a `relevant` of the form uses (worked out once per loaded form, which never changes)."""
    names = _WATCHED.get(form)
    if names is None:
        expressions: list[Expression | None] = [rule.when for rule in form.flags]
        for section in form.sections:
            expressions.append(section.relevant)
            for question in section.questions:
                expressions += [question.relevant, *(member.relevant for member in question.questions)]
        names = frozenset(name for e in expressions if e is not None for name in e.references())
        _WATCHED[form] = names
    return names


@dataclass(frozen=True)
class Action:
    """A runner action requested by an answer (e.g. `interrupt_unsafe` when it is not safe to talk)."""

    question_id: str
    action: str


def pending_actions(
    form: FormDefinition, answers: Mapping[str, Any], *, today: dt.date | None = None
) -> list[Action]:
    """Actions (`on_yes`/`on_no`) of visible yes/no questions, given their current answers."""
    evaluation = evaluate(form, answers, today=today)
    actions = []
    for question in form.questions():
        if question.actions and question.group is None and evaluation.is_visible(question.id):
            value = evaluation.typed.get(question.id)
            if value is not None:
                action = question.actions.get("yes" if value else "no")
                if action:
                    actions.append(Action(question.id, action))
    return actions


# --------------------------------------------------------------------------- privacy


def redact(form: FormDefinition, answers: Mapping[str, Any], role: str) -> dict[str, Any]:
    """Only the answers `role` may see under each question's visible_to (unknown keys are dropped)."""
    result = {}
    for key, value in answers.items():
        try:
            question = question_for_key(form, key)
        except (KeyError, ValueError):
            continue
        if question.visible_for(role) and (
            question.group is None or form.question(question.group).visible_for(role)
        ):
            result[key] = value
    return result
