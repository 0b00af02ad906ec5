"""Safe expression language for `relevant`, `constraint` and flag `when` (parsed to an AST, never eval'd)."""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections import ChainMap
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

__all__ = [
    "FUNCTIONS",
    "Context",
    "Expression",
    "ExpressionError",
    "Reference",
    "parse",
    "truthy",
]


class ExpressionError(ValueError):
    """A syntax error in an expression, with the 1-based column where it was found."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(f"{message}")
        self.message = message
        self.column = column


# --------------------------------------------------------------------------- tokens

KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false", "null"})
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_OPERATORS = ("<=", ">=", "!=", "==", "=", "<", ">", "+", "-", "*", "/", "(", ")", "[", "]", ",")


@dataclass(frozen=True)
class Token:
    """One lexical token; `column` is 1-based."""

    kind: str  # number, string, name, keyword, op, dot, end
    text: str
    column: int
    value: Any = None


def _describe(token: Token) -> str:
    if token.kind == "end":
        return "end of expression"
    return f"'{token.text}'"


def tokenize(text: str) -> list[Token]:
    """Split an expression into tokens, raising ExpressionError on anything unknown."""
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        column = i + 1
        if ch.isspace():
            i += 1
            continue
        if ch in "'\"":
            j = i + 1
            chars: list[str] = []
            while j < len(text) and text[j] != ch:
                if text[j] == "\\" and j + 1 < len(text):
                    j += 1
                chars.append(text[j])
                j += 1
            if j >= len(text):
                raise ExpressionError(f"unterminated string starting at column {column}", column)
            tokens.append(Token("string", text[i : j + 1], column, "".join(chars)))
            i = j + 1
            continue
        match = _NUMBER.match(text, i)
        if match:
            tokens.append(Token("number", match.group(), column, Decimal(match.group())))
            i = match.end()
            continue
        match = _NAME.match(text, i)
        if match:
            word = match.group()
            kind = "keyword" if word in KEYWORDS else "name"
            tokens.append(Token(kind, word, column))
            i = match.end()
            continue
        if ch == ".":
            tokens.append(Token("dot", ".", column))
            i += 1
            continue
        for op in _OPERATORS:
            if text.startswith(op, i):
                tokens.append(Token("op", op, column))
                i += len(op)
                break
        else:
            raise ExpressionError(f"unexpected character {ch!r} at column {column}", column)
    tokens.append(Token("end", "", len(text) + 1))
    return tokens


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Context:
    """What an expression can see: typed answers, repeat-group members, the current value and today."""

    values: Mapping[str, Any] = field(default_factory=dict)
    groups: Mapping[str, Sequence[Mapping[str, Any]]] = field(default_factory=dict)
    current: Any = None
    today: dt.date = field(default_factory=dt.date.today)

    def member(self, member_values: Mapping[str, Any]) -> Context:
        """The context inside one repeat-group member: its answers shadow the top-level ones."""
        return Context(
            ChainMap(dict(member_values), dict(self.values)), self.groups, self.current, self.today
        )


def _norm(value: Any) -> Any:
    """Bring answer values to the few types expressions work with; unknown types become null."""
    if value is None or isinstance(value, (bool, str, Decimal, dt.date)):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, (list, tuple, frozenset, set)):
        return [_norm(v) for v in value]
    return None


def truthy(value: Any) -> bool:
    """Truth value used by and/or/not and conditions: null, false, 0, '' and [] are false."""
    value = _norm(value)
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        return value != 0
    if isinstance(value, (str, list)):
        return len(value) > 0
    return True


def _same_kind(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool)
    if isinstance(a, dt.datetime) or isinstance(b, dt.datetime):
        return isinstance(a, dt.datetime) and isinstance(b, dt.datetime)
    return any(isinstance(a, kind) and isinstance(b, kind) for kind in (Decimal, str, dt.date, list))


def _compare(op: str, a: Any, b: Any) -> bool:
    # Missing data never satisfies a comparison: a flag or a skip rule must not fire on silence.
    a, b = _norm(a), _norm(b)
    if a is None or b is None:
        return False
    if not _same_kind(a, b):
        return op == "!="
    try:
        if op in ("=", "=="):
            return bool(a == b)
        if op == "!=":
            return bool(a != b)
        if isinstance(a, bool):
            return False
        if op == "<":
            return bool(a < b)
        if op == "<=":
            return bool(a <= b)
        if op == ">":
            return bool(a > b)
        if op == ">=":
            return bool(a >= b)
    except (TypeError, ArithmeticError):
        return False
    raise AssertionError(op)  # pragma: no cover - the parser only produces the operators above


_DECIMAL = decimal.Context(
    prec=34, traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow]
)


def _arith(op: str, a: Any, b: Any) -> Any:
    a, b = _norm(a), _norm(b)
    if a is None or b is None:
        return None
    try:
        if op == "-" and isinstance(a, dt.date) and isinstance(b, dt.date):
            if isinstance(a, dt.datetime) != isinstance(b, dt.datetime):
                return None
            return Decimal((a - b).days)
        if not (isinstance(a, Decimal) and isinstance(b, Decimal)):
            return None
        if isinstance(a, bool) or isinstance(b, bool):  # pragma: no cover - bool is not Decimal
            return None
        if op == "+":
            return _DECIMAL.add(a, b)
        if op == "-":
            return _DECIMAL.subtract(a, b)
        if op == "*":
            return _DECIMAL.multiply(a, b)
        if op == "/":
            return _DECIMAL.divide(a, b)
    except ArithmeticError:
        return None
    raise AssertionError(op)  # pragma: no cover


def _age(born: Any, today: dt.date) -> Any:
    if isinstance(born, dt.datetime):
        born = born.date()
    if not isinstance(born, dt.date):
        return None
    if born > today:
        return None
    years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return Decimal(years)


# --------------------------------------------------------------------------- AST


@dataclass(frozen=True)
class Reference:
    """A name used in an expression: a plain answer, a repeat group, or a group column (`group.question`)."""

    name: str
    role: str  # value | group | column
    scope: str | None  # the repeat group whose members are in scope, inside count_if/any
    column: int


@dataclass(frozen=True)
class Node:
    """Base of all AST nodes; `column` is ignored in comparisons so re-parsed text compares equal."""

    column: int = field(compare=False)

    def evaluate(self, ctx: Context) -> Any:
        """Compute the node's value."""
        raise NotImplementedError

    def source(self) -> str:
        """Canonical, fully parenthesised source text."""
        raise NotImplementedError

    def children(self) -> Iterator[Node]:
        """Direct sub-nodes."""
        return iter(())

    def walk(self, scope: str | None = None) -> Iterator[tuple[Node, str | None]]:
        """All nodes with the repeat group in scope at each."""
        yield self, scope
        for child in self.children():
            yield from child.walk(scope)


@dataclass(frozen=True)
class Literal(Node):
    """A string, number, boolean or null literal."""

    value: Any

    def evaluate(self, ctx: Context) -> Any:
        return self.value

    def source(self) -> str:
        if self.value is None:
            return "null"
        if self.value is True:
            return "true"
        if self.value is False:
            return "false"
        if isinstance(self.value, Decimal):
            return format(self.value, "f")
        escaped = str(self.value).replace("\\", "\\\\").replace("'", "\\'")
        return f"'{escaped}'"


@dataclass(frozen=True)
class Current(Node):
    """`.`: the value being validated by a constraint."""

    def evaluate(self, ctx: Context) -> Any:
        return _norm(ctx.current)

    def source(self) -> str:
        return "."


@dataclass(frozen=True)
class Name(Node):
    """A question id (or a repeat-group id, whose value is its member count)."""

    name: str

    def evaluate(self, ctx: Context) -> Any:
        return _norm(ctx.values.get(self.name))

    def source(self) -> str:
        return self.name


@dataclass(frozen=True)
class GroupRef(Node):
    """The first argument of count/count_if/any: a repeat group."""

    name: str

    def members(self, ctx: Context) -> Sequence[Mapping[str, Any]]:
        """The group's member answer maps."""
        return ctx.groups.get(self.name, ())

    def evaluate(self, ctx: Context) -> Any:
        return Decimal(len(self.members(ctx)))

    def source(self) -> str:
        return self.name


@dataclass(frozen=True)
class ColumnRef(Node):
    """`group.question` inside sum(): that question's values across all members."""

    group: str
    question: str

    def evaluate(self, ctx: Context) -> Any:
        return [_norm(m.get(self.question)) for m in ctx.groups.get(self.group, ())]

    def source(self) -> str:
        return f"{self.group}.{self.question}"


@dataclass(frozen=True)
class ListLit(Node):
    """`[a, b, c]`, used with `in`."""

    items: tuple[Node, ...]

    def evaluate(self, ctx: Context) -> Any:
        return [item.evaluate(ctx) for item in self.items]

    def source(self) -> str:
        return "[" + ", ".join(item.source() for item in self.items) + "]"

    def children(self) -> Iterator[Node]:
        return iter(self.items)


@dataclass(frozen=True)
class Unary(Node):
    """`not x` or `-x`."""

    op: str
    operand: Node

    def evaluate(self, ctx: Context) -> Any:
        value = self.operand.evaluate(ctx)
        if self.op == "not":
            return not truthy(value)
        return _arith("-", Decimal(0), value)

    def source(self) -> str:
        sep = " " if self.op == "not" else ""
        return f"({self.op}{sep}{self.operand.source()})"

    def children(self) -> Iterator[Node]:
        yield self.operand


@dataclass(frozen=True)
class Binary(Node):
    """Arithmetic, comparison, `in`/`not in` and `and`/`or`."""

    op: str
    left: Node
    right: Node

    def evaluate(self, ctx: Context) -> Any:
        if self.op == "and":
            return truthy(self.left.evaluate(ctx)) and truthy(self.right.evaluate(ctx))
        if self.op == "or":
            return truthy(self.left.evaluate(ctx)) or truthy(self.right.evaluate(ctx))
        left = self.left.evaluate(ctx)
        right = self.right.evaluate(ctx)
        if self.op in ("in", "not in"):
            left = _norm(left)
            right = _norm(right)
            if left is None or not isinstance(right, list):
                return False
            found = any(_compare("=", left, item) for item in right)
            return found if self.op == "in" else not found
        if self.op in ("+", "-", "*", "/"):
            return _arith(self.op, left, right)
        return _compare(self.op, left, right)

    def source(self) -> str:
        return f"({self.left.source()} {self.op} {self.right.source()})"

    def children(self) -> Iterator[Node]:
        yield self.left
        yield self.right


@dataclass(frozen=True)
class Call(Node):
    """A call of one of the built-in functions."""

    function: str
    args: tuple[Node, ...]

    def evaluate(self, ctx: Context) -> Any:
        return FUNCTIONS[self.function].run(ctx, self.args)

    def source(self) -> str:
        return f"{self.function}(" + ", ".join(arg.source() for arg in self.args) + ")"

    def children(self) -> Iterator[Node]:
        return iter(self.args)

    def walk(self, scope: str | None = None) -> Iterator[tuple[Node, str | None]]:
        yield self, scope
        inner = scope
        for index, arg in enumerate(self.args):
            yield from arg.walk(inner)
            # Everything after the group argument of count_if/any is evaluated per member.
            if index == 0 and isinstance(arg, GroupRef) and len(self.args) > 1:
                inner = arg.name


# --------------------------------------------------------------------------- functions


@dataclass(frozen=True)
class Function:
    """A built-in function: arity, which argument kinds it needs, and how it runs."""

    arity: int
    run: Callable[[Context, tuple[Node, ...]], Any]
    first: str = "value"  # value | group | column
    doc: str = ""


def _each_member(ctx: Context, args: tuple[Node, ...]) -> Iterator[bool]:
    group = args[0]
    assert isinstance(group, GroupRef)  # noqa: S101 - guaranteed by the parser
    for member in group.members(ctx):
        yield truthy(args[1].evaluate(ctx.member(member)))


def _selected(ctx: Context, args: tuple[Node, ...]) -> bool:
    value, wanted = _norm(args[0].evaluate(ctx)), _norm(args[1].evaluate(ctx))
    if wanted is None:
        return False
    if isinstance(value, list):
        return any(_compare("=", item, wanted) for item in value)
    return _compare("=", value, wanted)


def _sum(ctx: Context, args: tuple[Node, ...]) -> Any:
    total = Decimal(0)
    for value in args[0].evaluate(ctx):
        if isinstance(value, Decimal):
            total = _arith("+", total, value)
            if total is None:
                return None
    return total


def _answered(ctx: Context, args: tuple[Node, ...]) -> bool:
    value = _norm(args[0].evaluate(ctx))
    return not (value is None or value == "" or value == [])


def _len(ctx: Context, args: tuple[Node, ...]) -> Any:
    value = _norm(args[0].evaluate(ctx))
    return Decimal(len(value)) if isinstance(value, (str, list)) else None


def _contains(ctx: Context, args: tuple[Node, ...]) -> bool:
    haystack, needle = _norm(args[0].evaluate(ctx)), _norm(args[1].evaluate(ctx))
    if isinstance(haystack, str) and isinstance(needle, str):
        return needle in haystack
    if isinstance(haystack, list) and needle is not None:
        return any(_compare("=", item, needle) for item in haystack)
    return False


def _lower(ctx: Context, args: tuple[Node, ...]) -> Any:
    value = _norm(args[0].evaluate(ctx))
    return value.lower() if isinstance(value, str) else None


FUNCTIONS: dict[str, Function] = {
    "selected": Function(2, _selected, doc="selected(q, 'value'): the choice is selected"),
    "count": Function(1, lambda ctx, a: a[0].evaluate(ctx), "group", "count(group): number of members"),
    "count_if": Function(
        2,
        lambda ctx, a: Decimal(sum(_each_member(ctx, a))),
        "group",
        "count_if(group, expr): members for which expr holds",
    ),
    "any": Function(
        2, lambda ctx, a: any(_each_member(ctx, a)), "group", "any(group, expr): some member satisfies expr"
    ),
    "sum": Function(1, _sum, "column", "sum(group.q): total of q over the members, ignoring blanks"),
    "answered": Function(1, _answered, doc="answered(q): q holds an answer"),
    "today": Function(0, lambda ctx, a: ctx.today, doc="today(): the current date"),
    "age": Function(
        1, lambda ctx, a: _age(_norm(a[0].evaluate(ctx)), ctx.today), doc="age(date): full years until today"
    ),
    "len": Function(1, _len, doc="len(text): number of characters (or selected choices)"),
    "contains": Function(2, _contains, doc="contains(text, 'substr'): case-sensitive substring test"),
    "lower": Function(1, _lower, doc="lower(text): lower-case text"),
}


# --------------------------------------------------------------------------- parser

_COMPARISONS = frozenset({"=", "==", "!=", "<", "<=", ">", ">="})


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.pos = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.pos]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        if token.kind != "end":
            self.pos += 1
        return token

    def at(self, kind: str, text: str | None = None) -> bool:
        token = self.token
        return token.kind == kind and (text is None or token.text == text)

    def fail(self, expected: str) -> ExpressionError:
        token = self.token
        return ExpressionError(
            f"unexpected {_describe(token)} at column {token.column}; expected {expected}", token.column
        )

    def expect(self, kind: str, text: str, expected: str) -> Token:
        if not self.at(kind, text):
            raise self.fail(expected)
        return self.advance()

    def parse(self) -> Node:
        if self.at("end"):
            raise ExpressionError("empty expression", 1)
        node = self.or_expr()
        if not self.at("end"):
            raise self.fail("an operator or the end of the expression")
        return node

    def or_expr(self) -> Node:
        node = self.and_expr()
        while self.at("keyword", "or"):
            token = self.advance()
            node = Binary(token.column, "or", node, self.and_expr())
        return node

    def and_expr(self) -> Node:
        node = self.not_expr()
        while self.at("keyword", "and"):
            token = self.advance()
            node = Binary(token.column, "and", node, self.not_expr())
        return node

    def not_expr(self) -> Node:
        if self.at("keyword", "not"):
            token = self.advance()
            return Unary(token.column, "not", self.not_expr())
        return self.comparison()

    def comparison(self) -> Node:
        node = self.additive()
        token = self.token
        if token.kind == "op" and token.text in _COMPARISONS:
            self.advance()
            node = Binary(token.column, "=" if token.text == "==" else token.text, node, self.additive())
        elif self.at("keyword", "in"):
            self.advance()
            node = Binary(token.column, "in", node, self.additive())
        elif self.at("keyword", "not") and self.tokens[self.pos + 1].text == "in":
            self.advance()
            self.advance()
            node = Binary(token.column, "not in", node, self.additive())
        else:
            return node
        after = self.token
        if (after.kind == "op" and after.text in _COMPARISONS) or self.at("keyword", "in"):
            raise ExpressionError(
                f"comparisons cannot be chained at column {after.column}; combine them with 'and'",
                after.column,
            )
        return node

    def additive(self) -> Node:
        node = self.multiplicative()
        while self.token.kind == "op" and self.token.text in ("+", "-"):
            token = self.advance()
            node = Binary(token.column, token.text, node, self.multiplicative())
        return node

    def multiplicative(self) -> Node:
        node = self.unary()
        while self.token.kind == "op" and self.token.text in ("*", "/"):
            token = self.advance()
            node = Binary(token.column, token.text, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.at("op", "-"):
            token = self.advance()
            return Unary(token.column, "-", self.unary())
        return self.primary()

    def primary(self) -> Node:
        token = self.token
        if token.kind in ("number", "string"):
            self.advance()
            return Literal(token.column, token.value)
        if token.kind == "keyword" and token.text in ("true", "false", "null"):
            self.advance()
            return Literal(token.column, {"true": True, "false": False, "null": None}[token.text])
        if token.kind == "dot":
            self.advance()
            return Current(token.column)
        if token.kind == "op" and token.text == "(":
            self.advance()
            node = self.or_expr()
            self.expect("op", ")", "')'")
            return node
        if token.kind == "op" and token.text == "[":
            return self.list_literal()
        if token.kind == "name":
            self.advance()
            if self.at("op", "("):
                return self.call(token)
            if "." in token.text:
                raise ExpressionError(
                    f"'{token.text}' at column {token.column} refers to a repeat-group question; "
                    "use it inside sum(), or use count_if()/any() with the group",
                    token.column,
                )
            return Name(token.column, token.text)
        raise self.fail("an expression")

    def list_literal(self) -> Node:
        start = self.advance()
        items: list[Node] = []
        if not self.at("op", "]"):
            items.append(self.or_expr())
            while self.at("op", ","):
                self.advance()
                items.append(self.or_expr())
        self.expect("op", "]", "',' or ']'")
        return ListLit(start.column, tuple(items))

    def call(self, name: Token) -> Node:
        function = FUNCTIONS.get(name.text)
        if function is None:
            known = ", ".join(sorted(FUNCTIONS))
            raise ExpressionError(
                f"unknown function '{name.text}' at column {name.column}; known: {known}", name.column
            )
        self.advance()  # (
        args: list[Node] = []
        if not self.at("op", ")"):
            args.append(self.argument(name.text, function, 0))
            while self.at("op", ","):
                self.advance()
                args.append(self.argument(name.text, function, len(args)))
        self.expect("op", ")", "',' or ')'")
        if len(args) != function.arity:
            plural = "s" if function.arity != 1 else ""
            raise ExpressionError(
                f"{name.text}() at column {name.column} takes {function.arity} argument{plural}, got {len(args)}",
                name.column,
            )
        return Call(name.column, name.text, tuple(args))

    def argument(self, function_name: str, function: Function, index: int) -> Node:
        if index > 0 or function.first == "value":
            return self.or_expr()
        token = self.token
        if token.kind != "name" or self.tokens[self.pos + 1].text == "(":
            raise self.fail(f"a repeat-group name as the first argument of {function_name}()")
        self.advance()
        if function.first == "group":
            if "." in token.text:
                raise ExpressionError(
                    f"{function_name}() at column {token.column} expects a repeat-group name, not '{token.text}'",
                    token.column,
                )
            return GroupRef(token.column, token.text)
        if token.text.count(".") != 1:
            raise ExpressionError(
                f"{function_name}() at column {token.column} expects 'group.question', not '{token.text}'",
                token.column,
            )
        group, question = token.text.split(".")
        return ColumnRef(token.column, group, question)


# --------------------------------------------------------------------------- public wrapper


@dataclass(frozen=True)
class Expression:
    """A parsed expression: evaluate it against a Context, or ask which names it uses."""

    text: str
    root: Node

    def evaluate(self, context: Context | Mapping[str, Any] | None = None) -> Any:
        """The expression's value; missing data yields null/false, never an exception."""
        if context is None:
            context = Context()
        elif not isinstance(context, Context):
            context = Context(values=context)
        return self.root.evaluate(context)

    def holds(self, context: Context | Mapping[str, Any] | None = None) -> bool:
        """Whether the expression is true in the context."""
        return truthy(self.evaluate(context))

    def reference_sites(self) -> list[Reference]:
        """Every name the expression uses, with its role and the repeat group in scope."""
        sites: list[Reference] = []
        for node, scope in self.root.walk():
            if isinstance(node, Name):
                sites.append(Reference(node.name, "value", scope, node.column))
            elif isinstance(node, GroupRef):
                sites.append(Reference(node.name, "group", scope, node.column))
            elif isinstance(node, ColumnRef):
                sites.append(Reference(f"{node.group}.{node.question}", "column", scope, node.column))
        return sites

    def references(self) -> set[str]:
        """The names used (question ids, group ids, and `group.question` columns)."""
        return {site.name for site in self.reference_sites()}

    def uses_current(self) -> bool:
        """Whether `.` (the current value) appears."""
        return any(isinstance(node, Current) for node, _ in self.root.walk())

    def nodes(self) -> Iterator[tuple[Node, str | None]]:
        """All AST nodes with the repeat group in scope (for static checks)."""
        return self.root.walk()

    def __str__(self) -> str:
        return self.text


def parse(text: str) -> Expression:
    """Parse expression text into an Expression, raising ExpressionError with the column on bad syntax."""
    if not isinstance(text, str):
        raise ExpressionError("an expression must be text", 1)
    return Expression(text, _Parser(text).parse())
