"""Saved searches and the digests mailed for them."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.activity import OutboxMessage
from portal.models.base import utcnow
from portal.models.user import User

FREQUENCIES = ("daily", "weekly")


class SavedSearch(db.Model):
    """A user's search (the query string of ``/search``) with a digest of new matching items.

    Ids are never reused (AUTOINCREMENT on SQLite, a sequence on PostgreSQL): an unsubscribe link names
    the id, and must not reach a newer saved search that got the id of a deleted one.
    """

    __tablename__ = "saved_searches"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # The filters as /search parameters, normalised (no page, size or sort): "q=solar&programme=spp".
    query: Mapped[str] = mapped_column(Text, default="")
    frequency: Mapped[str] = mapped_column(String(10), default="weekly")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The end of the period the last digest covered; None before the first (which starts at created_at).
    last_digest_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")

    @property
    def covered_until(self) -> datetime:
        """New items are those published after this moment."""
        return self.last_digest_at or self.created_at

    def __repr__(self) -> str:
        return f"<SavedSearch {self.id} {self.frequency} {self.query!r}>"


class SavedSearchDigest(db.Model):
    """A digest that was mailed: which saved search, which period, which items."""

    __tablename__ = "saved_search_digests"

    id: Mapped[int] = mapped_column(primary_key=True)
    saved_search_id: Mapped[int] = mapped_column(ForeignKey("saved_searches.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_messages.id", ondelete="SET NULL"))
    covered_from: Mapped[datetime]
    covered_until: Mapped[datetime]
    item_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    message: Mapped[OutboxMessage | None] = relationship()
