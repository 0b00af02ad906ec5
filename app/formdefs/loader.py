"""Building a FormDefinition from a checked file, the update variant, and the load/check entry points."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.formdefs.expr import Expression, parse
from app.formdefs.model import (
    DEFAULT_VISIBLE_TO,
    Choice,
    FlagRule,
    FormDefinition,
    LocalText,
    Question,
    Section,
)
from app.formdefs.schema import FormDefinitionError, Problem, parse_yaml, read_text, schema_problems
from app.formdefs.semantic import Checker, SectionEntry

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
    data: dict[str, Any], sections: list[SectionEntry], lists: dict[str, Any], path: Path, digest: str
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
        text, _ = read_text(path, str(path))
        return (text, str(path)) if text is not None else None

    return source


def content_hash(text: str) -> str:
    """SHA-256 of a definition's text (UTF-8): what a published version and every interview on it pin."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _expand_variant(
    data: dict[str, Any], file: str, base_source: BaseSource
) -> tuple[dict[str, Any], list[SectionEntry], dict[str, Any], list[Problem]]:
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
    base_data, _ = parse_yaml(base_text, base_name)
    base_sections = {s["id"]: s for s in base_data["sections"]}
    problems: list[Problem] = []
    sections: list[SectionEntry] = []
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
            sections.append(SectionEntry(f"sections[{i}] (use={s['use']})", base_sections[s["use"]]))
        else:
            sections.append(SectionEntry(f"sections[{i}] (id={s['id']})", s))
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
    data, problems = parse_yaml(text, file)
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
        sections = [SectionEntry(f"sections[{i}] (id={s['id']})", s) for i, s in enumerate(data["sections"])]
        lists = dict(data.get("choice_lists", {}))
    problems += Checker(file, data, sections, lists).run()
    if problems:
        return None, problems
    return _build(data, sections, lists, path or Path(name), content_hash(text)), []


def check_file(path: Path, *, forms_dir: Path | None = None) -> tuple[FormDefinition | None, list[Problem]]:
    """Load one definition file; returns the form (None if anything is wrong) and the problems found."""
    text, problems = read_text(path, str(path))
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


__all__ = ["BaseSource", "check_file", "check_source", "content_hash", "disk_source", "load_form"]
