"""open catalogue: import source ids, OAI-PMH datestamps, import jobs

``items.source_id`` is the record's id in the system it was imported from (unique: a re-import
updates instead of duplicating). ``items.changed_at`` (when the record last changed here) and
``items.ever_public`` (whether the public ever saw it) give OAI-PMH its datestamps and deleted
records; existing rows start from ``updated_at`` and from having been published. ``import_jobs``
holds the files uploaded at /admin/import while their rows are checked and imported in chunks.

Revision ID: 4b7e9c1d2a60
Revises: f7c2e8a4b915
Create Date: 2026-12-02 00:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "4b7e9c1d2a60"
down_revision = "f7c2e8a4b915"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_id", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("changed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("ever_public", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_unique_constraint("uq_items_source_id", ["source_id"])
    op.execute("UPDATE items SET changed_at = updated_at")
    op.execute("UPDATE items SET ever_public = (published_at IS NOT NULL)")
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.alter_column("changed_at", existing_type=sa.DateTime(), nullable=False)
        batch_op.alter_column("ever_public", existing_type=sa.Boolean(), server_default=None)
        batch_op.create_index("ix_items_changed_at", ["changed_at"])

    op.create_table(
        "import_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("create_organisations", sa.Boolean(), nullable=False),
        sa.Column("phase", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name="fk_import_jobs_created_by_id_users",
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_import_jobs"),
    )


def downgrade():
    op.drop_table("import_jobs")
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_index("ix_items_changed_at")
        batch_op.drop_constraint("uq_items_source_id", type_="unique")
        batch_op.drop_column("ever_public")
        batch_op.drop_column("changed_at")
        batch_op.drop_column("source_id")
