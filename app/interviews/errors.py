"""What an interview request can fail with, in the app.errors model (a missing record is app.errors.NotFound)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.errors import DomainError


class InterviewError(DomainError, ValueError):
    """A request the interview cannot take; `status` is the HTTP status the web layer answers with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class InterviewReadOnly(InterviewError):
    """The interview is finished (or interrupted): answers cannot change until it is reopened."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message or str(_l("Wywiad jest zakończony i tylko do odczytu. Otwórz go ponownie, aby coś zmienić.")), 409
        )


class NotesTooLong(InterviewError):
    """The notes are longer than NOTES_MAX: nothing is stored, the typed text stays on screen."""

    def __init__(self, message: str) -> None:
        super().__init__(message, 422)

