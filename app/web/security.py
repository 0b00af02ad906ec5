"""Security headers on every response: strict CSP, no sniffing, no framing, no caching of personal data."""

from __future__ import annotations

from flask import Flask, Response, request

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def install(app: Flask, *, hsts: bool) -> None:
    """Register the after-request hook that sets the headers."""

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        if hsts:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint == "static":
            # Vendor and app assets carry no personal data; fingerprinted by ?v=, so cache them long.
            response.cache_control.public = True
            fingerprinted = bool(request.args.get("v"))
            response.cache_control.max_age = 31536000 if fingerprinted else 3600
            if fingerprinted:
                # Flask's send_file says no-cache, which makes phones revalidate every asset on every page.
                response.cache_control.no_cache = None
                response.cache_control.immutable = True
        elif response.cache_control.public:
            # A public page (app/web/public.py: no login, no personal data, no cookie) chose its own caching.
            pass
        else:
            # Pages may show people's data: never keep them in a (shared) browser cache.
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response
