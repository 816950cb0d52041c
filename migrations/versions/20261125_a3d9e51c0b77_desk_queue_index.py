"""desk queue index: approval events by approver

Revision ID: a3d9e51c0b77
Revises: 7c4e2a9d1b3f
Create Date: 2026-11-25 00:00:00

"""
from alembic import op

revision = "a3d9e51c0b77"
down_revision = "7c4e2a9d1b3f"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_events_action_actor_id", ["action", "actor_id"], unique=False)


def downgrade():
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_action_actor_id")
