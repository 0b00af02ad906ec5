"""The staff pages' chrome (the menu's badge, "on duty now"): loaded once per full page by `render`, never by a
template. The web layer knows only that a loader returns names for base.html; create_app installs the one a
composition writes (app/home/chrome.py), so no feature is imported from here."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, current_app, g

CHROME_KEY = "telewywiad.chrome"
Loader = Callable[[Mapping[str, Any]], dict[str, Any]]


def install(app: Flask, loader: Loader) -> None:
    """Use `loader(context the view gave)` for the chrome of every full page."""
    app.extensions[CHROME_KEY] = loader


def chrome_context(given: Mapping[str, Any]) -> dict[str, Any]:
    """The chrome's names for one full page, loaded at most once per request (a view may give some itself)."""
    if "chrome" not in g:
        loader: Loader | None = current_app.extensions.get(CHROME_KEY)
        g.chrome = loader(given) if loader else {}
    chrome: dict[str, Any] = g.chrome
    return chrome
