"""Password reset by mail (OWASP ASVS V2.5): a signed link that expires and works once.

``request_reset`` answers the same whether or not the address has an account (the view says "if an
account exists, we sent a link"). The link's token is signed with ``SECRET_KEY`` and carries the
account's id and a fingerprint of its current email and password hash: it is valid for
``PASSWORD_RESET_MINUTES``, and the reset changes the hash, so the same link fails the second time
(and so does any older link). A reset ends every session of the account. An account gets at most
``PASSWORD_RESET_MAILS_PER_HOUR`` reset mails, so the form cannot be used to flood a mailbox.
"""

import hashlib
import logging
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import func, select

from portal import logs
from portal.catalogue import RuleViolation, audit, notifications
from portal.catalogue.accounts import check_new_password, find_user_by_email, hash_password
from portal.catalogue.logins import forget_failures
from portal.catalogue.parsing import positive_int
from portal.catalogue.sessions import end_all_sessions
from portal.extensions import db
from portal.links import absolute_url
from portal.models import OutboxMessage, User, utcnow

TOPIC = "password_reset"
SALT = "portal.password-reset"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(user: User) -> str:
    """Changes with the email and the password hash: a used (or outdated) link no longer matches."""
    return hashlib.sha256(f"{user.id}\n{user.email}\n{user.password_hash}".encode()).hexdigest()[:32]


def reset_token(user: User) -> str:
    return _serializer().dumps({"user": user.id, "fingerprint": _fingerprint(user)})


def request_reset(email: str) -> None:
    """Mail a reset link to the active account with that ``email``, if there is one (nothing is said)."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        logs.event("password_reset.requested", email=email, mailed=False, reason="no active account")
        return
    config = current_app.config
    recent = db.session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.recipient == user.email,
            OutboxMessage.topic == TOPIC,
            OutboxMessage.created_at >= utcnow() - timedelta(hours=1),
        )
    )
    if recent >= config["PASSWORD_RESET_MAILS_PER_HOUR"]:
        logs.event("password_reset.requested", logging.WARNING, user_id=user.id, mailed=False, reason="mail limit")
        return
    link = absolute_url("auth.reset_password", token=reset_token(user))
    notifications.password_reset(user, link, config["PASSWORD_RESET_MINUTES"], TOPIC)
    logs.event("password_reset.requested", user_id=user.id, mailed=True)


def user_for_token(token: str | None) -> User | None:
    """The active account a valid, unused and unexpired ``token`` names, else None."""
    try:
        data = _serializer().loads(token or "", max_age=current_app.config["PASSWORD_RESET_MINUTES"] * 60)
    except BadData:
        return None
    user_id = positive_int(data.get("user")) if isinstance(data, dict) else None
    user = db.session.get(User, user_id) if user_id else None
    if user is None or not user.active or data.get("fingerprint") != _fingerprint(user):
        return None
    return user


def reset_password(token: str | None, new_password: str, address: str | None) -> User:
    """Set the new password of the token's account and end all its sessions; the token is spent."""
    user = user_for_token(token)
    if user is None:
        logs.event("password_reset.refused", logging.WARNING, reason="invalid, used or expired link")
        raise RuleViolation(expired_message())
    check_new_password(new_password, user.email, user.name)
    user.password_hash = hash_password(new_password)
    end_all_sessions(user)
    if address:
        forget_failures(user.email, address)  # the owner's own guesses no longer keep them waiting
    audit.record("user.password_reset", user, user=user)
    db.session.flush()
    return user


def expired_message() -> str:
    return _("This link has expired or was already used. Ask for a new one below.")
