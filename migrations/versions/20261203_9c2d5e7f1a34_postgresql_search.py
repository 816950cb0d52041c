"""PostgreSQL full-text search (SEARCH_BACKEND=postgresql); nothing on SQLite

One search row per item (``search_documents``: the weighted tsvectors, facet codes, the card) and the
words of titles and summaries (``search_words``, trigram-indexed for "did you mean"), kept in step by
the application in the same transaction as each change, which also counts up ``search_state.version``
(what cached search results are kept by). Text is analysed per item language by
configurations that strip accents first (``unaccent``) and then stem (``portal_english``,
``portal_french``, ...; ``portal_simple`` for languages without a stemmer), so "dechets" finds
"déchets". ``unaccent``, ``pg_trgm`` and ``fuzzystrmatch`` are trusted extensions: the database owner
may create them. Run ``flask --app portal search reindex`` once to fill the rows of existing items.

Revision ID: 9c2d5e7f1a34
Revises: a3e5c7b9d1f2
Create Date: 2026-12-03 00:00:00

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "9c2d5e7f1a34"
down_revision = "a3e5c7b9d1f2"
branch_labels = None
depends_on = None

EXTENSIONS = ("unaccent", "pg_trgm", "fuzzystrmatch")
# PostgreSQL's Snowball stemmers (15): a configuration is made for each one the server has.
STEMMERS = (
    "arabic", "armenian", "basque", "catalan", "danish", "dutch", "english", "finnish", "french", "german",
    "greek", "hindi", "hungarian", "indonesian", "irish", "italian", "lithuanian", "nepali", "norwegian",
    "portuguese", "romanian", "russian", "serbian", "spanish", "swedish", "tamil", "turkish", "yiddish",
)
# Token types with letters beyond ASCII, which may carry accents (ASCII words go straight to the stemmer).
ACCENTED = "word, hword, hword_part"
NARROW = ("config", "state", "title_key", "facet_codes", "pair_codes", "ranked")
SIMPLE_TOKENS = "asciiword, word, numword, asciihword, hword, numhword, hword_asciipart, hword_part, hword_numpart"
# Phrases read as Whoosh reads them: stop words leave no gap ("ministry of the environment" is the phrase
# "ministry environment"). ``portal_gapless`` numbers a vector's positions without the gaps stop words
# left; ``portal_phrase`` is a phrase's words in a row (``<->``), analysed the same way.
FUNCTIONS = {
    "portal_lexeme(lexeme text) RETURNS text": r"""
        SELECT '''' || replace(replace(lexeme, '\', '\\'), '''', '''''') || ''''
    """,
    "portal_gapless(vector tsvector) RETURNS tsvector": """
        SELECT coalesce(string_agg(portal_lexeme(lexeme) || ':' || places, ' '), '')::tsvector
        FROM (
            SELECT lexeme, string_agg(place::text, ',' ORDER BY place) AS places
            FROM (SELECT lexeme, dense_rank() OVER (ORDER BY position) AS place
                  FROM unnest(vector) AS v(lexeme, positions, weights), unnest(positions) AS position) AS numbered
            GROUP BY lexeme
        ) AS grouped
    """,
    "portal_phrase(config regconfig, phrase text) RETURNS tsquery": """
        SELECT coalesce(string_agg(portal_lexeme(lexeme), ' <-> ' ORDER BY position), '')::tsquery
        FROM unnest(to_tsvector(config, phrase)) AS v(lexeme, positions, weights), unnest(positions) AS position
    """,
}


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    if not _postgresql():
        return
    for extension in EXTENSIONS:
        op.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}")
    bind = op.get_bind()
    present = set(bind.scalars(sa.text("SELECT cfgname FROM pg_ts_config")))
    for stemmer in STEMMERS:
        if stemmer in present:
            op.execute(f"CREATE TEXT SEARCH CONFIGURATION portal_{stemmer} (COPY = {stemmer})")
            op.execute(f"ALTER TEXT SEARCH CONFIGURATION portal_{stemmer} "
                       f"ALTER MAPPING FOR {ACCENTED} WITH unaccent, {stemmer}_stem")
    op.execute("CREATE TEXT SEARCH CONFIGURATION portal_simple (COPY = simple)")
    op.execute(f"ALTER TEXT SEARCH CONFIGURATION portal_simple ALTER MAPPING FOR {SIMPLE_TOKENS} WITH unaccent, simple")
    for signature, body in FUNCTIONS.items():
        op.execute(f"CREATE FUNCTION {signature} LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ {body} $$")

    op.create_table(
        "search_documents",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("config", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("title_key", sa.Text(collation="C"), nullable=False),
        sa.Column("facet_codes", postgresql.ARRAY(sa.Integer()), nullable=False),
        sa.Column("pair_codes", postgresql.ARRAY(sa.Integer()), nullable=False),
        sa.Column("ranked", postgresql.TSVECTOR(), nullable=False),
        sa.Column("document", postgresql.TSVECTOR(), nullable=False),
        sa.Column("words", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("card", postgresql.JSONB(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name="fk_search_documents_item_id_items",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("item_id", name="pk_search_documents"),
    )
    op.create_index("ix_search_documents_document", "search_documents", ["document"], postgresql_using="gin")
    op.create_index("ix_search_documents_facet_codes", "search_documents", ["facet_codes"], postgresql_using="gin")
    op.create_index("ix_search_documents_pair_codes", "search_documents", ["pair_codes"], postgresql_using="gin")
    # Narrow rows: what every search reads stays in the row; the rest goes to TOAST storage.
    op.execute("ALTER TABLE search_documents SET (toast_tuple_target = 128)")
    for column in NARROW:
        op.execute(f"ALTER TABLE search_documents ALTER COLUMN {column} SET STORAGE MAIN")
    op.create_index("ix_search_documents_words", "search_documents", ["words"], postgresql_using="gin")
    op.create_index("ix_search_documents_updated_at", "search_documents", ["updated_at", "item_id"])
    op.create_index("ix_search_documents_title_key", "search_documents", ["title_key", "item_id"])
    op.create_index("ix_search_documents_config", "search_documents", ["config"])
    op.create_table(
        "search_words",
        sa.Column("word", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("word", name="pk_search_words"),
    )
    op.create_index("ix_search_words_trigrams", "search_words", ["word"], postgresql_using="gin",
                    postgresql_ops={"word": "gin_trgm_ops"})
    op.create_table(
        "search_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_search_state"),
    )


def downgrade():
    if not _postgresql():
        return
    op.drop_table("search_state")
    op.drop_table("search_words")
    op.drop_table("search_documents")
    for signature in reversed(FUNCTIONS):
        op.execute(f"DROP FUNCTION IF EXISTS {signature.split(' RETURNS')[0]}")
    op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS portal_simple")
    for stemmer in STEMMERS:
        op.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS portal_{stemmer}")
    for extension in reversed(EXTENSIONS):
        op.execute(f"DROP EXTENSION IF EXISTS {extension}")
