"""One interview state per request: the answers read once, the form evaluated once per answer map.

An autosave reads the interview's answer rows once (after locking the interview, so nothing changes them
meanwhile), validates against that state, writes the one answer and derives the state after the save from the
state before it, without reading the answers again. What the reply needs (the field, progress, visibility, whether
the fired flags changed) comes from these two states. Nothing here is cached across requests: an Evaluation
belongs to the request that made it.
"""

from __future__ import annotations

import json
from dataclasses import InitVar, dataclass, field, replace
from typing import Any, Generic, TypeVar

from app.formdefs import (
    Evaluation,
    FormDefinition,
    Question,
    evaluate,
    fired_flags,
    is_answered,
    may_change_flags,
    may_change_screen,
    parse_key,
    reads_answers,
)
from app.interviews.answers import AnswerRow, StoredAnswer, decoded

R = TypeVar("R", bound=AnswerRow)


@dataclass
class AnswerState(Generic[R]):
    """An interview's answer rows at one moment, with the form's evaluation of them (computed at most once).

    The rows are `Answer` objects (the runner page) or plain `StoredAnswer` values (an autosave).
    """

    form: FormDefinition
    rows: dict[str, R]
    answers: dict[str, Any] = field(init=False)
    _evaluation: Evaluation | None = field(default=None, repr=False)
    # The decoded answers when the caller already has them (`with_row`: the state before, one answer changed).
    known: InitVar[dict[str, Any] | None] = None

    def __post_init__(self, known: dict[str, Any] | None) -> None:
        self.answers = decoded(self.rows) if known is None else known

    @property
    def evaluation(self) -> Evaluation:
        """Skip logic applied to these answers (evaluated on first use, then kept for this state)."""
        if self._evaluation is None:
            self._evaluation = evaluate(self.form, self.answers)
        return self._evaluation

    @property
    def fired(self) -> frozenset[str]:
        """The fired flags, each with the answers that made it fire (a dismissal lapses when those change)."""
        return frozenset(
            json.dumps([flag.rule_id, [[key, self.answers.get(key)] for key in flag.triggered_by]], default=str)
            for flag in fired_flags(self.form, self.answers, evaluation=self.evaluation)
        )

    def evaluation_for(self, question: Question) -> Evaluation | None:
        """The evaluation a validation of `question` needs: this state's, only when it reads other answers."""
        return self.evaluation if reads_answers(question) else None

    def with_row(self, row: R) -> AnswerState[R]:
        """The state once `row` is stored; the evaluation is shared when the answers themselves stay the same."""
        answers = dict(self.answers)  # one answer decoded, not all of them again
        changed = decoded({row.key: row})
        if changed:
            answers.update(changed)
        else:
            answers.pop(row.key, None)
        after = AnswerState(self.form, {**self.rows, row.key: row}, known=answers)
        if after.answers == self.answers:
            after._evaluation = self._evaluation
        return after


def flags_changed(before: AnswerState[Any], after: AnswerState[Any], key: str) -> bool:
    """Whether the save of `key` changed which flags fire (or what made them fire): only then is the banner sent again.

    The state before the save is evaluated only when the answer at `key` can change the flags at all.
    """
    if after.answers == before.answers or not may_change_flags(after.form, key):
        return False
    return before.fired != after.fired


def screen_changed(before: AnswerState[Any], after: AnswerState[Any], key: str) -> bool:
    """Whether the save of `key` can have changed the screen around its field (visibility, progress, the section
    list, the flags): only then does the form get evaluated and the reply carry them.

    An answer that no skip rule, flag, count or segment choice reads, and that is as answered as before (typing on
    in a filled-in address), leaves the evaluation as it was.
    """
    if after.answers == before.answers:
        return False
    if may_change_screen(after.form, key):
        return True
    was, now = before.answers, after.answers
    return (key in was) != (key in now) or is_answered(was.get(key)) != is_answered(now.get(key))


def stands_alone(state: AnswerState[StoredAnswer], question: Question, key: str, value: str | None) -> bool:
    """Whether storing `value` at `key` depends on no other answer of the interview: neither its validation (no
    constraint names another answer), nor whether the key exists (not a member of a repeat group, whose count may
    change), nor what the reply shows around the field (`screen_changed` is false: the answer was already there and
    stays as answered as it was).

    Such a save needs only the interview's state and the answer's own row to be as read; another save of another
    answer in between changes nothing it relies on (answer_store.claim, alone).
    """
    row = state.rows.get(key)
    if row is None or reads_answers(question) or parse_key(key).group is not None:
        return False
    return not screen_changed(state, state.with_row(replace(row, value=value)), key)
