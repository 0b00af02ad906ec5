"""Page-or-fragment rendering chosen from the HX-Request header, and HX-Trigger events."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, make_response, redirect, render_template, request

from app.web.chrome import chrome_context


def is_htmx() -> bool:
    """True when htmx sent the request (and it is not a history restore, which needs a full page)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def render(page: str, fragment: str | None = None, *, status: int = 200, **context: Any) -> Response:
    """Render the full page, or only its partial for htmx; always vary on HX-Request.

    A full page (not a `_partial.html`) gets the header's data (app/web/chrome.py) unless the view gave it."""
    template = fragment if (fragment and is_htmx()) else page
    if not template.rsplit("/", 1)[-1].startswith("_"):
        context = {**chrome_context(context), **context}
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


def go_to(target: str) -> Response:
    """Send the browser to another page: htmx follows HX-Redirect with a full page load, a plain POST a 302."""
    if is_htmx():
        response = Response("", status=200)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)  # type: ignore[return-value]


def trigger(response: Response, event: str, detail: Any = None) -> Response:
    """Attach an HX-Trigger event so other components can update themselves."""
    existing = response.headers.get("HX-Trigger")
    events: dict[str, Any] = json.loads(existing) if existing and existing.startswith("{") else {}
    events[event] = detail if detail is not None else True
    response.headers["HX-Trigger"] = json.dumps(events)
    return response
