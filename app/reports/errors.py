"""What a report request can be refused with."""

from __future__ import annotations

from app.errors import DomainError


class ReviewError(DomainError, ValueError):
    """A user-facing refusal; `field` names the form field the message belongs next to."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
