"""Error pages in the portal's layout (JSON under /api/), never a traceback."""

import logging

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import (
    BadRequest,
    Forbidden,
    HTTPException,
    InternalServerError,
    SecurityError,
    ServiceUnavailable,
)
from werkzeug.exceptions import NotFound as HTTPNotFound

from portal.catalogue import NotFound, PermissionDenied, RuleViolation
from portal.extensions import db
from portal.requestinfo import request_id
from portal.search import SearchUnavailable

log = logging.getLogger(__name__)

TITLES = {
    400: _l("The request could not be understood"),
    403: _l("You may not see this page"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    413: _l("The upload is too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
    503: _l("Search is unavailable for a moment"),
}
SEARCH_RETRY_SECONDS = 300


def _render(status: int, description: str, headers=None, title: str | None = None):
    title = str(title or TITLES.get(status, _("Error")))
    if request.path.startswith("/api/"):
        response = jsonify(error={"status": status, "title": title, "detail": description})
    else:
        response = render_template(
            "errors/error.html", status=status, title=title, description=description, request_id=request_id()
        )
    return response, status, headers or {}


def handle_http_error(error: HTTPException):
    description, title = error.description or "", None
    if error.code == 413:
        title, description = _too_large()
    headers = {}
    if getattr(error, "valid_methods", None):  # a 405 must say which methods are allowed (RFC 9110)
        headers["Allow"] = ", ".join(error.valid_methods)
    if getattr(error, "retry_after", None):
        headers["Retry-After"] = str(int(error.retry_after))
    return _render(error.code or 500, description, headers, title)


def _too_large() -> tuple[str, str]:
    """What was too large (title, explanation): a file upload, or the text of a form (``portal.views.input``)."""
    if request.blueprint == "admin_import":  # its own limit (the CSRF check may read the body first)
        return TITLES[413], _("Import files may be at most %(mb)d MB: split the file into smaller ones.",
                              mb=current_app.config["IMPORT_MAX_MB"])
    if request.mimetype == "multipart/form-data":
        limit = current_app.config["MAX_UPLOAD_MB"]
        return TITLES[413], _("Files may be at most %(limit)s MB. Choose a smaller file, or give a link instead.",
                              limit=limit)
    limit = current_app.config["MAX_FORM_MEMORY_SIZE"] // 1000
    return _("The form is too large"), _(
        "The form sent more than %(limit)s kB of text. Shorten the longest field and send it again.", limit=limit
    )


def handle_untrusted_host(error: SecurityError):
    """A Host header not in TRUSTED_HOSTS: no URL can be built for it, so a plain answer."""
    return Response("Unknown host.\n", status=400, mimetype="text/plain")


def handle_csrf_error(error: CSRFError):
    return _render(400, _("The form had expired or did not come from this site. Go back, reload the page and try "
                          "again."))


def handle_permission_denied(error: PermissionDenied):
    return handle_http_error(Forbidden(str(error) or None))


def handle_not_found(error: NotFound):
    return handle_http_error(HTTPNotFound())


def handle_rule_violation(error: RuleViolation):
    db.session.rollback()
    return handle_http_error(BadRequest(error.message))


def handle_search_unavailable(error: SearchUnavailable):
    """A missing or unreadable index (logged where it was found): 503 until ``search reindex`` repairs it."""
    db.session.rollback()
    unavailable = ServiceUnavailable(
        _("The catalogue's search index is being rebuilt or repaired. Please try again in a few minutes.")
    )
    unavailable.retry_after = SEARCH_RETRY_SECONDS
    return handle_http_error(unavailable)


def handle_unexpected(error: Exception):
    log.exception("Unhandled error on %s %s", request.method, request.path)
    db.session.rollback()
    return handle_http_error(InternalServerError(_("We have been told. Please try again in a moment.")))


def register(app: Flask) -> None:
    app.register_error_handler(SecurityError, handle_untrusted_host)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(PermissionDenied, handle_permission_denied)
    app.register_error_handler(NotFound, handle_not_found)
    app.register_error_handler(RuleViolation, handle_rule_violation)
    app.register_error_handler(SearchUnavailable, handle_search_unavailable)
    app.register_error_handler(Exception, handle_unexpected)
