"""A programme's highlights (portfolio items its desk puts forward, each with one key figure) and its
key messages: what the programme page and its one-page pitch show."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import utcnow
from portal.models.item import Item
from portal.models.programme import Programme
from portal.models.user import User


class Highlight(db.Model):
    __tablename__ = "highlights"
    __table_args__ = (UniqueConstraint("programme_id", "item_id", name="uq_highlights_programme_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    # The key figure: a number, its unit and what it measures ("1,200" "tonnes" "of food waste avoided").
    figure_value: Mapped[float]
    figure_unit: Mapped[str] = mapped_column(String(40))
    figure_measure: Mapped[str] = mapped_column(String(120))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[Item] = relationship(lazy="joined")
    programme: Mapped[Programme] = relationship()


class KeyMessage(db.Model):
    """One of a programme's (at most 3) key messages, at ``position`` 1, 2 or 3."""

    __tablename__ = "key_messages"

    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    text: Mapped[str] = mapped_column(String(300))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    updated_by: Mapped[User | None] = relationship()
