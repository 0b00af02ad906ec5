"""Case numbers (PREFIX/YEAR/NNNN) from a per-office, per-year counter raised atomically on SQLite and PostgreSQL.

"Highest existing + 1" gave two concurrent registrations the same number (a unique-constraint error, HTTP 500).
Here one statement raises the counter and returns the new value: on PostgreSQL the row lock makes the second
registration wait for the first to commit; on SQLite writers are serialised by the write lock.
"""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from app.auth.models import DEFAULT_REFERENCE_PREFIX, Office
from app.cases.models import Case, CaseCounter
from app.db import dialect_insert

# Numbers already taken by records written without the counter (demo data, imports) are skipped, at most this many.
MAX_SKIPS = 10_000


def format_reference(prefix: str, year: int, number: int) -> str:
    """RWS/2026/0007."""
    return f"{prefix}/{year}/{number:04d}"


def _highest_existing(session: Session, office_id: int, prefix: str, year: int) -> int:
    start = f"{prefix}/{year}/"
    rows = session.exec(
        select(Case.reference).where(Case.office_id == office_id, col(Case.reference).startswith(start))
    ).all()
    return max((int(r[len(start):]) for r in rows if r[len(start):].isdigit()), default=0)


def _raise_counter(session: Session, office_id: int, year: int, start: int) -> int:
    """Raise the counter by one and return its new value; the first use of a year starts after `start`."""
    statement = (
        dialect_insert(session, CaseCounter)
        .values(office_id=office_id, year=year, last=start + 1)
        .on_conflict_do_update(index_elements=["office_id", "year"], set_={"last": col(CaseCounter.last) + 1})
        .returning(col(CaseCounter.last))
    )
    return int(session.exec(statement).scalar_one())


def next_reference(session: Session, office_id: int, year: int) -> str:
    """A case number of the office for the year that nobody else has been or will be given."""
    office = session.get(Office, office_id)
    prefix = (office.reference_prefix if office else "") or DEFAULT_REFERENCE_PREFIX
    has_counter = session.get(CaseCounter, (office_id, year)) is not None
    start = 0 if has_counter else _highest_existing(session, office_id, prefix, year)
    for _ in range(MAX_SKIPS):
        number = _raise_counter(session, office_id, year, start)
        reference = format_reference(prefix, year, number)
        taken = session.exec(
            select(func.count()).select_from(Case).where(Case.office_id == office_id, Case.reference == reference)
        ).one()
        if not taken:
            return reference
    raise RuntimeError(f"office {office_id}: no free case number found for {year}")
