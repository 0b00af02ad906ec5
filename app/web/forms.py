"""Reading posted forms into the plain-text dataclasses services validate (values kept verbatim for re-display)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any, Self

TICKED = ("1", "on", "true", "yes")


def posted_texts(data: Mapping[str, Any], names: Iterable[str]) -> dict[str, str]:
    """Each named field as text ("" when missing); a dataclass of text fields is built as `cls(**posted_texts(...))`."""
    return {name: str(data.get(name, "") or "") for name in names}


def posted_flag(data: Mapping[str, Any], name: str) -> bool:
    """A ticked checkbox (the pages post "1"; "on", "true" and "yes" are read the same)."""
    return str(data.get(name, "") or "") in TICKED


class PostedForm:
    """Base of a form's dataclass of what was typed, kept verbatim so a refused value is shown again as typed.

    `from_mapping` reads each `str` field from the posted field of the same name ("" when missing) and each `bool`
    field as a checkbox; other fields (lists, maps) keep their defaults for the form's own reading to fill.
    """

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Self:
        """Build from posted form data."""
        values: dict[str, Any] = {}
        for field in dataclasses.fields(cls):  # type: ignore[arg-type]
            if field.type in ("str", str):
                values[field.name] = str(data.get(field.name, "") or "")
            elif field.type in ("bool", bool):
                values[field.name] = posted_flag(data, field.name)
        return cls(**values)
