"""item offers, results on the ground and key figures

"Offer to other countries" on items, indexed with the visibility rule's columns and what matching compares
(category, resource type, "Global") so that matching reads the public offers from the index alone; an initiative's "Results on the ground" and up to 3 key figures.

Revision ID: 3588b28de7c1
Revises: 65c8546d91fd
Create Date: 2026-12-01 00:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "3588b28de7c1"
down_revision = "65c8546d91fd"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_offer', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('results_on_ground', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('key_figures', sa.JSON(), nullable=True))
        batch_op.create_index('ix_items_offers', ['is_offer', 'state', 'hidden', 'updated_at', 'activity_category',
                                                  'resource_type', 'is_global'], unique=False)


def downgrade():
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.drop_index('ix_items_offers')
        batch_op.drop_column('key_figures')
        batch_op.drop_column('results_on_ground')
        batch_op.drop_column('is_offer')
