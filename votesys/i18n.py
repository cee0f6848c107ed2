"""Language choice: 简体中文 unless the user picked English with the switch."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request, session


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # command line: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = request.args.get("lang")
    if chosen in languages:
        if not request.path.startswith("/api/"):  # the API keeps no cookie
            session["lang"] = chosen
        return chosen
    if session.get("lang") in languages:
        return session["lang"]
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def register(app: Flask) -> None:
    from flask_babel import get_locale, refresh

    @app.before_request
    def _fresh_locale() -> None:
        # The locale is cached on the app context, which an outer context (a CLI command,
        # a test) may share across requests: choose it anew for each request.
        refresh()

    @app.context_processor
    def _language():
        locale = str(get_locale() or "zh")
        return {"lang": locale, "html_lang": "zh-CN" if locale == "zh" else "en"}
