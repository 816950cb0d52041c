"""audit events record the client's address and the request id

So that an audit event can be tied to the security log's lines of the same request (portal.logs).
Both are empty for events recorded before, and for command-line jobs.

Revision ID: d4a1b7c9e2f0
Revises: c5f0a7d2e913
Create Date: 2026-12-01 00:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "d4a1b7c9e2f0"
down_revision = "c5f0a7d2e913"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address", sa.String(length=45), nullable=True))
        batch_op.add_column(sa.Column("request_id", sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("request_id")
        batch_op.drop_column("address")
