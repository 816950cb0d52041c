"""What the portal tells people by mail. Messages go through ``portal.mail`` (outbox, then SMTP)."""

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from portal import mail, vocab
from portal.extensions import db
from portal.links import absolute_url
from portal.models import Comment, CountryNeed, Item, NeedInterest, Programme, User, moderator_programmes


def _signature() -> str:
    return f"\n\n— {current_app.config['SITE_NAME']}\n"


def _desk_recipients(programmes: list[Programme], *, admins: bool = False) -> list[str]:
    """The addresses of the active moderators of ``programmes`` (and of the admins, when asked)."""
    moderators = select(moderator_programmes.c.user_id).where(
        moderator_programmes.c.programme_id.in_([programme.id for programme in programmes])
    )
    chosen = User.id.in_(moderators) | (User.role == "admin") if admins else User.id.in_(moderators)
    return list(db.session.scalars(select(User.email).where(User.active.is_(True), chosen).order_by(User.email)))


def account_requested(user: User) -> None:
    """Tell admins and the desks of the organisation's programmes that an account waits."""
    recipients = _desk_recipients(user.organisation.programmes if user.organisation else [], admins=True)
    body = (
        f"{user.name} <{user.email}> asks for a partner account for {user.organisation.name}.\n\n"
        f"Activate it, or leave it inactive, at {absolute_url('desk.accounts')}" + _signature()
    )
    for recipient in recipients:
        mail.queue(recipient, f"Account request: {user.organisation.name}", body, topic="account")


def login_failures(user: User, failures: int, minutes: int, topic: str) -> None:
    """Tell the owner that their account sees many failed logins (it is not locked)."""
    body = _(
        "Hello %(name)s,\n\nthere were %(failures)s failed attempts to log in to your account in the last "
        "%(minutes)s minutes. Your account is not locked: logging in only takes a little longer for now.\n\n"
        "If it was you, there is nothing to do. If not, someone may be guessing your password: choose a new, "
        "strong one at %(change)s, or reset it at %(reset)s.",
        name=user.name, failures=failures, minutes=minutes,
        change=absolute_url("auth.change_password"), reset=absolute_url("auth.forgot_password"),
    )
    mail.queue(user.email, _("Failed logins to your account"), body + _signature(), topic=topic)


def password_reset(user: User, link: str, minutes: int, topic: str) -> None:
    body = _(
        "Hello %(name)s,\n\nsomeone, probably you, asked to reset the password of your account. Choose a new "
        "password at this address within %(minutes)s minutes (it works once):\n\n%(link)s\n\n"
        "If you did not ask, ignore this message: your password stays as it is.",
        name=user.name, minutes=minutes, link=link,
    )
    mail.queue(user.email, _("Reset your password"), body + _signature(), topic=topic)


def account_activated(user: User) -> None:
    organisation = user.organisation.name if user.organisation else "the portal"
    body = (
        f"Hello {user.name},\n\nyour partner account for {organisation} is now active. "
        f"Log in at {absolute_url('auth.login')} to submit your initiatives and resources." + _signature()
    )
    mail.queue(user.email, "Your One Planet Catalogue account is active", body, topic="account")


# What the partner reads for each desk decision: (subject, opening line). The event's message follows.
DECISION_MESSAGES = {
    "item.approved": ("Published: {title}", "The desk of {programme} approved “{title}”. It is now public."),
    "item.rejected": ("Not accepted: {title}", "The desk of {programme} did not accept “{title}”."),
    "item.changes_requested": (
        "Changes requested: {title}",
        "The desk of {programme} asks for changes to “{title}” before publishing it.",
    ),
    "item.portfolio_changed": (
        "Portfolio status: {title}",
        "The desk of {programme} changed the portfolio status of “{title}” to {status}.",
    ),
    "item.hidden": ("Hidden from public view: {title}", "The desk of {programme} hid “{title}” from public view."),
    "item.unhidden": ("Visible again: {title}", "The desk of {programme} made “{title}” public again."),
}
MESSAGE_HEADINGS = {
    "item.rejected": "Reason",
    "item.hidden": "Reason",
}


def partner_recipients(item: Item) -> list[str]:
    """The addresses of the active partner accounts of the item's organisation."""
    return organisation_recipients(item.organisation_id)


def organisation_recipients(organisation_id: int) -> list[str]:
    """The addresses of the active partner accounts of an organisation."""
    return list(
        db.session.scalars(
            select(User.email)
            .where(User.organisation_id == organisation_id, User.role == "partner", User.active.is_(True))
            .order_by(User.email)
        )
    )


def partner_item_url(item: Item) -> str:
    """The item's page in the partner area (``/my/items/<id>``, DESIGN.md)."""
    return f"{absolute_url('partner.dashboard')}items/{item.id}"


def item_decided(
    item: Item, action: str, *, programme: Programme | None = None, message: str = "", status: str | None = None
) -> None:
    """Tell the item's organisation about a desk decision (an audit ``action`` such as ``item.approved``).

    ``status`` is the portfolio status that came with the decision, if any.
    """
    subject, opening = DECISION_MESSAGES[action]
    programme = programme or item.lead_programme
    values = {
        "title": item.title,
        "programme": programme.name if programme else "the programme",
        "status": vocab.label(vocab.PORTFOLIO_STATUSES, status or "none"),
    }
    body = opening.format(**values)
    if action == "item.approved" and status and status != "none":
        body += f" It is part of the programme's portfolio as {values['status']}."
    if message:
        body += f"\n\n{MESSAGE_HEADINGS.get(action, 'Message from the desk')}:\n{message}"
    body += f"\n\nSee the item and its history at {partner_item_url(item)}"
    if action in ("item.approved", "item.unhidden"):
        body += f"\nIts public page: {absolute_url('public.item', item_id=item.id)}"
    body += _signature()
    for recipient in partner_recipients(item):
        mail.queue(recipient, subject.format(**values), body, topic="decision")


def desk_commented(item: Item, comment: Comment) -> None:
    """Tell the item's organisation that the desk wrote in the item's thread."""
    author = comment.author.name if comment.author else "The desk"
    body = (
        f"{author} of the coordination desk wrote about “{item.title}”:\n\n{comment.body}\n\n"
        f"Answer at {partner_item_url(item)}" + _signature()
    )
    for recipient in partner_recipients(item):
        mail.queue(recipient, f"Message from the desk: {item.title}", body, topic="comment")


def partner_commented(item: Item, comment: Comment) -> None:
    """Tell the desks of the item's programmes that its organisation wrote in the item's thread."""
    author = comment.author.name if comment.author else "The partner"
    body = (
        f"{author} ({item.organisation.name}) wrote about “{item.title}”:\n\n{comment.body}\n\n"
        f"Answer at {absolute_url('desk.item', item_id=item.id)}" + _signature()
    )
    for recipient in _desk_recipients(list(item.programmes)):
        mail.queue(recipient, f"Message from {item.organisation.name}: {item.title}", body, topic="comment")


# Mails of match-making: marked for translation and written in English until accounts have a language
# (DESIGN.md: mails go out in the recipient's language).
RECIPIENT_LANGUAGE = "en"


def offers_fit_need(need: CountryNeed, organisation_id: int, offers: list[Item]) -> int:
    """Tell an organisation's partners that their offers fit a new need; returns how many were mailed."""
    recipients = organisation_recipients(organisation_id)
    with force_locale(RECIPIENT_LANGUAGE):
        listed = "\n".join(f"- {item.title}: {absolute_url('public.item', item_id=item.id)}" for item in offers)
        subject = _("A need fits your offers: %(title)s", title=need.title)
        body = _(
            "A country need recorded by the desks of the One Planet network fits what your organisation "
            "offers.\n\n%(country)s: %(title)s\n%(url)s\n\nYour offers that fit it:\n%(offers)s\n\n"
            "If you could help, open the need and press “Express interest”: its desks read your message.",
            country=vocab.country_name(need.country), title=need.title,
            url=absolute_url("network.need", need_id=need.id), offers=listed,
        ) + _signature()
    for recipient in recipients:
        mail.queue(recipient, subject, body, topic="matchmaking")
    return len(recipients)


def interest_expressed(need: CountryNeed, interest: NeedInterest) -> None:
    """Tell the desks of the need's programmes that a partner could help."""
    organisation = interest.organisation.name
    with force_locale(RECIPIENT_LANGUAGE):
        subject = _("Interest from %(organisation)s: %(title)s", organisation=organisation, title=need.title)
        body = _(
            "%(who)s (%(organisation)s) expressed interest in the need “%(title)s” (%(country)s):\n\n"
            "%(message)s\n\nRead it with the need's matches at %(url)s",
            who=interest.user.name if interest.user else organisation, organisation=organisation,
            title=need.title, country=vocab.country_name(need.country), message=interest.message,
            url=absolute_url("network.need", need_id=need.id),
        ) + _signature()
    for recipient in _desk_recipients(list(need.programmes)):
        mail.queue(recipient, subject, body, topic="matchmaking")
