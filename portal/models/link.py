"""Links between items of any programmes ("Related items"): one item produced by, part of, replicating or
related to another."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import utcnow
from portal.models.item import Item
from portal.models.user import User

LINK_RELATIONS = ("produced_by", "part_of", "replicates", "related_to")


class ItemLink(db.Model):
    """``source`` <relation> ``target``, e.g. a toolkit (source) *produced by* an initiative (target).

    The link belongs to its source: the source's organisation and desks set and remove it.
    """

    __tablename__ = "item_links"
    __table_args__ = (
        UniqueConstraint("source_id", "target_id", name="uq_item_links_source_target"),
        CheckConstraint("source_id <> target_id", name="not_to_itself"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    relation: Mapped[str] = mapped_column(String(20))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    source: Mapped[Item] = relationship(foreign_keys=[source_id])
    target: Mapped[Item] = relationship(foreign_keys=[target_id])
    created_by: Mapped[User | None] = relationship()
