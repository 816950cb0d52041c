"""Logging in: the password check and the throttle against guessing, which never locks the owner out.

Failed logins are counted in the database (``login_failures``), so every worker shares the counts,
over a window of ``LOGIN_THROTTLE_MINUTES``:

- one account from one address: after ``LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS`` failures that pair
  waits (429) until the window has passed;
- one address, whatever the accounts: after ``LOGIN_FAILURES_PER_ADDRESS`` failures that address waits;
- one account from every address: after ``LOGIN_FAILURES_BEFORE_SLOWDOWN`` failures each attempt on the
  account, right or wrong, is answered ``LOGIN_SLOWDOWN_SECONDS`` later, and the owner is mailed once
  per window. Nobody is refused for it: guessers spread over many addresses cannot lock the owner
  out, who logs in from a fresh address as usual (only a little slower).
"""

import logging
import time
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, delete, func, select
from werkzeug.security import check_password_hash

from portal import logs
from portal.catalogue import notifications
from portal.catalogue.accounts import dummy_hash, find_user_by_email, normalise_email
from portal.extensions import db
from portal.models import LoginFailure, OutboxMessage, User, utcnow

ALERT_TOPIC = "login_alert"


class LoginThrottled(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"Too many failed logins; try again in {retry_after} seconds.")
        self.retry_after = retry_after


class InvalidCredentials(Exception):
    """Wrong email or password; deliberately the same for both."""


class AccountInactive(Exception):
    """The password is right but nobody has activated the account yet."""


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["LOGIN_THROTTLE_MINUTES"])


def _wait(condition: ColumnElement[bool], limit: int, now: datetime) -> int:
    """Seconds until the failures matching ``condition`` fall under ``limit`` again (0: now)."""
    since = now - _window()
    recent = select(LoginFailure.created_at).where(condition, LoginFailure.created_at >= since)
    times = db.session.scalars(recent.order_by(LoginFailure.created_at.desc()).limit(limit)).all()
    return int((times[-1] + _window() - now).total_seconds()) + 1 if len(times) >= limit else 0


def _account_failures(email: str, now: datetime) -> int:
    since = now - _window()
    return db.session.scalar(
        select(func.count(LoginFailure.id)).where(LoginFailure.email == email, LoginFailure.created_at >= since)
    )


def _alert_owner(user: User, failures: int, now: datetime) -> None:
    """Mail the owner about the failures on their account, once per window."""
    already = db.session.scalar(
        select(OutboxMessage.id).where(
            OutboxMessage.recipient == user.email,
            OutboxMessage.topic == ALERT_TOPIC,
            OutboxMessage.created_at >= now - _window(),
        ).limit(1)
    )
    if already is None:
        notifications.login_failures(user, failures, current_app.config["LOGIN_THROTTLE_MINUTES"], ALERT_TOPIC)
        logs.event("login.owner_alerted", logging.WARNING, user_id=user.id, failures=failures)


def authenticate(email: str, password: str, address: str) -> User:
    """The user with these credentials, or an exception saying why not."""
    config = current_app.config
    email, now = normalise_email(email), utcnow()
    wait = max(
        _wait((LoginFailure.email == email) & (LoginFailure.address == address),
              config["LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS"], now),
        _wait(LoginFailure.address == address, config["LOGIN_FAILURES_PER_ADDRESS"], now),
    )
    if wait:
        logs.event("login.throttled", logging.WARNING, email=email, retry_after=wait)
        raise LoginThrottled(wait)
    failures = _account_failures(email, now)
    if failures >= config["LOGIN_FAILURES_BEFORE_SLOWDOWN"]:
        logs.event("login.slowed", logging.WARNING, email=email, failures=failures,
                   seconds=config["LOGIN_SLOWDOWN_SECONDS"])
        time.sleep(config["LOGIN_SLOWDOWN_SECONDS"])
    user = find_user_by_email(email)
    valid = check_password_hash(user.password_hash if user else dummy_hash(), password)
    if not (user and valid):
        db.session.add(LoginFailure(email=email, address=address, created_at=now))
        db.session.flush()
        logs.event("login.failed", logging.WARNING, email=email, known_account=user is not None)
        if user is not None and failures + 1 >= config["LOGIN_FAILURES_BEFORE_SLOWDOWN"]:
            _alert_owner(user, failures + 1, now)
        raise InvalidCredentials()
    if not user.active:
        logs.event("login.refused", email=email, user_id=user.id, reason="inactive")
        raise AccountInactive()
    forget_failures(email, address)
    user.last_login_at = now
    logs.event("login.succeeded", user_id=user.id, role=user.role)
    return user


def forget_failures(email: str, address: str) -> None:
    """The owner proved who they are from ``address``: its failures on the account no longer count."""
    db.session.execute(
        delete(LoginFailure).where(LoginFailure.email == normalise_email(email), LoginFailure.address == address)
    )
