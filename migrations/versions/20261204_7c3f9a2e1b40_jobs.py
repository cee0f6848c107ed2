"""jobs: large imports run in the background, their state, progress and outcome

Revision ID: 7c3f9a2e1b40
Revises: 5e1c0b7a9d21
Create Date: 2026-12-04 19:20:00

A job's row is what every server process reads while the thread of the one that received
the file imports it (votesys.congress.jobs). The file itself is never stored.
"""
from alembic import op
import sqlalchemy as sa


revision = '7c3f9a2e1b40'
down_revision = '5e1c0b7a9d21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'jobs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('object', sa.String(length=100), nullable=False),
        sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('stage', sa.String(length=20), nullable=False),
        sa.Column('rows_done', sa.Integer(), nullable=False),
        sa.Column('rows_total', sa.Integer(), nullable=False),
        sa.Column('result', sa.Text(), nullable=True),
        sa.Column('error', sa.String(length=20), nullable=True),
        sa.Column('errors', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ['jurisdiction_id'],
            ['jurisdictions.id'],
            name=op.f('fk_jobs_jurisdiction_id_jurisdictions'),
        ),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_jobs_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs')),
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_jobs_jurisdiction_id'), ['jurisdiction_id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jobs_jurisdiction_id'))
    op.drop_table('jobs')
