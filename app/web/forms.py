"""Reading posted forms into the plain-text dataclasses services validate (values kept verbatim for re-display)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def posted_texts(data: Mapping[str, Any], names: Iterable[str]) -> dict[str, str]:
    """Each named field as text ("" when missing); a dataclass of text fields is built as `cls(**posted_texts(...))`."""
    return {name: str(data.get(name, "") or "") for name in names}


def posted_flag(data: Mapping[str, Any], name: str) -> bool:
    """A ticked checkbox ("1" or "on")."""
    return str(data.get(name, "") or "") in ("1", "on")
