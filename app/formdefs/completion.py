"""What stands in the way of finishing an interview, and its progress per section."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from app.formdefs.evaluation import Evaluation, evaluate
from app.formdefs.keys import answer_key
from app.formdefs.model import FormDefinition, LocalText, Question, Section
from app.formdefs.validators import StorageError, from_storage, stored_to_raw, validate

# --------------------------------------------------------------------------- completion and progress


@dataclass(frozen=True)
class CompletionProblem:
    """Why an interview cannot be finished (blocking) or should be looked at (warning)."""

    severity: str  # blocking | warning
    kind: str  # required | recommended | invalid | segment | count
    section_id: str
    question_id: str | None
    answer_key: str | None
    message: LocalText

    @property
    def blocking(self) -> bool:
        """Whether this problem prevents completion."""
        return self.severity == "blocking"


def applicable_segments_of(form: FormDefinition, answers: Mapping[str, Any]) -> frozenset[str]:
    """Optional segments the worker marked as applicable, read from the form's segment_choice question."""
    if form.segment_choice is None:
        return frozenset()
    try:
        value = from_storage(form.question(form.segment_choice), answers.get(form.segment_choice))
    except StorageError:
        return frozenset()
    return frozenset(value or ())


def _enforced(section: Section, applicable: Collection[str]) -> bool:
    return section.segment is None or section.mandatory or section.segment in applicable


def is_answered(value: Any) -> bool:
    return value not in (None, "", [])


def _slots(section: Section, evaluation: Evaluation) -> Iterable[tuple[Question, str]]:
    """Visible answer-holding questions of a section as (question, answer key), members per index."""
    for question in section.questions:
        if not evaluation.is_visible(question.id) or not question.holds_answer:
            continue
        if question.type != "repeat":
            yield question, question.id
            continue
        for index in range(evaluation.counts.get(question.id, 0)):
            for member in question.questions:
                key = answer_key(member.id, question.id, index)
                if member.holds_answer and evaluation.is_visible(key):
                    yield member, key


def completion_problems(
    form: FormDefinition,
    answers: Mapping[str, Any],
    applicable_segments: Collection[str] | None = None,
    *,
    today: dt.date | None = None,
) -> list[CompletionProblem]:
    """Missing required (blocking) and recommended (warning) answers, invalid values and mandatory segments.

    `applicable_segments` are the optional segments (B-G) the worker marked; None reads them from the form.
    """
    evaluation = evaluate(form, answers, today=today)
    applicable = applicable_segments_of(form, answers) if applicable_segments is None else applicable_segments
    problems: list[CompletionProblem] = []
    for section in form.sections:
        if not _enforced(section, applicable):
            continue
        shown = evaluation.visible_sections[section.id]
        if section.segment is not None and not shown:
            problems.append(_segment_problem(section, "hidden"))
            continue
        if not shown:
            continue
        any_answer = False
        for question in section.questions:
            if question.type == "repeat" and evaluation.is_visible(question.id):
                problems.extend(_count_problems(question, evaluation.counts.get(question.id, 0), section.id))
        for question, key in _slots(section, evaluation):
            stored = answers.get(key)
            if not is_answered(stored):
                if question.required:
                    problems.append(_missing(section, question, key, "blocking"))
                elif question.recommended:
                    problems.append(_missing(section, question, key, "warning"))
                continue
            any_answer = True
            if question.type == "repeat":
                continue
            result = validate(question, stored_to_raw(stored), answers=evaluation.scope(key))
            if not result.ok:
                assert result.error is not None  # noqa: S101
                problems.append(
                    CompletionProblem(
                        "blocking",
                        "invalid",
                        section.id,
                        question.id,
                        key,
                        LocalText(
                            f"{question.label.pl}: {result.error.pl}",
                            f"{question.label.en}: {result.error.en}",
                        ),
                    )
                )
        if section.segment is not None and not any_answer:
            problems.append(_segment_problem(section, "empty"))
    return problems


def _missing(section: Section, question: Question, key: str, severity: str) -> CompletionProblem:
    if severity == "blocking":
        message = LocalText(
            f"Brak wymaganej odpowiedzi: {question.label.pl}", f"Required answer missing: {question.label.en}"
        )
        kind = "required"
    else:
        message = LocalText(
            f"Zalecane pytanie bez odpowiedzi: {question.label.pl}",
            f"Recommended question not answered: {question.label.en}",
        )
        kind = "recommended"
    return CompletionProblem(severity, kind, section.id, question.id, key, message)


def _segment_problem(section: Section, why: str) -> CompletionProblem:
    letter = section.segment
    if why == "hidden":
        message = LocalText(
            f"Część {letter} ({section.title.pl}) jest obowiązkowa, a jest pominięta.",
            f"Part {letter} ({section.title.en}) is mandatory but skipped.",
        )
    else:
        message = LocalText(
            f"Część {letter} ({section.title.pl}) jest obowiązkowa i nie ma żadnej odpowiedzi.",
            f"Part {letter} ({section.title.en}) is mandatory and has no answers.",
        )
    return CompletionProblem("blocking", "segment", section.id, None, None, message)


def _count_problems(group: Question, count: int, section_id: str) -> list[CompletionProblem]:
    if count < group.min_count:
        message = LocalText(
            f"{group.label.pl}: potrzeba co najmniej {group.min_count} (jest {count}).",
            f"{group.label.en}: at least {group.min_count} needed ({count} given).",
        )
    elif group.max_count is not None and count > group.max_count:
        message = LocalText(
            f"{group.label.pl}: najwyżej {group.max_count} (jest {count}).",
            f"{group.label.en}: at most {group.max_count} allowed ({count} given).",
        )
    else:
        return []
    return [CompletionProblem("blocking", "count", section_id, group.id, group.id, message)]


@dataclass(frozen=True)
class SectionProgress:
    """Answered vs. answerable questions in one section."""

    section_id: str
    visible: bool
    enforced: bool
    answered: int
    total: int
    required_missing: int


@dataclass(frozen=True)
class Progress:
    """Overall progress over the visible, enforced sections."""

    answered: int
    total: int
    required_missing: int
    sections: tuple[SectionProgress, ...]

    @property
    def percent(self) -> int:
        """Answered share in whole percent (100 when nothing is asked)."""
        return 100 if self.total == 0 else (100 * self.answered) // self.total


def progress(
    form: FormDefinition,
    answers: Mapping[str, Any],
    applicable_segments: Collection[str] | None = None,
    *,
    today: dt.date | None = None,
    evaluation: Evaluation | None = None,
) -> Progress:
    """How far the interview is: per section and overall (repeat members counted per member)."""
    evaluation = evaluation or evaluate(form, answers, today=today)
    applicable = applicable_segments_of(form, answers) if applicable_segments is None else applicable_segments
    sections = []
    for section in form.sections:
        shown = evaluation.visible_sections[section.id]
        enforced = _enforced(section, applicable)
        answered = total = missing = 0
        if shown:
            for question, key in _slots(section, evaluation):
                if question.type == "repeat":
                    continue
                total += 1
                if is_answered(answers.get(key)):
                    answered += 1
                elif question.required:
                    missing += 1
        sections.append(SectionProgress(section.id, shown, enforced, answered, total, missing))
    counted = [s for s in sections if s.visible and s.enforced]
    return Progress(
        sum(s.answered for s in counted),
        sum(s.total for s in counted),
        sum(s.required_missing for s in counted),
        tuple(sections),
    )
