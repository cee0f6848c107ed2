"""Language choice: 简体中文 unless the user picked English with the switch."""

from __future__ import annotations

from flask import Flask, current_app, request, session


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang")
    if chosen in languages:
        session["lang"] = chosen
        return chosen
    if session.get("lang") in languages:
        return session["lang"]
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def register(app: Flask) -> None:
    from flask_babel import get_locale

    from votesys.voting.results import STATE_LABELS

    @app.template_filter("state_label")
    def _state_label(state: str) -> str:
        return str(STATE_LABELS.get(state, state))

    @app.context_processor
    def _language():
        locale = str(get_locale() or "zh")
        return {"lang": locale, "html_lang": "zh-CN" if locale == "zh" else "en"}
