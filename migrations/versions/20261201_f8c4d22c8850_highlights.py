"""programme highlights and key messages

A programme's highlights (at most 6 portfolio items, each with one key figure) and its key messages.

Revision ID: f8c4d22c8850
Revises: 0cdc8e5a2341
Create Date: 2026-12-01 00:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "f8c4d22c8850"
down_revision = "0cdc8e5a2341"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('key_messages',
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_key_messages_programme_id_programmes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_key_messages_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('programme_id', 'position', name=op.f('pk_key_messages'))
    )

    op.create_table('highlights',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('figure_value', sa.Double(), nullable=False),
    sa.Column('figure_unit', sa.String(length=40), nullable=False),
    sa.Column('figure_measure', sa.String(length=120), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_highlights_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_highlights_item_id_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_highlights_programme_id_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_highlights')),
    sa.UniqueConstraint('programme_id', 'item_id', name='uq_highlights_programme_item')
    )

    with op.batch_alter_table('highlights', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_highlights_item_id'), ['item_id'], unique=False)


def downgrade():
    with op.batch_alter_table('highlights', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_highlights_item_id'))

    op.drop_table('highlights')

    op.drop_table('key_messages')
