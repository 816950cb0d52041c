"""search queue ids never reused

SQLite gives a deleted row's id to the next insert unless the table is AUTOINCREMENT. A drainer
deletes the queue entries it indexed by id, so a reused id made it delete a newer change that
nobody had indexed yet. PostgreSQL's sequence never reuses ids; there the table stays as it is.

Revision ID: e8b4c2f61d09
Revises: a3d9e51c0b77
Create Date: 2026-11-25 00:00:00

"""
from alembic import op

revision = "e8b4c2f61d09"
down_revision = "a3d9e51c0b77"
branch_labels = None
depends_on = None


def _recreate(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "search_queue", recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
    ):
        pass


def upgrade():
    _recreate(True)


def downgrade():
    _recreate(False)
