"""Typed, immutable model of a loaded and checked form definition."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from app.formdefs.expr import Expression

ROLES = ("worker", "supervisor", "psychologist", "admin")
DEFAULT_VISIBLE_TO: frozenset[str] = frozenset({"worker", "supervisor"})

QUESTION_TYPES = (
    "text",
    "longtext",
    "integer",
    "money",
    "date",
    "time",
    "datetime",
    "yesno",
    "select_one",
    "select_multiple",
    "phone",
    "pesel",
    "postcode",
    "note",
    "repeat",
)
SELECT_TYPES = frozenset({"select_one", "select_multiple"})
SEGMENTS = "ABCDEFGHIJ"
# Regulation of 8 April 2021: A, H, I and J are always filled in; B-G only when the worker finds them relevant.
MANDATORY_SEGMENTS = frozenset("AHIJ")
PRIORITIES = ("urgent", "high", "normal")


@dataclass(frozen=True)
class LocalText:
    """A text in Polish and English."""

    pl: str
    en: str

    def get(self, lang: str = "pl") -> str:
        """The text in `lang`, Polish unless English is asked for."""
        return self.en if lang == "en" else self.pl


@dataclass(frozen=True)
class Choice:
    """One option of a select question."""

    value: str
    label: LocalText


@dataclass(frozen=True, eq=False)
class Question:
    """One question (or a note, or a repeat group holding member questions)."""

    id: str
    type: str
    label: LocalText
    section: str
    hint: LocalText | None = None
    script: LocalText | None = None
    required: bool = False
    recommended: bool = False
    relevant: Expression | None = None
    constraint: Expression | None = None
    constraint_message: LocalText | None = None
    choices: tuple[Choice, ...] = ()
    visible_to: frozenset[str] = DEFAULT_VISIBLE_TO
    questions: tuple[Question, ...] = ()
    min_count: int = 0
    max_count: int | None = None
    consistent_with_birth_date: str | None = None
    actions: Mapping[str, str] = field(default_factory=dict)
    prefill: bool = True
    group: str | None = None

    @property
    def holds_answer(self) -> bool:
        """Notes are display-only; everything else (a repeat holds its member count) stores an answer."""
        return self.type != "note"

    def choice(self, value: str) -> Choice | None:
        """The choice with this value, if any."""
        return next((c for c in self.choices if c.value == value), None)

    def visible_for(self, role: str) -> bool:
        """Whether a user with `role` may see this question's answer."""
        return role in self.visible_to


@dataclass(frozen=True, eq=False)
class Section:
    """A screenful of questions; RWS segments carry their letter."""

    id: str
    title: LocalText
    questions: tuple[Question, ...]
    segment: str | None = None
    mandatory: bool = False
    relevant: Expression | None = None
    hint: LocalText | None = None
    script: LocalText | None = None


@dataclass(frozen=True, eq=False)
class FlagRule:
    """A psychological-support / risk rule evaluated over the answers."""

    id: str
    when: Expression
    priority: str
    explanation: LocalText
    guidance: str | None = None


@dataclass(frozen=True, eq=False)
class FormDefinition:
    """A published form version: sections, questions, flag rules; immutable once loaded."""

    id: str
    version: int
    title: LocalText
    sections: tuple[Section, ...]
    flags: tuple[FlagRule, ...] = ()
    description: LocalText | None = None
    variant_of: tuple[str, int] | None = None
    segment_choice: str | None = None
    source: Path | None = None
    # SHA-256 of the definition's text; interviews pin it, so a published version can never change under them.
    content_hash: str = ""
    _questions: dict[str, Question] = field(default_factory=dict, init=False, repr=False)
    _sections: dict[str, Section] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for section in self.sections:
            self._sections[section.id] = section
            for question in section.questions:
                self._questions[question.id] = question
                for member in question.questions:
                    self._questions[member.id] = member

    @property
    def key(self) -> tuple[str, int]:
        """(id, version), the identity an interview pins."""
        return (self.id, self.version)

    @property
    def is_update(self) -> bool:
        """Whether this is the update (aktualizacja) variant of another form."""
        return self.variant_of is not None

    def question(self, question_id: str) -> Question:
        """The question with this id (members of repeat groups included); KeyError if unknown."""
        return self._questions[question_id]

    def has_question(self, question_id: str) -> bool:
        """Whether the form has a question with this id."""
        return question_id in self._questions

    def section(self, section_id: str) -> Section:
        """The section with this id; KeyError if unknown."""
        return self._sections[section_id]

    def questions(self) -> Iterator[Question]:
        """All questions in document order, repeat members right after their group."""
        for section in self.sections:
            for question in section.questions:
                yield question
                yield from question.questions

    def repeat_groups(self) -> list[Question]:
        """The repeat-group questions."""
        return [q for q in self.questions() if q.type == "repeat"]

    def flag(self, flag_id: str) -> FlagRule:
        """The flag rule with this id; KeyError if unknown."""
        for rule in self.flags:
            if rule.id == flag_id:
                return rule
        raise KeyError(flag_id)
