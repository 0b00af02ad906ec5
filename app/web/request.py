"""The request class: text that arrives in forms and query strings is cleaned of control characters.

Nobody types a NUL or a form feed into a form, but a pasted text, a broken keyboard app or a
hostile client can send them. PostgreSQL refuses NUL in text outright (a 500 for the worker, and the
answer lost), and the other C0 controls make PDFs and CSV exports unreadable. They are removed once,
here, before any view sees the data, so every route on every database behaves the same; tab, line
feed and carriage return stay because long answers legitimately contain them.
"""

from __future__ import annotations

import re

from flask import Flask, Request, abort, request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.utils import cached_property

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean_text(value: str) -> str:
    """Drop C0 control characters other than tab, LF and CR."""
    return _CONTROL.sub("", value)


def _clean_part(value: str) -> str:
    # Werkzeug can hand over a field without a name (None); errors.py turns that body into a 400.
    return clean_text(value) if isinstance(value, str) else value


def _cleaned(data: MultiDict[str, str]) -> ImmutableMultiDict[str, str]:
    return ImmutableMultiDict([(_clean_part(key), _clean_part(value)) for key, value in data.items(multi=True)])


class CleanRequest(Request):
    """Flask's request with control characters removed from ``form`` and ``args``."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        # Werkzeug stores the parsed form in the instance dict; replace it with the cleaned copy.
        self.__dict__["form"] = _cleaned(self.__dict__["form"])

    @cached_property
    def args(self) -> MultiDict[str, str]:
        return _cleaned(super().args)


def install(app: Flask) -> None:
    """Use the cleaning request class; a path with a control character in it is not found."""
    app.request_class = CleanRequest

    @app.before_request
    def _refuse_control_in_path() -> None:
        if _CONTROL.search(request.path):
            abort(404)
