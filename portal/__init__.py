"""One Planet Catalogue: the One Planet network's searchable catalogue of initiatives and resources."""

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import cli, i18n, logs, mail, search, security, views
from portal.catalogue import changes
from portal.extensions import csrf, db, limiter, migrate


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then instance/config.py, then PORTAL_* variables, then ``config``."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object("portal.config")
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("PORTAL")
    if config:
        app.config.update(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _derive_settings(app)

    logs.init_app(app)  # first: every later hook and handler logs with the request id
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    mail.init_app(app)
    search.init_app(app)
    changes.install()
    with app.app_context():
        _tune_sqlite(db.engine)

    views.register(app)
    cli.register(app)
    if proxies := int(app.config["PROXY_COUNT"]):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    return app


def _derive_settings(app: Flask) -> None:
    """Fill in settings that follow from others."""
    config = app.config
    instance = Path(app.instance_path)
    url = config.get("DATABASE_URL") or f"sqlite:///{instance / 'portal.sqlite'}"
    if url.startswith(("postgres://", "postgresql://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]  # psycopg 3 is the installed driver
    config["SQLALCHEMY_DATABASE_URI"] = url
    config.setdefault("SEARCH_INDEX_DIR", None)
    config["SEARCH_INDEX_DIR"] = config["SEARCH_INDEX_DIR"] or str(instance / "search-index")
    config["UPLOAD_DIR"] = config["UPLOAD_DIR"] or str(instance / "uploads")
    # Room for the other form fields next to the largest allowed file.
    config["MAX_CONTENT_LENGTH"] = (int(config["MAX_UPLOAD_MB"]) + 1) * 1024 * 1024
    config["SESSION_COOKIE_SECURE"] = bool(config["HTTPS"])
    config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=config["SESSION_LIFETIME_HOURS"])
    if config["HTTPS"] and config["SESSION_COOKIE_NAME"] == "session":
        config.update(SESSION_COOKIE_NAME="__Host-session", SESSION_COOKIE_PATH="/", SESSION_COOKIE_DOMAIN=None)
    if config.get("TRUSTED_HOSTS") is None:
        config["TRUSTED_HOSTS"] = [urlsplit(config["BASE_URL"]).hostname or "localhost", "localhost", "127.0.0.1"]
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _instance_secret(instance / "secret_key")


def _instance_secret(path: Path) -> str:
    """A secret generated once and shared by every worker through a file only the owner can read.

    Written to a temporary file and linked into place, so a concurrent reader never sees it half written.
    """
    if not path.exists():
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_hex(32))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process won the race; use its secret
        finally:
            temporary.unlink()
    return path.read_text().strip()


def _tune_sqlite(engine) -> None:
    """WAL and a busy timeout let several gunicorn workers share one SQLite file; enforce foreign keys."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
