"""The coordination desk: the review queue, the review page's facts, decisions and monitoring.

Who decides what (DESIGN.md): the desk of an item's lead programme decides publication (approve,
reject with a reason, request changes with a message, hide and unhide); the desk of another of the
item's programmes decides only that programme's portfolio status, once the item is published; a desk
of an unrelated programme does not see the item at all. Admins sit on every desk.

The database says what waits for a desk and what a desk may see; words and filters mean what they mean
on /search: the queue and monitoring ask the search's staff scope (every state, the desk's programmes).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import ColumnElement, CompoundSelect, Select, and_, case, exists, false, func, select, true, union_all
from sqlalchemy.orm import lazyload, load_only

from portal import search
from portal.catalogue import NotFound, RuleViolation, notifications, portfolio, workflow
from portal.catalogue.filters import CatalogueFilters
from portal.catalogue.permissions import can_decide, is_admin, item_for, moderates, moderates_item
from portal.catalogue.programmes import desk_programmes
from portal.catalogue.visibility import public_clause
from portal.extensions import db
from portal.models import AuditEvent, Item, ItemProgramme, PortfolioEntry, Programme, User, utcnow

DECISIONS = ("approve", "request_changes", "reject")
OTHER_ITEMS_LIMIT = 20
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


def _has_programme(user: User, *, lead: bool | None = None) -> ColumnElement[bool]:
    """SQL: the item has a programme of the user's desk (only the lead one, only the others, or any)."""
    link = select(ItemProgramme.item_id).where(
        ItemProgramme.item_id == Item.id, _in_scope(user, ItemProgramme.programme_id)
    )
    if lead is True:
        link = link.where(ItemProgramme.position == 0)
    elif lead is False:
        link = link.where(ItemProgramme.position > 0)
    return exists(link)


def get_item(item_id: int, user: User) -> Item:
    """The item, for a desk of one of its programmes; NotFound for everyone else, so that a desk of an
    unrelated programme cannot even tell that the item exists."""
    return item_for(user, item_id, moderates_item)


# ---------------------------------------------------------------------------------------------------
# The review queue.


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


def _to_decide(user: User) -> CompoundSelect:
    """SQL: (id, since) of what waits for this desk: submissions to its lead programmes, and approved
    items whose portfolio status for one of its other programmes nobody has decided yet.

    A UNION of the two parts, not one condition with OR: each part is planned on its own, from its own
    index, and the first reads nothing but indexes (ix_items_queue). With OR, PostgreSQL read every
    public item to test the second part (0.5 s at 100 000 items, most of it compiling that plan).
    """
    return union_all(
        _queued(Item.state == "submitted", _has_programme(user, lead=True)),
        _queued(_approved_by_desk(), _undecided_portfolio(user)),
    )


def _waiting_elsewhere(user: User) -> Select:
    """SQL: (id, since) of submissions that concern the desk only for its portfolio and wait for the lead
    desk."""
    return _queued(Item.state == "submitted", ~_has_programme(user, lead=True), _has_programme(user, lead=False))


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


# What a desk's list of items shows (the row, its tasks, its public view): the rest of an item stays
# in the database until asked for (a list of 150 items loaded whole took longer than its queries).
LISTED = (
    load_only(Item.id, Item.kind, Item.title, Item.organisation_id, Item.state, Item.hidden, Item.updated_at,
              Item.created_at, Item.submitted_at, Item.published_at),
    lazyload(Item.sdgs),
    lazyload(Item.country_links),
    lazyload(Item.theme_links),
)


def desk_items(user: User, ids: list[int]) -> list[Item]:
    """The items of ``ids`` that the user's desk may see (the database decides), in the order given,
    loaded for a list (``LISTED``)."""
    if not ids:
        return []
    query = select(Item).where(Item.id.in_(ids), _has_programme(user)).options(*LISTED)
    found = {item.id: item for item in db.session.scalars(query)}
    return [found[item_id] for item_id in ids if item_id in found]


def _queued_ids(
    user: User, filters: CatalogueFilters, queued: Select | CompoundSelect, limit: int | None = None
) -> list[int]:
    """The ids of ``queued`` (``_queued``), oldest in the queue first (the first ``limit``); narrowed by
    the search's meaning of the words and filters (within the desk's staff scope) when any is given."""
    query = _oldest_first(queued)
    if not filters.narrows():
        return list(db.session.scalars(query.limit(limit)))
    return search.among(list(db.session.scalars(query)), filters, search.staff_scope(user))[:limit]


def queue(user: User, filters: CatalogueFilters, per_page: int = QUEUE_PER_PAGE) -> Queue:
    """What waits for the user's desk (a page of it), and what will come to its portfolio later."""
    waiting = _queued_ids(user, filters, _to_decide(user))
    start = (filters.page - 1) * per_page
    elsewhere = _queued_ids(user, filters, _waiting_elsewhere(user), WAITING_ELSEWHERE_LIMIT)
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


# ---------------------------------------------------------------------------------------------------
# The review page.


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: Any
    after: Any


FIELD_LABELS = {
    "kind": _l("Kind"),
    "title": _l("Title"),
    "summary": _l("Summary"),
    "description": _l("Description"),
    "website_url": _l("Website"),
    "contact": _l("Contact"),
    "language": _l("Language"),
    "is_global": _l("Global"),
    "activity_category": _l("Activity category"),
    "start_date": _l("Start date"),
    "end_date": _l("End date"),
    "initiative_status": _l("Status"),
    "resource_type": _l("Resource type"),
    "authors": _l("Authors"),
    "publication_year": _l("Publication year"),
    "link_url": _l("Link"),
    "file_original_name": _l("File"),
    "programmes": _l("Programmes"),
    "sdgs": _l("SDGs"),
    "countries": _l("Countries"),
    "themes": _l("Themes"),
}


def _shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return _(", ").join(str(v) for v in value)
    return str(value)


def changes_since_published(item: Item) -> list[Change] | None:
    """What differs from the version the desk last approved; None when it was never approved here."""
    before = item.published_snapshot
    if not isinstance(before, dict):
        return None
    now = workflow.snapshot(item)
    return [
        Change(
            name, FIELD_LABELS.get(name, name.replace("_", " ").capitalize()), _shown(before.get(name)), _shown(value)
        )
        for name, value in now.items()
        if before.get(name) != value
    ]


def other_items(item: Item, limit: int = OTHER_ITEMS_LIMIT) -> tuple[list[Item], int]:
    """The organisation's other items (every state), newest first, and how many there are."""
    condition = and_(Item.organisation_id == item.organisation_id, Item.id != item.id)
    total = db.session.scalar(select(func.count(Item.id)).where(condition)) or 0
    items = db.session.scalars(select(Item).where(condition).order_by(Item.updated_at.desc()).limit(limit))
    return list(items), total


def portfolio_decisions(user: User, item: Item) -> list[tuple[Programme, PortfolioEntry | None]]:
    """The item's programmes whose portfolio status the user may set (their own desks), each with its
    decision so far (None: not decided yet), those not decided yet first."""
    mine = [programme for programme in item.programmes if moderates(user, programme)]
    decisions = [(programme, portfolio.entry_for(item, programme)) for programme in mine]
    return sorted(decisions, key=lambda pair: pair[1] is not None)


def next_in_queue(user: User, after: Item | None = None) -> Item | None:
    """The oldest item waiting for the user's desk, other than ``after``."""
    oldest = db.session.scalars(_oldest_first(_to_decide(user)).limit(2))
    following = next((item_id for item_id in oldest if after is None or item_id != after.id), None)
    return db.session.get(Item, following) if following is not None else None


# ---------------------------------------------------------------------------------------------------
# Decisions. Each checks permission (through workflow and portfolio), records the audit event with
# its message and queues the partner's mail, all in the caller's transaction.


def decide(
    item: Item,
    actor: User,
    decision: str,
    message: str = "",
    *,
    status: str | None = None,
    checks: list[str] | None = None,
    notes: str = "",
) -> None:
    """Approve, reject (a reason is required) or request changes (a message is required).

    With approval, ``status`` (with ``checks`` and ``notes``) is the lead programme's portfolio status.
    """
    message = (message or "").strip()
    if decision == "approve":
        workflow.approve(item, actor, message)
        lead = item.lead_programme
        if status is not None and lead is not None:
            portfolio.set_portfolio_status(item, actor, lead, status, checks, notes, notify=False)
        notifications.item_decided(item, "item.approved", message=message, status=status)
    elif decision == "reject":
        workflow.reject(item, actor, message)
        notifications.item_decided(item, "item.rejected", message=message)
    elif decision == "request_changes":
        workflow.request_changes(item, actor, message)
        notifications.item_decided(item, "item.changes_requested", message=message)
    else:
        raise RuleViolation(_("Choose Approve, Request changes or Reject."), field="decision")


BULK_LIMIT = 100  # items approved by one click of "Approve selected"


@dataclass(frozen=True)
class BulkApproval:
    approved: list[Item]
    skipped: list[str]  # why each other selected item was left alone, in words


def approve_selected(item_ids: list[int], actor: User) -> BulkApproval:
    """Approve, outside any portfolio, each selected submission that ``actor``'s desk decides.

    Each approval is an ordinary decision (audit event, mail to the organisation). Items decided
    meanwhile or decided by another desk are skipped and said so; ids the desk cannot see are
    counted without a title, so that nothing leaks.
    """
    if not item_ids:
        raise RuleViolation(_("Tick the submissions to approve."), field="item")
    if len(item_ids) > BULK_LIMIT:
        raise RuleViolation(_("Approve at most %(count)s submissions at once.", count=BULK_LIMIT), field="item")
    approved, skipped, unknown = [], [], 0
    for item_id in dict.fromkeys(item_ids):
        try:
            item = get_item(item_id, actor)
        except NotFound:
            unknown += 1
            continue
        if item.state != "submitted":
            skipped.append(_("“%(title)s” is no longer waiting for a decision", title=item.title))
        elif not can_decide(actor, item):
            skipped.append(_("“%(title)s” is decided by the desk of %(programme)s", title=item.title,
                             programme=item.lead_programme.name))
        else:
            decide(item, actor, "approve")
            approved.append(item)
    if unknown:
        skipped.append(ngettext("%(num)s selected item was not found", "%(num)s selected items were not found",
                                unknown))
    return BulkApproval(approved, skipped)


def hide(item: Item, actor: User, reason: str) -> None:
    """Hide a published item from public view (the lead desk), and tell its organisation why."""
    workflow.hide(item, actor, reason)
    notifications.item_decided(item, "item.hidden", message=item.hidden_reason or "")


def unhide(item: Item, actor: User, message: str = "") -> None:
    workflow.unhide(item, actor, (message or "").strip())
    notifications.item_decided(item, "item.unhidden", message=(message or "").strip())


# ---------------------------------------------------------------------------------------------------
# Monitoring: every item of the desk's programmes, whatever its state, found like search finds.


@dataclass(frozen=True)
class MonitoredItem:
    item: Item
    action: str | None  # what the desk may do about its public view from the list (public_view_action)


@dataclass(frozen=True)
class Monitoring:
    result: search.SearchResult  # total, pages and facet counts within the desk's staff scope
    rows: list[MonitoredItem]


def public_view_action(user: User, item: Item) -> str | None:
    """What the user's desk may do about the item's public view: "hide", "unhide", "lead" (the lead
    programme's desk decides) or None (the item is not published)."""
    if item.state != "published":
        return None
    if not can_decide(user, item):
        return "lead"
    return "unhide" if item.hidden else "hide"


def monitoring(user: User, filters: CatalogueFilters) -> Monitoring:
    """Every item of the user's desk programmes (drafts, rejected, withdrawn, hidden, inactive too),
    searched with the same words and filters as /search, within the desk's staff scope."""
    result = search.search(filters, search.staff_scope(user), suggest=False, highlights=False)
    items = desk_items(user, [hit.id for hit in result.hits])
    return Monitoring(result, [MonitoredItem(item, public_view_action(user, item)) for item in items])
