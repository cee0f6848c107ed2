"""collection campaigns (征集): campaigns, their negative lists, and each opinion's screening
and feasibility

Revision ID: c4d5e6f7a804
Revises: c3c4d5e6f703
Create Date: 2026-12-05 01:20:00

A jurisdiction's call for next year's projects with its window and negative list
(负面清单); an opinion received in the window joins it, is screened (accepted or set aside
with a reason) and, once accepted, given a feasibility verdict with the estimated cost.
"""
from alembic import op
import sqlalchemy as sa


revision = 'c4d5e6f7a804'
down_revision = 'c3c4d5e6f703'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'campaigns',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('opens_on', sa.Date(), nullable=False),
        sa.Column('closes_on', sa.Date(), nullable=False),
        sa.Column('categories', sa.String(length=200), nullable=False),
        sa.Column('created_by', sa.String(length=100), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], name=op.f('fk_campaigns_jurisdiction_id_jurisdictions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns')),
    )
    op.create_index(op.f('ix_campaigns_jurisdiction_id'), 'campaigns', ['jurisdiction_id'], unique=False)
    op.create_table(
        'campaign_negative_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('item', sa.String(length=200), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_negative_items_campaign_id_campaigns'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_negative_items')),
    )
    op.create_index(op.f('ix_campaign_negative_items_campaign_id'), 'campaign_negative_items', ['campaign_id'], unique=False)
    op.create_table(
        'campaign_entries',
        sa.Column('opinion_id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('screening', sa.String(length=20), nullable=True),
        sa.Column('negative_item_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('screened_on', sa.Date(), nullable=True),
        sa.Column('screened_by', sa.String(length=100), nullable=False),
        sa.Column('cost_wan', sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column('unit', sa.String(length=200), nullable=False),
        sa.Column('verdict', sa.String(length=20), nullable=True),
        sa.Column('verdict_reason', sa.Text(), nullable=False),
        sa.Column('assessed_on', sa.Date(), nullable=True),
        sa.Column('assessed_by', sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_entries_campaign_id_campaigns'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['negative_item_id'], ['campaign_negative_items.id'], name=op.f('fk_campaign_entries_negative_item_id_campaign_negative_items'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['opinion_id'], ['opinions.id'], name=op.f('fk_campaign_entries_opinion_id_opinions'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('opinion_id', name=op.f('pk_campaign_entries')),
    )
    op.create_index(op.f('ix_campaign_entries_campaign_id'), 'campaign_entries', ['campaign_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_campaign_entries_campaign_id'), table_name='campaign_entries')
    op.drop_table('campaign_entries')
    op.drop_index(op.f('ix_campaign_negative_items_campaign_id'), table_name='campaign_negative_items')
    op.drop_table('campaign_negative_items')
    op.drop_index(op.f('ix_campaigns_jurisdiction_id'), table_name='campaigns')
    op.drop_table('campaigns')
