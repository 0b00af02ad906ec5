"""Values of the expression language: the evaluation context, truthiness, comparison, arithmetic, ages."""

from __future__ import annotations

import datetime as dt
import decimal
from collections import ChainMap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

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


def normalised(value: Any) -> Any:
    """Bring answer values to the few types expressions work with; unknown types become null."""
    if value is None or isinstance(value, (bool, str, Decimal, dt.date)):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, (list, tuple, frozenset, set)):
        return [normalised(v) for v in value]
    return None


def truthy(value: Any) -> bool:
    """Truth value used by and/or/not and conditions: null, false, 0, '' and [] are false."""
    value = normalised(value)
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


def compare_values(op: str, a: Any, b: Any) -> bool:
    # Missing data never satisfies a comparison: a flag or a skip rule must not fire on silence.
    a, b = normalised(a), normalised(b)
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


def arithmetic(op: str, a: Any, b: Any) -> Any:
    a, b = normalised(a), normalised(b)
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


def age_in_years(born: Any, today: dt.date) -> Any:
    if isinstance(born, dt.datetime):
        born = born.date()
    if not isinstance(born, dt.date):
        return None
    if born > today:
        return None
    years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return Decimal(years)
