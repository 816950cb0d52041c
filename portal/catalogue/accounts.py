"""Accounts: registration, password rules and changes, administration.

Logging in is ``portal.catalogue.logins``, login sessions ``portal.catalogue.sessions``, password
resets ``portal.catalogue.resets``.
"""

import secrets
from dataclasses import dataclass
from functools import cache

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from portal.catalogue import NotFound, PermissionDenied, RuleViolation, audit, notifications
from portal.catalogue.organisations import add_partnership
from portal.catalogue.permissions import can_manage_account, is_admin
from portal.catalogue.sessions import end_all_sessions
from portal.extensions import db
from portal.i18n import DEFAULT as DEFAULT_LANGUAGE
from portal.i18n import LANGUAGES, current_language, format_number
from portal.models import Organisation, Partnership, Programme, User
from portal.vocab import ORGANISATION_TYPES, PROGRAMMES, labels

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
ZXCVBN_MAX_LENGTH = 72  # zxcvbn raises ValueError beyond this
# zxcvbn scores 0 and 1 mean "guessable within a million tries": the very common passwords.
MIN_PASSWORD_SCORE = 2


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(user_id)
    return user


def get_organisation(organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(organisation_id)
    return organisation


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def _letters(text: str) -> str:
    return "".join(character for character in text.lower() if character.isalpha())


def site_words() -> list[str]:
    """Names anyone guesses first for this site: the site's, the network's and the programmes' names."""
    names = [current_app.config["SITE_NAME"], "One Planet", "One Planet network"]
    names += list(labels(PROGRAMMES, "en").values())
    return [form for name in names for form in (name.lower(), _letters(name))]


def password_problem(password: str, user_inputs: tuple[str, ...] = ()) -> str | None:
    """Why ``password`` is not acceptable, or None. The length is checked before the strength."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Use at least %(count)s characters.", count=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _("Use at most %(count)s characters.", count=format_number(MAX_PASSWORD_LENGTH))
    if _letters(password) in set(site_words()):
        return _("Do not use the name of the portal, the network or a programme as your password.")
    # zxcvbn refuses more than 72 characters (and is slow on long input): the first 72 are judged.
    inputs = [value for value in (*user_inputs, *site_words()) if value]
    result = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=inputs)
    if result["score"] < MIN_PASSWORD_SCORE:
        warning = result["feedback"]["warning"] or _("This password is too easy to guess.")
        return _("%(warning)s Choose a longer or less common password, for example a few unrelated words.",
                 warning=warning)
    return None


def check_new_password(password: str, email: str, name: str) -> None:
    """A RuleViolation at the ``password`` field when ``password`` may not be ``email``'s new password."""
    problem = password_problem(password, (email, email.split("@")[0], name))
    if problem:
        raise RuleViolation(problem, field="password")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def dummy_hash() -> str:
    """Checked against when the email is unknown, so both failures take the same time."""
    return _dummy_hash(current_app.config["PASSWORD_HASH_METHOD"])


@cache
def _dummy_hash(method: str) -> str:
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
    language: str = DEFAULT_LANGUAGE,
) -> User:
    """An account; its mails are written in ``language`` (English for accounts made on the command line)."""
    email = normalise_email(email)
    if find_user_by_email(email):
        raise RuleViolation(_("An account with this email already exists."), field="email")
    if check_password:
        check_new_password(password, email, name)
    if role == "partner" and organisation is None:
        raise RuleViolation(_("A partner belongs to an organisation."), field="organisation")
    user = User(
        email=email,
        name=name,
        password_hash=hash_password(password),
        role=role,
        organisation=organisation if role == "partner" else None,
        active=active,
        language=language if language in LANGUAGES else DEFAULT_LANGUAGE,
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
        raise RuleViolation(_("Name the organisation."), field="organisation_name")
    organisation = db.session.scalar(select(Organisation).where(func.lower(Organisation.name) == name.lower()))
    if organisation is None:
        if type not in dict(ORGANISATION_TYPES):
            raise RuleViolation(_("Choose a type of organisation."), field="organisation_type")
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
    """An applicant asks for a partner account. It stays inactive until someone activates it.

    Its mails are written in the language the applicant registered in (that of the request).
    """
    email = normalise_email(email)
    if find_user_by_email(email):
        raise RuleViolation(_("An account with this email already exists. Log in, or ask the secretariat."), "email")
    check_new_password(password, email, name)
    if organisation is None:
        if not programmes:
            raise RuleViolation(_("Choose at least one programme your organisation works with."), "programmes")
        organisation = get_or_create_organisation(
            new_organisation_name,
            type=new_organisation_type,
            country=new_organisation_country,
            programmes=programmes,
        )
    user = create_user(email, name, password, "partner", organisation, active=False, check_password=False,
                       language=current_language())
    audit.record("user.registered", user, user=user, organisation=organisation)
    notifications.account_requested(user)
    return user


def set_language(user: User, language: str) -> None:
    """The language of ``user``'s mails: one of the interface's languages."""
    if language not in LANGUAGES:
        raise RuleViolation(_("Choose one of the languages listed."), field="language")
    if language != user.language:
        before, user.language = user.language, language
        db.session.flush()
        audit.record("user.language_changed", user, user=user, before=before, after=language)


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change the password and end every session of the user (the caller starts a new one)."""
    if not check_password_hash(user.password_hash, current_password):
        raise RuleViolation(_("The current password is not right."), field="current_password")
    check_new_password(new_password, user.email, user.name)
    user.password_hash = hash_password(new_password)
    end_all_sessions(user)
    audit.record("user.password_changed", user, user=user)
    db.session.flush()


# --- administration ---------------------------------------------------------------------------


def set_active(actor: User, user: User, active: bool) -> None:
    if not can_manage_account(actor, user):
        raise PermissionDenied(_("You cannot manage this account."))
    if user.id == actor.id and not active:
        raise RuleViolation(_("You cannot deactivate your own account."))
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
        raise PermissionDenied(_("Only admins change roles."))
    if user.id == actor.id and role != "admin":
        raise RuleViolation(_("You cannot take the admin role away from yourself."), field="role")
    if role == "partner" and organisation is None:
        raise RuleViolation(_("A partner belongs to an organisation."), field="organisation")
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


def count_users(actor: User, filters: UserFilter) -> int:
    """How many users ``users_query`` lists (the desk's "accounts waiting for activation")."""
    return db.session.scalar(select(func.count()).select_from(users_query(actor, filters).order_by(None).subquery()))


def organisations_query(q: str = "") -> Select:
    """Organisations by name, those whose name contains ``q`` (any case) when given."""
    query = select(Organisation).options(selectinload(Organisation.partnerships)).order_by(Organisation.name)
    q = q.strip()
    return query.where(Organisation.name.icontains(q, autoescape=True)) if q else query
