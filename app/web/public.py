"""Pages for the public (no login): language from the URL only, no session touched, cacheable with an ETag.

`security.py` keeps `no-store` for every other page; a response marked public here keeps its own caching.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from typing import Any

from flask import Response, make_response, render_template, request, url_for
from flask_babel import force_locale

from app.clock import LOCAL_TZ

LANGUAGES = ("pl", "en")
MAX_AGE = 300


def public_language() -> str:
    """`?lang=en` or Polish: never a cookie, so every visitor of a URL gets the same page."""
    lang = request.args.get("lang", "")
    return lang if lang in LANGUAGES else "pl"


@contextmanager
def public_locale() -> Iterator[str]:
    """Render in the URL's language."""
    lang = public_language()
    with force_locale(lang):
        yield lang


def language_urls() -> dict[str, str]:
    """This page's address in each language (Polish without the parameter)."""
    args = dict(request.view_args or {})
    endpoint = request.endpoint or ""
    return {"pl": url_for(endpoint, **args), "en": url_for(endpoint, **args, lang="en")}


def lang_args() -> dict[str, str]:
    """Query arguments that keep the current public language in links."""
    return {"lang": "en"} if public_language() == "en" else {}


def seconds_to_midnight(now: datetime) -> int:
    """Seconds until the next Polish midnight: what changes with the date (hours, expired numbers) turns over then."""
    local = now.astimezone(LOCAL_TZ)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=LOCAL_TZ)
    return max(1, int((midnight - local).total_seconds()))


def render_public(template: str, *, now: datetime, **context: Any) -> Response:
    """Render a public page in the URL's language and make it cacheable."""
    with public_locale() as lang:
        body = render_template(template, lang=lang, lang_urls=language_urls(), lang_args=lang_args(), now=now,
                               **context)
    return cacheable(make_response(body), now=now)


def cacheable(response: Response, *, now: datetime, max_age: int = MAX_AGE) -> Response:
    """Mark a public response cacheable (never past midnight), tag it by content and answer 304 when unchanged."""
    response.cache_control.public = True
    response.cache_control.max_age = min(max_age, seconds_to_midnight(now))
    response.add_etag()
    response.vary.add("Accept-Encoding")
    conditional: Response = response.make_conditional(request)  # type: ignore[assignment]
    return conditional
