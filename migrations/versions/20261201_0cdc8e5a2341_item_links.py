"""links between items

Links between items ("Related items": produced by, part of, replicates, related to); never to itself.

Revision ID: 0cdc8e5a2341
Revises: 3588b28de7c1
Create Date: 2026-12-01 00:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "0cdc8e5a2341"
down_revision = "3588b28de7c1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('item_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('relation', sa.String(length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('source_id <> target_id', name=op.f('ck_item_links_not_to_itself')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_item_links_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_id'], ['items.id'], name=op.f('fk_item_links_source_id_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_id'], ['items.id'], name=op.f('fk_item_links_target_id_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_links')),
    sa.UniqueConstraint('source_id', 'target_id', name='uq_item_links_source_target')
    )

    with op.batch_alter_table('item_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_links_target_id'), ['target_id'], unique=False)


def downgrade():
    with op.batch_alter_table('item_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_links_target_id'))

    op.drop_table('item_links')
