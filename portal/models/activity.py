"""What happened: audit events, review comments, outgoing mail, reporting reminders, lapse warnings,
and the search queue with how far each host has applied it."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import utcnow
from portal.models.user import User


class AuditEvent(db.Model):
    """Who did what, when and why: every state change, portfolio decision, role change and deletion.

    ``action`` is a dotted name such as ``item.submitted`` or ``user.role_changed``.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        # Reporting network-wide: every contribution in a period, with its item, from the index alone.
        Index("ix_audit_events_action_created_at_item", "action", "created_at", "item_id"),
        # Reporting: a programme's items' contributions in a period (portal.catalogue.reporting).
        Index("ix_audit_events_item_action_created_at", "item_id", "action", "created_at"),
        # The desk queue: items a person (not an import) approved (portal.catalogue.review).
        Index("ix_audit_events_action_actor_id", "action", "actor_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(50))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="SET NULL"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Where the change came from: the client's address and the request id of the logs (None: command line).
    address: Mapped[str | None] = mapped_column(String(45))
    request_id: Mapped[str | None] = mapped_column(String(64))

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="joined")
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])


class Comment(db.Model):
    """A message in an item's review thread between its partner and the desk."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship(lazy="joined")


class OutboxMessage(db.Model):
    """An email. Every message is kept here; ``sent_at`` is set once SMTP accepted it."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(320), index=True)
    # Addresses in copy, separated by ", " (empty: none).
    cc: Mapped[str] = mapped_column(Text, default="")
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    topic: Mapped[str] = mapped_column(String(40), default="general")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class Reminder(db.Model):
    """A reporting reminder sent to an organisation for a programme (at most one a week)."""

    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_org_programme_created", "organisation_id", "programme_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    year: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class LapseWarning(db.Model):
    """An organisation was warned that ``item`` becomes inactive on ``lapses_on``: one warning per item
    and lapse (confirming the item moves its lapse, which a later run warns about again)."""

    __tablename__ = "lapse_warnings"
    __table_args__ = (UniqueConstraint("item_id", "lapses_on", name="uq_lapse_warnings_item_id_lapses_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    lapses_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SearchQueueEntry(db.Model):
    """An item id whose index document must be refreshed, on every host's Whoosh index.

    Written in the same transaction as the change (so a rollback leaves nothing to index). After
    commit the first drainer gives it a ``position``: positions are handed out one transaction at a
    time (``SearchSequence``), so they follow commit order, unlike ids, which a sequence hands out
    at insert time and which may commit out of order. Each host applies the queue in position order
    and records how far it got (``SearchHost``); an entry is removed once every known host has
    applied it, or after the retention period (a host left behind then rebuilds its index).
    Ids are never reused (AUTOINCREMENT on SQLite, a sequence on PostgreSQL).
    """

    __tablename__ = "search_queue"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(index=True)
    enqueued_at: Mapped[datetime] = mapped_column(default=utcnow)
    position: Mapped[int | None] = mapped_column(BigInteger, index=True)


class SearchHost(db.Model):
    """A host with its own Whoosh index (``SEARCH_HOST_ID``): the queue position it has applied."""

    __tablename__ = "search_hosts"

    host_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    applied_through: Mapped[int] = mapped_column(BigInteger, default=0)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class SearchSequence(db.Model):
    """One row: the last queue position handed out, and the highest position removed from the queue."""

    __tablename__ = "search_sequence"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_position: Mapped[int] = mapped_column(BigInteger, default=0)
    pruned_through: Mapped[int] = mapped_column(BigInteger, default=0)
