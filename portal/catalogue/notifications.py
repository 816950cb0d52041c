"""What the portal tells people by mail. Messages go through ``portal.mail`` (outbox, then SMTP).

Each mail is written in its recipient's language (``User.language``): ``mail.queue_in_languages``
composes it once per language. An address without an account (an organisation's focal point) gets the
language its organisation's partners use most (``organisation_language``), English when it has none.
"""

from collections import Counter

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal import mail, vocab
from portal.extensions import db
from portal.i18n import DEFAULT
from portal.links import absolute_url
from portal.mail import Recipient
from portal.models import Comment, CountryNeed, Item, NeedInterest, Programme, User, moderator_programmes


def _signature() -> str:
    return f"\n\n— {current_app.config['SITE_NAME']}\n"


def _desk_recipients(programmes: list[Programme], *, admins: bool = False) -> list[Recipient]:
    """The active moderators of ``programmes`` (and the admins, when asked)."""
    moderators = select(moderator_programmes.c.user_id).where(
        moderator_programmes.c.programme_id.in_([programme.id for programme in programmes])
    )
    chosen = User.id.in_(moderators) | (User.role == "admin") if admins else User.id.in_(moderators)
    query = select(User.email, User.language).where(User.active.is_(True), chosen).order_by(User.email)
    return [(email, language) for email, language in db.session.execute(query)]


def partner_accounts(organisation_ids: list[int]) -> dict[int, list[Recipient]]:
    """The active partner accounts of each organisation."""
    found: dict[int, list[Recipient]] = {}
    if not organisation_ids:
        return found
    rows = db.session.execute(
        select(User.organisation_id, User.email, User.language)
        .where(User.organisation_id.in_(organisation_ids), User.role == "partner", User.active.is_(True))
        .order_by(User.email)
    )
    for organisation_id, email, language in rows:
        found.setdefault(organisation_id, []).append((email, language))
    return found


def partner_recipients(item: Item) -> list[Recipient]:
    """The active partner accounts of the item's organisation."""
    return partner_accounts([item.organisation_id]).get(item.organisation_id, [])


def organisation_language(organisation_id: int) -> str:
    """The language for an organisation's addresses without an account: its partners' most common one."""
    languages = Counter(language for _email, language in partner_accounts([organisation_id]).get(organisation_id, []))
    return languages.most_common(1)[0][0] if languages else DEFAULT


def account_requested(user: User) -> None:
    """Tell admins and the desks of the organisation's programmes that an account waits."""
    recipients = _desk_recipients(user.organisation.programmes if user.organisation else [], admins=True)

    def compose() -> tuple[str, str]:
        body = _(
            "%(name)s <%(email)s> asks for a partner account for %(organisation)s.\n\n"
            "Activate it, or leave it inactive, at %(link)s",
            name=user.name, email=user.email, organisation=user.organisation.name, link=absolute_url("desk.accounts"),
        )
        return _("Account request: %(organisation)s", organisation=user.organisation.name), body + _signature()

    mail.queue_in_languages(recipients, compose, topic="account")


def _to_user(user: User, compose, topic: str) -> None:
    mail.queue_in_languages([(user.email, user.language)], compose, topic=topic)


def login_failures(user: User, failures: int, minutes: int, topic: str) -> None:
    """Tell the owner that their account sees many failed logins (it is not locked)."""

    def compose() -> tuple[str, str]:
        body = _(
            "Hello %(name)s,\n\nthere were %(failures)s failed attempts to log in to your account in the last "
            "%(minutes)s minutes. Your account is not locked: logging in only takes a little longer for now.\n\n"
            "If it was you, there is nothing to do. If not, someone may be guessing your password: choose a new, "
            "strong one at %(change)s, or reset it at %(reset)s.",
            name=user.name, failures=failures, minutes=minutes,
            change=absolute_url("auth.change_password"), reset=absolute_url("auth.forgot_password"),
        )
        return _("Failed logins to your account"), body + _signature()

    _to_user(user, compose, topic)


def password_reset(user: User, link: str, minutes: int, topic: str) -> None:
    def compose() -> tuple[str, str]:
        body = _(
            "Hello %(name)s,\n\nsomeone, probably you, asked to reset the password of your account. Choose a new "
            "password at this address within %(minutes)s minutes (it works once):\n\n%(link)s\n\n"
            "If you did not ask, ignore this message: your password stays as it is.",
            name=user.name, minutes=minutes, link=link,
        )
        return _("Reset your password"), body + _signature()

    _to_user(user, compose, topic)


def account_activated(user: User) -> None:
    def compose() -> tuple[str, str]:
        values = {"name": user.name, "link": absolute_url("auth.login")}
        if user.organisation:
            body = _("Hello %(name)s,\n\nyour partner account for %(organisation)s is now active. Log in at %(link)s "
                     "to submit your initiatives and resources.", organisation=user.organisation.name, **values)
        else:
            body = _("Hello %(name)s,\n\nyour account is now active. Log in at %(link)s.", **values)
        return _("Your One Planet Catalogue account is active"), body + _signature()

    _to_user(user, compose, topic="account")


# What the partner reads for each desk decision: (subject, opening line). The event's message follows.
DECISION_MESSAGES = {
    "item.approved": (
        _l("Published: %(title)s"), _l("The desk of %(programme)s approved “%(title)s”. It is now public.")
    ),
    "item.rejected": (_l("Not accepted: %(title)s"), _l("The desk of %(programme)s did not accept “%(title)s”.")),
    "item.changes_requested": (
        _l("Changes requested: %(title)s"),
        _l("The desk of %(programme)s asks for changes to “%(title)s” before publishing it."),
    ),
    "item.portfolio_changed": (
        _l("Portfolio status: %(title)s"),
        _l("The desk of %(programme)s changed the portfolio status of “%(title)s” to %(status)s."),
    ),
    "item.hidden": (
        _l("Hidden from public view: %(title)s"), _l("The desk of %(programme)s hid “%(title)s” from public view.")
    ),
    "item.unhidden": (_l("Visible again: %(title)s"), _l("The desk of %(programme)s made “%(title)s” public again.")),
}
MESSAGE_HEADINGS = {
    "item.rejected": _l("Reason:"),
    "item.hidden": _l("Reason:"),
}


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

    def compose() -> tuple[str, str]:
        values = {
            "title": item.title,
            "programme": programme.name if programme else _("the programme"),
            "status": vocab.label(vocab.PORTFOLIO_STATUSES, status or "none"),
        }
        body = str(opening) % values
        if action == "item.approved" and status and status != "none":
            body += " " + _("It is part of the programme's portfolio as %(status)s.", status=values["status"])
        if message:
            heading = MESSAGE_HEADINGS.get(action) or _("Message from the desk:")
            body += f"\n\n{heading}\n{message}"
        body += "\n\n" + _("See the item and its history at %(link)s", link=partner_item_url(item))
        if action in ("item.approved", "item.unhidden"):
            body += "\n" + _("Its public page: %(link)s", link=absolute_url("public.item", item_id=item.id))
        return str(subject) % values, body + _signature()

    mail.queue_in_languages(partner_recipients(item), compose, topic="decision")


def desk_commented(item: Item, comment: Comment) -> None:
    """Tell the item's organisation that the desk wrote in the item's thread."""

    def compose() -> tuple[str, str]:
        author = comment.author.name if comment.author else _("The desk")
        body = _("%(author)s of the coordination desk wrote about “%(title)s”:\n\n%(comment)s\n\nAnswer at %(link)s",
                 author=author, title=item.title, comment=comment.body, link=partner_item_url(item))
        return _("Message from the desk: %(title)s", title=item.title), body + _signature()

    mail.queue_in_languages(partner_recipients(item), compose, topic="comment")


def partner_commented(item: Item, comment: Comment) -> None:
    """Tell the desks of the item's programmes that its organisation wrote in the item's thread."""

    def compose() -> tuple[str, str]:
        author = comment.author.name if comment.author else _("The partner")
        values = {"author": author, "organisation": item.organisation.name, "title": item.title}
        body = _("%(author)s (%(organisation)s) wrote about “%(title)s”:\n\n%(comment)s\n\nAnswer at %(link)s",
                 comment=comment.body, link=absolute_url("desk.item", item_id=item.id), **values)
        return _("Message from %(organisation)s: %(title)s", **values), body + _signature()

    mail.queue_in_languages(_desk_recipients(list(item.programmes)), compose, topic="comment")


def offers_fit_need(need: CountryNeed, organisation_id: int, offers: list[Item]) -> int:
    """Tell an organisation's partners that their offers fit a new need; returns how many were mailed."""
    recipients = partner_accounts([organisation_id]).get(organisation_id, [])
    listed = "\n".join(f"- {item.title}: {absolute_url('public.item', item_id=item.id)}" for item in offers)

    def compose() -> tuple[str, str]:
        subject = _("A need fits your offers: %(title)s", title=need.title)
        body = _(
            "A country need recorded by the desks of the One Planet network fits what your organisation "
            "offers.\n\n%(country)s: %(title)s\n%(url)s\n\nYour offers that fit it:\n%(offers)s\n\n"
            "If you could help, open the need and press “Express interest”: its desks read your message.",
            country=vocab.country_name(need.country), title=need.title,
            url=absolute_url("network.need", need_id=need.id), offers=listed,
        )
        return subject, body + _signature()

    mail.queue_in_languages(recipients, compose, topic="matchmaking")
    return len(recipients)


def interest_expressed(need: CountryNeed, interest: NeedInterest) -> None:
    """Tell the desks of the need's programmes that a partner could help."""
    organisation = interest.organisation.name

    def compose() -> tuple[str, str]:
        subject = _("Interest from %(organisation)s: %(title)s", organisation=organisation, title=need.title)
        body = _(
            "%(who)s (%(organisation)s) expressed interest in the need “%(title)s” (%(country)s):\n\n"
            "%(message)s\n\nRead it with the need's matches at %(url)s",
            who=interest.user.name if interest.user else organisation, organisation=organisation,
            title=need.title, country=vocab.country_name(need.country), message=interest.message,
            url=absolute_url("network.need", need_id=need.id),
        )
        return subject, body + _signature()

    mail.queue_in_languages(_desk_recipients(list(need.programmes)), compose, topic="matchmaking")
