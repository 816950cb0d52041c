"""accounts have a language: the one their mails are written in

Existing accounts get English; a new account gets the language in which its owner registered
(DESIGN.md, "Languages").

Revision ID: a3e5c7b9d1f2
Revises: 9c3e5a7b1d24
Create Date: 2026-12-03 00:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "a3e5c7b9d1f2"
down_revision = "9c3e5a7b1d24"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=False, server_default="en"))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("language")
