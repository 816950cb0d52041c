"""Security wiring: response headers, cookies, and logins backed by server-side sessions.

The signed session cookie carries the user id and a random token; the token must name a live row in
``auth_sessions`` (``portal.catalogue.sessions``). Logging out deletes that row, deactivation and a
password change delete all rows of the user, so a copied cookie replayed afterwards is anonymous.
Pages for a signed-in user are never stored by a browser or proxy cache (``Cache-Control: no-store``);
downloaded files run sandboxed should a browser render them (``DOWNLOAD_POLICY``).
"""

from flask import Flask, Response, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from portal import logs
from portal.catalogue import sessions
from portal.extensions import login_manager, talisman
from portal.models import User

SESSION_TOKEN = "auth_token"  # noqa: S105 - the session key, not a secret

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# Uploaded files are served as attachments; should a browser render one anyway (an HTML or SVG file
# passed off as a PDF), it runs in a sandbox without scripts, forms or access to the portal's origin.
DOWNLOAD_POLICY = "default-src 'none'; sandbox"


def init_app(app: Flask) -> None:
    https = bool(app.config["HTTPS"])
    talisman.init_app(
        app,
        force_https=https,
        strict_transport_security=https,
        strict_transport_security_max_age=31536000,
        session_cookie_secure=https,
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
        frame_options="DENY",
        content_security_policy=CONTENT_SECURITY_POLICY,
        referrer_policy="strict-origin-when-cross-origin",
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
    )
    app.config["REMEMBER_COOKIE_SECURE"] = https
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.localize_callback = str  # flashed in the visitor's language
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # the server-side session already binds the cookie
    login_manager.user_loader(_load_user)
    app.after_request(_no_store_when_signed_in)


def _no_store_when_signed_in(response: Response) -> Response:
    """A signed-in user's pages (and CSV exports) show what only they may see: no cache may keep them.
    Answers that say how to cache themselves (static files, downloads) keep their own header."""
    if "Cache-Control" not in response.headers and request.endpoint != "static" and current_user.is_authenticated:
        response.headers["Cache-Control"] = "no-store"
    return response


def _load_user(user_id: str) -> User | None:
    user = sessions.session_user(user_id, session.get(SESSION_TOKEN))
    if user is None:
        session.pop(SESSION_TOKEN, None)  # a dead session is forgotten (and its end logged) once
    return user


def log_in(user: User) -> None:
    """Start a fresh session for ``user``: nothing of the anonymous session survives."""
    session.clear()
    token = sessions.start_session(user)
    login_user(user)
    session[SESSION_TOKEN] = token
    session.permanent = True


def log_out() -> None:
    user_id = current_user.id if current_user.is_authenticated else None
    sessions.end_session(session.get(SESSION_TOKEN))
    logout_user()
    session.clear()
    logs.event("logout", user_id=user_id)
