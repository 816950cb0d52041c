"""partnerships end

A partnership may end on a date; from that day the organisation no longer counts as a partner of the
programme in the reporting rate.

Revision ID: 8d2f6a31c5e4
Revises: a6c3f9e2b718
Create Date: 2026-12-02 00:00:01

"""
import sqlalchemy as sa
from alembic import op

revision = "8d2f6a31c5e4"
down_revision = "a6c3f9e2b718"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ended_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.drop_column("ended_on")
