"""Offset paging: page numbers from the query string, page counts, and which page links a pager shows."""

from __future__ import annotations

import pytest

from app.web.paging import Page, clamp, page_count, page_number


@pytest.mark.parametrize(("raw", "expected"), [(None, 1), ("", 1), ("0", 1), ("3", 3), ("-2", 1), ("²", 1),
                                               ("x", 1), ("100000", 100_000), ("100001", 1), ("9" * 40, 1)])
def test_page_number_accepts_only_plain_page_numbers(raw: object, expected: int) -> None:
    """Anything but ASCII digits within range means the first page, never an error."""
    assert page_number(raw) == expected


def test_page_count_and_clamp_keep_the_number_inside_the_list() -> None:
    """An empty list has one page; a page past the end is the last one."""
    assert (page_count(0), page_count(50), page_count(51)) == (1, 1, 2)
    assert (clamp(7, 51), clamp(0, 51), clamp(2, 0)) == (2, 1, 1)


@pytest.mark.parametrize(("number", "pages", "expected"), [
    (1, 1, [1]),
    (1, 2, [1, 2]),
    (1, 10, [1, 2, None, 10]),
    (3, 10, [1, 2, 3, 4, None, 10]),
    (5, 10, [1, None, 4, 5, 6, None, 10]),
    (9, 10, [1, None, 8, 9, 10]),
    (4, 7, [1, 2, 3, 4, 5, 6, 7]),
])
def test_window_shows_first_last_and_neighbours_with_gaps(number: int, pages: int, expected: list[int | None]) -> None:
    """At most seven entries whatever the length, so the pager fits a 360 px screen; a one-page gap is shown."""
    assert Page([], number, total=pages * 50).window() == expected
