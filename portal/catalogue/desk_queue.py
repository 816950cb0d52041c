"""The desk's review queue: what waits for a desk's decision, oldest first, and what will come to its
portfolio once another desk has decided (DESIGN.md: ``/desk/`` is the review queue of the moderator's
programmes; it takes the words and filters of /search, within the desk's staff scope).

Speed (benchmarks/reporting.py, 100 000 items, 9 000 of them submitted): every part of the queue is one
SELECT of (id, since) planned from its own index (migration c7b75355106f); the page loads only its own
rows, and only the columns a list shows.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, CompoundSelect, Select, and_, case, exists, false, func, select, true, union_all
from sqlalchemy.orm import lazyload, load_only

from portal import search
from portal.catalogue.filters import CatalogueFilters
from portal.catalogue.permissions import can_decide, is_admin, moderates
from portal.catalogue.programmes import desk_programmes
from portal.catalogue.visibility import public_clause
from portal.extensions import db
from portal.models import AuditEvent, Item, ItemProgramme, PortfolioEntry, User, utcnow

QUEUE_PER_PAGE = 50
WAITING_ELSEWHERE_LIMIT = 100

# ---------------------------------------------------------------------------------------------------
# Scope: the programmes of a desk and the items it may see.


def _in_scope(user: User, programme_id) -> ColumnElement[bool]:
    """SQL: ``programme_id`` is one of the user's desk programmes."""
    if is_admin(user):
        return true()
    ids = [programme.id for programme in desk_programmes(user)]
    return programme_id.in_(ids) if ids else false()


def _has_programme(user: User, *, lead: bool = False) -> ColumnElement[bool]:
    """SQL: the item has a programme of the user's desk (with ``lead``: as its lead programme)."""
    link = select(ItemProgramme.item_id).where(
        ItemProgramme.item_id == Item.id, _in_scope(user, ItemProgramme.programme_id)
    )
    return exists(link.where(ItemProgramme.position == 0) if lead else link)


def _undecided_portfolio(user: User) -> ColumnElement[bool]:
    """SQL: a programme of the user's desk, other than the lead, has no portfolio decision yet."""
    decided = exists(
        select(PortfolioEntry.item_id).where(
            PortfolioEntry.item_id == ItemProgramme.item_id, PortfolioEntry.programme_id == ItemProgramme.programme_id
        )
    )
    return exists(
        select(ItemProgramme.item_id).where(
            ItemProgramme.item_id == Item.id,
            ItemProgramme.position > 0,
            _in_scope(user, ItemProgramme.programme_id),
            ~decided,
        )
    )


def _approved_by_desk() -> ColumnElement[bool]:
    """SQL: a public item (the visibility rule) that a desk approved in the portal (imported and demo
    items carry no approver). A hidden or inactive item asks no portfolio decision.

    Written as IN over the approval events with an approver, which the (action, actor_id) index finds
    directly, and the rule on the item itself: the database starts from those few events instead of
    testing every published item (a join inside the IN made SQLite start from the items: 0.45 s at
    100 000).
    """
    approvals = select(AuditEvent.item_id).where(AuditEvent.action == "item.approved", AuditEvent.actor_id.is_not(None))
    return and_(Item.id.in_(approvals), public_clause())


def _queued(*conditions: ColumnElement[bool]) -> Select:
    """SQL: (id, since) of the items meeting ``conditions``, ``since`` being when each joined the queue:
    its approval (portfolio decisions) or its submission."""
    since = case(
        (Item.state == "published", Item.published_at), else_=func.coalesce(Item.submitted_at, Item.created_at)
    )
    return select(Item.id, since.label("since")).where(*conditions)


def _to_decide(user: User, *, elsewhere: bool = False) -> CompoundSelect:
    """SQL: (id, since, mine) of what waits for this desk: submissions to its lead programmes, and approved
    items whose portfolio status for one of its other programmes nobody has decided yet (``mine`` true).
    With ``elsewhere``, also the submissions that concern the desk only for its portfolio, the lead
    programme's desk deciding first (``mine`` false): the queue page's two lists from one walk over
    the submissions (each walk took 10-25 ms at 100 000 items, 9 000 of them submitted).

    A UNION of the parts, not one OR: each is planned from its own index (the submissions' part reads
    only indexes). With OR, PostgreSQL read every public item for the second (0.5 s at 100 000 items).
    """
    lead = _has_programme(user, lead=True)
    submissions = (
        _queued(Item.state == "submitted", _has_programme(user)).add_columns(lead.label("mine"))
        if elsewhere
        else _queued(Item.state == "submitted", lead).add_columns(true().label("mine"))
    )
    return union_all(submissions, _queued(_approved_by_desk(), _undecided_portfolio(user)).add_columns(true()))


def _oldest_first(queued: Select | CompoundSelect) -> Select | CompoundSelect:
    return queued.order_by(queued.selected_columns.since, queued.selected_columns.id)


def queued_since(item: Item) -> datetime:
    """When the item joined the queue: its approval (portfolio decisions) or its submission."""
    if item.state == "published" and item.published_at:
        return item.published_at
    return item.submitted_at or item.created_at


def age(item: Item, now: datetime | None = None) -> timedelta:
    return (now or utcnow()) - queued_since(item)


@dataclass(frozen=True)
class ItemPage:
    """One page of a list of items: the items, how many there are in all, which page of how many."""

    items: list[Item]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class Queue:
    waiting: ItemPage  # for this desk's decision, oldest first
    elsewhere: list[Item]  # submissions another desk decides first (WAITING_ELSEWHERE_LIMIT at most)


# What a desk's list shows of an item (its row, tasks, public view); the rest stays in the database until
# asked for: 150 items loaded whole took longer than the queue's queries.
LISTED = (load_only(Item.id, Item.kind, Item.title, Item.organisation_id, Item.state, Item.hidden, Item.updated_at,
                    Item.created_at, Item.submitted_at, Item.published_at),
          lazyload(Item.sdgs), lazyload(Item.country_links), lazyload(Item.theme_links))


def desk_items(user: User, ids: list[int]) -> list[Item]:
    """The items of ``ids`` that the user's desk may see (the database decides), in the order given,
    loaded for a list (``LISTED``)."""
    if not ids:
        return []
    query = select(Item).where(Item.id.in_(ids), _has_programme(user)).options(*LISTED)
    found = {item.id: item for item in db.session.scalars(query)}
    return [found[item_id] for item_id in ids if item_id in found]


def queue(user: User, filters: CatalogueFilters, per_page: int = QUEUE_PER_PAGE) -> Queue:
    """What waits for the user's desk (a page of it), and what will come to its portfolio later; narrowed
    by the search's meaning of the words and filters (within the desk's staff scope) when any is given."""
    rows = db.session.execute(_oldest_first(_to_decide(user, elsewhere=True))).all()
    if filters.narrows():
        found = set(search.among([row.id for row in rows], filters, search.staff_scope(user)))
        rows = [row for row in rows if row.id in found]
    waiting = [row.id for row in rows if row.mine]
    elsewhere = [row.id for row in rows if not row.mine][:WAITING_ELSEWHERE_LIMIT]
    start = (filters.page - 1) * per_page
    return Queue(
        ItemPage(desk_items(user, waiting[start : start + per_page]), len(waiting), filters.page, per_page),
        desk_items(user, elsewhere),
    )


def queue_count(user: User) -> int:
    """How many items wait for the user's desk (the count in the navigation)."""
    if not (is_admin(user) or (user.is_authenticated and user.is_moderator)):
        return 0
    return db.session.scalar(select(func.count()).select_from(_to_decide(user).subquery())) or 0


def pending_tasks(user: User, item: Item) -> list[str]:
    """What the user's desk has to do about ``item`` as shown in the queue."""
    if item.state == "submitted":
        return ["publication"] if can_decide(user, item) else ["waiting"]
    decided = {entry.programme_id for entry in item.portfolio_entries}
    return [
        f"portfolio:{programme.slug}"
        for programme in item.programmes[1:]
        if moderates(user, programme) and programme.id not in decided
    ]


def next_in_queue(user: User, after: Item | None = None) -> Item | None:
    """The oldest item waiting for the user's desk, other than ``after``."""
    oldest = db.session.scalars(_oldest_first(_to_decide(user)).limit(2))
    following = next((item_id for item_id in oldest if after is None or item_id != after.id), None)
    return db.session.get(Item, following) if following is not None else None
