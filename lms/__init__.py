"""lms: closed in-house certificate courses, from invitation to verifiable certificate."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from lms.config import ConfigError, load_settings

__all__ = ["ConfigError", "create_app"]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application.

    ``config`` overrides the environment: ``LMS_*`` keys are read exactly like the
    environment variables of the same name, any other key goes into ``app.config``.
    """
    config = dict(config or {})
    instance_path = config.pop("LMS_INSTANCE_PATH", None) or os.environ.get("LMS_INSTANCE_PATH")
    # flask-openapi3's Flask: it gathers the API's typed operations into its OpenAPI
    # document (lms/api/); for every other route it is Flask itself.
    from lms.api import LmsFlask, openapi_options

    app = LmsFlask(__name__, instance_path=instance_path, instance_relative_config=True,
                   **openapi_options())

    environ = {k: v for k, v in os.environ.items() if k.startswith("LMS_")}
    environ.update({k: str(v) for k, v in config.items() if k.startswith("LMS_")})
    app.config.update(load_settings(environ, app.instance_path))
    app.config.update({k: v for k, v in config.items() if not k.startswith("LMS_")})
    trust_proxies(app)

    from lms.logs import configure_logging

    configure_logging(app)  # first: what follows may log, and requests get their ids first

    from lms import models  # noqa: F401  (the whole schema, for Alembic and create_all)
    from lms.extensions import babel, csrf, db, limiter, login_manager, migrate
    from lms.i18n import install_known_translations, select_locale, select_timezone

    db.init_app(app)
    from lms.db import install_connection_policy
    from lms.web import reads_alone

    with app.app_context():
        install_connection_policy(db.engine, reads_alone)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    install_known_translations(app)
    login_manager.init_app(app)
    limiter.init_app(app)

    from lms.ical import freshness

    freshness.init_app(app)

    from lms.jobs import queue

    queue.init_app(app)

    from lms.web import register_web

    register_web(app)

    from lms.api import register_api

    register_api(app)  # after register_web: its rules take the app's id converter

    from lms.cli import register_commands

    register_commands(app)
    return app


def trust_proxies(app: Flask) -> None:
    """Behind ``LMS_TRUSTED_PROXIES`` proxies, the client's address, scheme and host are the
    ones the nearest proxies forwarded (werkzeug's ProxyFix takes that many values from the
    right of each X-Forwarded-* header, so a value a client sent itself is never believed).
    Without proxies the headers are ignored: a client cannot choose its own address."""
    count = app.config["LMS_TRUSTED_PROXIES"]
    if count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way
            app.wsgi_app, x_for=count, x_proto=count, x_host=count)
