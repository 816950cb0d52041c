"""Catalogue items: initiatives and resources in one table, with their programmes, SDGs,
countries, themes and per-programme portfolio entries."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Date, ForeignKey, Index, String, Table, Text, false
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.ext.orderinglist import ordering_list
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import utcnow
from portal.models.organisation import Organisation
from portal.models.programme import Programme, Sdg
from portal.models.user import User

item_sdgs = Table(
    "item_sdgs",
    db.metadata,
    Column("item_id", ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("sdg_number", ForeignKey("sdgs.number"), primary_key=True),
)


class Item(db.Model):
    __tablename__ = "items"
    __table_args__ = (
        Index("ix_items_state_updated_at", "state", "updated_at"),
        # The desk's queue walks the submitted items in the order they joined it (portal.catalogue.review).
        Index("ix_items_queue", "state", "submitted_at", "created_at", "published_at"),
        # Match-making reads the public offers and what it matches on (portal.catalogue.matching) from
        # this index alone: the visibility rule's columns, then the category, type and "Global".
        Index("ix_items_offers", "is_offer", "state", "hidden", "updated_at", "activity_category", "resource_type",
              "is_global"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    website_url: Mapped[str | None] = mapped_column(String(500))
    contact: Mapped[str | None] = mapped_column(String(300))
    language: Mapped[str] = mapped_column(String(8), default="en")
    is_global: Mapped[bool] = mapped_column(default=False)
    # "Offer to other countries": the organisation offers the item to other countries (match-making).
    is_offer: Mapped[bool] = mapped_column(default=False, server_default=false())

    # Initiatives only.
    activity_category: Mapped[str | None] = mapped_column(String(40))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    initiative_status: Mapped[str | None] = mapped_column(String(20))
    # "Results on the ground" (plain text) and up to 3 key figures, each {"value", "unit", "measure"}
    # (portal.catalogue.highlights.KeyFigure).
    results_on_ground: Mapped[str | None] = mapped_column(Text)
    key_figures: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)

    # Resources only: a file, stored under a generated name, or an external link.
    resource_type: Mapped[str | None] = mapped_column(String(40))
    authors: Mapped[str | None] = mapped_column(String(500))
    publication_year: Mapped[int | None]
    link_url: Mapped[str | None] = mapped_column(String(500))
    file_name: Mapped[str | None] = mapped_column(String(100))
    file_original_name: Mapped[str | None] = mapped_column(String(255))
    file_mime: Mapped[str | None] = mapped_column(String(100))
    file_size: Mapped[int | None]

    # Workflow (portal.catalogue.workflow) and the desk's hiding of a published item.
    state: Mapped[str] = mapped_column(String(20), default="draft")
    hidden: Mapped[bool] = mapped_column(default=False)
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    # The item as it was last approved, to show the desk what changed since.
    published_snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    # The record's id in the system it was imported from (``flask import items``): re-imports update by it.
    source_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    # When the record last changed in this catalogue, and whether the public ever saw it: the
    # datestamps and deleted records of OAI-PMH (maintained by portal.catalogue.changes, never by hand).
    changed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    ever_public: Mapped[bool] = mapped_column(default=False)

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The one-time token of the submission form that created the item: posting that form again (a
    # retry after a lost answer, a double click) leads to this item instead of creating another.
    submission_token: Mapped[str | None] = mapped_column(String(36), unique=True)
    # Last update by the partner (an edit or "confirm still active"): drives inactivity.
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    submitted_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship()
    programme_links: Mapped[list["ItemProgramme"]] = relationship(
        order_by="ItemProgramme.position",
        collection_class=ordering_list("position"),
        cascade="all, delete-orphan",
        lazy="selectin",
    )
    sdgs: Mapped[list[Sdg]] = relationship(secondary=item_sdgs, order_by=Sdg.number, lazy="selectin")
    country_links: Mapped[list["ItemCountry"]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    theme_links: Mapped[list["ItemTheme"]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    portfolio_entries: Mapped[list["PortfolioEntry"]] = relationship(
        back_populates="item", cascade="all, delete-orphan", lazy="selectin"
    )

    # The first programme is the lead programme.
    programmes: AssociationProxy[list[Programme]] = association_proxy(
        "programme_links", "programme", creator=lambda programme: ItemProgramme(programme=programme)
    )
    countries: AssociationProxy[list[str]] = association_proxy(
        "country_links", "code", creator=lambda code: ItemCountry(code=code)
    )
    themes: AssociationProxy[list[str]] = association_proxy(
        "theme_links", "theme", creator=lambda theme: ItemTheme(theme=theme)
    )

    @property
    def lead_programme(self) -> Programme | None:
        return self.programme_links[0].programme if self.programme_links else None

    @property
    def sdg_numbers(self) -> list[int]:
        return [sdg.number for sdg in self.sdgs]

    def portfolio_status(self, programme: Programme) -> str:
        for entry in self.portfolio_entries:
            if entry.programme_id == programme.id:
                return entry.status
        return "none"

    def __repr__(self) -> str:
        return f"<Item {self.id} {self.kind} {self.state}>"


class ItemProgramme(db.Model):
    __tablename__ = "item_programmes"
    # "Is the lead programme (position 0), or another, one of this desk's?" from the index alone.
    __table_args__ = (Index("ix_item_programmes_item_position_programme", "item_id", "position", "programme_id"),)

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(default=0)

    programme: Mapped[Programme] = relationship(lazy="joined")


class ItemCountry(db.Model):
    """An ISO 3166 alpha-2 country the item covers (``Item.is_global`` marks worldwide items)."""

    __tablename__ = "item_countries"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(2), primary_key=True, index=True)


class ItemTheme(db.Model):
    __tablename__ = "item_themes"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    theme: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class PortfolioEntry(db.Model):
    """An item's place in one programme's portfolio, decided by that programme's desk."""

    __tablename__ = "portfolio_entries"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), primary_key=True, index=True)
    status: Mapped[str] = mapped_column(String(20), default="none")
    # Keys of the due-diligence checks (config DUE_DILIGENCE_CHECKS) the desk ticked.
    checks: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[Item] = relationship(back_populates="portfolio_entries")
    programme: Mapped[Programme] = relationship(lazy="joined")
    decided_by: Mapped[User | None] = relationship()
