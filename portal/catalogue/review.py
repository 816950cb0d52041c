"""The coordination desk: the review page's facts, decisions and monitoring (the queue: ``desk_queue``).

Who decides what (DESIGN.md): the desk of an item's lead programme decides publication (approve,
reject with a reason, request changes with a message, hide and unhide); the desk of another of the
item's programmes decides only that programme's portfolio status, once the item is published; a desk
of an unrelated programme does not see the item at all. Admins sit on every desk.

The database says what waits for a desk and what a desk may see; words and filters mean what they mean
on /search: the queue and monitoring ask the search's staff scope (every state, the desk's programmes).
"""

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import and_, func, select

from portal import search
from portal.catalogue import NotFound, RuleViolation, notifications, portfolio, workflow
from portal.catalogue.desk_queue import desk_items
from portal.catalogue.filters import CatalogueFilters
from portal.catalogue.permissions import can_decide, item_for, moderates, moderates_item
from portal.extensions import db
from portal.models import Item, PortfolioEntry, Programme, User

DECISIONS = ("approve", "request_changes", "reject")
OTHER_ITEMS_LIMIT = 20


def get_item(item_id: int, user: User) -> Item:
    """The item, for a desk of one of its programmes; NotFound for everyone else, so that a desk of an
    unrelated programme cannot even tell that the item exists."""
    return item_for(user, item_id, moderates_item)


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
