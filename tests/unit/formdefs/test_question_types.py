"""The question-type vocabulary has one source (app.formdefs.model.QUESTION_TYPES); the others must agree with it.

The form JSON Schema, the interview export schema, the validators and the question template each name the types
again; a type added in one place and forgotten in another fails here instead of at an interview.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from app.formdefs.model import QUESTION_TYPES, SELECT_TYPES
from app.formdefs.schema import SCHEMA_PATH
from app.formdefs.validators import _SCALAR_PARSERS
from app.handoff.interview import SCHEMA_PATH as EXPORT_SCHEMA_PATH

ROOT = Path(__file__).resolve().parents[3]
WITHOUT_VALUE = {"note", "repeat"}  # a note shows text, a repeat group counts its members: neither is parsed


def _type_enums(node: Any) -> list[list[str]]:
    """Every `"type": {"enum": [...]}` in a JSON Schema document."""
    found: list[list[str]] = []
    if isinstance(node, dict):
        kind = node.get("type")
        if isinstance(kind, dict) and isinstance(kind.get("enum"), list):
            found.append(kind["enum"])
        for value in node.values():
            found += _type_enums(value)
    elif isinstance(node, list):
        for value in node:
            found += _type_enums(value)
    return found


def test_the_form_schema_lists_exactly_the_model_types() -> None:
    enums = _type_enums(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    assert enums, "the form schema declares the question types"
    for enum in enums:
        assert enum == list(QUESTION_TYPES)


def test_the_export_schema_lists_every_type_that_holds_an_answer() -> None:
    # (other enums there, such as a text's kind, are not the question type)
    enums = [e for e in _type_enums(json.loads(EXPORT_SCHEMA_PATH.read_text(encoding="utf-8"))) if "select_one" in e]
    assert enums, "the export schema declares the answer types"
    for enum in enums:
        assert enum == [t for t in QUESTION_TYPES if t != "note"]


def test_every_type_is_parsed_by_exactly_one_validator_path() -> None:
    scalar = set(_SCALAR_PARSERS)
    assert scalar.isdisjoint(SELECT_TYPES | WITHOUT_VALUE)
    assert scalar | SELECT_TYPES | WITHOUT_VALUE == set(QUESTION_TYPES)


def test_the_question_template_names_only_known_types() -> None:
    template = (ROOT / "templates" / "interviews" / "_question.html").read_text(encoding="utf-8")
    named = set(re.findall(r"q\.type\s*==\s*'(\w+)'", template))
    named |= {t for group in re.findall(r"q\.type in \(([^)]*)\)", template) for t in re.findall(r"'(\w+)'", group)}
    kinds = template.split("{#- (input type, inputmode", 1)[1].split("{%- else %}{% set kind =", 1)[0]
    input_kinds = set(re.findall(r"q\.type == '(\w+)'", kinds))
    input_kinds |= {t for group in re.findall(r"q\.type in \(([^)]*)\)", kinds) for t in re.findall(r"'(\w+)'", group)}
    assert named and input_kinds
    assert named <= set(QUESTION_TYPES)
    assert input_kinds <= set(_SCALAR_PARSERS)
