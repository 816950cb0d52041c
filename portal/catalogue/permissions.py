"""Named permission predicates, used by services, view guards and templates alike.

``user`` may be Flask-Login's anonymous user: every predicate answers False for it unless the thing
is public.
"""

from collections.abc import Callable

from portal.catalogue import NotFound
from portal.catalogue.visibility import is_public
from portal.extensions import db
from portal.models import CountryNeed, Item, Organisation, Programme, User


def is_admin(user: User) -> bool:
    return bool(user.is_authenticated and user.is_admin)


def moderates(user: User, programme: Programme) -> bool:
    """The user sits on the programme's desk (admins sit on every desk)."""
    if not user.is_authenticated:
        return False
    return user.is_admin or (user.is_moderator and programme in user.moderated_programmes)


def moderates_any(user: User, programmes: list[Programme]) -> bool:
    return any(moderates(user, programme) for programme in programmes)


def belongs_to_item_organisation(user: User, item: Item) -> bool:
    return bool(
        user.is_authenticated
        and user.is_partner
        and user.organisation_id is not None
        and user.organisation_id == item.organisation_id
    )


def moderates_item(user: User, item: Item) -> bool:
    """The user sits on the desk of one of the item's programmes (admins sit on every desk)."""
    return moderates_any(user, list(item.programmes))


def can_view_item(user: User, item: Item) -> bool:
    """Public items for all; any item for its organisation, its programmes' desks and admins."""
    return is_public(item) or can_see_unpublished(user, item)


def can_see_unpublished(user: User, item: Item) -> bool:
    """May see the item whatever its state: its history, comments, inactive or hidden marks."""
    return belongs_to_item_organisation(user, item) or moderates_item(user, item)


def can_edit_item(user: User, item: Item) -> bool:
    return belongs_to_item_organisation(user, item) or is_admin(user)


def can_decide(user: User, item: Item) -> bool:
    """Publication (approve, reject, request changes, hide) belongs to the lead programme's desk."""
    lead = item.lead_programme
    return lead is not None and moderates(user, lead)


def can_set_portfolio(user: User, item: Item, programme: Programme) -> bool:
    return programme in item.programmes and moderates(user, programme)


def can_comment(user: User, item: Item) -> bool:
    return can_see_unpublished(user, item)


def can_edit_organisation(user: User, organisation: Organisation) -> bool:
    """Admins edit every organisation; a partner edits its own organisation's reporting contacts."""
    return is_admin(user) or bool(
        user.is_authenticated and user.is_partner and user.organisation_id == organisation.id
    )


def can_manage_account(actor: User, user: User) -> bool:
    """Admins manage every account; a moderator may (de)activate partners of their programmes."""
    if is_admin(actor):
        return True
    if not (actor.is_authenticated and actor.is_moderator and user.is_partner and user.organisation):
        return False
    return moderates_any(actor, user.organisation.programmes)


def sits_on_a_desk(user: User) -> bool:
    """A desk moderator or an admin (who may record country needs)."""
    return bool(user.is_authenticated and (user.is_admin or user.is_moderator))


def can_edit_need(user: User, need: CountryNeed) -> bool:
    """Desks edit the needs of their programmes; admins every need. They also read its expressions of interest."""
    return is_admin(user) or moderates_any(user, list(need.programmes))


def can_express_interest(user: User) -> bool:
    """A partner of an organisation may tell a need's desks that it could help."""
    return bool(user.is_authenticated and user.is_partner and user.organisation_id is not None)


def can_link_item(user: User, item: Item) -> bool:
    """Links from an item ("Related items") are set by its organisation and the desks of its programmes."""
    return belongs_to_item_organisation(user, item) or moderates_item(user, item)


def item_for(user: User, item_id: int, allowed: Callable[[User, Item], bool]) -> Item:
    """The item when ``allowed(user, item)``; NotFound otherwise, exactly as for a missing item, so
    that nobody learns that an item they may not reach exists."""
    item = db.session.get(Item, item_id)
    if item is None or not allowed(user, item):
        raise NotFound(item_id)
    return item


def public_item(item_id: int) -> Item:
    """The item when it is public (the visibility rule), whoever asks; NotFound otherwise."""
    return item_for(None, item_id, lambda _user, item: is_public(item))
