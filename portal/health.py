"""Whether this host can serve: its database and its search backend answer (``GET /healthz``).

Each check is cheap (one trivial query; the search backend's ``ping``) and never repairs anything,
so a load balancer may ask every few seconds.
"""

import logging

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal import search
from portal.extensions import db

log = logging.getLogger(__name__)

OK, UNAVAILABLE = "ok", "unavailable"


def _database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        log.error("Health check: the database does not answer (%s)", type(error).__name__)
        db.session.rollback()
        return UNAVAILABLE
    return OK


def _search() -> str:
    try:
        search.ping()
    except (search.SearchUnavailable, SQLAlchemyError) as error:
        log.error("Health check: search does not answer (%s)", type(error).__name__)
        db.session.rollback()
        return UNAVAILABLE
    return OK


def status() -> dict[str, str]:
    """``{"status": ..., "database": ..., "search": ...}``, each ``ok`` or ``unavailable``."""
    parts = {"database": _database(), "search": _search()}
    return {"status": OK if all(value == OK for value in parts.values()) else UNAVAILABLE, **parts}
