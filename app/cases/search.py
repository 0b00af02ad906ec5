"""Finding cases: the filters of the case list and one page of results."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_
from sqlmodel import Session, col, select

from app.auth.models import User
from app.auth.services import Principal
from app.cases import deadlines
from app.cases.access import sees_whole_office, visibility_clause
from app.cases.models import (
    OPEN_STATES,
    Case,
    CasePhone,
    CaseState,
    name_key,
)
from app.cases.queue import QueueItem, queue_items
from app.fields import (
    SEARCH_MAX,
    FieldError,
    digits,
    limited,
    phone_search_key,
)
from app.web.ids import parse_id
from app.web.paging import Page, clamp, page_count, page_number

PAGE_SIZE = 20


# --- finding cases -------------------------------------------------------------------------------------------


@dataclass
class CaseFilters:
    """Search and filters of the case list (all optional)."""

    q: str = ""
    state: str = ""
    worker: str = ""  # "", "me", "none" or a worker id
    deadline: str = ""  # "", "overdue", "soon"
    other_route: bool = False
    page: int = 1

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> CaseFilters:
        """Build from query arguments, ignoring what does not parse."""
        page_raw = str(data.get("page", "1") or "1")
        return cls(
            q=str(data.get("q", "") or "").strip(),
            state=str(data.get("state", "") or ""),
            worker=str(data.get("worker", "") or ""),
            deadline=str(data.get("deadline", "") or ""),
            other_route=str(data.get("other_route", "")) in ("1", "on"),
            page=page_number(page_raw),
        )

    @property
    def problem(self) -> str | None:
        """Why the search text cannot be searched for as typed (too long, digits of another script)."""
        try:
            limited(self.q, SEARCH_MAX)
            digits(self.q)
        except FieldError as exc:
            return exc.message
        return None

    def args(self, **changes: Any) -> dict[str, Any]:
        """Query arguments for links (pagination) keeping the other filters."""
        values: dict[str, Any] = {
            "q": self.q, "state": self.state, "worker": self.worker, "deadline": self.deadline,
            "other_route": "1" if self.other_route else "", "page": self.page,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in ("", None) and not (k == "page" and v == 1)}


@dataclass
class CasePage:
    """One page of search results."""

    items: list[QueueItem]
    total: int
    page: int
    pages: int
    workers: dict[int, User]

    @property
    def paging(self) -> Page[QueueItem]:
        """The page for the shared pager (templates/macros/pager.html)."""
        return Page(items=self.items, number=self.page, total=self.total, size=PAGE_SIZE)


def _search_clause(session: Session, actor: Principal, q: str) -> ColumnElement[bool] | None:
    if not q:
        return None
    q = digits(q)  # full-width digits search like the ones stored; other scripts were refused (filters.problem)
    typed_digits = re.sub(r"[^0-9]", "", q)
    if "/" in q:
        return col(Case.reference).ilike(f"%{q}%")
    if typed_digits and len(typed_digits) >= 3 and not re.search(r"[^0-9\s+()-]", q):
        options: list[ColumnElement[bool]] = [col(Case.pesel).startswith(typed_digits)]
        key = phone_search_key(q)
        phone_like = select(CasePhone.case_id).where(
            or_(col(CasePhone.number).contains(typed_digits), col(CasePhone.number) == (key or ""))
        )
        options.append(col(Case.id).in_(phone_like))
        return or_(*options)
    # Names are compared without case and diacritics ("lecka" finds "Łęcka") through the stored folded name,
    # which neither SQLite's LIKE nor PostgreSQL without extensions could do on the name itself.
    key = name_key(q)
    return col(Case.search_name).contains(key, autoescape=True) if key else None


def search_cases(session: Session, *, actor: Principal, filters: CaseFilters, today: date) -> CasePage:
    """Cases the actor may see matching the search and filters, urgent and earliest deadline first."""
    if filters.problem:
        return CasePage(items=[], total=0, page=1, pages=1, workers={})
    conditions: list[ColumnElement[bool]] = [visibility_clause(actor)]
    clause = _search_clause(session, actor, filters.q)
    if clause is not None:
        conditions.append(clause)
    if filters.state in {s.value for s in CaseState}:
        conditions.append(col(Case.state) == filters.state)
    if filters.worker == "me":
        conditions.append(col(Case.assigned_worker_id) == actor.id)
    elif filters.worker == "none":
        conditions.append(col(Case.assigned_worker_id).is_(None))
    elif parse_id(filters.worker) is not None and sees_whole_office(actor):
        conditions.append(col(Case.assigned_worker_id) == parse_id(filters.worker))
    if filters.deadline in ("overdue", "soon"):
        conditions.append(col(Case.state).in_([s.value for s in OPEN_STATES]))
        if filters.deadline == "overdue":
            conditions.append(col(Case.due_on) < today)
        else:
            conditions.append(and_(col(Case.due_on) >= today, col(Case.due_on) <= deadlines.soon_limit(today)))
    if filters.other_route:
        conditions.append(col(Case.needs_other_route).is_(True))
    where = and_(*conditions)
    total = int(session.exec(select(func.count()).select_from(Case).where(where)).one())
    pages = page_count(total, PAGE_SIZE)
    page = clamp(filters.page, total, PAGE_SIZE)
    cases = session.exec(
        select(Case)
        .where(where)
        .order_by(col(Case.urgent).desc(), col(Case.due_on), col(Case.id).desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    items = queue_items(session, list(cases), today)
    worker_ids = {c.assigned_worker_id for c in cases if c.assigned_worker_id}
    workers = {u.id or 0: u for u in session.exec(select(User).where(col(User.id).in_(worker_ids))).all()}
    return CasePage(items=[items[c.id or 0] for c in cases], total=total, page=page, pages=pages, workers=workers)
