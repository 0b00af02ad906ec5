"""Record ids typed or posted by clients: ASCII digits within the database's integer range, or nothing.

`str.isdigit()` accepts characters such as "²" that `int()` refuses, and a 30-digit id overflows SQLite's and
PostgreSQL's integers; both used to end in a 500. Ids in URLs (`<int:...>`) are bounded the same way (404).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

# PostgreSQL INTEGER, the type of every primary key.
MAX_ID = 2**31 - 1


def parse_id(raw: object, *, maximum: int = MAX_ID) -> int | None:
    """The non-negative integer a client sent, or None when it is not one or is out of range."""
    if not isinstance(raw, str) or not raw.isascii() or not raw.isdigit() or len(raw) > len(str(maximum)):
        return None
    value = int(raw)
    return value if value <= maximum else None


class IdConverter(IntegerConverter):
    """`<int:...>` URL parts bounded to the database's integer range; anything bigger is a 404."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:  # noqa: A002 - werkzeug's parameter name
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def install(app: Flask) -> None:
    """Use the bounded converter for every `<int:...>` rule (call before blueprints are registered)."""
    app.url_map.converters["int"] = IdConverter
