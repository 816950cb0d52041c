"""desk queue: covering indexes for the lead-programme test and the queue's order

The review queue walks the submitted items (9 000 of 100 000 in the benchmark) and asks, for each, whether
its lead programme (position 0) or another one belongs to the desk, then orders them by when they joined
the queue. With (item_id, position, programme_id) on item_programmes each test is one probe of an index
(the primary key has no position: each test read the table row), and with (state, submitted_at,
created_at, published_at) on items the walk and the order read no item row (SQLite): the queue's queries,
three then, went from 180 ms to 51 ms at 100 000 items (benchmarks/reporting.py's data). PostgreSQL uses
the first for the same test (index-only scans).

Revision ID: c7b75355106f
Revises: 3f8a61c2d7b5
Create Date: 2026-12-04 00:00:00

"""
from alembic import op

revision = "c7b75355106f"
down_revision = "3f8a61c2d7b5"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("item_programmes", schema=None) as batch_op:
        batch_op.create_index("ix_item_programmes_item_position_programme", ["item_id", "position", "programme_id"])
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.create_index("ix_items_queue", ["state", "submitted_at", "created_at", "published_at"])


def downgrade():
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_index("ix_items_queue")
    with op.batch_alter_table("item_programmes", schema=None) as batch_op:
        batch_op.drop_index("ix_item_programmes_item_position_programme")
