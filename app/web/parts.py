"""Cards one feature adds to a page another feature serves (the case page's documents, exports and referrals; the
interview summary's report and documents), built by the page's view — never by a template — without the page's
feature importing the one that adds the card.

The adding feature registers a loader at import (`@part("case", "documents")`); the page's view calls
`build("case", session=..., actor=..., case=...)` and hands the dict to its template, which reads `parts.documents`.
A loader reads in a fixed number of statements whatever the amount of data (query budgets in the tests).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Loader = Callable[..., Any]
_PARTS: dict[str, dict[str, Loader]] = {}


def part(page: str, name: str) -> Callable[[Loader], Loader]:
    """Register `loader(session=, actor=, **subject)` as the card `name` of `page`."""

    def register(loader: Loader) -> Loader:
        _PARTS.setdefault(page, {})[name] = loader
        return loader

    return register


def build(page: str, **subject: Any) -> dict[str, Any]:
    """Every registered card of `page` for this subject (e.g. session=, actor=, case=)."""
    return {name: loader(**subject) for name, loader in _PARTS.get(page, {}).items()}
