"""What the Whoosh index holds for an item: the schema, and each item's document.

A document has two analysed text fields, the word list for spelling suggestions and the item's card
(``portal.search.cards``, stored as JSON), read from the database by ``cards``. ``title`` and ``text``
hold their terms already analysed in the item's language (``portal.search.analysis``), separated by
spaces: Whoosh only splits them, so positions (phrases), frequencies and field lengths are those of
the analysed words.
"""

import json
import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session
from whoosh.analysis import STOP_WORDS, RegexTokenizer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from portal.search import analysis, cards

# What an index folder's ``FORMAT`` file must say for this code to read it: a different (or missing)
# one was built by an older analysis and is rebuilt (``search reindex``, or the follower thread).
INDEX_FORMAT = "3: terms analysed per item language, folded before stemming, CJK runs as pairs"
# The analysed fields hold terms separated by spaces (``portal.search.analysis`` made them).
PRE_ANALYSED_TERM = re.compile(r"[^ ]+")
PRE_ANALYSED = RegexTokenizer(PRE_ANALYSED_TERM)
# Searched fields and their weights: the title counts three times as much as the rest.
TEXT_FIELDS = {"title": 3.0, "text": 1.0}
# Unstemmed words of titles and summaries, for spelling suggestions (they must be real words).
WORDS_FIELD = "words"


def make_schema() -> Schema:
    """Two analysed fields with positions (phrases), the word list for suggestions, the card."""
    return Schema(
        id=ID(unique=True, stored=True),
        title=TEXT(analyzer=PRE_ANALYSED, field_boost=TEXT_FIELDS["title"]),
        text=TEXT(analyzer=PRE_ANALYSED),
        words=KEYWORD(lowercase=True),
        card=STORED,
    )


def document(row: dict[str, Any], *, joined: bool = True) -> dict[str, Any]:
    """The Whoosh document of one item; ``joined=False``: the analysed fields as lists of terms (what
    ``portal.search.building`` reads) rather than the terms separated by spaces (what Whoosh reads)."""
    fields = cards.text_fields(row)
    name = analysis.analyser(row["language"])
    text = "\n".join((fields["summary"], fields["description"], fields["other"]))
    title_terms, text_terms = analysis.analyse(fields["title"], name), analysis.analyse(text, name)
    return {
        "id": str(row["id"]),
        "title": " ".join(title_terms) if joined else title_terms,
        "text": " ".join(text_terms) if joined else text_terms,
        "words": " ".join(sorted(cards.words(row) - STOP_WORDS)),
        "card": json.dumps(cards.card(row), separators=(",", ":")),
    }


def documents(ids: Iterable[int], connection: Connection | Session | None = None) -> dict[int, dict[str, Any]]:
    """Id → document for those of ``ids`` that exist (a missing id was deleted)."""
    return {item_id: document(row) for item_id, row in cards.rows_of(ids, connection).items()}
