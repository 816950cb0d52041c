"""lapse warnings

``reminders lapse`` warns an organisation once per item and lapse that an item becomes inactive soon;
each warning is recorded so that a second run sends nothing.

Revision ID: 1f3c8e6b9a27
Revises: e5a90b7f13c8
Create Date: 2026-12-02 00:00:03

"""
import sqlalchemy as sa
from alembic import op

revision = "1f3c8e6b9a27"
down_revision = "e5a90b7f13c8"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "lapse_warnings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("lapses_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_lapse_warnings_item_id_items"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"],
            name=op.f("fk_lapse_warnings_organisation_id_organisations"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lapse_warnings")),
        sa.UniqueConstraint("item_id", "lapses_on", name="uq_lapse_warnings_item_id_lapses_on"),
    )
    with op.batch_alter_table("lapse_warnings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lapse_warnings_organisation_id"), ["organisation_id"], unique=False)


def downgrade():
    with op.batch_alter_table("lapse_warnings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lapse_warnings_organisation_id"))
    op.drop_table("lapse_warnings")
