"""The expression language: parsing, evaluation with null semantics, errors, references; property-based checks."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.formdefs.expr import parse
from app.formdefs.expr_tokens import ExpressionError
from app.formdefs.expr_values import Context

TODAY = dt.date(2020, 4, 15)


def ev(text: str, values: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    return parse(text).evaluate(Context(values=values or {}, today=TODAY, **kwargs))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", Decimal(7)),
        ("(1 + 2) * 3", Decimal(9)),
        ("10 / 4", Decimal("2.5")),
        ("-3 + 1", Decimal(-2)),
        ("1 / 0", None),
        ("'a' = 'a'", True),
        ("'a' == 'a'", True),
        ("2 >= 2 and 1 < 2", True),
        ("not 1 > 2", True),
        ("true or false and false", True),
        ("'b' in ['a', 'b']", True),
        ("'c' not in ['a', 'b']", True),
        ("len('zażółć')", Decimal(6)),
        ("contains('Ala ma kota', 'ma')", True),
        ("lower('ABC') = 'abc'", True),
        ("today()", TODAY),
        ("age(today()) = 0", True),
        ("\"it's\" = 'it\\'s'", True),
    ],
)
def test_evaluate_literals_operators_and_functions(text: str, expected: Any) -> None:
    """Operators follow the usual precedence; functions return the documented values."""
    assert ev(text) == expected


def test_unanswered_values_are_null_and_comparisons_with_null_are_false() -> None:
    """Missing data never makes a comparison true, in either direction."""
    for text in ("x = 1", "x != 1", "x < 1", "x >= 1", "x in [1]", "x = null", "age(x) < 18"):
        assert ev(text) is False, text
    assert ev("not answered(x)") is True
    assert ev("x + 1") is None


def test_names_answers_and_current_value() -> None:
    """Question ids read typed answers; ints become decimals; '.' is the value being validated."""
    values = {"n": 3, "money": Decimal("10.50"), "flag": True, "needs": ["food", "shopping"]}
    assert ev("n * 2 = 6", values) is True
    assert ev("money > 10", values) is True
    assert ev("flag", values) is True
    assert ev("selected(needs, 'food') and not selected(needs, 'cash')", values) is True
    assert parse(". <= 5").evaluate(Context(current=4)) is True


def test_age_counts_full_years() -> None:
    """age() is the number of birthdays that have passed."""
    assert ev("age(d)", {"d": dt.date(2002, 4, 15)}) == 18
    assert ev("age(d)", {"d": dt.date(2002, 4, 16)}) == 17
    assert ev("age(d)", {"d": dt.date(2021, 1, 1)}) is None


def test_group_functions_evaluate_per_member() -> None:
    """count/count_if/any/sum see each member's answers, shadowing the top level."""
    groups = {
        "household": [
            {"dob": dt.date(2010, 1, 1), "inc": Decimal(100)},
            {"dob": dt.date(1970, 1, 1), "inc": None},
        ]
    }
    values = {"household": 2, "dob": dt.date(1950, 1, 1)}
    assert ev("count(household)", values, groups=groups) == 2
    assert ev("count_if(household, age(dob) < 18)", values, groups=groups) == 1
    assert ev("any(household, age(dob) < 18)", values, groups=groups) is True
    assert ev("sum(household.inc)", values, groups=groups) == 100
    assert ev("age(dob) > 60", values, groups=groups) is True


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a = (b + )", "unexpected ')' at column 10; expected an expression"),
        ("a = ", "unexpected end of expression at column 5; expected an expression"),
        ("(a = 1", "unexpected end of expression at column 7; expected ')'"),
        ("a b", "unexpected 'b' at column 3; expected an operator or the end of the expression"),
        ("a # b", "unexpected character '#' at column 3"),
        ("'open", "unterminated string starting at column 1"),
        ("1 < a < 3", "comparisons cannot be chained at column 7; combine them with 'and'"),
        ("foo(a)", "unknown function 'foo' at column 1"),
        ("selected(a)", "selected() at column 1 takes 2 arguments, got 1"),
        (
            "count('x')",
            "unexpected ''x'' at column 7; expected a repeat-group name as the first argument of count()",
        ),
        ("sum(household)", "sum() at column 5 expects 'group.question', not 'household'"),
        ("household.dob > 1", "'household.dob' at column 1 refers to a repeat-group question"),
        ("", "empty expression"),
    ],
)
def test_parse_errors_name_the_column_and_what_was_expected(text: str, message: str) -> None:
    """Syntax errors say where and what, so a form author can fix them."""
    with pytest.raises(ExpressionError) as info:
        parse(text)
    assert info.value.message.startswith(message)


def test_references_include_group_scopes() -> None:
    """references() lists every name; reference_sites() says which are evaluated per member."""
    expr = parse(
        "violence = true and (minor = true or any(household, age(dob) < 18)) and sum(household.inc) > 0"
    )
    assert expr.references() == {"violence", "minor", "household", "dob", "household.inc"}
    scoped = {(s.name, s.role, s.scope) for s in expr.reference_sites()}
    assert ("dob", "value", "household") in scoped
    assert ("household", "group", None) in scoped
    assert ("household.inc", "column", None) in scoped


# --------------------------------------------------------------------------- property-based

NAMES = st.sampled_from(["a", "b", "income", "dob", "needs"])
GROUP = st.just("household")
STRINGS = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8)
NUMBERS = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


def _literal() -> st.SearchStrategy[str]:
    def quote(s: str) -> str:
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"

    return st.one_of(
        NUMBERS.map(lambda d: format(d, "f")),
        STRINGS.map(quote),
        st.sampled_from(["true", "false", "null", "today()"]),
    )


def _extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.tuples(
        inner, st.sampled_from(["+", "-", "*", "/", "=", "!=", "<", "<=", ">", ">=", "and", "or"]), inner
    )
    return st.one_of(
        binary.map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        inner.map(lambda e: f"(not {e})"),
        inner.map(lambda e: f"-({e})"),
        st.tuples(inner, st.lists(inner, max_size=3)).map(lambda t: f"({t[0]} in [{', '.join(t[1])}])"),
        st.tuples(NAMES, inner).map(lambda t: f"selected({t[0]}, {t[1]})"),
        inner.map(lambda e: f"count_if(household, {e})"),
        inner.map(lambda e: f"any(household, {e})"),
        st.sampled_from(["count(household)", "sum(household.income)"]),
        st.sampled_from(["answered", "age", "len", "lower"]).flatmap(
            lambda f: inner.map(lambda e: f"{f}({e})")
        ),
        st.tuples(inner, inner).map(lambda t: f"contains({t[0]}, {t[1]})"),
    )


EXPRESSIONS = st.recursive(st.one_of(_literal(), NAMES, st.just(".")), _extend, max_leaves=12)
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    NUMBERS,
    STRINGS,
    st.dates(),
    st.lists(st.sampled_from(["food", "cash"]), max_size=2),
)
CONTEXTS = st.builds(
    lambda values, members, current: Context(
        values=values, groups={"household": members}, current=current, today=TODAY
    ),
    st.dictionaries(NAMES, VALUES),
    st.lists(st.dictionaries(NAMES, VALUES), max_size=3),
    VALUES,
)


@settings(max_examples=300, deadline=None)
@given(EXPRESSIONS, CONTEXTS)
def test_valid_expressions_round_trip_and_evaluate_without_exceptions(text: str, context: Context) -> None:
    """Any well-formed expression parses, re-parses from its canonical source to the same AST, and evaluates."""
    expr = parse(text)
    again = parse(expr.root.source())
    assert again.root == expr.root
    assert again.root.source() == expr.root.source()
    expr.evaluate(context)
    expr.references()


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            list("ab01 .,'\"()[]=!<>+-*/_") + [" and ", " or ", "not ", " in ", "count(", "sum(", "x.y"]
        ),
        max_size=20,
    ).map("".join)
)
def test_garbage_raises_only_expression_error(text: str) -> None:
    """Whatever the input, the parser either succeeds or raises its own ExpressionError with a column."""
    error: ExpressionError | None = None
    try:
        parse(text)
    except ExpressionError as exc:
        error = exc
    if error is not None:
        assert 1 <= error.column <= len(text) + 1


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_arbitrary_unicode_raises_only_expression_error(text: str) -> None:
    """Arbitrary text never crashes the tokenizer."""
    with contextlib.suppress(ExpressionError):
        parse(text).evaluate(Context(today=TODAY))
