"""Interview-level logic as pure functions over a flat map of stored answers.

Answer keys: a top-level question's id (`income_total`); a repeat-group member's answer is
`<repeat_id>.<index>.<question_id>` with a 0-based index (`household.0.dob`); the repeat id itself
stores the number of members (`household` -> 2).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.clock import local_today
from app.formdefs.expr import Context, Expression
from app.formdefs.model import FormDefinition, LocalText, Question, Section
from app.formdefs.validators import Result, StorageError, from_storage, stored_to_raw, validate

PRIORITY_ORDER = {"urgent": 0, "high": 1, "normal": 2}


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
    below (`evaluation=`), see app/interviews/interview_state.py.
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

    `evaluation` is that of `answers` when the caller has it already.
    """
    question = question_for_key(form, key)
    evaluation = evaluation or evaluate(form, answers, today=today)
    return validate(question, raw, answers=evaluation.scope(key))


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


def _answered(value: Any) -> bool:
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
            if not _answered(stored):
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
            f"Segment {letter} ({section.title.pl}) jest obowiązkowy, a jest pominięty.",
            f"Segment {letter} ({section.title.en}) is mandatory but skipped.",
        )
    else:
        message = LocalText(
            f"Segment {letter} ({section.title.pl}) jest obowiązkowy i nie ma żadnej odpowiedzi.",
            f"Segment {letter} ({section.title.en}) is mandatory and has no answers.",
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
                if _answered(answers.get(key)):
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
    keys = [k for k in {**previous, **current} if _answered(previous.get(k)) or _answered(current.get(k))]
    if form is None:
        keys.sort()
    else:
        keys = sorted((k for k in keys if _compared(form, k)), key=lambda k: _document_order(form, k))
    result = []
    for key in keys:
        before, after = previous.get(key), current.get(key)
        if before == after:
            continue
        if not _answered(before):
            result.append(Change(key, "added", None, after))
        elif not _answered(after):
            result.append(Change(key, "removed", before, None))
        else:
            result.append(Change(key, "changed", before, after))
    return result
