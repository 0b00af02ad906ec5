"""Answer keys (`question` or `member@group[index]`), the question a key stands for, members of a repeat group."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.formdefs.model import FormDefinition, Question

# --------------------------------------------------------------------------- answer keys


@dataclass(frozen=True)
class AnswerKey:
    """A parsed answer key: question id, and the repeat group and member index for members."""

    question_id: str
    group: str | None = None
    index: int | None = None

    def __str__(self) -> str:
        if self.group is None:
            return self.question_id
        return f"{self.group}.{self.index}.{self.question_id}"


def answer_key(question_id: str, group: str | None = None, index: int | None = None) -> str:
    """The answer key for a top-level question, or for a member question of `group` at `index`."""
    return str(AnswerKey(question_id, group, index))


def parse_key(key: str) -> AnswerKey:
    """Split an answer key; raises ValueError if it is neither `q` nor `group.index.q`."""
    parts = key.split(".")
    if len(parts) == 1 and parts[0]:
        return AnswerKey(parts[0])
    if len(parts) == 3 and parts[1].isdigit() and parts[0] and parts[2]:
        return AnswerKey(parts[2], parts[0], int(parts[1]))
    raise ValueError(f"not an answer key: {key!r}")


def question_for_key(form: FormDefinition, key: str) -> Question:
    """The question an answer key belongs to; KeyError/ValueError if the key does not fit the form."""
    parsed = parse_key(key)
    question = form.question(parsed.question_id)
    if question.group != parsed.group:
        raise KeyError(key)
    return question


def member_count(form: FormDefinition, answers: Mapping[str, Any], group_id: str) -> int:
    """Members in a repeat group: the stored count, else one past the highest index that holds answers."""
    stored = answers.get(group_id)
    if isinstance(stored, int) and not isinstance(stored, bool) and stored >= 0:
        return stored
    highest = -1
    for key in answers:
        try:
            parsed = parse_key(key)
        except ValueError:
            continue
        if parsed.group == group_id and parsed.index is not None:
            highest = max(highest, parsed.index)
    return highest + 1


def remove_member(
    form: FormDefinition, answers: Mapping[str, Any], group_id: str, index: int
) -> dict[str, Any]:
    """A new answer map without member `index` of the group; later members move down by one."""
    count = member_count(form, answers, group_id)
    result: dict[str, Any] = {}
    for key, value in answers.items():
        try:
            parsed = parse_key(key)
        except ValueError:
            result[key] = value
            continue
        if parsed.group != group_id or parsed.index is None:
            result[key] = value
        elif parsed.index > index:
            result[answer_key(parsed.question_id, group_id, parsed.index - 1)] = value
        elif parsed.index < index:
            result[key] = value
    result[group_id] = max(0, count - 1) if index < count else count
    return result
