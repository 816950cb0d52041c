"""Structured logs: one JSON object per line on stderr, each carrying the request's id.

Every request gets an id: the incoming ``X-Request-ID`` when it is well formed (a proxy's), else a new
one. It is sent back in the ``X-Request-ID`` response header, shown on the 500 page, written into every
log line of the request and into the audit events it records, so one id ties a user's report to
the logs and the audit trail.

Security events (``event``) go to the ``portal.security`` logger: logins, failures, throttles,
session ends, password resets, denials (403 anywhere, 404 on staff URLs) and every audit event (role
changes among them). Each request also writes one ``portal.request`` line (method, path without the
query string, status, duration, user). Nothing secret is logged: no request body, no query string
(a reset link's token), fields with secret-sounding names are masked, and SQL errors do not carry
their parameters (``hide_parameters`` in ``portal.config``).
"""

import json
import logging
import re
import time
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request
from flask.logging import default_handler, wsgi_errors_stream

from portal.requestinfo import REQUEST_ID_HEADER, client_address, request_id

security_log = logging.getLogger("portal.security")
request_log = logging.getLogger("portal.request")

SECRET_FIELD = re.compile(r"password|passwd|token|secret|cookie|authorization|csrf", re.IGNORECASE)
MASK = "[hidden]"
# Where a denial is worth a line even when it is a 404 (public 404s are everyday noise).
STAFF_PATHS = re.compile(r"^/(desk|admin|my|account)(/|$)|^/items/[0-9]+/edit$")


def event(name: str, level: int = logging.INFO, **fields) -> None:
    """A security event: ``name`` such as ``login.failed``, with what matters (never a secret)."""
    if has_request_context():
        fields.setdefault("address", client_address())
    security_log.log(level, name, extra={"fields": {"event": name, **fields}})


def _masked(fields: dict) -> dict:
    return {key: MASK if SECRET_FIELD.search(key) else value for key, value in fields.items()}


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON: time, level, logger, message, request id, then its fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if current := request_id():
            entry["request_id"] = current
        entry.update(_masked(getattr(record, "fields", {})))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def _start_request() -> None:
    g.request_started = time.perf_counter()
    request_id()


def _finish_request(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = request_id()
    user = g.get("_login_user")  # only when the request loaded it: logging must not query
    user_id = user.id if user is not None and user.is_authenticated else None
    status = response.status_code
    if status == 403 or (status == 404 and STAFF_PATHS.match(request.path)):
        event("access.denied", logging.WARNING, status=status, path=request.path, user_id=user_id)
    request_log.info(
        "request",
        extra={"fields": {
            "method": request.method,
            "path": request.path,
            "status": status,
            "duration_ms": round((time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000, 1),
            "user_id": user_id,
        }},
    )
    return response


def init_app(app: Flask) -> None:
    """JSON lines on stderr for the ``portal`` loggers (the app's own logger among them)."""
    logger = logging.getLogger("portal")
    logger.setLevel(app.config["LOG_LEVEL"])
    if not any(isinstance(handler.formatter, JsonFormatter) for handler in logger.handlers):
        handler = logging.StreamHandler(wsgi_errors_stream)  # the server's error stream, else stderr
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
    logger.removeHandler(default_handler)
    app.before_request(_start_request)
    app.after_request(_finish_request)
