"""paper when tablets fail: a vote's switch to paper, and the tellers' paper totals awaiting
a scrutineer's confirmation

Revision ID: b28d1f3a6c02
Revises: b18c0a1e5f01 (scrutineers, tellers, confirmations)
Create Date: 2026-12-05 01:00:00

An open electronic vote can switch to paper (votes.fallback_at, fallback_reason): casting
stops and the tellers count the deputies who had not voted on a tablet. Paper totals are
entered by one person and become effective when a scrutineer of the session confirms them
(paper_entries).
"""
from alembic import op
import sqlalchemy as sa


revision = 'b28d1f3a6c02'
down_revision = 'b18c0a1e5f01'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('votes', sa.Column('fallback_at', sa.DateTime(), nullable=True))
    op.add_column('votes', sa.Column('fallback_reason', sa.String(length=500), nullable=True))
    op.create_table(
        'paper_entries',
        sa.Column('vote_id', sa.Integer(), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.Column('issued', sa.Integer(), nullable=False),
        sa.Column('returned', sa.Integer(), nullable=False),
        sa.Column('invalid', sa.Integer(), nullable=False),
        sa.Column('counts', sa.JSON(), nullable=False),
        sa.Column('entered_by', sa.String(length=120), nullable=False),
        sa.Column('entered_by_name', sa.String(length=100), nullable=False),
        sa.Column('entered_at', sa.DateTime(), nullable=False),
        sa.Column('effective', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('confirmed_by', sa.Integer(), nullable=True),
        sa.Column('confirmed_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['confirmed_by'], ['deputies.id'], name=op.f('fk_paper_entries_confirmed_by_deputies')),
        sa.ForeignKeyConstraint(['vote_id'], ['votes.id'], name=op.f('fk_paper_entries_vote_id_votes')),
        sa.PrimaryKeyConstraint('vote_id', name=op.f('pk_paper_entries')),
    )


def downgrade():
    op.drop_table('paper_entries')
    with op.batch_alter_table('votes') as batch:
        batch.drop_column('fallback_reason')
        batch.drop_column('fallback_at')
