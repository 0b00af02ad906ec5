"""Safe expression language for `relevant`, `constraint` and flag `when` (parsed to an AST, never eval'd)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from app.formdefs.expr_nodes import (
    FUNCTIONS,
    Binary,
    Call,
    ColumnRef,
    Current,
    Function,
    GroupRef,
    ListLit,
    Literal,
    Name,
    Node,
    Reference,
    Unary,
)
from app.formdefs.expr_tokens import ExpressionError, Token, describe_token, tokenize
from app.formdefs.expr_values import Context, truthy

__all__ = ["Expression", "parse"]
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
            f"unexpected {describe_token(token)} at column {token.column}; expected {expected}", token.column
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
