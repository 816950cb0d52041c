"""rate-limit counters shared by every worker and host (RATELIMIT_STORAGE_URI = "database://")

Revision ID: 3f8a61c2d7b5
Revises: 9c2d5e7f1a34
Create Date: 2026-12-03 00:00:01

"""
import sqlalchemy as sa
from alembic import op

revision = "3f8a61c2d7b5"
down_revision = "9c2d5e7f1a34"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rate_limits",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_rate_limits"),
    )
    with op.batch_alter_table("rate_limits", schema=None) as batch_op:
        batch_op.create_index("ix_rate_limits_expires_at", ["expires_at"])


def downgrade():
    op.drop_table("rate_limits")
