"""Error pages as full pages or htmx fragments; no stack trace ever reaches the user."""

from __future__ import annotations

import logging
import traceback
import uuid

from flask import Flask, Response, abort, g, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.errors import DomainError
from app.web.htmx import is_htmx, render, trigger

log = logging.getLogger("telewywiad.errors")

MESSAGES = {
    400: (_l("Nieprawidłowe żądanie"), _l("Serwer nie mógł zrozumieć tego żądania.")),
    401: (_l("Wymagane logowanie"), _l("Zaloguj się, aby kontynuować.")),
    403: (_l("Brak dostępu"), _l("Nie masz uprawnień do tej strony.")),
    404: (_l("Nie znaleziono"), _l("Tej strony nie ma albo nie masz do niej dostępu.")),
    405: (_l("Niedozwolona metoda"), _l("Ta strona nie obsługuje takiego żądania.")),
    413: (_l("Plik jest za duży"), _l("Wysłany plik lub formularz przekracza dopuszczalny rozmiar.")),
    429: (_l("Zbyt wiele prób"), _l("Odczekaj chwilę i spróbuj ponownie.")),
    500: (_l("Błąd serwera"), _l("Coś poszło nie tak po naszej stronie. Twoje dane zapisane wcześniej są bezpieczne.")),
}


def error_response(status: int, detail: str | None = None) -> Response:
    """Render the error page (or fragment) for a status code."""
    title, text = MESSAGES.get(status, MESSAGES[500])
    return render(
        "errors/error.html",
        "errors/_error.html",
        status=status,
        code=status,
        title=title,
        text=detail or text,
        request_id=g.get("request_id"),
    )


def install(app: Flask) -> None:
    """Register handlers for HTTP errors, CSRF failures and unexpected exceptions."""

    @app.before_request
    def _request_id() -> None:
        g.request_id = uuid.uuid4().hex[:12]

    @app.before_request
    def _malformed_form() -> None:
        # A multipart field named `a\` parses to a field without a name (None), which breaks CSRF checking and
        # any code iterating the form. Refuse such bodies before anything reads them (this runs before CSRF).
        if (
            request.method in ("POST", "PUT", "PATCH", "DELETE")
            and request.mimetype == "multipart/form-data"
            and (None in request.form or None in request.files)
        ):
            log.info("malformed form field name request_id=%s endpoint=%s", g.get("request_id"), request.endpoint)
            abort(400)

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> Response:
        log.info("csrf rejected request_id=%s endpoint=%s", g.get("request_id"), request.endpoint)
        response = error_response(
            400,
            str(
                _l(
                    "Formularz wygasł lub nie pochodzi z tej aplikacji (brak ważnego tokenu CSRF). "
                    "Wróć, odśwież stronę i spróbuj ponownie."
                )
            ),
        )
        if is_htmx() and not current_user.is_authenticated:
            # Logged out meanwhile (e.g. in another tab): the page keeps what is typed and asks to log in again.
            response.headers["HX-Reswap"] = "none"
            trigger(response, "tw:session-expired", {"login": url_for("auth.login"), "kept": False})
        return response

    @app.errorhandler(DomainError)
    def _domain(error: DomainError) -> Response:
        # What a service refused and no route handled: its status, with the generic page (a 404 never says why).
        return error_response(error.status if error.status in MESSAGES else 400)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        code = error.code or 500
        if code >= 500:
            return error_response(500)
        return error_response(code if code in MESSAGES else 400)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        # Log the type and where it happened, never the message: messages may carry personal data.
        frames = traceback.extract_tb(error.__traceback__)[-6:]
        where = " <- ".join(f"{f.filename.rsplit('/', 2)[-1]}:{f.lineno}:{f.name}" for f in reversed(frames))
        log.error(
            "unhandled %s request_id=%s endpoint=%s at %s",
            type(error).__name__,
            g.get("request_id"),
            request.endpoint,
            where,
        )
        return error_response(InternalServerError.code)
