"""What the portal tells people by mail. Messages go through ``portal.mail`` (outbox, then SMTP)."""

from flask import current_app, has_request_context, url_for
from sqlalchemy import select

from portal import mail
from portal.extensions import db
from portal.models import User, moderator_programmes


def absolute_url(endpoint: str, **values) -> str:
    """A full URL, also outside a request (CLI jobs), based on the BASE_URL setting."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        return url_for(endpoint, _external=True, **values)


def _signature() -> str:
    return f"\n\n— {current_app.config['SITE_NAME']}\n"


def account_requested(user: User) -> None:
    """Tell admins and the desks of the organisation's programmes that an account waits."""
    programme_ids = [programme.id for programme in user.organisation.programmes] if user.organisation else []
    moderators = select(moderator_programmes.c.user_id).where(moderator_programmes.c.programme_id.in_(programme_ids))
    recipients = db.session.scalars(
        select(User.email).where(User.active.is_(True), (User.role == "admin") | User.id.in_(moderators))
    ).all()
    body = (
        f"{user.name} <{user.email}> asks for a partner account for {user.organisation.name}.\n\n"
        f"Activate it, or leave it inactive, at {absolute_url('desk.accounts')}" + _signature()
    )
    for recipient in recipients:
        mail.queue(recipient, f"Account request: {user.organisation.name}", body, topic="account")


def account_activated(user: User) -> None:
    organisation = user.organisation.name if user.organisation else "the portal"
    body = (
        f"Hello {user.name},\n\nyour partner account for {organisation} is now active. "
        f"Log in at {absolute_url('auth.login')} to submit your initiatives and resources." + _signature()
    )
    mail.queue(user.email, "Your One Planet Catalogue account is active", body, topic="account")
