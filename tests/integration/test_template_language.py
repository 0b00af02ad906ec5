"""The templates resolve their language once per request (app/__init__.py `_template_language`), yet a
`force_locale` block — a Polish report or e-mail rendered for an English-speaking user — gets its own language,
and the request's comes back after it."""

from __future__ import annotations

from flask import Flask, render_template_string
from flask_babel import force_locale

from app.formdefs.model import LocalText

PAGE = "{{ _('Zapisano') }} / {{ text|loc }}"


def test_a_forced_locale_inside_a_request_gets_its_own_language(app: Flask) -> None:
    text = LocalText(pl="Tak", en="Yes")
    with app.test_request_context("/"), force_locale("en"):
        assert render_template_string(PAGE, text=text) == "Saved / Yes"
        with force_locale("pl"):
            assert render_template_string(PAGE, text=text) == "Zapisano / Tak"
        assert render_template_string(PAGE, text=text) == "Saved / Yes"
