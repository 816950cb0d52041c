"""reporting figures kept in the database for every worker and host

Dashboards and programme achievements were kept per process (and per language): each gunicorn worker and
host computed the same figures again (0.6 s of CPU for a programme, 2 s for the network at 100 000 items),
and inside the request the first time. Now they are computed once, language-independent, stored here as
JSON with the data version they count, and read by every process (portal.catalogue.reporting.refresh).

Revision ID: b2d4f6a8c0e1
Revises: c7b75355106f
Create Date: 2026-12-05 00:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "b2d4f6a8c0e1"
down_revision = "c7b75355106f"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reporting_figures",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("version", sa.String(length=200), nullable=True),
        sa.Column("format", sa.String(length=16), nullable=True),
        sa.Column("computed_at", sa.DateTime(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("kind", "key", name="pk_reporting_figures"),
    )


def downgrade():
    op.drop_table("reporting_figures")
