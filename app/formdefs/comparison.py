"""The update variant: answers pre-filled from the last interview, and what changed since."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.formdefs.completion import is_answered
from app.formdefs.keys import parse_key, question_for_key
from app.formdefs.model import FormDefinition
from app.formdefs.validators import StorageError, from_storage

# --------------------------------------------------------------------------- update variant


def prefill_update(update_form: FormDefinition, previous_answers: Mapping[str, Any]) -> dict[str, Any]:
    """Answers to start an update with: the previous interview's, except per-call ones (prefill: false)."""
    result: dict[str, Any] = {}
    for key, stored in previous_answers.items():
        try:
            question = question_for_key(update_form, key)
        except (KeyError, ValueError):
            continue
        group = update_form.question(question.group) if question.group else None
        if not question.prefill or (group is not None and not group.prefill) or not question.holds_answer:
            continue
        try:
            from_storage(question, stored)
        except StorageError:
            continue  # a value the new version no longer accepts is asked again rather than carried over
        result[key] = stored
    return result


def _compared(form: FormDefinition, key: str) -> bool:
    try:
        question = question_for_key(form, key)
    except (KeyError, ValueError):
        return True
    return question.prefill and question.holds_answer


def _document_order(form: FormDefinition, key: str) -> tuple[int, int, int, str]:
    order = {q.id: i for i, q in enumerate(form.questions())}
    try:
        question = question_for_key(form, key)
    except (KeyError, ValueError):
        return (len(order), 0, 0, key)
    index = parse_key(key).index or 0
    return (order[question.group or question.id], index, order[question.id], key)


@dataclass(frozen=True)
class Change:
    """One answer that differs between the previous interview and the update."""

    key: str
    kind: str  # added | removed | changed
    before: Any
    after: Any


def changes(
    previous: Mapping[str, Any], current: Mapping[str, Any], form: FormDefinition | None = None
) -> list[Change]:
    """What changed between two stored answer maps; with `form`, per-call questions are left out and order follows the form."""
    keys = [k for k in {**previous, **current} if is_answered(previous.get(k)) or is_answered(current.get(k))]
    if form is None:
        keys.sort()
    else:
        keys = sorted((k for k in keys if _compared(form, k)), key=lambda k: _document_order(form, k))
    result = []
    for key in keys:
        before, after = previous.get(key), current.get(key)
        if before == after:
            continue
        if not is_answered(before):
            result.append(Change(key, "added", None, after))
        elif not is_answered(after):
            result.append(Change(key, "removed", before, None))
        else:
            result.append(Change(key, "changed", before, after))
    return result
