"""What the index holds for an item: the Whoosh schema and the documents read from the database.

Every item is indexed, whatever its state: the public scope is applied at query time (the visibility
rule of ``portal.catalogue.visibility`` changes daily without any reindex), and staff need the other
states. A document has three analysed text fields and one stored ``card``: a compact JSON record with
everything search needs to filter, count facets and show a result without touching the database.
``title`` and ``text`` hold their terms already analysed in the item's language
(``portal.search.analysis``), separated by spaces: Whoosh only splits them, so positions (phrases),
frequencies and field lengths are those of the analysed words.
Rows are read with a few Core queries per batch, so a full rebuild does not go through the ORM.
"""

import json
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session
from whoosh.analysis import STOP_WORDS, RegexTokenizer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from portal import vocab
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
from portal.search import analysis

# What an index folder's ``FORMAT`` file must say for this code to read it: a different (or missing)
# one was built by an older analysis and is rebuilt (``search reindex``, or the follower thread).
INDEX_FORMAT = "2: terms analysed per item language, folded before stemming"
# The analysed fields hold terms separated by spaces (``portal.search.analysis`` made them).
PRE_ANALYSED = RegexTokenizer(r"[^ ]+")
# Searched fields and their weights: the title counts three times as much as the rest.
TEXT_FIELDS = {"title": 3.0, "text": 1.0}
# Unstemmed words of titles and summaries, for spelling suggestions (they must be real words).
WORDS_FIELD = "words"
WORD = re.compile(r"[^\W\d_]{3,}")


def make_schema() -> Schema:
    """Two analysed fields with positions (phrases), the word list for suggestions, the card."""
    return Schema(
        id=ID(unique=True, stored=True),
        title=TEXT(analyzer=PRE_ANALYSED, field_boost=TEXT_FIELDS["title"]),
        text=TEXT(analyzer=PRE_ANALYSED),
        words=KEYWORD(lowercase=True),
        card=STORED,
    )


_THEME_LABELS = vocab.labels(vocab.THEMES, "en")  # the index is in English (its words)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def _rows(
    connection: Connection | Session, ids: list[int] | None, lo: int = 0, hi: int = 0
) -> dict[int, dict[str, Any]]:
    """Item rows with their organisation name, keyed by id: by ``ids``, or all ids in [lo, hi]."""

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
        select(PortfolioEntry.item_id, Programme.slug, PortfolioEntry.status).join(
            Programme, Programme.id == PortfolioEntry.programme_id
        ),
        PortfolioEntry.item_id,
    )
    for item_id, slug, status in connection.execute(entries):
        if item_id in items:
            items[item_id]["portfolio"][slug] = status
    for key, statement, column in (
        ("sdgs", select(item_sdgs.c.item_id, item_sdgs.c.sdg_number), item_sdgs.c.item_id),
        ("countries", select(ItemCountry.item_id, ItemCountry.code), ItemCountry.item_id),
        ("themes", select(ItemTheme.item_id, ItemTheme.theme), ItemTheme.item_id),
    ):
        for item_id, value in connection.execute(where(statement, column)):
            if item_id in items:
                items[item_id][key].append(value)
    return items


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


def document(row: dict[str, Any]) -> dict[str, Any]:
    """The Whoosh document of one item."""
    text = [
        row["summary"],
        row["description"] or "",
        row["organisation_name"],
        row["authors"] or "",
        " ".join(_THEME_LABELS.get(theme, theme) for theme in row["themes"]),
        " ".join(vocab.country_name(code, "en") for code in row["countries"]),
    ]
    words = {word.lower() for word in WORD.findall(f"{row['title']} {row['summary']}")} - STOP_WORDS
    name = analysis.analyser(row["language"])
    return {
        "id": str(row["id"]),
        "title": " ".join(analysis.analyse(row["title"], name)),
        "text": " ".join(analysis.analyse("\n".join(text), name)),
        "words": " ".join(sorted(words)),
        "card": json.dumps(card(row), separators=(",", ":")),
    }


def documents(ids: Iterable[int], connection: Connection | Session | None = None) -> dict[int, dict[str, Any]]:
    """Id → document for those of ``ids`` that exist (a missing id was deleted)."""
    connection = connection if connection is not None else db.session
    ids = sorted(set(ids))
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found.update((item_id, document(row)) for item_id, row in _rows(connection, chunk).items())
    return found


def all_documents(connection: Connection, batch: int = 2000) -> Iterator[dict[str, Any]]:
    """Every item's document, in id order, read a range of ids at a time."""
    bounds = connection.execute(select(func.min(Item.id), func.max(Item.id))).one()
    if bounds[0] is None:
        return
    for lo in range(bounds[0], bounds[1] + 1, batch):
        rows = _rows(connection, None, lo, lo + batch - 1)
        for item_id in sorted(rows):
            yield document(rows[item_id])


def item_count(connection: Connection | Session | None = None) -> int:
    return (connection if connection is not None else db.session).scalar(select(func.count(Item.id))) or 0


def all_ids() -> set[int]:
    return set(db.session.scalars(select(Item.id)))


def card_of(item_id: int) -> dict[str, Any] | None:
    """The card of one item, read from the database (what the index holds once the queue is drained)."""
    rows = _rows(db.session, [item_id])
    return card(rows[item_id]) if item_id in rows else None
