"""opinions' photos, their publication by the citizen, and the public's support (附议)

Revision ID: c3c4d5e6f703
Revises: c2b3c4d5e602 (citizens' ratings of projects)
Create Date: 2026-12-05 01:10:00

Up to three photos with an opinion (re-encoded, stored as bytes as progress photos are); the
citizen's choice to publish the opinion (never their name or phone) and the staff's hiding of
a published one (when and why); one support per browser (a keyed hash of a random id).
"""
from alembic import op
import sqlalchemy as sa


revision = 'c3c4d5e6f703'
down_revision = 'c2b3c4d5e602'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE … ADD COLUMN (see c1a2b3c4d501): a batch would rebuild opinions on
    # SQLite and lose the rows that point to it.
    op.add_column(
        'opinions', sa.Column('public', sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column('opinions', sa.Column('hidden_at', sa.DateTime(), nullable=True))
    op.add_column(
        'opinions', sa.Column('hidden_reason', sa.Text(), nullable=False, server_default='')
    )
    op.create_table(
        'opinion_photos',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('opinion_id', sa.Integer(), nullable=False),
        sa.Column('mime', sa.String(length=20), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['opinion_id'], ['opinions.id'], name=op.f('fk_opinion_photos_opinion_id_opinions'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_opinion_photos')),
    )
    op.create_index(op.f('ix_opinion_photos_opinion_id'), 'opinion_photos', ['opinion_id'], unique=False)
    op.create_table(
        'opinion_supports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('opinion_id', sa.Integer(), nullable=False),
        sa.Column('browser_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['opinion_id'], ['opinions.id'], name=op.f('fk_opinion_supports_opinion_id_opinions'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_opinion_supports')),
        sa.UniqueConstraint('opinion_id', 'browser_hash', name=op.f('uq_opinion_supports_opinion_id_browser_hash')),
    )
    op.create_index(op.f('ix_opinion_supports_opinion_id'), 'opinion_supports', ['opinion_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_opinion_supports_opinion_id'), table_name='opinion_supports')
    op.drop_table('opinion_supports')
    op.drop_index(op.f('ix_opinion_photos_opinion_id'), table_name='opinion_photos')
    op.drop_table('opinion_photos')
    with op.batch_alter_table('opinions') as batch:
        batch.drop_column('hidden_reason')
        batch.drop_column('hidden_at')
        batch.drop_column('public')
