"""votesys: 民生实事项目人大代表票决制 — deputies choose the year's livelihood projects.

The factory imports the app's modules inside its steps, not at the top of this file: every
``from votesys import …`` runs this file first, so a top-level import here would load the
whole app wherever any one module is used — in gunicorn's master (votesys.server), in
``votesys verify`` offline — and make every module import all the others."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, current_app, send_from_directory


def create_app(overrides: dict | None = None, *, serving: bool = False) -> Flask:
    """Build the app: settings, extensions, blueprints, error handlers, request hooks.

    ``serving``: for the production server's processes, without what only commands use
    (Alembic, through Flask-Migrate: 11 MB a process)."""
    instance = os.environ.get("VOTESYS_INSTANCE_PATH")
    app = Flask(__name__, instance_path=str(Path(instance).resolve()) if instance else None)
    _configure(app, overrides or {})
    _trust_proxies(app)
    _init_extensions(app, serving)
    _bounded_ids(app)
    _register_blueprints(app)
    _register_hooks(app)
    return app


def _configure(app: Flask, overrides: dict) -> None:
    # inside the factory: see the module's docstring
    from votesys import config, log_text

    log_text.install()
    app.config.update(config.load(Path(app.instance_path)))
    app.config.update(overrides)


def _trust_proxies(app: Flask) -> None:
    """Behind nginx, VOTESYS_PROXIES=1 makes the client's address (used by the rate limits)
    the one the proxy saw, not the proxy's own, and lets the proxy hand over a body it
    refused as too large (docs/nginx/votesys.conf), so that the user gets votesys's own
    answer to it."""
    hops = int(os.environ.get("VOTESYS_PROXIES", "0") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
        # Registered before every extension's hook: the refusal comes before the CSRF
        # check and the rate limits, as it would for a body votesys refused itself.
        app.before_request(_body_refused_by_proxy)


def _body_refused_by_proxy() -> None:
    from flask import abort, request

    if request.headers.get("X-Votesys-Body-Refused") == "413":
        abort(413)


def _init_extensions(app: Flask, serving: bool) -> None:
    # inside the factory: see the module's docstring
    from votesys import database, i18n, public_cache
    from votesys.auth.services import load_principal
    from votesys.extensions import babel, csrf, db, limiter, login_manager

    database.install_sqlite_pragmas()
    db.init_app(app)
    # Before the public cache's listeners: at a commit the roll-ups' upkeep runs first, and
    # the generation's row (which every public write waits for) is locked last.
    _install_rollups()
    if not serving:
        from flask_migrate import Migrate

        Migrate(app, db, directory=str(database.migrations_directory()), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    public_cache.configure(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    login_manager.init_app(app)
    login_manager.user_loader(load_principal)
    login_manager.login_view = "auth.login"
    login_manager.blueprint_login_views = {
        "tablet": "auth.tablet_login",
        "tablet_aids": "auth.tablet_login",
        "paper_tablet": "auth.tablet_login",  # the scrutineer's page of paper totals
    }
    login_manager.login_message = None


def _install_rollups() -> None:
    """Keep the roll-ups' cells on every commit; the rooms register what they count."""
    # inside the factory: see the module's docstring
    from votesys.congress import rollups
    from votesys.projects import rollup as _project_cells  # noqa: F401 -- registers
    from votesys.stations import rollup as _station_cells  # noqa: F401 -- registers

    rollups.install_listeners()


def _bounded_ids(app: Flask) -> None:
    """Route ids fit the database's integers: a larger number is no such page (404), not a
    database error."""
    from werkzeug.routing import IntegerConverter

    # inside the factory: see the module's docstring
    from votesys.models_base import MAX_ID

    class IdConverter(IntegerConverter):
        def __init__(self, url_map, *args, **kwargs):
            kwargs.setdefault("max", MAX_ID)
            super().__init__(url_map, *args, **kwargs)

    app.url_map.converters["int"] = IdConverter


def _register_blueprints(app: Flask) -> None:
    # inside the factory: see the module's docstring
    from votesys import meta
    from votesys.auth import api as auth_api
    from votesys.auth import views as auth_views
    from votesys.congress import api as congress_api
    from votesys.congress import views as congress_views
    from votesys.extensions import csrf
    from votesys.hall import views as hall_views
    from votesys.portal import api as portal_api
    from votesys.portal import satisfaction, satisfaction_api
    from votesys.portal import verify as portal_verify
    from votesys.portal import views as portal_views
    from votesys.projects import api as projects_api
    from votesys.projects import citizen_desk
    from votesys.projects import views as projects_views
    from votesys.stations import api as stations_api
    from votesys.stations import blueprint as stations_desk

    # imported for the routes they add to the stations' desk, public and API blueprints
    from votesys.stations import (  # noqa: F401
        campaign_api,
        campaign_public,
        campaign_views,
        deputy_views,
        figure_views,
        message_views,
        opinion_views,
        poster_views,
        privacy_api,
        privacy_views,
        publicity_api,
        publicity_views,
        views,
    )

    # the app's modules, imported inside the factory (the docstring says why)
    from votesys.stations import public as stations_public
    from votesys.voting import api as voting_api
    from votesys.voting import (
        calls_views,
        fallback_api,
        jurisdiction_rules_api,
        jurisdiction_rules_views,
        paper_views,
        record_api,
        record_check,
        scrutiny_api,
        scrutiny_views,
        tablet_aids,
    )

    # the app's modules, imported inside the factory (the docstring says why)
    from votesys.voting import tablet as tablet_views
    from votesys.voting import views as voting_views

    for api in (
        meta.bp,
        auth_api.bp,
        congress_api.bp,
        voting_api.bp,
        fallback_api.bp,
        calls_views.api,
        jurisdiction_rules_api.bp,
        record_api.bp,
        scrutiny_api.bp,
        stations_api.bp,
        projects_api.bp,
        portal_api.bp,
        satisfaction_api.bp,
    ):
        csrf.exempt(api)  # bearer tokens only: no cookie, so no cross-site forgery
        app.register_blueprint(api)
    for bp in (
        auth_views.bp,
        congress_views.bp,
        voting_views.bp,
        paper_views.bp,
        paper_views.tablet_bp,
        tablet_views.bp,
        tablet_aids.bp,
        calls_views.bp,
        scrutiny_views.bp,
        jurisdiction_rules_views.bp,
        hall_views.bp,
        stations_desk.bp,
        stations_public.bp,
        projects_views.bp,
        citizen_desk.bp,
        portal_views.bp,
        satisfaction.bp,
        portal_verify.bp,
        record_check.bp,
    ):
        app.register_blueprint(bp)


def _register_hooks(app: Flask) -> None:
    # inside the factory: see the module's docstring
    from votesys import commands, connections, database, errors, formats, headers, i18n
    from votesys.auth.limits import LOGIN_ENDPOINTS

    commands.register(app)
    connections.register(app)
    errors.register(app, login_endpoints=LOGIN_ENDPOINTS)
    database.commit_at_request_end(app)
    headers.register(app)
    i18n.register(app)
    formats.register(app)
    app.add_url_rule("/favicon.ico", "favicon", _favicon)


def _favicon():
    """/favicon.ico, which browsers and feed readers ask for unprompted: the site's icon
    (static/favicon.svg, which every page links), not a 404 in the log."""
    return send_from_directory(
        current_app.static_folder, "favicon.svg", mimetype="image/svg+xml", max_age=86400
    )
