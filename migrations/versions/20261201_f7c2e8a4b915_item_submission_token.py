"""items remember the one-time token of the form that created them

A submission posted twice (a retry after a lost answer, a double click) carries the same token; the
unique constraint lets only the first create an item, the second leads to it.

Revision ID: f7c2e8a4b915
Revises: d4a1b7c9e2f0
Create Date: 2026-12-01 00:00:01

"""
import sqlalchemy as sa
from alembic import op

revision = "f7c2e8a4b915"
down_revision = "d4a1b7c9e2f0"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submission_token", sa.String(length=36), nullable=True))
        batch_op.create_unique_constraint("uq_items_submission_token", ["submission_token"])


def downgrade():
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_constraint("uq_items_submission_token", type_="unique")
        batch_op.drop_column("submission_token")
