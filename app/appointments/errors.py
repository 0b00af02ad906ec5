"""Domain errors of the appointments feature; routes map them to 422 (with the messages at the fields) or 404."""

from __future__ import annotations

from collections.abc import Mapping


class AppointmentInputError(ValueError):
    """Input that cannot be accepted; `errors` maps form field names to Polish messages."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(errors))  # field names only: messages may quote what was typed
        self.errors = dict(errors)


class NotFound(LookupError):
    """The record does not exist for this user (another office's, or outside their view)."""
