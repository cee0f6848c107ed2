"""a jurisdiction's rules of the vote, and the exceptions recorded to them

Revision ID: b48f3b5c8e04
Revises: b38e2a4b7d03
Create Date: 2026-12-05 01:20:00

A jurisdiction's 票决办法: the least number of candidates beyond the places (差额), the default
passage base, whether it holds a rating vote (a jurisdiction without a row follows the
defaults). A vote created against them carries the organiser's exception and its reason.
"""
from alembic import op
import sqlalchemy as sa


revision = 'b48f3b5c8e04'
down_revision = 'b38e2a4b7d03'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'jurisdiction_rules',
        sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
        sa.Column('min_extra_candidates', sa.Integer(), nullable=False),
        sa.Column('default_base', sa.String(length=20), nullable=False),
        sa.Column('rating_vote', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], name=op.f('fk_jurisdiction_rules_jurisdiction_id_jurisdictions')),
        sa.PrimaryKeyConstraint('jurisdiction_id', name=op.f('pk_jurisdiction_rules')),
    )
    op.create_table(
        'vote_exceptions',
        sa.Column('vote_id', sa.Integer(), nullable=False),
        sa.Column('rule', sa.String(length=40), nullable=False),
        sa.Column('minimum', sa.Integer(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['vote_id'], ['votes.id'], name=op.f('fk_vote_exceptions_vote_id_votes')),
        sa.PrimaryKeyConstraint('vote_id', name=op.f('pk_vote_exceptions')),
    )


def downgrade():
    op.drop_table('vote_exceptions')
    op.drop_table('jurisdiction_rules')
