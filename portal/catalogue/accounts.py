"""Accounts: registration, passwords, login with throttling, server-side sessions, administration."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask import current_app
from sqlalchemy import delete, func, or_, select
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from portal.catalogue import PermissionDenied, RuleViolation, audit, notifications
from portal.catalogue.organisations import add_partnership
from portal.catalogue.permissions import can_manage_account, is_admin
from portal.extensions import db
from portal.models import AuthSession, LoginFailure, Organisation, Partnership, Programme, User, utcnow
from portal.vocab import ORGANISATION_TYPES

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
# zxcvbn scores 0 and 1 mean "guessable within a million tries": the very common passwords.
MIN_PASSWORD_SCORE = 2


class LoginThrottled(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"Too many failed logins; try again in {retry_after} seconds.")
        self.retry_after = retry_after


class InvalidCredentials(Exception):
    """Wrong email or password; deliberately the same for both."""


class AccountInactive(Exception):
    """The password is right but nobody has activated the account yet."""


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def password_problem(password: str, user_inputs: tuple[str, ...] = ()) -> str | None:
    """Why ``password`` is not acceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters."
    # zxcvbn is slow on very long input and such passwords are not common anyway.
    result = zxcvbn(password[:100], user_inputs=[value for value in user_inputs if value])
    if result["score"] < MIN_PASSWORD_SCORE:
        warning = result["feedback"]["warning"] or "This password is too easy to guess."
        return f"{warning} Choose a longer or less common password, for example a few unrelated words."
    return None


def _check_password_rules(password: str, email: str, name: str) -> None:
    problem = password_problem(password, (email, email.split("@")[0], name))
    if problem:
        raise RuleViolation(problem, field="password")


def _hash(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


@cache
def _dummy_hash(method: str) -> str:
    """Checked against when the email is unknown, so both failures take the same time."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def create_user(
    email: str,
    name: str,
    password: str,
    role: str = "partner",
    organisation: Organisation | None = None,
    programmes: list[Programme] | None = None,
    *,
    active: bool = True,
    actor: User | None = None,
    check_password: bool = True,
) -> User:
    email = normalise_email(email)
    if find_user_by_email(email):
        raise RuleViolation("An account with this email already exists.", field="email")
    if check_password:
        _check_password_rules(password, email, name)
    if role == "partner" and organisation is None:
        raise RuleViolation("A partner belongs to an organisation.", field="organisation")
    user = User(
        email=email,
        name=name,
        password_hash=_hash(password),
        role=role,
        organisation=organisation if role == "partner" else None,
        active=active,
    )
    if role == "moderator":
        user.moderated_programmes = list(programmes or [])
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", actor, user=user, organisation=user.organisation, role=role)
    return user


def get_or_create_organisation(
    name: str,
    *,
    type: str = "other",
    country: str | None = None,
    website: str | None = None,
    programmes: list[Programme] | None = None,
    actor: User | None = None,
) -> Organisation:
    """The organisation of that name (case-insensitive), created with the partnerships if new."""
    name = " ".join((name or "").split())
    if not name:
        raise RuleViolation("Name the organisation.", field="organisation_name")
    organisation = db.session.scalar(select(Organisation).where(func.lower(Organisation.name) == name.lower()))
    if organisation is None:
        if type not in dict(ORGANISATION_TYPES):
            raise RuleViolation("Choose a type of organisation.", field="organisation_type")
        organisation = Organisation(name=name, type=type, country=country or None, website=website or None)
        db.session.add(organisation)
        db.session.flush()
        audit.record("organisation.created", actor, organisation=organisation)
    for programme in programmes or []:
        add_partnership(organisation, programme, actor=actor)
    return organisation


def register(
    email: str,
    name: str,
    password: str,
    *,
    organisation: Organisation | None = None,
    new_organisation_name: str = "",
    new_organisation_type: str = "other",
    new_organisation_country: str | None = None,
    programmes: list[Programme] | None = None,
) -> User:
    """An applicant asks for a partner account. It stays inactive until someone activates it."""
    email = normalise_email(email)
    if find_user_by_email(email):
        raise RuleViolation("An account with this email already exists. Log in, or ask the secretariat.", "email")
    _check_password_rules(password, email, name)
    if organisation is None:
        if not programmes:
            raise RuleViolation("Choose at least one programme your organisation works with.", "programmes")
        organisation = get_or_create_organisation(
            new_organisation_name,
            type=new_organisation_type,
            country=new_organisation_country,
            programmes=programmes,
        )
    user = create_user(email, name, password, "partner", organisation, active=False, check_password=False)
    audit.record("user.registered", user, user=user, organisation=organisation)
    notifications.account_requested(user)
    return user


# --- login ------------------------------------------------------------------------------------


def _throttle_wait(email: str, address: str, now: datetime) -> int:
    """Seconds until a login for this email from this address may be tried again (0: now)."""
    config = current_app.config
    window = timedelta(minutes=config["LOGIN_THROTTLE_MINUTES"])
    since = now - window
    waits = []
    for column, value, limit in (
        (LoginFailure.email, email, config["LOGIN_FAILURES_PER_ACCOUNT"]),
        (LoginFailure.address, address, config["LOGIN_FAILURES_PER_ADDRESS"]),
    ):
        recent = select(LoginFailure.created_at).where(column == value, LoginFailure.created_at >= since)
        times = db.session.scalars(recent.order_by(LoginFailure.created_at.desc()).limit(limit)).all()
        if len(times) >= limit:
            waits.append(int((times[-1] + window - now).total_seconds()) + 1)
    return max(waits, default=0)


def authenticate(email: str, password: str, address: str) -> User:
    """The user with these credentials, or an exception saying why not.

    Failures are counted in the database, so every worker process shares the throttle.
    """
    email = normalise_email(email)
    now = utcnow()
    wait = _throttle_wait(email, address, now)
    if wait:
        raise LoginThrottled(wait)
    user = find_user_by_email(email)
    stored = user.password_hash if user else _dummy_hash(current_app.config["PASSWORD_HASH_METHOD"])
    valid = check_password_hash(stored, password)
    if not (user and valid):
        db.session.add(LoginFailure(email=email, address=address, created_at=now))
        db.session.flush()
        raise InvalidCredentials()
    if not user.active:
        raise AccountInactive()
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == email))
    user.last_login_at = now
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User) -> str:
    """A new server-side session for ``user``; the returned token goes into the signed cookie."""
    token = secrets.token_urlsafe(32)
    db.session.add(AuthSession(id=_digest(token), user_id=user.id))
    db.session.flush()
    return token


def session_user(user_id: str, token: str | None) -> User | None:
    """The active user whose live session this token names, or None."""
    if not token or not str(user_id).isdigit():
        return None
    row = db.session.get(AuthSession, _digest(token))
    if row is None or row.user_id != int(user_id):
        return None
    user = db.session.get(User, row.user_id)
    return user if user is not None and user.active else None


def end_session(token: str | None) -> None:
    if token:
        db.session.execute(delete(AuthSession).where(AuthSession.id == _digest(token)))


def end_all_sessions(user: User) -> None:
    db.session.execute(delete(AuthSession).where(AuthSession.user_id == user.id))


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change the password and end every session of the user (the caller starts a new one)."""
    if not check_password_hash(user.password_hash, current_password):
        raise RuleViolation("The current password is not right.", field="current_password")
    _check_password_rules(new_password, user.email, user.name)
    user.password_hash = _hash(new_password)
    end_all_sessions(user)
    audit.record("user.password_changed", user, user=user)
    db.session.flush()


# --- administration ---------------------------------------------------------------------------


def set_active(actor: User, user: User, active: bool) -> None:
    if not can_manage_account(actor, user):
        raise PermissionDenied("You cannot manage this account.")
    if user.id == actor.id and not active:
        raise RuleViolation("You cannot deactivate your own account.")
    if user.active == active:
        return
    user.active = active
    if not active:
        end_all_sessions(user)
    audit.record("user.activated" if active else "user.deactivated", actor, user=user)
    if active:
        notifications.account_activated(user)
    db.session.flush()


def update_user(
    actor: User,
    user: User,
    *,
    role: str,
    organisation: Organisation | None,
    moderated_programmes: list[Programme],
) -> None:
    """Change role, organisation and moderated programmes; each change is an audit event."""
    if not is_admin(actor):
        raise PermissionDenied("Only admins change roles.")
    if user.id == actor.id and role != "admin":
        raise RuleViolation("You cannot take the admin role away from yourself.", field="role")
    if role == "partner" and organisation is None:
        raise RuleViolation("A partner belongs to an organisation.", field="organisation")
    if role != user.role:
        audit.record("user.role_changed", actor, user=user, before=user.role, after=role)
        user.role = role
        end_all_sessions(user)  # new rights start with a new login
    organisation = organisation if role == "partner" else None
    if organisation != user.organisation:
        audit.record(
            "user.organisation_changed",
            actor,
            user=user,
            organisation=organisation,
            before=user.organisation.name if user.organisation else None,
            after=organisation.name if organisation else None,
        )
        user.organisation = organisation
    programmes = moderated_programmes if role == "moderator" else []
    if set(programmes) != set(user.moderated_programmes):
        audit.record(
            "user.programmes_changed",
            actor,
            user=user,
            before=[p.slug for p in user.moderated_programmes],
            after=[p.slug for p in programmes],
        )
        user.moderated_programmes = list(programmes)
    db.session.flush()


@dataclass
class UserFilter:
    q: str = ""
    role: str = ""
    active: str = ""  # "", "yes", "no"


def users_query(actor: User, filters: UserFilter):
    """The users an admin (all) or a moderator (partners of their programmes) may manage."""
    query = select(User).order_by(User.active, User.created_at.desc())
    if not is_admin(actor):
        programme_ids = [p.id for p in actor.moderated_programmes]
        query = query.where(
            User.role == "partner",
            User.organisation_id.in_(
                select(Partnership.organisation_id).where(Partnership.programme_id.in_(programme_ids))
            ),
        )
    if filters.q:
        pattern = f"%{filters.q.strip().lower()}%"
        query = query.outerjoin(Organisation, User.organisation_id == Organisation.id).where(
            or_(
                func.lower(User.email).like(pattern),
                func.lower(User.name).like(pattern),
                func.lower(Organisation.name).like(pattern),
            )
        )
    if filters.role:
        query = query.where(User.role == filters.role)
    if filters.active in ("yes", "no"):
        query = query.where(User.active.is_(filters.active == "yes"))
    return query
