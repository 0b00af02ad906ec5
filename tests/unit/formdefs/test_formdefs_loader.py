"""Loading definitions: JSON Schema structure, semantic checks with precise file/item/problem messages, the model."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from app.formdefs import FormDefinition, FormDefinitionError, FormRegistry, Problem, check_file, load_form

QuestionsForm = Callable[..., Path]


def problems_of(path: Path) -> list[str]:
    form, problems = check_file(path)
    assert form is None
    return [f"{p.item}: {p.message}" for p in problems]


def test_minimal_form_loads_into_the_typed_model(loaded: Callable[..., FormDefinition]) -> None:
    """A small valid definition becomes an immutable model with defaults filled in."""
    form = loaded(
        """
        - id: name
          type: text
          label: {pl: "Imię", en: "Name"}
          required: true
        - id: phone
          type: phone
          label: {pl: "Telefon", en: "Phone"}
          visible_to: [worker, supervisor, psychologist]
        """
    )
    assert form.key == ("demo", 1)
    assert form.question("name").required
    assert form.question("name").visible_to == {"worker", "supervisor"}
    assert form.question("phone").visible_for("psychologist")
    assert not form.question("name").visible_for("psychologist")


def test_problem_prints_as_file_item_problem(questions_form: QuestionsForm) -> None:
    """A Problem reads 'file: item: problem'."""
    path = questions_form("- {id: x, type: integr, label: {pl: a, en: a}}")
    (problem,) = check_file(path)[1]
    assert str(problem) == f"{path}: sections[0].questions[0] (id=x): type: 'integr' is not one of: " + (
        "text, longtext, integer, money, date, time, datetime, yesno, select_one, select_multiple, phone, pesel, "
        "postcode, note, repeat"
    )


@pytest.mark.parametrize(
    ("questions", "expected"),
    [
        (
            "- {id: x, type: text, labl: {pl: a, en: a}}",
            "sections[0].questions[0] (id=x): missing required key 'label'\n"
            "sections[0].questions[0] (id=x): unknown key 'labl' (did you mean 'label'?)",
        ),
        (
            "- {id: x, type: text, label: {pl: a, en: a}, labl: {pl: a, en: a}}",
            "sections[0].questions[0] (id=x): unknown key 'labl' (did you mean 'label'?)",
        ),
        (
            "- {id: x, type: text, label: {pl: a}}",
            "sections[0].questions[0] (id=x): label: missing required key 'en'",
        ),
        (
            "- {id: Income-Total, type: text, label: {pl: a, en: a}}",
            "sections[0].questions[0] (id=Income-Total): id: 'Income-Total' is not an id "
            "(lower-case letters, digits and '_', starting with a letter)",
        ),
        (
            "- {id: x, type: text, label: {pl: a, en: a}, required: yes}",
            "sections[0].questions[0] (id=x): required: expected true or false, got text",
        ),
        (
            "- {id: x, type: text, label: {pl: a, en: a}, visible_to: [worker, public]}",
            "sections[0].questions[0] (id=x): visible_to.1: 'public' is not one of: worker, supervisor, psychologist, admin",
        ),
    ],
)
def test_schema_problems_name_the_item_and_the_key(
    questions_form: QuestionsForm, questions: str, expected: str
) -> None:
    """Structural mistakes are reported against the question they are in, in plain words."""
    assert problems_of(questions_form(questions)) == expected.split("\n")


@pytest.mark.parametrize(
    ("questions", "expected"),
    [
        (
            """
            - {id: a, type: text, label: {pl: a, en: a}}
            - {id: a, type: text, label: {pl: b, en: b}}
            """,
            "sections[0].questions[1] (id=a): question id 'a' is already used by sections[0].questions[0] (id=a)",
        ),
        (
            "- {id: s, type: select_one, label: {pl: a, en: a}}",
            "sections[0].questions[0] (id=s): a select_one question needs choices (a list, or the name of a choice list)",
        ),
        (
            "- {id: s, type: select_one, label: {pl: a, en: a}, choices: yes_no_dk}",
            "sections[0].questions[0] (id=s): choices: unknown choice list 'yes_no_dk'",
        ),
        (
            """
            - id: s
              type: select_one
              label: {pl: a, en: a}
              choices: [{value: a, label: {pl: a, en: a}}, {value: a, label: {pl: b, en: b}}]
            """,
            "sections[0].questions[0] (id=s): choice value 'a' appears twice",
        ),
        (
            "- {id: n, type: integer, label: {pl: a, en: a}, relevant: 'x > (1 + )'}",
            "sections[0].questions[0] (id=n): relevant: unexpected ')' at column 10; expected an expression",
        ),
        (
            "- {id: n, type: integer, label: {pl: a, en: a}, relevant: 'income > 1'}",
            "sections[0].questions[0] (id=n): relevant: refers to unknown question 'income'",
        ),
        (
            "- {id: n, type: integer, label: {pl: a, en: a}, relevant: '. > 1'}",
            "sections[0].questions[0] (id=n): relevant: '.' (the current answer) can only be used in a constraint",
        ),
        (
            """
            - {id: ok, type: yesno, label: {pl: a, en: a}}
            - {id: n, type: integer, label: {pl: a, en: a}, relevant: "ok = 'yes'"}
            """,
            "sections[0].questions[1] (id=n): relevant: 'ok' is a yes/no question; compare it with true or false",
        ),
        (
            """
            - {id: ok, type: yesno, label: {pl: a, en: a}}
            - {id: n, type: integer, label: {pl: a, en: a}, relevant: "ok = null"}
            """,
            "sections[0].questions[1] (id=n): relevant: a comparison with null is always false; "
            "use answered(q) or not answered(q)",
        ),
        (
            """
            - {id: m, type: select_one, label: {pl: a, en: a}, choices: [{value: on, label: {pl: a, en: a}}]}
            - {id: n, type: integer, label: {pl: a, en: a}, relevant: "m = 'off'"}
            """,
            "sections[0].questions[1] (id=n): relevant: 'off' is not a choice of 'm' (choices: on)",
        ),
        (
            """
            - {id: t, type: text, label: {pl: a, en: a}}
            - {id: p, type: pesel, label: {pl: a, en: a}, consistent_with_birth_date: t}
            """,
            "sections[0].questions[1] (id=p): consistent_with_birth_date: 't' is a text, not a date",
        ),
        (
            "- {id: x, type: text, label: {pl: a, en: a}, required: true, recommended: true}",
            "sections[0].questions[0] (id=x): is both required and recommended; choose one",
        ),
        (
            "- {id: x, type: text, label: {pl: a, en: a}, visible_to: [psychologist]}",
            "sections[0].questions[0] (id=x): visible_to: must include 'worker' (the worker records the answer)",
        ),
        (
            "- {id: x, type: text, label: {pl: a, en: a}, on_no: interrupt_unsafe}",
            "sections[0].questions[0] (id=x): on_no: only yesno questions have on_no",
        ),
    ],
)
def test_semantic_problems_name_the_item_and_say_what_is_wrong(
    questions_form: QuestionsForm, questions: str, expected: str
) -> None:
    """Ids, choices, expressions and references are checked after the schema, with the same item naming."""
    assert problems_of(questions_form(questions)) == [expected]


REPEAT = """
- id: household
  type: repeat
  label: {pl: "Domownicy", en: "Household"}
  questions:
    - {id: dob, type: date, label: {pl: a, en: a}}
    - {id: inc, type: money, label: {pl: a, en: a}, relevant: "age(dob) >= 18"}
"""


def test_repeat_members_resolve_inside_the_group_and_through_aggregates(
    loaded: Callable[..., FormDefinition],
) -> None:
    """Members can be used by other members, and from outside via count_if/any/sum."""
    form = loaded(
        REPEAT
        + """
- id: total
  type: money
  label: {pl: a, en: a}
  constraint: ". >= sum(household.inc) and count_if(household, age(dob) < 18) >= 0"
"""
    )
    assert [q.id for q in form.question("household").questions] == ["dob", "inc"]
    assert form.question("inc").group == "household"


def test_repeat_member_used_outside_its_group_is_reported(questions_form: QuestionsForm) -> None:
    """A bare member reference outside the group has no single value, so it is an error with a fix."""
    path = questions_form(REPEAT + "- {id: x, type: text, label: {pl: a, en: a}, relevant: 'age(dob) < 18'}")
    assert problems_of(path) == [
        "sections[0].questions[1] (id=x): relevant: refers to 'dob', which is inside repeat group 'household'; "
        "use it inside the group, or through count_if(household, ...), any(household, ...) or sum(household.dob)"
    ]


def test_flags_are_checked_and_named_by_id(questions_form: QuestionsForm) -> None:
    """Flag conditions must parse and resolve; problems name the flag."""
    path = questions_form(
        "- {id: alone, type: yesno, label: {pl: a, en: a}}",
        """
        flags:
          - {id: f1, when: "alone = true", priority: high, explanation: {pl: a, en: a}}
          - {id: f1, when: "alon = true", priority: urgent, explanation: {pl: a, en: a}}
          - {id: f3, when: "alone = true", priority: critical, explanation: {pl: a, en: a}}
        """,
    )
    assert problems_of(path) == ["flags[2] (id=f3): priority: 'critical' is not one of: urgent, high, normal"]
    path = questions_form(
        "- {id: alone, type: yesno, label: {pl: a, en: a}}",
        """
        flags:
          - {id: f1, when: "alone = true", priority: high, explanation: {pl: a, en: a}}
          - {id: f1, when: "alon = true", priority: urgent, explanation: {pl: a, en: a}}
        """,
    )
    assert problems_of(path) == [
        "flags[1] (id=f1): flag id 'f1' is already used by flags[0] (id=f1)",
        "flags[1] (id=f1): when: refers to unknown question 'alon' (did you mean 'alone'?)",
    ]


def test_segments_require_a_h_i_j_and_mark_them_mandatory(write_form: Callable[..., Path]) -> None:
    """A form using RWS segments must have the mandatory ones, marked mandatory."""
    path = write_form(
        """
        id: demo
        version: 1
        title: {pl: a, en: a}
        sections:
          - id: a
            segment: A
            title: {pl: a, en: a}
            questions: [{id: q1, type: text, label: {pl: a, en: a}}]
          - id: h
            segment: H
            mandatory: true
            title: {pl: h, en: h}
            questions: [{id: q2, type: text, label: {pl: a, en: a}}]
        """
    )
    assert problems_of(path) == [
        "sections[0] (id=a): segment A is mandatory in the RWS; set mandatory: true",
        "sections: the RWS needs the mandatory segments I, J",
    ]


def test_yaml_errors_report_line_and_column(write_form: Callable[..., Path]) -> None:
    """Broken YAML and duplicate keys are reported with their position, not a traceback."""
    path = write_form("id: demo\nversion: 1\ntitle: {pl: a, en: a\n")
    (message,) = problems_of(path)
    assert message.startswith("line 4, column 1: invalid YAML:")
    path = write_form("id: demo\nversion: 1\nversion: 2\n")
    assert problems_of(path) == ["line 3, column 1: invalid YAML: duplicate key 'version'"]


def test_unquoted_no_stays_text_in_choice_values(loaded: Callable[..., FormDefinition]) -> None:
    """YAML 1.2 booleans: `value: no` is the text 'no', not false."""
    form = loaded(
        "- {id: s, type: select_one, label: {pl: a, en: a}, choices: [{value: no, label: {pl: a, en: a}}]}"
    )
    assert form.question("s").choices[0].value == "no"


def test_file_name_must_match_id_and_version(write_form: Callable[..., Path]) -> None:
    """Each published version lives in its own <id>/v<version>.yaml file."""
    text = """
        id: demo
        version: 2
        title: {pl: a, en: a}
        sections: [{id: s, title: {pl: a, en: a}, questions: [{id: q, type: text, label: {pl: a, en: a}}]}]
    """
    assert problems_of(write_form(text)) == [
        "form: the file must be demo/v2.yaml (id/version), so each published version stays a separate file"
    ]


def test_load_form_raises_with_every_problem(questions_form: QuestionsForm) -> None:
    """load_form raises FormDefinitionError whose message lists the problems."""
    path = questions_form("- {id: s, type: select_one, label: {pl: a, en: a}}")
    with pytest.raises(FormDefinitionError) as info:
        load_form(path)
    assert info.value.problems == [
        Problem(
            str(path),
            "sections[0].questions[0] (id=s)",
            "a select_one question needs choices (a list, or the name of a choice list)",
        )
    ]
    assert "a select_one question needs choices" in str(info.value)


BASE = """
id: base
version: 1
title: {pl: a, en: a}
choice_lists:
  yn: [{value: y, label: {pl: t, en: y}}, {value: n, label: {pl: n, en: n}}]
sections:
  - id: one
    title: {pl: a, en: a}
    questions: [{id: q1, type: select_one, label: {pl: a, en: a}, choices: yn}]
  - id: two
    title: {pl: b, en: b}
    questions: [{id: q2, type: text, label: {pl: b, en: b}}]
flags:
  - {id: f, when: "q1 = 'y'", priority: normal, explanation: {pl: a, en: a}}
"""


def test_variant_uses_sections_and_flags_of_its_pinned_base(write_form: Callable[..., Path]) -> None:
    """An update variant reuses base sections by `use:` and inherits choice lists and flags."""
    write_form(BASE, "base")
    path = write_form(
        """
        id: base-update
        version: 1
        variant_of: {form: base, version: 1}
        title: {pl: u, en: u}
        sections:
          - id: why
            title: {pl: w, en: w}
            questions: [{id: why_q, type: select_one, label: {pl: a, en: a}, choices: yn}]
          - use: one
        """,
        "base-update",
    )
    form = load_form(path)
    assert [s.id for s in form.sections] == ["why", "one"]
    assert form.variant_of == ("base", 1)
    assert form.is_update
    assert [f.id for f in form.flags] == ["f"]


def test_variant_dropping_a_section_an_inherited_flag_needs_is_reported(
    write_form: Callable[..., Path],
) -> None:
    """Inherited flag rules must still resolve, so an update never silently loses a risk flag."""
    write_form(BASE, "base")
    path = write_form(
        """
        id: base-update
        version: 1
        variant_of: {form: base, version: 1}
        title: {pl: u, en: u}
        sections: [{use: two}]
        """,
        "base-update",
    )
    assert problems_of(path) == ["flags[0] (id=f): when: refers to unknown question 'q1'"]


def test_variant_of_a_missing_base_or_section_is_reported(write_form: Callable[..., Path]) -> None:
    """A variant names its base version; unknown bases and sections are problems."""
    write_form(BASE, "base")
    path = write_form(
        """
        id: base-update
        version: 1
        variant_of: {form: base, version: 1}
        title: {pl: u, en: u}
        sections: [{use: three}]
        """,
        "base-update",
    )
    assert problems_of(path) == ["sections[0] (use=three): base form base v1 has no section 'three'"]
    path = write_form(path.read_text().replace("version: 1}", "version: 7}"), "base-update")
    (message,) = problems_of(path)
    assert message.startswith("variant_of: base form base v7 not found")


def test_registry_serves_pinned_and_latest_versions(write_form: Callable[..., Path], forms_dir: Path) -> None:
    """Old versions stay available by number; latest() is the highest; unknown ones raise KeyError."""
    write_form(BASE, "base", 1)
    write_form(BASE.replace("version: 1", "version: 2").replace("pl: b", "pl: B"), "base", 2)
    registry = FormRegistry.from_directory(forms_dir)
    assert registry.versions("base") == [1, 2]
    assert registry.latest("base").version == 2
    assert registry.get("base", 1).section("two").title.pl == "b"
    with pytest.raises(KeyError, match="'base' version 3 is not published"):
        registry.get("base", 3)


def test_registry_refuses_to_start_with_a_broken_definition(
    write_form: Callable[..., Path], forms_dir: Path
) -> None:
    """from_directory raises listing the problems, so the app never serves a broken form."""
    write_form(BASE.replace("choices: yn", "choices: ny"), "base")
    with pytest.raises(FormDefinitionError, match="unknown choice list 'ny'"):
        FormRegistry.from_directory(forms_dir)


def test_registry_rejects_the_same_id_and_version_twice(
    write_form: Callable[..., Path], loaded: Callable[..., FormDefinition]
) -> None:
    """Versions are immutable: one id+version, one definition."""
    form = loaded("- {id: q, type: text, label: {pl: a, en: a}}")
    with pytest.raises(FormDefinitionError, match="demo v1 is already defined"):
        FormRegistry([form, form])


@pytest.mark.parametrize(("text", "message"), [
    ("id: rws\nversion: " + "9" * 5000 + "\n", "a value cannot be read"),
    ("id: rws\nreviewed: 2001-13-14\n", "a value cannot be read (month must be in 1..12)"),
    ("[" * 5000, "nested too deeply"),
])
def test_yaml_that_cannot_be_read_is_a_problem_not_a_crash(text: str, message: str) -> None:
    """Values YAML parses but Python cannot build (an impossible date, a huge integer, deep nesting) are reported."""
    from app.formdefs.loader import check_source

    form, problems = check_source(text, name="upload.yaml", base_source=lambda _form, _version: None)
    assert form is None and len(problems) == 1
    assert problems[0].item == "file" and message in problems[0].message


def test_keys_that_are_not_text_are_named_not_a_crash(write_form: Callable[..., Path]) -> None:
    """YAML reads `1.5:` or `2026-01-01:` as a number or a date; the schema check names such a key instead of a 500."""
    path = write_form("id: demo\nversion: 1\n1.5: x\n")
    assert problems_of(path) == ["form: key '1.5' must be text (put it in quotes)"]
    path = write_form("id: demo\nversion: 1\nsections:\n  - id: a\n    2026-01-01: x\n")
    assert problems_of(path) == ["sections[0] (id=a): key '2026-01-01' must be text (put it in quotes)"]
