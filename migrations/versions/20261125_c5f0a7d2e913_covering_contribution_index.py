"""covering index for network-wide reporting

The network dashboard reads every contribution of five years (158 000 events at 100 000 items).
With item_id in the (action, created_at) index SQLite no longer visits the table for each event:
partner_activity took 2.9 s and takes 1.9 s.

Revision ID: c5f0a7d2e913
Revises: e8b4c2f61d09
Create Date: 2026-11-25 00:00:00

"""
from alembic import op

revision = "c5f0a7d2e913"
down_revision = "e8b4c2f61d09"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_events_action_created_at_item", ["action", "created_at", "item_id"])
        batch_op.drop_index("ix_audit_events_action_created_at")


def downgrade():
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_events_action_created_at", ["action", "created_at"])
        batch_op.drop_index("ix_audit_events_action_created_at_item")
