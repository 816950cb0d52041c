"""saved searches

A user's saved search (the filters of /search) with a daily or weekly digest of new matching items,
and a record of every digest mailed, so that ``mail digests`` never sends one twice.

Revision ID: e5a90b7f13c8
Revises: 8d2f6a31c5e4
Create Date: 2026-12-02 00:00:02

"""
import sqlalchemy as sa
from alembic import op

revision = "e5a90b7f13c8"
down_revision = "8d2f6a31c5e4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "saved_searches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("frequency", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_digest_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_saved_searches_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_searches")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("saved_searches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_saved_searches_user_id"), ["user_id"], unique=False)
    op.create_table(
        "saved_search_digests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("saved_search_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("covered_from", sa.DateTime(), nullable=False),
        sa.Column("covered_until", sa.DateTime(), nullable=False),
        sa.Column("item_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["outbox_messages.id"],
            name=op.f("fk_saved_search_digests_message_id_outbox_messages"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["saved_search_id"], ["saved_searches.id"],
            name=op.f("fk_saved_search_digests_saved_search_id_saved_searches"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_search_digests")),
    )
    with op.batch_alter_table("saved_search_digests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_saved_search_digests_saved_search_id"), ["saved_search_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("saved_search_digests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saved_search_digests_saved_search_id"))
    op.drop_table("saved_search_digests")
    with op.batch_alter_table("saved_searches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saved_searches_user_id"))
    op.drop_table("saved_searches")
