"""What the Whoosh index holds for an item: the schema, and each item's document.

A document has two analysed text fields, the word list for spelling suggestions and the item's card
(``portal.search.cards``, stored as JSON), read from the database by ``cards``.
"""

import json
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session
from whoosh.analysis import STOP_WORDS, StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from portal.search import cards

# Words are letters and digits (the library default also keeps "*", which is query syntax here).
ANALYZER = StemmingAnalyzer(expression=r"\w+(\.?\w+)*")
# Searched fields and their weights: the title counts three times as much as the rest.
TEXT_FIELDS = {"title": 3.0, "text": 1.0}
# Unstemmed words of titles and summaries, for spelling suggestions (they must be real words).
WORDS_FIELD = "words"


def make_schema() -> Schema:
    """Two analysed fields with positions (phrases), the word list for suggestions, the card."""
    return Schema(
        id=ID(unique=True, stored=True),
        title=TEXT(analyzer=ANALYZER, field_boost=TEXT_FIELDS["title"]),
        text=TEXT(analyzer=ANALYZER),
        words=KEYWORD(lowercase=True),
        card=STORED,
    )


def document(row: dict[str, Any]) -> dict[str, Any]:
    """The Whoosh document of one item."""
    fields = cards.text_fields(row)
    return {
        "id": str(row["id"]),
        "title": fields["title"],
        "text": "\n".join((fields["summary"], fields["description"], fields["other"])),
        "words": " ".join(sorted(cards.words(row) - STOP_WORDS)),
        "card": json.dumps(cards.card(row), separators=(",", ":")),
    }


def documents(ids: Iterable[int], connection: Connection | Session | None = None) -> dict[int, dict[str, Any]]:
    """Id → document for those of ``ids`` that exist (a missing id was deleted)."""
    return {item_id: document(row) for item_id, row in cards.rows_of(ids, connection).items()}


def all_documents(connection: Connection) -> Iterator[dict[str, Any]]:
    """Every item's document, in id order, read a range of ids at a time."""
    for found in cards.all_rows(connection):
        for item_id in sorted(found):
            yield document(found[item_id])
