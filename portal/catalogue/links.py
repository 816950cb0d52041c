"""Links between items of any programmes, shown on both items under "Related items".

A link reads from its source: "<source> is produced by / part of / replicates / related to <target>".
The source's organisation and the desks of the source's programmes set it; the editors of either end
may remove it. Nobody links to an item they may not see, nor an item to itself, and each pair of items
is linked once. Visitors see a link only when the item at the other end is public (``can_view_item``).

Audit actions on the source item: ``item.link_added`` and ``item.link_removed`` (details: the target
and the relation).
"""

from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from portal.catalogue import NotFound, PermissionDenied, RuleViolation, audit
from portal.catalogue.permissions import can_link_item, can_view_item
from portal.catalogue.reporting.refresh import Refresher, refresher
from portal.catalogue.visibility import public_clause
from portal.extensions import db
from portal.models import LINK_RELATIONS, Item, ItemLink, ItemProgramme, Programme, User

# relation → (how the source reads it, how the target reads it)
RELATION_LABELS = {
    "produced_by": (_l("Produced by"), _l("Produced")),
    "part_of": (_l("Part of"), _l("Includes")),
    "replicates": (_l("Replicates"), _l("Replicated by")),
    "related_to": (_l("Related to"), _l("Related to")),
}
RELATION_CHOICES = [(relation, RELATION_LABELS[relation][0]) for relation in LINK_RELATIONS]


@dataclass(frozen=True)
class RelatedItem:
    link: ItemLink
    other: Item
    label: str  # how the relation reads from the item whose page shows it


def related_items(item: Item, viewer: User) -> list[RelatedItem]:
    """The item's links in both directions, to items ``viewer`` may see, in the order they were made."""
    links = db.session.scalars(
        select(ItemLink).where(or_(ItemLink.source_id == item.id, ItemLink.target_id == item.id)).order_by(ItemLink.id)
    )
    related = []
    for link in links:
        outgoing = link.source_id == item.id
        other = link.target if outgoing else link.source
        if can_view_item(viewer, other):
            related.append(RelatedItem(link, other, str(RELATION_LABELS[link.relation][0 if outgoing else 1])))
    return related


def add_link(item: Item, actor: User, target_id: int | None, relation: str) -> ItemLink:
    """Link ``item`` to the item numbered ``target_id``."""
    if not can_link_item(actor, item):
        raise PermissionDenied(_("Only the item's organisation and its programmes' desks link it to other items."))
    if relation not in LINK_RELATIONS:
        raise RuleViolation(_("Choose how the items are related."), field="relation")
    target = db.session.get(Item, target_id) if target_id is not None else None
    if target is None or not can_view_item(actor, target):
        raise RuleViolation(_("No item with that number that you may see."), field="target")
    if target.id == item.id:
        raise RuleViolation(_("An item cannot be linked to itself."), field="target")
    pair = or_(
        and_(ItemLink.source_id == item.id, ItemLink.target_id == target.id),
        and_(ItemLink.source_id == target.id, ItemLink.target_id == item.id),
    )
    if db.session.scalar(select(ItemLink.id).where(pair)) is not None:
        raise RuleViolation(_("These two items are linked already."), field="target")
    link = ItemLink(source_id=item.id, target_id=target.id, relation=relation, created_by_id=actor.id)
    db.session.add(link)
    db.session.flush()
    audit.record("item.link_added", actor, item=item, target_id=target.id, target=target.title, relation=relation)
    return link


def remove_link(link_id: int, actor: User) -> ItemLink:
    """Remove a link; the editors of either end may."""
    link = db.session.get(ItemLink, link_id)
    if link is None or not (can_link_item(actor, link.source) or can_link_item(actor, link.target)):
        raise NotFound(link_id)
    audit.record("item.link_removed", actor, item=link.source, target_id=link.target_id, target=link.target.title,
                 relation=link.relation)
    db.session.delete(link)
    db.session.flush()
    return link


@dataclass(frozen=True)
class ProgrammeLinks:
    """How a programme's public items tie it to another programme."""

    programme: Programme
    shared: int  # public items in both programmes
    linked: int  # links between a public item of each

    @property
    def total(self) -> int:
        return self.shared + self.linked


@dataclass(frozen=True)
class LinkCount:
    programme_id: int  # the other programme
    shared: int
    linked: int


@dataclass(frozen=True)
class LinkCounts:
    """How a programme's public items tie it to each other programme, as stored (``links_keeper``)."""

    lines: list[LinkCount]


def programme_links(programme: Programme) -> list[ProgrammeLinks]:
    """Links to other programmes: shared items and linked items per other programme, most tied first.

    Counting the shared items reads every public item of the programme (0.2 s at 100 000 items), so the
    counts are stored like the dashboards (``portal.catalogue.reporting.refresh``): after a change the
    programme page shows the stored counts (numbers, never an item) while one process recomputes them
    once that page is answered.
    """
    counted = {line.programme_id: line for line in links_keeper().get((programme.id,)).value.lines}
    others = db.session.scalars(select(Programme).where(Programme.id != programme.id).order_by(Programme.position))
    result = [ProgrammeLinks(p, counted[p.id].shared, counted[p.id].linked) if p.id in counted
              else ProgrammeLinks(p, 0, 0) for p in others]
    return sorted(result, key=lambda line: -line.total)


def links_keeper() -> Refresher:
    """The stored link counts, by programme id (``reporting.dashboard.warm`` prepares them)."""
    return refresher("programme_links", _recompute_links, LinkCounts)


def _recompute_links(key: tuple) -> LinkCounts:
    counted = _count_links(key[0])
    return LinkCounts([LinkCount(other, *counted[other]) for other in sorted(counted)])


def _count_links(programme_id: int) -> dict[int, tuple[int, int]]:
    """Other programme id → (public items shared with it, links between public items of the two)."""
    mine, other = aliased(ItemProgramme), aliased(ItemProgramme)
    shared = dict(
        db.session.execute(
            select(other.programme_id, func.count())
            .select_from(mine)
            .join(other, and_(other.item_id == mine.item_id, other.programme_id != mine.programme_id))
            .join(Item, Item.id == mine.item_id)
            .where(mine.programme_id == programme_id, public_clause())
            .group_by(other.programme_id)
        ).all()
    )
    source_in, target_in = aliased(ItemProgramme), aliased(ItemProgramme)
    rows = db.session.execute(  # from the links: EXISTS keeps the planner from pairing every public item
        select(ItemLink.id, source_in.programme_id, target_in.programme_id)
        .select_from(ItemLink)
        .join(source_in, source_in.item_id == ItemLink.source_id)
        .join(target_in, target_in.item_id == ItemLink.target_id)
        .where(or_(source_in.programme_id == programme_id, target_in.programme_id == programme_id),
               _public(ItemLink.source_id), _public(ItemLink.target_id))
    )
    linked: dict[int, set[int]] = defaultdict(set)
    for link_id, from_programme, to_programme in rows:
        if from_programme == programme_id and to_programme != programme_id:
            linked[to_programme].add(link_id)
        if to_programme == programme_id and from_programme != programme_id:
            linked[from_programme].add(link_id)
    return {key: (shared.get(key, 0), len(linked.get(key, ()))) for key in set(shared) | set(linked)}


def _public(item_id) -> ColumnElement[bool]:
    return exists(select(Item.id).where(Item.id == item_id, public_clause()))
