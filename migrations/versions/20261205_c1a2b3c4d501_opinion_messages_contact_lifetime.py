"""messages to citizens (outbox) and the lifetime of their contact details

Revision ID: c1a2b3c4d501
Revises: b48f3b5c8e04 (jurisdictions' rules of the vote)
Create Date: 2026-12-05 01:00:00

A citizen who left a phone and agreed gets a short message when their opinion moves a step:
the message waits in an outbox (the opinion's id and the text, never the phone) until a
worker sends it. Names and phones are erased a set time after an opinion is archived, or at
once at the citizen's request; the day is kept, the data not.
"""
from alembic import op
import sqlalchemy as sa


revision = 'c1a2b3c4d501'
down_revision = 'b48f3b5c8e04'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE … ADD COLUMN on both databases: a batch may rebuild the opinions
    # table on SQLite, and the rows that point to it (opinion_deputies, …) would go with it.
    op.add_column(
        'opinions',
        sa.Column('notify_consent', sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column('opinions', sa.Column('contact_erased_on', sa.Date(), nullable=True))
    op.create_table(
        'outbox_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('opinion_id', sa.Integer(), nullable=False),
        sa.Column('idempotency_id', sa.String(length=36), nullable=False),
        sa.Column('step', sa.String(length=20), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
        sa.Column('lease_until', sa.DateTime(), nullable=True),
        sa.Column('claim', sa.String(length=32), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['opinion_id'], ['opinions.id'], name=op.f('fk_outbox_messages_opinion_id_opinions'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages')),
        sa.UniqueConstraint('idempotency_id', name=op.f('uq_outbox_messages_idempotency_id')),
    )
    op.create_index(op.f('ix_outbox_messages_opinion_id'), 'outbox_messages', ['opinion_id'], unique=False)
    op.create_index('ix_outbox_messages_state_next', 'outbox_messages', ['state', 'next_attempt_at'], unique=False)


def downgrade():
    op.drop_index('ix_outbox_messages_state_next', table_name='outbox_messages')
    op.drop_index(op.f('ix_outbox_messages_opinion_id'), table_name='outbox_messages')
    op.drop_table('outbox_messages')
    with op.batch_alter_table('opinions') as batch:
        batch.drop_column('contact_erased_on')
        batch.drop_column('notify_consent')
