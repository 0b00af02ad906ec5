"""Count the SQL statements one request sends (query budgets as tests, not timings).

    with count_queries(app) as counted:
        client.post(...)
    assert counted.total <= 8, counted.report()
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.db import ENGINE_KEY

# BEGIN (IMMEDIATE) is how the SQLite engine opens its transactions; it is not a query.
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@dataclass
class Counted:
    """The statements sent while counting, in order."""

    statements: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        """How many statements went to the database."""
        return len(self.statements)

    def touching(self, *tables: str) -> int:
        """How many statements name one of these tables (e.g. the audit chain's `audit_head`, `audit_event`)."""
        names = tuple(f" {t}" for t in tables)
        return sum(1 for s in self.statements if any(n in " ".join(s.split()) for n in names))

    def report(self) -> str:
        """The statements, one a line (shown when a budget is exceeded)."""
        return f"{self.total} statements:\n" + "\n".join(" ".join(s.split())[:160] for s in self.statements)


@contextmanager
def count_queries(app: Flask) -> Iterator[Counted]:
    """Count every statement the app's engine executes inside the block (transaction control excluded)."""
    engine: Engine = app.extensions[ENGINE_KEY]
    counted = Counted()

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            counted.statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield counted
    finally:
        event.remove(engine, "before_cursor_execute", before)
