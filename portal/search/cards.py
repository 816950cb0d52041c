"""What search knows of an item, whatever the engine: its card, its searchable text, its facet values.

A **card** is a compact record with everything search needs to filter, count facets and show a
result without touching the database again. Every backend stores one per item, whatever the item's
state: the public scope is applied at query time (the visibility rule changes daily without any
reindex), and staff need the other states. Rows are read with a few Core queries per batch, so a
full rebuild does not go through the ORM.
"""

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from portal import vocab
from portal.catalogue.facets import statuses_anywhere
from portal.extensions import db
from portal.models import (
    Item,
    ItemCountry,
    ItemProgramme,
    ItemTheme,
    Organisation,
    PortfolioEntry,
    Programme,
    item_sdgs,
)

# Words of titles and summaries that spelling suggestions may propose (real words, three letters or more).
WORD = re.compile(r"[^\W\d_]{3,}")
BATCH = 2000

_THEME_LABELS = vocab.labels(vocab.THEMES, "en")  # search reads English words (both backends)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def rows(connection: Connection | Session, ids: list[int] | None, lo: int = 0, hi: int = 0) -> dict[int, dict]:
    """Item rows with their organisation name and links, keyed by id: by ``ids``, or all ids in [lo, hi]."""

    def where(statement, column):
        return statement.where(column.in_(ids)) if ids is not None else statement.where(column.between(lo, hi))

    statement = select(Item.__table__, Organisation.name.label("organisation_name")).join(
        Organisation, Organisation.id == Item.organisation_id
    )
    items = {row.id: dict(row._mapping) for row in connection.execute(where(statement, Item.id))}
    for item in items.values():
        item.update(programmes=[], portfolio={}, sdgs=[], countries=[], themes=[])
    links = where(
        select(ItemProgramme.item_id, Programme.slug)
        .join(Programme, Programme.id == ItemProgramme.programme_id)
        .order_by(ItemProgramme.item_id, ItemProgramme.position),
        ItemProgramme.item_id,
    )
    for item_id, slug in connection.execute(links):
        if item_id in items:
            items[item_id]["programmes"].append(slug)
    entries = where(
        select(PortfolioEntry.item_id, Programme.slug, PortfolioEntry.status)
        .join(Programme, Programme.id == PortfolioEntry.programme_id)
        .order_by(PortfolioEntry.item_id, Programme.slug),
        PortfolioEntry.item_id,
    )
    for item_id, slug, status in connection.execute(entries):
        if item_id in items:
            items[item_id]["portfolio"][slug] = status
    # In a fixed order: the same item gives the same document and card whatever plan the database
    # chose (PostgreSQL returns these rows in another order for another range of ids).
    for key, column, value_column in (
        ("sdgs", item_sdgs.c.item_id, item_sdgs.c.sdg_number),
        ("countries", ItemCountry.item_id, ItemCountry.code),
        ("themes", ItemTheme.item_id, ItemTheme.theme),
    ):
        statement = select(column, value_column).order_by(column, value_column)
        for item_id, value in connection.execute(where(statement, column)):
            if item_id in items:
                items[item_id][key].append(value)
    return items


def rows_of(ids: Iterable[int], connection: Connection | Session | None = None) -> dict[int, dict]:
    """Id → row for those of ``ids`` that exist (a missing id was deleted), read 500 at a time."""
    connection = connection if connection is not None else db.session
    ids = sorted(set(ids))
    found: dict[int, dict] = {}
    for start in range(0, len(ids), 500):
        found.update(rows(connection, ids[start : start + 500]))
    return found


def id_ranges(connection: Connection, batch: int = BATCH) -> list[tuple[int, int]]:
    """[lo, hi] ranges of item ids, ``batch`` ids wide, covering every item."""
    bounds = connection.execute(select(func.min(Item.id), func.max(Item.id))).one()
    if bounds[0] is None:
        return []
    return [(lo, lo + batch - 1) for lo in range(bounds[0], bounds[1] + 1, batch)]


def card(row: dict[str, Any]) -> dict[str, Any]:
    """The stored record of one item: what filters, facets and result lists use."""
    programmes = row["programmes"]
    return {
        "id": row["id"],
        "kind": row["kind"],
        "title": row["title"],
        "summary": row["summary"],
        "organisation": row["organisation_name"],
        "state": row["state"],
        "hidden": bool(row["hidden"]),
        "updated_at": _iso(row["updated_at"]),
        "created_at": _iso(row["created_at"]),
        "published_at": _iso(row["published_at"]),
        "programmes": programmes,
        # Only programmes the item belongs to have a portfolio status; "none" when undecided.
        "portfolio": {slug: row["portfolio"].get(slug, "none") for slug in programmes},
        "sdgs": sorted(row["sdgs"]),
        "countries": sorted(row["countries"]),
        "global": bool(row["is_global"]),
        "category": row["activity_category"],
        "resource_type": row["resource_type"],
        "themes": sorted(row["themes"]),
        "offer": bool(row["is_offer"]),
        "initiative_status": row["initiative_status"],
        "publication_year": row["publication_year"],
        "language": row["language"],
    }


def facet_values(card: dict[str, Any], regions: dict[str, str] | None = None) -> dict[str, Iterable]:
    """Each facet's values for one card (``portal.catalogue.facets``); ``status`` as read without a
    programme (the status per programme is the card's ``portfolio``)."""
    regions = regions if regions is not None else vocab.country_regions()
    return {
        "kind": (card["kind"],),
        "programme": card["programmes"],
        "sdg": card["sdgs"],
        "status": statuses_anywhere(card["portfolio"]),
        "country": ([vocab.GLOBAL] if card["global"] else []) + card["countries"],
        "region": {regions.get(code) for code in card["countries"]} - {None},
        "category": (card["category"],) if card["category"] else (),
        "resource_type": (card["resource_type"],) if card["resource_type"] else (),
        "theme": card["themes"],
        "offer": ("yes",) if card.get("offer") else (),
        "language": (card["language"],) if card.get("language") else (),
    }


def text_fields(row: dict[str, Any]) -> dict[str, str]:
    """The searchable text of one item, from most to least telling: title, summary, description, and
    the rest (organisation, authors, theme and country names)."""
    other = [
        row["organisation_name"],
        row["authors"] or "",
        " ".join(_THEME_LABELS.get(theme, theme) for theme in row["themes"]),
        " ".join(vocab.country_name(code, "en") for code in row["countries"]),
    ]
    return {
        "title": row["title"],
        "summary": row["summary"],
        "description": row["description"] or "",
        "other": "\n".join(other),
    }


def words(row: dict[str, Any]) -> set[str]:
    """The words of the title and summary as written (lower-cased): what "did you mean" may propose."""
    return {word.lower() for word in WORD.findall(f"{row['title']} {row['summary']}")}


def item_count(connection: Connection | Session | None = None) -> int:
    return (connection if connection is not None else db.session).scalar(select(func.count(Item.id))) or 0


def all_ids() -> set[int]:
    return set(db.session.scalars(select(Item.id)))


def card_of(item_id: int) -> dict[str, Any] | None:
    """The card of one item, read from the database (what every backend holds once it is up to date)."""
    found = rows(db.session, [item_id])
    return card(found[item_id]) if item_id in found else None
