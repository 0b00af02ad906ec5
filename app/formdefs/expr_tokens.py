"""The expression language's tokens: the lexer and its syntax error with the column."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


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


def describe_token(token: Token) -> str:
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
