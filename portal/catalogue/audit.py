"""Recording audit events: who, when, what and why, from which address and request.

Each event is also a line of the security log (``portal.logs``), with the same request id.
"""

from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, insert, select

from portal import logs
from portal.extensions import db
from portal.i18n import LANGUAGES, format_date, format_number
from portal.models import AuditEvent, Item, Organisation, Programme, User
from portal.requestinfo import client_address, request_id
from portal.vocab import PORTFOLIO_STATUSES, ROLES, label


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


# How an action reads in a history: a sentence whose subject is the actor.
DESCRIPTIONS = {
    "item.created": _l("%(actor)s created the item"),
    "item.edited": _l("%(actor)s edited the item"),
    "item.submitted": _l("%(actor)s submitted it for review"),
    "item.approved": _l("%(actor)s approved it"),
    "item.rejected": _l("%(actor)s rejected it"),
    "item.changes_requested": _l("%(actor)s asked for changes"),
    "item.withdrawn": _l("%(actor)s withdrew it"),
    "item.confirmed": _l("%(actor)s confirmed it is still active"),
    "item.deleted": _l("%(actor)s deleted the draft"),
    "item.hidden": _l("%(actor)s hid it from public view"),
    "item.unhidden": _l("%(actor)s made it visible again"),
    "item.portfolio_changed": _l("%(actor)s changed its portfolio status for %(programme)s"),
    "item.link_added": _l("%(actor)s linked it to another item"),
    "item.link_removed": _l("%(actor)s removed a link to another item"),
    "programme.highlight_added": _l("%(actor)s made it a highlight of its programme"),
    "programme.highlight_removed": _l("%(actor)s removed it from its programme's highlights"),
    "programme.key_messages_changed": _l("%(actor)s changed the programme's key messages"),
    "need.created": _l("%(actor)s recorded a country need"),
    "need.edited": _l("%(actor)s edited a country need"),
    "need.closed": _l("%(actor)s closed a country need"),
    "need.reopened": _l("%(actor)s reopened a country need"),
    "need.interest_expressed": _l("%(actor)s expressed interest in a country need"),
    "user.created": _l("%(actor)s created the account"),
    "user.registered": _l("%(actor)s asked for an account"),
    "user.activated": _l("%(actor)s activated the account"),
    "user.deactivated": _l("%(actor)s deactivated the account"),
    "user.role_changed": _l("%(actor)s changed the role"),
    "user.organisation_changed": _l("%(actor)s changed the organisation"),
    "user.programmes_changed": _l("%(actor)s changed the moderated programmes"),
    "user.password_changed": _l("%(actor)s changed the password"),
    "user.password_reset": _l("%(actor)s reset the password by mail"),
    "user.language_changed": _l("%(actor)s changed the language of mails"),
    "organisation.created": _l("%(actor)s created the organisation"),
    "organisation.partnership_added": _l("%(actor)s added a programme partnership"),
    "organisation.partnership_ended": _l("%(actor)s ended a programme partnership"),
    "organisation.edited": _l("%(actor)s edited the organisation"),
    "organisation.contacts_changed": _l("%(actor)s changed the reporting contacts"),
    "organisation.merged": _l("%(actor)s merged a duplicate organisation into it: %(merged)s"),
    "organisation.imported": _l("%(actor)s updated the organisation from an import"),
    "item.imported": _l("%(actor)s imported the record"),
    "import.items": _l("%(actor)s imported initiatives and resources from %(file)s (%(origin)s): %(created)s created, "
                       "%(updated)s updated, %(unchanged)s unchanged, %(failed)s failed"),
    "import.organisations": _l("%(actor)s imported organisations from %(file)s (%(origin)s): %(created)s created, "
                               "%(updated)s updated, %(unchanged)s unchanged, %(failed)s failed"),
}
# A partnership's event that names its programme (and end) reads with them.
WITH_PROGRAMME = {
    "organisation.partnership_added": _l("%(actor)s added a partnership with %(programme)s"),
    "organisation.partnership_ended": _l("%(actor)s ended the partnership with %(programme)s on %(ended_on)s"),
}
# Before and after values that are vocabulary values, shown by their labels.
LANGUAGE_NAMES = tuple(LANGUAGES.items())
VALUE_LABELS = {"item.portfolio_changed": PORTFOLIO_STATUSES, "user.role_changed": ROLES,
                "user.language_changed": LANGUAGE_NAMES}


def _shown(value: Any, vocabulary: tuple | None = None) -> str:
    """A before or after value in words: a list as its items joined by commas, nothing as a dash."""
    if vocabulary is not None and value is not None:
        value = label(vocabulary, value)
    if isinstance(value, list | tuple):
        value = ", ".join(str(part) for part in value)
    return str(value) if value not in (None, "") else "—"


def _programme_name(event: AuditEvent) -> str | None:
    """The event's programme in the interface language (the name recorded at the time if it is gone)."""
    programme = db.session.get(Programme, event.programme_id) if event.programme_id else None
    return programme.name if programme is not None else event.details.get("for_programme")


def describe(event: AuditEvent, nobody: str | None = None) -> str:
    """The event as a sentence: "Ana Lima approved it", "… changed the role from Partner to Admin".

    ``nobody`` names the actor of events without one (default: the system).
    """
    details = event.details or {}
    actor = event.actor.name if event.actor is not None else (nobody or gettext("The system"))
    template = DESCRIPTIONS.get(event.action)
    if event.action in WITH_PROGRAMME and details.get("programme_name"):
        template = WITH_PROGRAMME[event.action]
    if template is None:
        return f"{actor}: {event.action}"
    counts = {name: format_number(details.get(name, 0)) for name in ("created", "updated", "unchanged", "failed")}
    text = str(template) % {
        "actor": actor,
        "programme": details.get("programme_name") or _programme_name(event) or gettext("a programme"),
        "file": details.get("file"),
        "origin": details.get("origin"),
        "merged": details.get("merged"),
        "ended_on": format_date(details.get("ended_on")),
        **counts,
    }
    before, after = details.get("before"), details.get("after")
    if before is not None or after is not None:
        vocabulary = VALUE_LABELS.get(event.action)
        text = gettext("%(change)s from %(before)s to %(after)s", change=text, before=_shown(before, vocabulary),
                       after=_shown(after, vocabulary))
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
