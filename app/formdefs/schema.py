"""Reading a form file: strict YAML (YAML 1.2 booleans, no duplicate keys) and JSON Schema problems in plain words."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

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


def read_text(path: Path, file: str) -> tuple[str | None, list[Problem]]:
    try:
        return path.read_text(encoding="utf-8"), []
    except OSError as exc:
        return None, [Problem(file, "file", f"cannot be read ({exc.strerror or exc})")]
    except UnicodeDecodeError:
        return None, [Problem(file, "file", "is not UTF-8 text")]


def read_yaml(path: Path, file: str) -> tuple[Any, list[Problem]]:
    """Parse a YAML data file strictly (YAML 1.2 booleans, no duplicate keys); problems name the line."""
    text, problems = read_text(path, file)
    if text is None:
        return None, problems
    return parse_yaml(text, file)


def parse_yaml(text: str, file: str) -> tuple[Any, list[Problem]]:
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


def _non_text_keys(node: Any, path: list[Any]) -> Iterator[tuple[list[Any], Any]]:
    """Every mapping key that is not a string, with the path of the mapping that holds it."""
    if isinstance(node, dict):
        for key, value in node.items():
            if not isinstance(key, str):
                yield path, key
            else:
                yield from _non_text_keys(value, [*path, key])
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _non_text_keys(value, [*path, index])


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
    odd_keys = list(_non_text_keys(data, []))
    if odd_keys:
        # YAML allows numbers, dates or lists as keys; the schema (and jsonschema itself) only knows text keys.
        problems = []
        for path, key in odd_keys:
            item, holder = _item(data, path) if path else ("form", "")
            message = f"key '{key}' must be text (put it in quotes)"
            problems.append(Problem(file, item, f"{holder}: {message}" if holder else message))
        return problems
    problems = []
    for error in sorted((validator or _validator()).iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        item, key = _item(data, list(error.absolute_path))
        message = _schema_message(error)
        problems.append(Problem(file, item, f"{key}: {message}" if key else message))
    return problems
