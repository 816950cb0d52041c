"""Recording audit events: who, when, what and why, from which address and request.

Each event is also a line of the security log (``portal.logs``), with the same request id.
"""

from typing import Any

from sqlalchemy import Select, insert, select

from portal import logs
from portal.extensions import db
from portal.models import AuditEvent, Item, Organisation, Programme, User
from portal.requestinfo import client_address, request_id
from portal.vocab import PORTFOLIO_STATUSES, label


def record(
    action: str,
    actor: User | None,
    *,
    item: Item | None = None,
    user: User | None = None,
    organisation: Organisation | None = None,
    programme: Programme | None = None,
    message: str = "",
    **details: Any,
) -> AuditEvent:
    """Add an audit event to the current transaction; ``actor`` is None for the system or CLI."""
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor is not None and actor.is_authenticated else None,
        item_id=item.id if item is not None else None,
        user_id=user.id if user is not None else None,
        organisation_id=organisation.id if organisation is not None else None,
        programme_id=programme.id if programme is not None else None,
        message=message or "",
        details=details,
        address=client_address(),
        request_id=request_id(),
    )
    db.session.add(event)
    logs.event(f"audit.{action}", actor_id=event.actor_id, item_id=event.item_id, user_id=event.user_id,
               organisation_id=event.organisation_id, programme_id=event.programme_id, details=details)
    return event


def record_many(events: list[dict[str, Any]]) -> None:
    """Add many events in one INSERT (an import's history): each a dict of ``action``, ``created_at``,
    ``actor`` (a User or None), ``item_id`` or ``organisation_id``, and ``details``. The security log
    gets one line for the batch, not one per event."""
    if not events:
        return
    address, request = client_address(), request_id()
    rows = [
        {
            "action": event["action"],
            "created_at": event["created_at"],
            "actor_id": event["actor"].id if event.get("actor") is not None else None,
            "item_id": event.get("item_id"),
            "user_id": None,
            "organisation_id": event.get("organisation_id"),
            "programme_id": None,
            "message": "",
            "details": event.get("details", {}),
            "address": address,
            "request_id": request,
        }
        for event in events
    ]
    db.session.execute(insert(AuditEvent), rows)
    actions = sorted({event["action"] for event in events})
    logs.event("audit.many", count=len(rows), actions=actions, actor_id=rows[0]["actor_id"])


# How an action reads in a history ("<actor> <description>").
DESCRIPTIONS = {
    "item.created": "created the item",
    "item.edited": "edited the item",
    "item.submitted": "submitted it for review",
    "item.approved": "approved it",
    "item.rejected": "rejected it",
    "item.changes_requested": "asked for changes",
    "item.withdrawn": "withdrew it",
    "item.confirmed": "confirmed it is still active",
    "item.deleted": "deleted the draft",
    "item.hidden": "hid it from public view",
    "item.unhidden": "made it visible again",
    "item.portfolio_changed": "changed its portfolio status",
    "item.link_added": "linked it to another item",
    "item.link_removed": "removed a link to another item",
    "programme.highlight_added": "made it a highlight of its programme",
    "programme.highlight_removed": "removed it from its programme's highlights",
    "programme.key_messages_changed": "changed the programme's key messages",
    "need.created": "recorded a country need",
    "need.edited": "edited a country need",
    "need.closed": "closed a country need",
    "need.reopened": "reopened a country need",
    "need.interest_expressed": "expressed interest in a country need",
    "user.created": "created the account",
    "user.registered": "asked for an account",
    "user.activated": "activated the account",
    "user.deactivated": "deactivated the account",
    "user.role_changed": "changed the role",
    "user.organisation_changed": "changed the organisation",
    "user.programmes_changed": "changed the moderated programmes",
    "user.password_changed": "changed the password",
    "user.password_reset": "reset the password by mail",
    "organisation.created": "created the organisation",
    "organisation.partnership_added": "added a programme partnership",
    "organisation.partnership_ended": "ended a programme partnership",
    "organisation.edited": "edited the organisation",
    "organisation.contacts_changed": "changed the reporting contacts",
    "organisation.merged": "merged a duplicate organisation into it",
    "organisation.imported": "updated the organisation from an import",
    "item.imported": "imported the record",
    "import.items": "imported initiatives and resources",
    "import.organisations": "imported organisations",
}


def _shown(value: Any) -> str:
    """A before or after value in words: a list as its items joined by commas, nothing as a dash."""
    if isinstance(value, list | tuple):
        value = ", ".join(str(part) for part in value)
    return str(value) if value not in (None, "") else "—"


def describe(event: AuditEvent) -> str:
    text = DESCRIPTIONS.get(event.action, event.action)
    before, after = event.details.get("before"), event.details.get("after")
    if event.action == "item.portfolio_changed":
        text += f" for {event.details.get('for_programme') or 'a programme'}"
        before, after = label(PORTFOLIO_STATUSES, before), label(PORTFOLIO_STATUSES, after)
    if event.action.startswith("import."):
        counts = ", ".join(f"{event.details.get(name, 0)} {name}" for name in ("created", "updated", "unchanged",
                                                                             "failed"))
        text += f" from {event.details.get('file')} ({event.details.get('origin')}): {counts}"
    if before is not None or after is not None:
        text += f" from {_shown(before)} to {_shown(after)}"
    if event.action.startswith("organisation.partnership_") and event.details.get("programme_name"):
        text += f" with {event.details['programme_name']}"
        if event.action == "organisation.partnership_ended":
            text += f", ending on {event.details.get('ended_on')}"
    elif event.action == "organisation.merged":
        text += f": {event.details.get('merged')}"
    return text


def log_query(action: str = "") -> Select:
    """The audit log, newest first, of the actions starting with ``action`` (all when empty)."""
    query = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    return query.where(AuditEvent.action.startswith(action, autoescape=True)) if action else query


def about_user(user: User, limit: int = 50) -> list[AuditEvent]:
    """The latest events about ``user``'s account, newest first."""
    query = select(AuditEvent).where(AuditEvent.user_id == user.id)
    return list(db.session.scalars(query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(limit)))


def history(item: Item) -> list[AuditEvent]:
    """Everything that happened to ``item``, oldest first."""
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.item_id == item.id).order_by(AuditEvent.created_at, AuditEvent.id)
        )
    )


def organisation_history(organisation: Organisation, limit: int = 100) -> list[AuditEvent]:
    """What happened to ``organisation`` and its partnerships, newest first."""
    return list(
        db.session.scalars(
            db.select(AuditEvent)
            .where(AuditEvent.organisation_id == organisation.id, AuditEvent.action.startswith("organisation."))
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )
