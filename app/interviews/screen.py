"""What one runner screen shows: a section's questions with their answers, visibility, errors and progress."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlmodel import Session

from app.formdefs import (
    Evaluation,
    FormDefinition,
    LocalText,
    Progress,
    Question,
    Section,
    SectionProgress,
    answer_key,
    display,
    evaluate,
    from_storage,
    progress,
    validate_answer,
)
from app.formdefs.keys import question_for_key
from app.interviews.answers import Raw, answer_rows, decoded, form_of, raw_of
from app.interviews.interview_state import AnswerState
from app.interviews.models import Answer, Interview, InterviewState
from app.interviews.privacy import may_see


def dom_id(key: str) -> str:
    """The HTML id of an answer's block (`q-household-0-member_name`); usable in CSS selectors and links."""
    return "q-" + key.replace(".", "-")


@dataclass
class FieldView:
    """One answer slot (or a display-only note) as the runner renders it."""

    key: str
    question: Question
    raw: Raw
    error: LocalText | None
    visible: bool | None  # None: not worked out (an autosave's reply when nothing around the field changed)
    revision: int
    answered: bool
    withheld: bool = False  # the viewer's role is outside the question's visible_to: no value, no input

    @property
    def dom_id(self) -> str:
        """Id of the block holding the field."""
        return dom_id(self.key)

    @property
    def text(self) -> str:
        """The raw value for a text input."""
        return self.raw if isinstance(self.raw, str) else ""

    @property
    def chosen(self) -> list[str]:
        """The chosen values of a choice question."""
        if isinstance(self.raw, list):
            return self.raw
        if self.question.type == "yesno" and isinstance(self.raw, str):
            word = self.raw.strip().lower()
            return ["yes"] if word in ("yes", "tak", "true") else ["no"] if word in ("no", "nie", "false") else []
        return [self.raw] if self.raw else []


@dataclass
class GroupView:
    """A repeat group (household members) with each member's fields."""

    question: Question
    visible: bool
    members: list[list[FieldView]]
    revision: int

    @property
    def key(self) -> str:
        """The group's answer key (it stores the member count)."""
        return self.question.id

    @property
    def dom_id(self) -> str:
        """Id of the group's block."""
        return dom_id(self.question.id)

    @property
    def can_add(self) -> bool:
        """Whether another member fits."""
        return self.question.max_count is None or len(self.members) < self.question.max_count


@dataclass
class SectionEntry:
    """A section in the jump menu with its progress."""

    section: Section
    progress: SectionProgress

    @property
    def done(self) -> bool:
        """Answered with nothing required missing."""
        return self.progress.required_missing == 0 and self.progress.answered > 0


@dataclass
class Screen:
    """Everything a runner page needs for one section."""

    interview: Interview
    form: FormDefinition
    section: Section
    items: list[FieldView | GroupView]
    sections: list[SectionEntry]
    progress: Progress
    evaluation: Evaluation
    visibility: dict[str, bool] = field(default_factory=dict)
    # A returned report's open comments by answer key (the reviewer's notes shown under each question).
    comments: Mapping[str, Sequence[Any]] = field(default_factory=dict)
    # The interview's answer rows the screen was built from (by key).
    rows: Mapping[str, Answer] = field(default_factory=dict)

    @property
    def read_only(self) -> bool:
        """Finished interviews cannot be changed until reopened."""
        return self.interview.state != InterviewState.IN_PROGRESS

    @property
    def position(self) -> int:
        """Index of this section among the visible ones."""
        ids = [e.section.id for e in self.sections]
        return ids.index(self.section.id) if self.section.id in ids else 0

    @property
    def previous_id(self) -> str | None:
        """The visible section before this one."""
        return self.sections[self.position - 1].section.id if self.position > 0 else None

    @property
    def next_id(self) -> str | None:
        """The visible section after this one."""
        position = self.position
        return self.sections[position + 1].section.id if position + 1 < len(self.sections) else None

    @property
    def sections_done(self) -> int:
        """Visible sections with questions and nothing required missing."""
        return sum(1 for e in self.sections if e.done)


def _field(state: AnswerState, question: Question, key: str, *, evaluated: bool = True) -> FieldView:
    """The slot of `key`; without `evaluated` the form is not evaluated for it (its visibility is left unknown)."""
    row = state.rows.get(key)
    raw = raw_of(question, row)
    error = None
    if row is not None and not row.valid and row.raw:
        error = validate_answer(state.form, state.answers, key, raw, evaluation=state.evaluation_for(question)).error
    return FieldView(
        key=key,
        question=question,
        raw=raw,
        error=error,
        visible=state.evaluation.is_visible(key) if evaluated else None,
        revision=row.revision if row else 0,
        answered=bool(row and row.raw),
    )


def _visibility(section: Section, evaluation: Evaluation) -> dict[str, bool]:
    """Whether each block of a section (questions, groups, every member's questions) is shown, by HTML id."""
    visibility: dict[str, bool] = {}
    for question in section.questions:
        visibility[dom_id(question.id)] = evaluation.is_visible(question.id)
        if question.type != "repeat":
            continue
        for index in range(evaluation.counts.get(question.id, 0)):
            for member in question.questions:
                key = answer_key(member.id, question.id, index)
                visibility[dom_id(key)] = evaluation.is_visible(key)
    return visibility


def _frame(interview: Interview, state: AnswerState, section_id: str | None, items: list[FieldView | GroupView]
           ) -> Screen:
    form, evaluation = state.form, state.evaluation
    overall = progress(form, state.answers, evaluation=evaluation)
    per_section = {p.section_id: p for p in overall.sections}
    entries = [SectionEntry(s, per_section[s.id]) for s in form.sections if evaluation.visible_sections[s.id]]
    try:
        section = form.section(section_id or interview.current_section)
    except KeyError:
        section = entries[0].section if entries else form.sections[0]
    return Screen(interview, form, section, items, entries, overall, evaluation, _visibility(section, evaluation))


def build_screen(
    session: Session, interview: Interview, section_id: str | None = None, *, role: str = "supervisor",
    comments: Mapping[str, Sequence[Any]] | None = None,
) -> Screen:
    """The screen of a section (default: where the interview was left, else the first visible section).

    Answers `role` may not see (visible_to) come without their value and are marked withheld; `comments` are
    a returned report's open comments by answer key.
    """
    assert interview.id is not None  # noqa: S101
    state = AnswerState(form_of(interview), answer_rows(session, interview.id))
    screen = _frame(interview, state, section_id, [])
    screen.comments = comments or {}
    screen.rows = state.rows
    for question in screen.section.questions:
        if question.type != "repeat":
            screen.items.append(_field(state, question, question.id))
            continue
        count = state.evaluation.counts.get(question.id, 0)
        members = [
            [_field(state, m, answer_key(m.id, question.id, i)) for m in question.questions] for i in range(count)
        ]
        group_row = state.rows.get(question.id)
        screen.items.append(GroupView(question, state.evaluation.is_visible(question.id), members,
                                      group_row.revision if group_row else 0))
    screen.items = _withhold(screen.form, screen.items, role)
    return screen


def saved_screen(interview: Interview, state: AnswerState, key: str, *, role: str = "supervisor",
                 around: bool = True) -> tuple[Screen | None, FieldView]:
    """What an autosave answers with: the saved field, and (`around`) the progress and visibility of its section.

    Built from the state after the save (no reading, no other field validated); the screen holds no items. Without
    `around` (the save cannot have changed them, interview_state.screen_changed) there is no screen and the form is
    not evaluated.
    """
    question = question_for_key(state.form, key)
    view = _withhold(state.form, [_field(state, question, key, evaluated=around)], role)[0]
    assert isinstance(view, FieldView)  # noqa: S101
    return (_frame(interview, state, question.section, []) if around else None), view


def _withhold(form: FormDefinition, items: list[FieldView | GroupView], role: str) -> list[FieldView | GroupView]:
    def hide(view: FieldView) -> FieldView:
        if view.question.type == "note" or may_see(form, view.key, role):
            return view
        return replace(view, raw="", error=None, withheld=True)

    for item in items:
        if isinstance(item, GroupView):
            item.members = [[hide(view) for view in member] for member in item.members]
    return [hide(item) if isinstance(item, FieldView) else item for item in items]


@dataclass
class SummaryItem:
    """One shown answer on the summary page."""

    key: str
    label: str
    text: str
    member: int | None = None


@dataclass
class SummarySection:
    """A section's shown answers."""

    section: Section
    items: list[SummaryItem]


def summary(session: Session, interview: Interview, lang: str = "pl", *, role: str = "supervisor") -> list[SummarySection]:
    """Visible, valid answers per section; answers hidden by skip logic are kept in storage but not shown.

    Answers outside `role`'s visible_to are left out (per-field privacy, as in the referral and the PDF).
    """
    assert interview.id is not None  # noqa: S101
    form = form_of(interview)
    answers = decoded(answer_rows(session, interview.id))
    evaluation = evaluate(form, answers)
    result = []
    for section in form.sections:
        if not evaluation.visible_sections[section.id]:
            continue
        items = []
        for key, stored in answers.items():
            try:
                question = question_for_key(form, key)
            except (KeyError, ValueError):
                continue
            if question.section != section.id or question.type == "repeat" or not evaluation.is_visible(key):
                continue
            if not may_see(form, key, role):
                continue
            member = int(key.split(".")[1]) if question.group else None
            items.append(SummaryItem(key, question.label.get(lang), display(question, from_storage(question, stored), lang), member))
        order = {q.id: i for i, q in enumerate(form.questions())}
        items.sort(key=lambda i: (order[i.key.split(".")[0]], i.member or 0, order[i.key.split(".")[-1]]))
        if items:
            result.append(SummarySection(section, items))
    return result
