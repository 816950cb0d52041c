"""organisation contacts and mail copies

An organisation names a reporting focal point and alternates (emails), who need no account; reminders
go to the focal point with the alternates in copy, so a message records its Cc addresses.

Revision ID: a6c3f9e2b718
Revises: 4b7e9c1d2a60
Create Date: 2026-12-02 00:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "a6c3f9e2b718"
down_revision = "4b7e9c1d2a60"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("focal_point_email", sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column("alternate_emails", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.alter_column("alternate_emails", server_default=None)
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cc", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.alter_column("cc", server_default=None)


def downgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_column("cc")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("alternate_emails")
        batch_op.drop_column("focal_point_email")
