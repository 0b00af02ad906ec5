"""Load a form definition from YAML: structure by JSON Schema, then semantic checks, then the typed model."""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from app.formdefs.expr import Binary, Call, Expression, ExpressionError, ListLit, Literal, Name, parse
from app.formdefs.model import (
    DEFAULT_VISIBLE_TO,
    MANDATORY_SEGMENTS,
    SELECT_TYPES,
    Choice,
    FlagRule,
    FormDefinition,
    LocalText,
    Question,
    Section,
)

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "forms" / "schema" / "form.schema.json"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition file: where (file, item) and what, in plain words."""

    file: str
    item: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.item}: {self.message}"


class FormDefinitionError(Exception):
    """Raised when definitions cannot be loaded; carries every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in form definitions:\n{lines}")


# --------------------------------------------------------------------------- YAML


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML with YAML 1.2 booleans (so a choice value `no` stays text) and no duplicate keys."""


_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[str] = set()
    for key_node, _ in node.value:
        # Silently overwritten keys (two `label:` lines) are a classic way to lose a translation.
        if isinstance(key_node, yaml.ScalarNode) and key_node.value != "<<":
            if key_node.value in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key_node.value}'", key_node.start_mark
                )
            seen.add(key_node.value)
    loader.flatten_mapping(node)
    return loader.construct_mapping(node, deep=True)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_text(path: Path, file: str) -> tuple[str | None, list[Problem]]:
    try:
        return path.read_text(encoding="utf-8"), []
    except OSError as exc:
        return None, [Problem(file, "file", f"cannot be read ({exc.strerror or exc})")]
    except UnicodeDecodeError:
        return None, [Problem(file, "file", "is not UTF-8 text")]


def read_yaml(path: Path, file: str) -> tuple[Any, list[Problem]]:
    """Parse a YAML data file strictly (YAML 1.2 booleans, no duplicate keys); problems name the line."""
    text, problems = _read_text(path, file)
    if text is None:
        return None, problems
    return _parse_yaml(text, file)


def _parse_yaml(text: str, file: str) -> tuple[Any, list[Problem]]:
    if "\x00" in text:
        return None, [Problem(file, "file", "contains a NUL character (is it a binary file?)")]
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506  # nosec B506  # reason: _StrictLoader derives from SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        what = exc.problem or "invalid YAML"
        if exc.context and not what.startswith("duplicate key"):
            what = f"{exc.context}: {what}"
        return None, [Problem(file, where, f"invalid YAML: {what}")]
    except yaml.YAMLError as exc:
        return None, [Problem(file, "file", f"invalid YAML: {exc}")]
    except (ValueError, OverflowError) as exc:  # a date like 2001-13-14, an integer of thousands of digits
        return None, [Problem(file, "file", f"invalid YAML: a value cannot be read ({exc})")]
    except RecursionError:
        return None, [Problem(file, "file", "invalid YAML: nested too deeply")]
    if not isinstance(data, dict):
        return None, [Problem(file, "file", "must contain a mapping with id, version, title and sections")]
    return data, []


# --------------------------------------------------------------------------- JSON Schema


@cache
def schema_validator(path: Path) -> jsonschema.protocols.Validator:
    """The JSON Schema validator of a schema file (checked once per process)."""
    schema = json.loads(path.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validator() -> jsonschema.protocols.Validator:
    return schema_validator(SCHEMA_PATH)


_PATTERN_NAMES = {
    "^[a-z][a-z0-9_]*$": "an id (lower-case letters, digits and '_', starting with a letter)",
    "^[a-z][a-z0-9-]*$": "a form id (lower-case letters, digits and '-', starting with a letter)",
    "^[A-Za-z0-9_-]+$": "a choice value (letters, digits, '_' and '-', no spaces)",
}
_TYPE_NAMES = {
    "string": "text",
    "integer": "a whole number",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
}


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a number"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "nothing" if value is None else type(value).__name__


def _schema_message(error: jsonschema.ValidationError) -> str:
    # jsonschema types these attributes as possibly unset; the validators handled here always set them.
    validator: Any = error.validator
    expected: Any = error.validator_value
    instance: Any = error.instance
    schema: Any = error.schema
    if validator == "required" and isinstance(instance, dict):
        missing = [key for key in expected if key not in instance]
        return "missing required key " + ", ".join(f"'{key}'" for key in missing)
    if validator == "additionalProperties" and isinstance(instance, dict):
        known = list(schema.get("properties", {}))
        unknown = [k for k in instance if k not in known and not str(k).startswith("x-")]
        parts = []
        for key in unknown:
            close = difflib.get_close_matches(str(key), known, n=1)
            parts.append(f"unknown key '{key}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
        return "; ".join(parts) or error.message
    if validator == "enum":
        return f"{instance!r} is not one of: " + ", ".join(str(v) for v in expected)
    if validator == "type":
        kinds = expected if isinstance(expected, list) else [expected]
        wanted = " or ".join(_TYPE_NAMES.get(str(k), str(k)) for k in kinds)
        return f"expected {wanted}, got {_type_name(instance)}"
    if validator == "pattern":
        return f"{instance!r} is not {_PATTERN_NAMES.get(expected, 'valid (pattern ' + expected + ')')}"
    if validator in ("minItems", "minLength"):
        return "must not be empty"
    if validator == "minimum":
        return f"must be at least {expected}"
    if validator == "uniqueItems":
        return "lists the same value twice"
    return error.message


def _item(data: Any, path: Sequence[Any]) -> tuple[str, str]:
    """Split a JSON path into the item (up to the innermost list element that is a mapping) and the key inside it."""
    node, last, nodes = data, -1, []
    for i, part in enumerate(path):
        node = node[part]
        nodes.append(node)
        if isinstance(part, int) and isinstance(node, dict):
            last = i
    item_parts: list[str] = []
    for part in path[: last + 1]:
        if isinstance(part, int):
            item_parts[-1] += f"[{part}]"
        else:
            item_parts.append(str(part))
    item = ".".join(item_parts) or "form"
    if last >= 0:
        target = nodes[last]
        for key in ("id", "use", "value"):
            if isinstance(target.get(key), str):
                item += f" ({key}={target[key]})"
                break
    rest = ".".join(str(part) for part in path[last + 1 :])
    return item, rest


def schema_problems(
    data: dict[str, Any], file: str, validator: jsonschema.protocols.Validator | None = None
) -> list[Problem]:
    """Every place where `data` breaks the schema (the form schema unless `validator` is given), in plain words."""
    problems = []
    for error in sorted((validator or _validator()).iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        item, key = _item(data, list(error.absolute_path))
        message = _schema_message(error)
        problems.append(Problem(file, item, f"{key}: {message}" if key else message))
    return problems


# --------------------------------------------------------------------------- semantic checks


@dataclass
class _SectionEntry:
    item: str
    data: dict[str, Any]


@dataclass
class _QuestionEntry:
    item: str
    data: dict[str, Any]
    section: str
    group: str | None


class _Checker:
    """Semantic checks over the raw (schema-valid) data, so problems can name the exact item."""

    def __init__(
        self, file: str, data: dict[str, Any], sections: list[_SectionEntry], choice_lists: dict[str, Any]
    ):
        self.file = file
        self.data = data
        self.sections = sections
        self.choice_lists = choice_lists
        self.problems: list[Problem] = []
        self.questions: list[_QuestionEntry] = []
        for section in sections:
            for qi, q in enumerate(section.data["questions"]):
                # Only the innermost element carries its id, as in `sections[3].questions[2] (id=income_total)`.
                item = f"{section.item.split(' ')[0]}.questions[{qi}]"
                self.questions.append(_QuestionEntry(f"{item} (id={q['id']})", q, section.data["id"], None))
                for mi, member in enumerate(q.get("questions", [])):
                    self.questions.append(
                        _QuestionEntry(
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

    def check_question(self, entry: _QuestionEntry) -> None:
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

    def check_birth_date_link(self, entry: _QuestionEntry, birth: str) -> None:
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
        letters: dict[str, _SectionEntry] = {}
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


# --------------------------------------------------------------------------- building the model


def _text(data: dict[str, str] | None) -> LocalText | None:
    return LocalText(pl=data["pl"], en=data["en"]) if data else None


def _expr(text: str | None) -> Expression | None:
    return parse(text) if text else None


def _build_question(q: dict[str, Any], section: str, group: str | None, lists: dict[str, Any]) -> Question:
    raw_choices = q.get("choices")
    if isinstance(raw_choices, str):
        raw_choices = lists[raw_choices]
    choices = tuple(Choice(c["value"], LocalText(**c["label"])) for c in raw_choices or [])
    actions = {answer: q[f"on_{answer}"] for answer in ("yes", "no") if f"on_{answer}" in q}
    members = tuple(_build_question(m, section, q["id"], lists) for m in q.get("questions", []))
    label = _text(q["label"])
    assert label is not None  # noqa: S101 - required by the schema
    return Question(
        id=q["id"],
        type=q["type"],
        label=label,
        section=section,
        hint=_text(q.get("hint")),
        script=_text(q.get("script")),
        required=bool(q.get("required", False)),
        recommended=bool(q.get("recommended", False)),
        relevant=_expr(q.get("relevant")),
        constraint=_expr(q.get("constraint")),
        constraint_message=_text(q.get("constraint_message")),
        choices=choices,
        visible_to=frozenset(q["visible_to"]) if "visible_to" in q else DEFAULT_VISIBLE_TO,
        questions=members,
        min_count=q.get("min_count", 0),
        max_count=q.get("max_count"),
        consistent_with_birth_date=q.get("consistent_with_birth_date"),
        actions=actions,
        prefill=bool(q.get("prefill", True)),
        group=group,
    )


def _build(
    data: dict[str, Any], sections: list[_SectionEntry], lists: dict[str, Any], path: Path, digest: str
) -> FormDefinition:
    built_sections = []
    for entry in sections:
        s = entry.data
        title = _text(s["title"])
        assert title is not None  # noqa: S101 - required by the schema
        built_sections.append(
            Section(
                id=s["id"],
                title=title,
                questions=tuple(_build_question(q, s["id"], None, lists) for q in s["questions"]),
                segment=s.get("segment"),
                mandatory=bool(s.get("mandatory", False)),
                relevant=_expr(s.get("relevant")),
                hint=_text(s.get("hint")),
                script=_text(s.get("script")),
            )
        )
    flags = []
    for f in data.get("flags", []):
        explanation = _text(f["explanation"])
        assert explanation is not None  # noqa: S101 - required by the schema
        flags.append(FlagRule(f["id"], parse(f["when"]), f["priority"], explanation, f.get("guidance")))
    title = _text(data["title"])
    assert title is not None  # noqa: S101 - required by the schema
    variant = data.get("variant_of")
    return FormDefinition(
        id=data["id"],
        version=data["version"],
        title=title,
        sections=tuple(built_sections),
        flags=tuple(flags),
        description=_text(data.get("description")),
        variant_of=(variant["form"], variant["version"]) if variant else None,
        segment_choice=data.get("segment_choice"),
        source=path,
        content_hash=digest,
    )


# --------------------------------------------------------------------------- entry points


# Where the base version of an update variant is read from: (form id, version) → (YAML text, its name for messages).
BaseSource = Callable[[str, int], tuple[str, str] | None]


def disk_source(forms_dir: Path) -> BaseSource:
    """Base versions read from `<forms_dir>/<id>/v<version>.yaml`."""

    def source(form_id: str, version: int) -> tuple[str, str] | None:
        path = forms_dir / form_id / f"v{version}.yaml"
        if not path.is_file():
            return None
        text, _ = _read_text(path, str(path))
        return (text, str(path)) if text is not None else None

    return source


def content_hash(text: str) -> str:
    """SHA-256 of a definition's text (UTF-8): what a published version and every interview on it pin."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _expand_variant(
    data: dict[str, Any], file: str, base_source: BaseSource
) -> tuple[dict[str, Any], list[_SectionEntry], dict[str, Any], list[Problem]]:
    """Merge an update variant with its pinned base version: `use:` sections, choice lists and flags."""
    base_ref = data["variant_of"]
    label = f"{base_ref['form']} v{base_ref['version']}"
    found = base_source(base_ref["form"], base_ref["version"])
    if found is None:
        expected = f"{base_ref['form']}/v{base_ref['version']}.yaml"
        return data, [], {}, [Problem(file, "variant_of", f"base form {label} not found (expected {expected})")]
    base_text, base_name = found
    base_form, base_problems = check_source(base_text, name=base_name, base_source=base_source)
    if base_problems:
        return (
            data,
            [],
            {},
            [Problem(file, "variant_of", f"base form {label} has problems; check {base_name} first")],
        )
    assert base_form is not None  # noqa: S101
    if base_form.is_update:
        return data, [], {}, [Problem(file, "variant_of", f"base form {label} is itself a variant")]
    base_data, _ = _parse_yaml(base_text, base_name)
    base_sections = {s["id"]: s for s in base_data["sections"]}
    problems: list[Problem] = []
    sections: list[_SectionEntry] = []
    for i, s in enumerate(data["sections"]):
        if "use" in s:
            if s["use"] not in base_sections:
                problems.append(
                    Problem(
                        file,
                        f"sections[{i}] (use={s['use']})",
                        f"base form {label} has no section '{s['use']}'",
                    )
                )
                continue
            sections.append(_SectionEntry(f"sections[{i}] (use={s['use']})", base_sections[s["use"]]))
        else:
            sections.append(_SectionEntry(f"sections[{i}] (id={s['id']})", s))
    lists = dict(base_data.get("choice_lists", {}))
    for name, choices in data.get("choice_lists", {}).items():
        if name in lists:
            problems.append(Problem(file, f"choice_lists.{name}", f"already defined by base form {label}"))
        lists[name] = choices
    merged = dict(data)
    merged["flags"] = list(base_data.get("flags", [])) + list(data.get("flags", []))
    merged.setdefault("segment_choice", base_data.get("segment_choice"))
    if merged["segment_choice"] is None:
        del merged["segment_choice"]
    return merged, sections, lists, problems


def check_source(
    text: str, *, name: str, base_source: BaseSource, path: Path | None = None
) -> tuple[FormDefinition | None, list[Problem]]:
    """Check one definition given as text (a file's, or an upload's); `path` also checks the file's name.

    Returns the form (None if anything is wrong) and every problem found, each with its place.
    """
    file = name
    data, problems = _parse_yaml(text, file)
    if data is None:
        return None, problems
    problems = schema_problems(data, file)
    if problems:
        return None, problems
    if path is not None and (path.parent.name != data["id"] or path.name != f"v{data['version']}.yaml"):
        expected = f"{data['id']}/v{data['version']}.yaml"
        problems.append(
            Problem(
                file,
                "form",
                f"the file must be {expected} (id/version), so each published version stays a separate file",
            )
        )
    if "variant_of" in data:
        data, sections, lists, variant_problems = _expand_variant(data, file, base_source)
        problems += variant_problems
        if variant_problems:
            return None, problems
    else:
        for i, s in enumerate(data["sections"]):
            if "use" in s:
                problems.append(
                    Problem(file, f"sections[{i}] (use={s['use']})", "'use' needs variant_of at form level")
                )
        if problems:
            return None, problems
        sections = [_SectionEntry(f"sections[{i}] (id={s['id']})", s) for i, s in enumerate(data["sections"])]
        lists = dict(data.get("choice_lists", {}))
    problems += _Checker(file, data, sections, lists).run()
    if problems:
        return None, problems
    return _build(data, sections, lists, path or Path(name), content_hash(text)), []


def check_file(path: Path, *, forms_dir: Path | None = None) -> tuple[FormDefinition | None, list[Problem]]:
    """Load one definition file; returns the form (None if anything is wrong) and the problems found."""
    text, problems = _read_text(path, str(path))
    if text is None:
        return None, problems
    base_dir = forms_dir if forms_dir is not None else path.resolve().parent.parent
    return check_source(text, name=str(path), base_source=disk_source(base_dir), path=path)


def load_form(path: Path, *, forms_dir: Path | None = None) -> FormDefinition:
    """Load one definition file or raise FormDefinitionError listing every problem."""
    form, problems = check_file(path, forms_dir=forms_dir)
    if problems or form is None:
        raise FormDefinitionError(problems)
    return form


__all__ = ["BaseSource", "FormDefinitionError", "Problem", "check_file", "check_source", "content_hash", "disk_source", "load_form"]
