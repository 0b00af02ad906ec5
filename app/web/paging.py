"""Offset paging of long lists (`?page=`): one page of rows, the total from one count, links to nearby pages.

Rendered by `templates/macros/pager.html`. Offsets rather than keysets: lists are sorted by several keys and
filtered, users jump to a page by number, and at 50 rows per page even the last of 200 pages is cheap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from app.web.ids import parse_id

PAGE_SIZE = 50
MAX_PAGE = 100_000

T = TypeVar("T")


def page_number(raw: object) -> int:
    """The 1-based page a client asked for; anything that is not a page number means the first page."""
    return max(1, parse_id(raw, maximum=MAX_PAGE) or 1)


def page_count(total: int, size: int = PAGE_SIZE) -> int:
    """How many pages `total` rows fill; an empty list still has one (empty) page."""
    return max(1, -(-total // size))


def clamp(number: int, total: int, size: int = PAGE_SIZE) -> int:
    """A page number within the list: past the end (rows approved meanwhile) means the last page."""
    return min(max(1, number), page_count(total, size))


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its rows, its number, and how many rows the whole list has."""

    items: Sequence[T]
    number: int
    total: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        """How many pages the list has."""
        return page_count(self.total, self.size)

    @property
    def offset(self) -> int:
        """How many rows come before this page."""
        return (self.number - 1) * self.size

    def window(self, around: int = 1) -> list[int | None]:
        """Pages to link: the first, the last and those `around` the current one; None marks skipped pages."""
        shown = sorted({1, self.pages} | set(range(max(1, self.number - around), min(self.pages, self.number + around) + 1)))
        out: list[int | None] = []
        for n in shown:
            if out and n - (out[-1] or 0) == 2:
                out.append(n - 1)  # a gap of one page: show it rather than "…"
            elif out and n - (out[-1] or 0) > 2:
                out.append(None)
            out.append(n)
        return out
