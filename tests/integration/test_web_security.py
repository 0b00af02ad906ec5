"""CSRF on every state change, security headers, error pages as pages or fragments, no stack traces."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.auth.models import Role, User
from tests.conftest import token


def test_post_without_csrf_token_is_rejected_in_polish(client: FlaskClient, login_as: Callable[..., User]) -> None:
    """A state-changing request without a token is refused with a clear message."""
    login_as(Role.ADMIN)
    response = client.post("/admin/users/new", data={"username": "x", "full_name": "X", "password": "y" * 12})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)


def test_csrf_token_in_header_is_accepted_for_htmx(client: FlaskClient, login_as: Callable[..., User]) -> None:
    """htmx sends the token as X-CSRFToken; that is enough."""
    login_as(Role.WORKER)
    response = client.post(
        "/language/pl",
        headers={"X-CSRFToken": token(client), "HX-Request": "true"},
        data={"next": "/today"},
    )
    assert response.status_code == 302


def test_token_from_another_session_is_rejected(app: Flask, login_as: Callable[..., User], client: FlaskClient) -> None:
    """A token is bound to its session."""
    login_as(Role.WORKER)
    other = app.test_client()
    foreign = token(other, "/login")
    response = client.post("/language/pl", data={"csrf_token": foreign})
    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/login", "/today"])
def test_security_headers_on_pages(client: FlaskClient, login_as: Callable[..., User], path: str) -> None:
    """Strict CSP without unsafe-inline/eval, no sniffing, no framing, no caching of pages."""
    login_as(Role.WORKER)
    response = client.get(path, follow_redirects=True)
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "default-src 'self'" in csp and "connect-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_script_or_style(client: FlaskClient, login_as: Callable[..., User]) -> None:
    """Everything the CSP forbids is also absent from the markup."""
    login_as(Role.ADMIN)
    for path in ("/login", "/admin/users", "/admin/users/new", "/account"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and "style=" not in html and " on" + "click=" not in html


def test_static_assets_are_cacheable(client: FlaskClient) -> None:
    """Fingerprinted static files carry long cache lifetimes (they hold no personal data)."""
    response = client.get("/static/css/app.css?v=abc")
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Cache-Control"]


def test_fingerprinted_assets_are_not_revalidated(client: FlaskClient) -> None:
    """A ?v= asset is immutable: no `no-cache`, so a phone does not ask for it again on every page."""
    directives = {d.strip() for d in client.get("/static/css/app.css?v=abc").headers["Cache-Control"].split(",")}
    assert "no-cache" not in directives and "immutable" in directives
    unversioned = client.get("/static/css/app.css").headers["Cache-Control"]
    assert "max-age=3600" in unversioned and "immutable" not in unversioned


def test_pages_link_an_icon(client: FlaskClient) -> None:
    """Every page names its icon, so browsers do not ask for /favicon.ico and log a 404 in the console."""
    html = client.get("/login").get_data(as_text=True)
    assert 'rel="icon" href="/static/favicon.svg?v=' in html
    assert client.get("/static/favicon.svg").status_code == 200


def test_404_is_full_page_or_fragment(client: FlaskClient) -> None:
    """A normal request gets a whole page; an htmx request only the fragment."""
    page = client.get("/no-such-page")
    assert page.status_code == 404 and "<html" in page.get_data(as_text=True)
    assert "Nie znaleziono" in page.get_data(as_text=True)
    fragment = client.get("/no-such-page", headers={"HX-Request": "true"})
    assert fragment.status_code == 404 and "<html" not in fragment.get_data(as_text=True)
    assert "Nie znaleziono" in fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers["Vary"]


def test_unexpected_error_shows_no_internals(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    """A crash gives a polite 500 page with a request id; neither the page nor the log holds the message."""

    @app.route("/boom-test")
    def boom() -> str:
        raise RuntimeError("PESEL 44051401359 Kowalski")

    client = app.test_client()
    response = client.get("/boom-test")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Błąd serwera" in body and "Traceback" not in body and "44051401359" not in body
    assert "44051401359" not in caplog.text and "RuntimeError" in caplog.text


def test_htmx_request_without_session_gets_redirect_header(client: FlaskClient) -> None:
    """htmx cannot follow a 302 to a login page; it gets HX-Redirect instead."""
    response = client.get("/today", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login")


def test_oversized_request_is_refused(app: Flask, client: FlaskClient) -> None:
    """Bodies above the upload limit get 413, not a crash."""
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/login", data={"username": "a" * 5000})
    assert response.status_code == 413


@pytest.mark.parametrize("name", ["a\\", "\\"])
def test_multipart_field_name_ending_in_backslash_is_a_clear_400(client: FlaskClient, name: str) -> None:
    """Regression (found by fuzzing): werkzeug parses `name="a\\"` as a field without a name and flask-wtf's CSRF
    check crashed on it with a 500; such a body is now refused as a bad request, with the Polish message."""
    boundary = "xyz"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\nv\r\n--{boundary}--\r\n'
    ).encode()
    response = client.post("/login", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 400
    assert "Nieprawidłowe żądanie" in response.get_data(as_text=True)
