"""Programmes and SDGs as the public sees them."""

from sqlalchemy import func, select

from portal.catalogue import NotFound
from portal.catalogue.permissions import is_admin
from portal.catalogue.visibility import public_clause
from portal.extensions import db
from portal.models import Item, ItemProgramme, Partnership, Programme, Sdg, User


def all_programmes() -> list[Programme]:
    return list(db.session.scalars(select(Programme).order_by(Programme.position)))


def desk_programmes(user: User) -> list[Programme]:
    """The programmes whose desk ``user`` sits on: every programme for admins, the moderated ones
    for moderators, none for anyone else (what their queue, monitoring and reports cover)."""
    if is_admin(user):
        return all_programmes()
    if user.is_authenticated and user.is_moderator:
        return list(user.moderated_programmes)
    return []


def get_programme(slug: str) -> Programme:
    programme = db.session.scalar(select(Programme).where(Programme.slug == slug))
    if programme is None:
        raise NotFound(slug)
    return programme


def all_sdgs() -> list[Sdg]:
    return list(db.session.scalars(select(Sdg).order_by(Sdg.number)))


def get_sdg(number: int) -> Sdg:
    sdg = db.session.get(Sdg, number)
    if sdg is None:
        raise NotFound(number)
    return sdg


def public_item_counts() -> dict[int, int]:
    """Programme id → number of public items."""
    rows = db.session.execute(
        select(ItemProgramme.programme_id, func.count())
        .join(Item, Item.id == ItemProgramme.item_id)
        .where(public_clause())
        .group_by(ItemProgramme.programme_id)
    )
    return dict(rows.all())


def partner_counts() -> dict[int, int]:
    """Programme id → number of partner organisations."""
    rows = db.session.execute(select(Partnership.programme_id, func.count()).group_by(Partnership.programme_id))
    return dict(rows.all())
