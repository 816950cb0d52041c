"""What PostgreSQL full-text search keeps: one search row per item, the words for suggestions, and
the text search configurations each item's language is analysed with.

The tables, the ``unaccent`` and ``pg_trgm`` extensions and the configurations are created by the
migration ``postgresql_search`` (on PostgreSQL only). They live in a ``MetaData`` of their own: an
SQLite database has none of them.

A search row holds what the visibility rule, the staff scope, the filters, the counts and the sorts
read (state, hidden, updated_at, the facet codes, bits and numbers of ``codes``, the title as sorted),
``ranked``: the title (weight A) and summary (B) analysed in the item's configuration, ``document``:
those and the description (C) and the rest (D), the words of its title and summary as written, and
its card (``portal.search.cards``) to show it without another query.

The migration keeps rows narrow: what every search reads stays in the row (``STORAGE MAIN``), the
document, card and words go to TOAST storage (``toast_tuple_target``), read only for matches that
need a phrase checked, for the page shown and for suggestions.
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR

from portal.catalogue.visibility import PUBLIC_STATE
from portal.extensions import NAMING_CONVENTION
from portal.models import Item

metadata = MetaData(naming_convention=NAMING_CONVENTION)
LISTED = f"state = '{PUBLIC_STATE}' AND hidden IS false"
LISTED_COLUMNS = ["facet_bits", "theme_bits", "pair_bits", "countries", "language"]

documents = Table(
    "search_documents",
    metadata,
    Column("item_id", ForeignKey(Item.__table__.c.id, ondelete="CASCADE"), primary_key=True),
    Column("config", String(40), nullable=False),  # the text search configuration, e.g. portal_french
    Column("state", String(20), nullable=False),
    Column("hidden", Boolean, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("title_key", Text(collation="C"), nullable=False),  # casefolded: the "title" sort
    Column("facet_codes", ARRAY(Integer), nullable=False),  # codes.code("programme:spp"), ...
    Column("pair_codes", ARRAY(Integer), nullable=False),  # codes.code("pair:spp:core"), ...
    Column("ranked", TSVECTOR, nullable=False),
    Column("document", TSVECTOR, nullable=False),
    Column("words", ARRAY(Text), nullable=False),
    Column("card", JSONB, nullable=False),
    # The narrow form of the facets (``codes.BIT_COLUMNS``, ``codes.NUMBERED``): what counts read.
    Column("facet_bits", BigInteger, nullable=False),
    Column("theme_bits", BigInteger, nullable=False),
    Column("pair_bits", BigInteger, nullable=False),
    Column("countries", ARRAY(SmallInteger), nullable=False),
    Column("language", SmallInteger),
    Index("ix_search_documents_document", "document", postgresql_using="gin"),
    Index("ix_search_documents_facet_codes", "facet_codes", postgresql_using="gin"),
    Index("ix_search_documents_pair_codes", "pair_codes", postgresql_using="gin"),
    Index("ix_search_documents_words", "words", postgresql_using="gin"),
    Index("ix_search_documents_updated_at", "updated_at", "item_id"),
    Index("ix_search_documents_title_key", "title_key", "item_id"),
    Index("ix_search_documents_config", "config"),
    # The listed rows (published, not hidden) newest first, with their narrow facets: a search without
    # words finds, filters, counts and pages the public rows from this index alone.
    Index("ix_search_documents_listed", "updated_at", "item_id", postgresql_include=LISTED_COLUMNS,
          postgresql_where=text(LISTED)),
)

# Every word of a title or summary ever stored (candidates for "did you mean"; each suggestion is
# checked against the public items' words before it is shown).
words = Table(
    "search_words",
    metadata,
    Column("word", Text, primary_key=True),
    Index("ix_search_words_trigrams", "word", postgresql_using="gin", postgresql_ops={"word": "gin_trgm_ops"}),
)

# The version of the search rows: one more with every transaction that changes them, committed with
# them, so that a result computed at one version holds for anyone who reads that version
# (``portal.search.postgresql.cache``).
state = Table(
    "search_state",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version", BigInteger, nullable=False),
)

# ISO 639-1 → PostgreSQL's Snowball stemmer. The migration creates ``portal_<name>`` for each one the
# server has (unaccented, then stemmed); any other language is analysed by ``portal_simple``
# (unaccented, not stemmed).
STEMMERS = {
    "ar": "arabic", "ca": "catalan", "da": "danish", "de": "german", "el": "greek", "en": "english",
    "es": "spanish", "eu": "basque", "fi": "finnish", "fr": "french", "ga": "irish", "hi": "hindi",
    "hu": "hungarian", "hy": "armenian", "id": "indonesian", "it": "italian", "lt": "lithuanian",
    "nb": "norwegian", "ne": "nepali", "nl": "dutch", "nn": "norwegian", "no": "norwegian",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian", "sv": "swedish",
    "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}
SIMPLE = "portal_simple"
PREFIX = "portal_"


def config_name(stemmer: str) -> str:
    return f"{PREFIX}{stemmer}"


def config_for(language: str | None, available: frozenset[str]) -> str:
    """The configuration an item in ``language`` is analysed with (``available``: those the database has)."""
    stemmer = STEMMERS.get((language or "").lower().split("-")[0])
    name = config_name(stemmer) if stemmer else SIMPLE
    return name if name in available else SIMPLE
