"""roll-ups: precomputed figures per jurisdiction and period (votesys.congress.rollups)

Revision ID: c5d6e7f8a905
Revises: c4d5e6f7a804
Create Date: 2026-12-05 04:30:00

The cells are derived data: this revision creates them empty and marks them not built
(version 0); `votesys db upgrade` builds them from the rows once the database is at the
head revision (migrations/env.py), and until then every figure is counted from the rows.
"""
from alembic import op
import sqlalchemy as sa


revision = 'c5d6e7f8a905'
down_revision = 'c4d5e6f7a804'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'rollup_cells',
        sa.Column('jurisdiction_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('period', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('n', sa.BigInteger(), nullable=False),
        sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
        sa.PrimaryKeyConstraint('jurisdiction_id', 'period', 'name', name=op.f('pk_rollup_cells')),
    )
    state = op.create_table(
        'rollup_state',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rollup_state')),
    )
    op.bulk_insert(state, [{'id': 1, 'version': 0}])


def downgrade():
    op.drop_table('rollup_state')
    op.drop_table('rollup_cells')
