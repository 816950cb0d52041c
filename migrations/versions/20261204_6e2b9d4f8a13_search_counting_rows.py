"""PostgreSQL search: narrow counting rows (search_facets); nothing on SQLite

Facet counts read one narrow row per item (the visibility rule's columns and the facet codes, also
split by family) instead of the search rows with their text vectors, which are three times wider and
do not stay in the server's cache at 100,000 items. ``flask --app portal search reindex`` fills the new
rows (``search check`` reports them missing until then).

Revision ID: 6e2b9d4f8a13
Revises: 3f8a61c2d7b5
Create Date: 2026-12-04 00:00:00

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "6e2b9d4f8a13"
down_revision = "3f8a61c2d7b5"
branch_labels = None
depends_on = None

CODES = ("facet_codes", "pair_codes", "single", "programmes", "sdgs", "themes", "places")


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    if not _postgresql():
        return
    op.create_table(
        "search_facets",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        *(sa.Column(name, postgresql.ARRAY(sa.Integer()), nullable=False) for name in CODES),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name="fk_search_facets_item_id_items", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("item_id", name="pk_search_facets"),
    )
    for name in CODES:  # in the row, uncompressed: counting reads every one of them
        op.execute(f"ALTER TABLE search_facets ALTER COLUMN {name} SET STORAGE PLAIN")
    op.create_index("ix_search_facets_facet_codes", "search_facets", ["facet_codes"], postgresql_using="gin")
    op.create_index("ix_search_facets_pair_codes", "search_facets", ["pair_codes"], postgresql_using="gin")
    op.create_index("ix_search_facets_updated_at", "search_facets", ["updated_at", "item_id"])


def downgrade():
    if not _postgresql():
        return
    op.drop_table("search_facets")
