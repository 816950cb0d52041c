"""Country needs: what a country (or the world, "global") asks of the network, the partners' expressions
of interest in a need, and which organisations were told about a need (so nobody is told twice)."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import utcnow
from portal.models.organisation import Organisation
from portal.models.programme import Programme, Sdg
from portal.models.user import User

need_sdgs = Table(
    "need_sdgs",
    db.metadata,
    Column("need_id", ForeignKey("country_needs.id", ondelete="CASCADE"), primary_key=True),
    Column("sdg_number", ForeignKey("sdgs.number"), primary_key=True),
)

need_programmes = Table(
    "need_programmes",
    db.metadata,
    Column("need_id", ForeignKey("country_needs.id", ondelete="CASCADE"), primary_key=True),
    Column("programme_id", ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class CountryNeed(db.Model):
    """A country's need or priority, recorded by a desk; ``country`` is ISO 3166 alpha-2 or ``global``.

    ``category`` (optional) is the kind of work that would help, from the activity categories.
    """

    __tablename__ = "country_needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(String(6), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown
    category: Mapped[str | None] = mapped_column(String(40))
    contact: Mapped[str] = mapped_column(String(300), default="")
    is_open: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    sdgs: Mapped[list[Sdg]] = relationship(secondary=need_sdgs, order_by=Sdg.number, lazy="selectin")
    programmes: Mapped[list[Programme]] = relationship(
        secondary=need_programmes, order_by=Programme.position, lazy="selectin"
    )
    theme_links: Mapped[list["NeedTheme"]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    themes: AssociationProxy[list[str]] = association_proxy(
        "theme_links", "theme", creator=lambda theme: NeedTheme(theme=theme)
    )

    @property
    def sdg_numbers(self) -> list[int]:
        return [sdg.number for sdg in self.sdgs]

    def __repr__(self) -> str:
        return f"<CountryNeed {self.id} {self.country}>"


class NeedTheme(db.Model):
    __tablename__ = "need_themes"

    need_id: Mapped[int] = mapped_column(ForeignKey("country_needs.id", ondelete="CASCADE"), primary_key=True)
    theme: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class NeedInterest(db.Model):
    """A partner organisation's "Express interest" in a need: its message to the need's desks."""

    __tablename__ = "need_interests"
    __table_args__ = (UniqueConstraint("need_id", "organisation_id", name="uq_need_interests_need_organisation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("country_needs.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    user: Mapped[User | None] = relationship(lazy="joined")


class NeedNotice(db.Model):
    """An organisation was mailed that its offers fit a need: never twice for the same pair."""

    __tablename__ = "need_notices"

    need_id: Mapped[int] = mapped_column(ForeignKey("country_needs.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
