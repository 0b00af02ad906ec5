"""The expression tree (literals, names, group and column references, lists, operators, calls) and the functions
an expression may call (count, sum, selected, age, ...), each with its arity."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.formdefs.expr_values import Context, age_in_years, arithmetic, compare_values, normalised, truthy

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
        return normalised(ctx.current)

    def source(self) -> str:
        return "."


@dataclass(frozen=True)
class Name(Node):
    """A question id (or a repeat-group id, whose value is its member count)."""

    name: str

    def evaluate(self, ctx: Context) -> Any:
        return normalised(ctx.values.get(self.name))

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
        return [normalised(m.get(self.question)) for m in ctx.groups.get(self.group, ())]

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
        return arithmetic("-", Decimal(0), value)

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
            left = normalised(left)
            right = normalised(right)
            if left is None or not isinstance(right, list):
                return False
            found = any(compare_values("=", left, item) for item in right)
            return found if self.op == "in" else not found
        if self.op in ("+", "-", "*", "/"):
            return arithmetic(self.op, left, right)
        return compare_values(self.op, left, right)

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
    value, wanted = normalised(args[0].evaluate(ctx)), normalised(args[1].evaluate(ctx))
    if wanted is None:
        return False
    if isinstance(value, list):
        return any(compare_values("=", item, wanted) for item in value)
    return compare_values("=", value, wanted)


def _sum(ctx: Context, args: tuple[Node, ...]) -> Any:
    total = Decimal(0)
    for value in args[0].evaluate(ctx):
        if isinstance(value, Decimal):
            total = arithmetic("+", total, value)
            if total is None:
                return None
    return total


def _answered(ctx: Context, args: tuple[Node, ...]) -> bool:
    value = normalised(args[0].evaluate(ctx))
    return not (value is None or value == "" or value == [])


def _len(ctx: Context, args: tuple[Node, ...]) -> Any:
    value = normalised(args[0].evaluate(ctx))
    return Decimal(len(value)) if isinstance(value, (str, list)) else None


def _contains(ctx: Context, args: tuple[Node, ...]) -> bool:
    haystack, needle = normalised(args[0].evaluate(ctx)), normalised(args[1].evaluate(ctx))
    if isinstance(haystack, str) and isinstance(needle, str):
        return needle in haystack
    if isinstance(haystack, list) and needle is not None:
        return any(compare_values("=", item, needle) for item in haystack)
    return False


def _lower(ctx: Context, args: tuple[Node, ...]) -> Any:
    value = normalised(args[0].evaluate(ctx))
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
        1, lambda ctx, a: age_in_years(normalised(a[0].evaluate(ctx)), ctx.today), doc="age(date): full years until today"
    ),
    "len": Function(1, _len, doc="len(text): number of characters (or selected choices)"),
    "contains": Function(2, _contains, doc="contains(text, 'substr'): case-sensitive substring test"),
    "lower": Function(1, _lower, doc="lower(text): lower-case text"),
}
