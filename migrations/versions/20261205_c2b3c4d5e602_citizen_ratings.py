"""citizens' ratings of projects (群众满意度)

Revision ID: c2b3c4d5e602
Revises: c1a2b3c4d501 (opinions' messages and their contact details' lifetime)
Create Date: 2026-12-05 01:00:00

One row per citizen's rating of a project, from the form its QR poster (民生码) opens: the
choice, an optional comment (staff only) and the phone as a keyed hash, unique per project.
"""
from alembic import op
import sqlalchemy as sa


revision = 'c2b3c4d5e602'
down_revision = 'c1a2b3c4d501'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'citizen_ratings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('choice', sa.String(length=30), nullable=False),
        sa.Column('phone_hash', sa.String(length=64), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('rated_on', sa.Date(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_citizen_ratings_project_id_projects'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_citizen_ratings')),
    )
    op.create_index('uq_citizen_ratings_project_phone', 'citizen_ratings', ['project_id', 'phone_hash'], unique=True)


def downgrade():
    op.drop_index('uq_citizen_ratings_project_phone', table_name='citizen_ratings')
    op.drop_table('citizen_ratings')
