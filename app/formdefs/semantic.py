"""Semantic checks over a schema-valid form: unique ids, choices, expressions and their references, segments."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.formdefs.expr import parse
from app.formdefs.expr_nodes import Binary, Call, ListLit, Literal, Name
from app.formdefs.expr_tokens import ExpressionError
from app.formdefs.model import (
    MANDATORY_SEGMENTS,
    SELECT_TYPES,
)
from app.formdefs.schema import Problem

# --------------------------------------------------------------------------- semantic checks


@dataclass
class SectionEntry:
    item: str
    data: dict[str, Any]


@dataclass
class QuestionEntry:
    item: str
    data: dict[str, Any]
    section: str
    group: str | None


class Checker:
    """Semantic checks over the raw (schema-valid) data, so problems can name the exact item."""

    def __init__(
        self, file: str, data: dict[str, Any], sections: list[SectionEntry], choice_lists: dict[str, Any]
    ):
        self.file = file
        self.data = data
        self.sections = sections
        self.choice_lists = choice_lists
        self.problems: list[Problem] = []
        self.questions: list[QuestionEntry] = []
        for section in sections:
            for qi, q in enumerate(section.data["questions"]):
                # Only the innermost element carries its id, as in `sections[3].questions[2] (id=income_total)`.
                item = f"{section.item.split(' ')[0]}.questions[{qi}]"
                self.questions.append(QuestionEntry(f"{item} (id={q['id']})", q, section.data["id"], None))
                for mi, member in enumerate(q.get("questions", [])):
                    self.questions.append(
                        QuestionEntry(
                            f"{item}.questions[{mi}] (id={member['id']})", member, section.data["id"], q["id"]
                        )
                    )
        self.by_id = {entry.data["id"]: entry for entry in self.questions}

    def problem(self, item: str, message: str) -> None:
        self.problems.append(Problem(self.file, item, message))

    def choices_of(self, q: dict[str, Any]) -> list[dict[str, Any]] | None:
        choices = q.get("choices")
        if isinstance(choices, str):
            found = self.choice_lists.get(choices)
            return list(found) if isinstance(found, list) else None
        return list(choices) if isinstance(choices, list) else None

    def run(self) -> list[Problem]:
        self.check_unique_ids()
        self.check_choice_lists()
        for entry in self.questions:
            self.check_question(entry)
        for section in self.sections:
            self.check_expression(section.item, "relevant", section.data.get("relevant"), None)
        for fi, flag in enumerate(self.data.get("flags", [])):
            self.check_expression(f"flags[{fi}] (id={flag['id']})", "when", flag["when"], None)
        self.check_segments()
        return self.problems

    def check_unique_ids(self) -> None:
        seen_sections: dict[str, str] = {}
        for section in self.sections:
            sid = section.data["id"]
            if sid in seen_sections:
                self.problem(section.item, f"section id '{sid}' is already used by {seen_sections[sid]}")
            seen_sections.setdefault(sid, section.item)
        seen: dict[str, str] = {}
        for entry in self.questions:
            qid = entry.data["id"]
            if qid in seen:
                self.problem(entry.item, f"question id '{qid}' is already used by {seen[qid]}")
            seen.setdefault(qid, entry.item)
        seen_flags: dict[str, str] = {}
        for fi, flag in enumerate(self.data.get("flags", [])):
            item = f"flags[{fi}] (id={flag['id']})"
            if flag["id"] in seen_flags:
                self.problem(item, f"flag id '{flag['id']}' is already used by {seen_flags[flag['id']]}")
            seen_flags.setdefault(flag["id"], item)

    def check_choice_values(self, item: str, choices: Iterable[dict[str, Any]]) -> None:
        seen: set[str] = set()
        for choice in choices:
            if choice["value"] in seen:
                self.problem(item, f"choice value '{choice['value']}' appears twice")
            seen.add(choice["value"])

    def check_choice_lists(self) -> None:
        for name, choices in self.choice_lists.items():
            self.check_choice_values(f"choice_lists.{name}", choices)

    def check_question(self, entry: QuestionEntry) -> None:
        q, item, qtype = entry.data, entry.item, entry.data["type"]
        choices = q.get("choices")
        if qtype in SELECT_TYPES:
            if choices is None:
                self.problem(item, f"a {qtype} question needs choices (a list, or the name of a choice list)")
            elif isinstance(choices, str) and choices not in self.choice_lists:
                close = difflib.get_close_matches(choices, list(self.choice_lists), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                self.problem(item, f"choices: unknown choice list '{choices}'{hint}")
            elif isinstance(choices, list):
                self.check_choice_values(item, choices)
        elif choices is not None:
            self.problem(
                item, f"choices: only select_one and select_multiple questions have choices, not {qtype}"
            )
        if qtype == "repeat":
            if not q.get("questions"):
                self.problem(item, "a repeat group needs member questions")
            if entry.group is not None:
                self.problem(item, "repeat groups cannot be nested")
            if "max_count" in q and q.get("min_count", 0) > q["max_count"]:
                self.problem(
                    item, f"min_count {q.get('min_count')} is larger than max_count {q['max_count']}"
                )
        else:
            for key in ("questions", "min_count", "max_count"):
                if key in q:
                    self.problem(item, f"{key}: only repeat groups have {key}")
        if q.get("required") and q.get("recommended"):
            self.problem(item, "is both required and recommended; choose one")
        if qtype == "note":
            for key in ("required", "recommended", "constraint"):
                if q.get(key):
                    self.problem(item, f"{key}: a note only displays text and holds no answer")
        if "constraint_message" in q and "constraint" not in q:
            self.problem(item, "constraint_message without a constraint")
        for key in ("on_yes", "on_no"):
            if key in q and qtype != "yesno":
                self.problem(item, f"{key}: only yesno questions have {key}")
        if "worker" not in q.get("visible_to", ["worker"]):
            self.problem(item, "visible_to: must include 'worker' (the worker records the answer)")
        birth = q.get("consistent_with_birth_date")
        if birth is not None:
            self.check_birth_date_link(entry, birth)
        self.check_expression(item, "relevant", q.get("relevant"), entry.group)
        self.check_expression(item, "constraint", q.get("constraint"), entry.group, q["id"])

    def check_birth_date_link(self, entry: QuestionEntry, birth: str) -> None:
        if entry.data["type"] != "pesel":
            self.problem(
                entry.item, "consistent_with_birth_date: only pesel questions can be checked against a date"
            )
            return
        target = self.by_id.get(birth)
        if target is None:
            self.problem(entry.item, f"consistent_with_birth_date: unknown question '{birth}'")
        elif target.data["type"] != "date":
            self.problem(
                entry.item, f"consistent_with_birth_date: '{birth}' is a {target.data['type']}, not a date"
            )
        elif target.group not in (None, entry.group):
            self.problem(entry.item, f"consistent_with_birth_date: '{birth}' is in another repeat group")

    def check_expression(
        self, item: str, key: str, text: str | None, group: str | None, own_id: str | None = None
    ) -> None:
        if text is None:
            return
        try:
            expression = parse(text)
        except ExpressionError as exc:
            self.problem(item, f"{key}: {exc.message}")
            return
        if expression.uses_current() and key != "constraint":
            self.problem(item, f"{key}: '.' (the current answer) can only be used in a constraint")
        for site in expression.reference_sites():
            scope = site.scope or group
            message = self.reference_problem(site.name, site.role, scope)
            if message:
                self.problem(item, f"{key}: {message}")
        for node, _scope in expression.nodes():
            message = self.literal_problem(node)
            if message:
                self.problem(item, f"{key}: {message}")

    def reference_problem(self, name: str, role: str, scope: str | None) -> str | None:
        if role == "column":
            group, member = name.split(".")
            if self.by_id.get(group) is None or self.by_id[group].data["type"] != "repeat":
                return f"'{group}' in '{name}' is not a repeat group"
            target = self.by_id.get(member)
            if target is None or target.group != group:
                return f"'{member}' is not a question of repeat group '{group}'"
            return None
        target = self.by_id.get(name)
        if role == "group":
            if target is None or target.data["type"] != "repeat":
                return f"'{name}' is not a repeat group"
            return None
        if target is None:
            close = difflib.get_close_matches(name, list(self.by_id), n=1)
            return f"refers to unknown question '{name}'" + (
                f" (did you mean '{close[0]}'?)" if close else ""
            )
        if target.data["type"] == "note":
            return f"refers to '{name}', which is a note and holds no answer"
        if target.group is not None and target.group != scope:
            g = target.group
            return (
                f"refers to '{name}', which is inside repeat group '{g}'; use it inside the group, "
                f"or through count_if({g}, ...), any({g}, ...) or sum({g}.{name})"
            )
        return None

    def literal_problem(self, node: Any) -> str | None:
        if isinstance(node, Binary) and node.op in ("=", "!=", "<", "<=", ">", ">="):
            sides = ((node.left, node.right), (node.right, node.left))
            if any(isinstance(side, Literal) and side.value is None for side, _ in sides):
                return "a comparison with null is always false; use answered(q) or not answered(q)"
            for side, other in sides:
                if isinstance(side, Name) and isinstance(other, Literal):
                    return self.value_problem(side.name, other.value, node.op)
        if isinstance(node, Binary) and node.op in ("in", "not in") and isinstance(node.left, Name):
            for element in node.right.items if isinstance(node.right, ListLit) else ():
                if isinstance(element, Literal):
                    message = self.value_problem(node.left.name, element.value, "=")
                    if message:
                        return message
        if isinstance(node, Call) and node.function == "selected":
            target, value = node.args
            if isinstance(target, Name):
                entry = self.by_id.get(target.name)
                if entry is not None and entry.data["type"] not in SELECT_TYPES:
                    return (
                        f"selected() needs a select question, but '{target.name}' is a {entry.data['type']}"
                    )
                if isinstance(value, Literal):
                    return self.value_problem(target.name, value.value, "selected")
        return None

    def value_problem(self, name: str, value: Any, op: str) -> str | None:
        """Catch comparisons that can never be true: wrong literal type or a value that is not a choice."""
        entry = self.by_id.get(name)
        if entry is None:
            return None
        qtype = entry.data["type"]
        if qtype == "yesno" and not isinstance(value, bool):
            return f"'{name}' is a yes/no question; compare it with true or false"
        if qtype == "select_multiple" and op != "selected":
            return f"'{name}' allows several answers; use selected({name}, 'value')"
        if qtype in SELECT_TYPES:
            choices = self.choices_of(entry.data) or []
            values = [c["value"] for c in choices]
            if choices and value not in values:
                return f"{value!r} is not a choice of '{name}' (choices: {', '.join(values)})"
        if qtype in ("integer", "money") and not isinstance(value, Decimal):
            return f"'{name}' is a number; compare it with a number"
        return None

    def check_segments(self) -> None:
        letters: dict[str, SectionEntry] = {}
        for section in self.sections:
            letter = section.data.get("segment")
            if letter is None:
                if section.data.get("mandatory"):
                    self.problem(
                        section.item, "mandatory: only RWS segment sections (with 'segment') are mandatory"
                    )
                continue
            if letter in letters:
                self.problem(section.item, f"segment {letter} is already used by {letters[letter].item}")
                continue
            letters[letter] = section
            if letter in MANDATORY_SEGMENTS and not section.data.get("mandatory"):
                self.problem(section.item, f"segment {letter} is mandatory in the RWS; set mandatory: true")
        if letters:
            missing = sorted(MANDATORY_SEGMENTS - set(letters))
            if missing:
                self.problem("sections", f"the RWS needs the mandatory segments {', '.join(missing)}")
        chooser = self.data.get("segment_choice")
        if chooser is None:
            return
        entry = self.by_id.get(chooser)
        if entry is None or entry.data["type"] != "select_multiple" or entry.group is not None:
            self.problem("segment_choice", f"'{chooser}' must be a top-level select_multiple question")
            return
        optional = {k for k, s in letters.items() if not s.data.get("mandatory")}
        for choice in self.choices_of(entry.data) or []:
            if choice["value"] not in optional:
                self.problem(
                    entry.item,
                    f"choice '{choice['value']}' of segment_choice is not an optional segment of this form",
                )
