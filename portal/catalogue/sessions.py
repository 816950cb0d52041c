"""Server-side login sessions: they end on logout, on deactivation and password changes, when idle,
and at the end of their lifetime.

The browser's signed cookie carries the user id and a random token; only the token's SHA-256 digest
is stored (``auth_sessions``). A session is refused once it has been idle longer than its role allows
(``SESSION_IDLE_MINUTES_STAFF`` for moderators and admins, ``SESSION_IDLE_MINUTES_PARTNER`` for
partners) or is older than ``SESSION_LIFETIME_HOURS``, whatever the cookie says. ``last_seen_at`` is
written at most once per ``SESSION_TOUCH_SECONDS``, not on every request. ``purge`` (the command
``sessions purge``) deletes ended sessions and login failures that no longer count.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_, select

from portal import logs
from portal.catalogue.parsing import positive_int
from portal.extensions import db
from portal.models import AuthSession, LoginFailure, User, utcnow

STAFF_ROLES = ("moderator", "admin")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def idle_limit(role: str) -> timedelta:
    """How long a session of ``role`` may go unused."""
    config = current_app.config
    minutes = config["SESSION_IDLE_MINUTES_STAFF"] if role in STAFF_ROLES else config["SESSION_IDLE_MINUTES_PARTNER"]
    return timedelta(minutes=minutes)


def lifetime() -> timedelta:
    return timedelta(hours=current_app.config["SESSION_LIFETIME_HOURS"])


def start_session(user: User) -> str:
    """A new server-side session for ``user``; the returned token goes into the signed cookie."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(AuthSession(id=_digest(token), user_id=user.id, created_at=now, last_seen_at=now))
    db.session.flush()
    return token


def _ended_by(row: AuthSession, role: str, now: datetime) -> str | None:
    """Why the session is over ("idle", "lifetime"), or None while it lives."""
    if now - row.created_at >= lifetime():
        return "lifetime"
    if now - row.last_seen_at >= idle_limit(role):
        return "idle"
    return None


def session_user(user_id: str, token: str | None, now: datetime | None = None) -> User | None:
    """The active user whose live session this token names (its last use noted), or None."""
    number = positive_int(user_id)
    if not token or number is None:
        return None
    row = db.session.get(AuthSession, _digest(token))
    if row is None or row.user_id != number:
        return None
    user = db.session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    now = now or utcnow()
    if reason := _ended_by(row, user.role, now):
        logs.event("session.expired", user_id=user.id, reason=reason)
        return None  # the row stays until `sessions purge`: it can never be used again
    if now - row.last_seen_at >= timedelta(seconds=current_app.config["SESSION_TOUCH_SECONDS"]):
        row.last_seen_at = now  # committed with the request's transaction
    return user


def end_session(token: str | None) -> None:
    if token:
        db.session.execute(delete(AuthSession).where(AuthSession.id == _digest(token)))


def end_all_sessions(user: User) -> None:
    db.session.execute(delete(AuthSession).where(AuthSession.user_id == user.id))


@dataclass(frozen=True)
class Purged:
    sessions: int
    login_failures: int


def purge(now: datetime | None = None) -> Purged:
    """Delete the sessions that have ended and the login failures older than the throttle window."""
    config = current_app.config
    now = now or utcnow()
    staff = select(User.id).where(User.role.in_(STAFF_ROLES))
    ended = delete(AuthSession).where(
        or_(
            AuthSession.created_at <= now - lifetime(),
            AuthSession.last_seen_at <= now - max(idle_limit("partner"), idle_limit("admin")),
            (AuthSession.last_seen_at <= now - idle_limit("admin")) & AuthSession.user_id.in_(staff),
        )
    )
    sessions = db.session.execute(ended.execution_options(synchronize_session=False)).rowcount
    window = timedelta(minutes=config["LOGIN_THROTTLE_MINUTES"])
    failures = db.session.execute(delete(LoginFailure).where(LoginFailure.created_at < now - window)).rowcount
    return Purged(sessions, failures)
