"""PostgreSQL search: the facets in narrow form (bits and vocabulary positions) and the listed rows' index; nothing on SQLite

Counting facets by unnesting every row's 32-bit codes cost most of a search's time. Each search row
now also holds one bit per value of the facets with few values (``facet_bits``, ``theme_bits``, and
``pair_bits`` for the status in each programme) and the positions of its countries and language in
their vocabularies (``portal.search.postgresql.codes``): one aggregate pass counts every value, and
the partial index ``ix_search_documents_listed`` (published, not hidden; newest first, with those
columns) answers a search without words without reading the rows. Run ``flask --app portal search
reindex`` after upgrading: until then the existing rows hold no bits (``search check`` reports them
stale).

Revision ID: b8e1f4a6c392
Revises: b2d4f6a8c0e1
Create Date: 2026-12-05 00:00:00

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "b8e1f4a6c392"
down_revision = "b2d4f6a8c0e1"
branch_labels = None
depends_on = None

BITS = ("facet_bits", "theme_bits", "pair_bits")
LISTED_COLUMNS = [*BITS, "countries", "language"]


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    if not _postgresql():
        return
    for column in BITS:
        op.add_column("search_documents", sa.Column(column, sa.BigInteger(), nullable=False, server_default="0"))
    op.add_column("search_documents", sa.Column("countries", postgresql.ARRAY(sa.SmallInteger()), nullable=False,
                                                server_default="{}"))
    op.add_column("search_documents", sa.Column("language", sa.SmallInteger(), nullable=True))
    for column in (*BITS, "countries"):
        op.alter_column("search_documents", column, server_default=None)
    # Kept in the row, like the other columns every search reads (the rest goes to TOAST storage).
    op.execute("ALTER TABLE search_documents ALTER COLUMN countries SET STORAGE MAIN")
    op.create_index("ix_search_documents_listed", "search_documents", ["updated_at", "item_id"],
                    postgresql_include=LISTED_COLUMNS, postgresql_where=sa.text("state = 'published' AND hidden IS false"))


def downgrade():
    if not _postgresql():
        return
    op.drop_index("ix_search_documents_listed", table_name="search_documents")
    for column in reversed(LISTED_COLUMNS):
        op.drop_column("search_documents", column)
