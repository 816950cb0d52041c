"""reference data: the six programmes and the 17 SDGs

Revision ID: 5e1d0c1a7b2f
Revises: b31a8fb0f484
Create Date: 2026-11-24 20:00:00

"""
import sqlalchemy as sa
from alembic import op

from portal.vocab import PROGRAMMES, SDGS, english, programme_description

revision = "5e1d0c1a7b2f"
down_revision = "b31a8fb0f484"
branch_labels = None
depends_on = None

programmes = sa.table(
    "programmes",
    sa.column("slug", sa.String),
    sa.column("name", sa.String),
    sa.column("description", sa.Text),
    sa.column("position", sa.Integer),
)
sdgs = sa.table("sdgs", sa.column("number", sa.Integer), sa.column("title", sa.String))


def upgrade():
    op.bulk_insert(
        programmes,
        [
            {"slug": slug, "name": english(PROGRAMMES, slug), "description": programme_description(slug, language="en"),
             "position": position}
            for position, (slug, _name, _description) in enumerate(PROGRAMMES)
        ],
    )
    op.bulk_insert(sdgs, [{"number": number, "title": english(SDGS, number)} for number, _title in SDGS])


def downgrade():
    op.execute(sdgs.delete())
    op.execute(programmes.delete())
