"""Security headers on every answer. Every asset is served by the app itself: no CDN."""

from __future__ import annotations

from flask import Flask, Response, current_app, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def register(app: Flask) -> None:
    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.is_secure:
            # Served over HTTPS (directly, or by a proxy trusted through VOTESYS_PROXIES):
            # browsers must not come back over plain HTTP.
            seconds = current_app.config["HSTS_SECONDS"]
            response.headers.setdefault(
                "Strict-Transport-Security", f"max-age={seconds}; includeSubDomains"
            )
        return response
