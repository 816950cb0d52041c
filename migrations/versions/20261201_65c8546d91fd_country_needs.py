"""country needs and their partner interest

Country needs (match-making): a country's need or priority with its SDGs, themes and programmes,
the partners' expressions of interest in it, and which organisations were told that their offers fit it.

Revision ID: 65c8546d91fd
Revises: 1f3c8e6b9a27
Create Date: 2026-12-01 00:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "65c8546d91fd"
down_revision = "1f3c8e6b9a27"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('country_needs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('country', sa.String(length=6), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=True),
    sa.Column('contact', sa.String(length=300), nullable=False),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_country_needs_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_country_needs_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_country_needs'))
    )

    with op.batch_alter_table('country_needs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_country_needs_country'), ['country'], unique=False)

    op.create_table('need_interests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['need_id'], ['country_needs.id'], name=op.f('fk_need_interests_need_id_country_needs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_need_interests_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_need_interests_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_need_interests')),
    sa.UniqueConstraint('need_id', 'organisation_id', name='uq_need_interests_need_organisation')
    )

    op.create_table('need_notices',
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['need_id'], ['country_needs.id'], name=op.f('fk_need_notices_need_id_country_needs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_need_notices_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('need_id', 'organisation_id', name=op.f('pk_need_notices'))
    )

    op.create_table('need_programmes',
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['need_id'], ['country_needs.id'], name=op.f('fk_need_programmes_need_id_country_needs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_need_programmes_programme_id_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('need_id', 'programme_id', name=op.f('pk_need_programmes'))
    )

    with op.batch_alter_table('need_programmes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_need_programmes_programme_id'), ['programme_id'], unique=False)

    op.create_table('need_sdgs',
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('sdg_number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['need_id'], ['country_needs.id'], name=op.f('fk_need_sdgs_need_id_country_needs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sdg_number'], ['sdgs.number'], name=op.f('fk_need_sdgs_sdg_number_sdgs')),
    sa.PrimaryKeyConstraint('need_id', 'sdg_number', name=op.f('pk_need_sdgs'))
    )

    op.create_table('need_themes',
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('theme', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['need_id'], ['country_needs.id'], name=op.f('fk_need_themes_need_id_country_needs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('need_id', 'theme', name=op.f('pk_need_themes'))
    )

    with op.batch_alter_table('need_themes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_need_themes_theme'), ['theme'], unique=False)


def downgrade():
    with op.batch_alter_table('need_themes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_need_themes_theme'))

    op.drop_table('need_themes')

    op.drop_table('need_sdgs')

    with op.batch_alter_table('need_programmes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_need_programmes_programme_id'))

    op.drop_table('need_programmes')

    op.drop_table('need_notices')

    op.drop_table('need_interests')

    with op.batch_alter_table('country_needs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_country_needs_country'))

    op.drop_table('country_needs')
