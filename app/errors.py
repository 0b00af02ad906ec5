"""One domain error model: services raise these, never `abort()`; the web layer maps them to responses.

A route that shows a form catches `InvalidInput` and re-renders the form with `errors` at the fields (what was
typed stays on screen). Anything else a service raises reaches the one handler in app/web/errors.py, which
answers with the error page for `status` (404 says nothing about whether the record exists).
"""

from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    """A request a service refuses; `status` is the HTTP status the web layer answers with."""

    status = 400

    def __init__(self, message: object = "") -> None:
        super().__init__(message)
        self.message = str(message) if message != "" else ""


class NotFound(DomainError, LookupError):
    """The record does not exist for this user (another office's, or outside their view): 404."""

    status = 404


class Forbidden(DomainError):
    """The user may not do this at all (their role): 403."""

    status = 403


class Conflict(DomainError):
    """The request no longer fits the record's state (changed meanwhile, finished, full): 409."""

    status = 409


class InvalidInput(DomainError, ValueError):
    """Typed input that cannot be stored; `errors` maps each form field to its problem, in the user's language.

    Nothing was written. The exception's own text names the fields only: messages may quote what was typed.
    """

    status = 422

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = dict(errors)
