"""search hosts: each host's Whoosh index applies the queue by a cursor of its own

``search_queue.position`` is given after commit, in commit order; ``search_hosts`` records how far
each host has applied the queue; ``search_sequence`` (one row) the last position given and the
highest position removed. Entries already queued keep waiting and get a position at the next drain.

Revision ID: 9c3e5a7b1d24
Revises: f8c4d22c8850
Create Date: 2026-12-03 00:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "9c3e5a7b1d24"
down_revision = "f8c4d22c8850"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("search_queue", schema=None) as batch_op:
        batch_op.add_column(sa.Column("position", sa.BigInteger(), nullable=True))
        batch_op.create_index("ix_search_queue_position", ["position"])
    op.create_table(
        "search_hosts",
        sa.Column("host_id", sa.String(length=200), nullable=False),
        sa.Column("applied_through", sa.BigInteger(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("host_id", name="pk_search_hosts"),
    )
    op.create_table(
        "search_sequence",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_position", sa.BigInteger(), nullable=False),
        sa.Column("pruned_through", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_search_sequence"),
    )
    op.execute("INSERT INTO search_sequence (id, last_position, pruned_through) VALUES (1, 0, 0)")


def downgrade():
    op.drop_table("search_sequence")
    op.drop_table("search_hosts")
    # Dropping a column recreates the table on SQLite: keep its ids never reused.
    with op.batch_alter_table("search_queue", schema=None, table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.drop_index("ix_search_queue_position")
        batch_op.drop_column("position")
