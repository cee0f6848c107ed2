"""scrutineers, tellers and their confirmations of each vote's record

Revision ID: b18c0a1e5f01
Revises: 9a4e6b2c8d15 (the practice ballot)
Create Date: 2026-12-05 00:30:00

A session's scrutineers (监票人) confirm each vote's record by signing its exact bytes with a
key of their own device; publication waits for the number the session requires. Tellers
(计票人) are the staff who count paper.
"""
from alembic import op
import sqlalchemy as sa


revision = 'b18c0a1e5f01'
down_revision = '9a4e6b2c8d15'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'scrutiny',
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('required', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_scrutiny_session_id_sessions')),
        sa.PrimaryKeyConstraint('session_id', name=op.f('pk_scrutiny')),
    )
    op.create_table(
        'scrutineers',
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('deputy_id', sa.Integer(), nullable=False),
        sa.Column('public_key', sa.String(length=64), nullable=True),
        sa.Column('key_fingerprint', sa.String(length=64), nullable=True),
        sa.Column('key_registered_at', sa.DateTime(), nullable=True),
        sa.Column('pending_key', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['deputy_id'], ['deputies.id'], name=op.f('fk_scrutineers_deputy_id_deputies')),
        sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_scrutineers_session_id_sessions')),
        sa.PrimaryKeyConstraint('session_id', 'deputy_id', name=op.f('pk_scrutineers')),
    )
    op.create_table(
        'tellers',
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_tellers_session_id_sessions')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_tellers_user_id_users')),
        sa.PrimaryKeyConstraint('session_id', 'user_id', name=op.f('pk_tellers')),
    )
    op.create_table(
        'confirmations',
        sa.Column('vote_id', sa.Integer(), nullable=False),
        sa.Column('deputy_id', sa.Integer(), nullable=False),
        sa.Column('public_key', sa.String(length=64), nullable=False),
        sa.Column('signature', sa.String(length=100), nullable=False),
        sa.Column('confirmed_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['deputy_id'], ['deputies.id'], name=op.f('fk_confirmations_deputy_id_deputies')),
        sa.ForeignKeyConstraint(['vote_id'], ['votes.id'], name=op.f('fk_confirmations_vote_id_votes')),
        sa.PrimaryKeyConstraint('vote_id', 'deputy_id', name=op.f('pk_confirmations')),
    )


def downgrade():
    op.drop_table('confirmations')
    op.drop_table('tellers')
    op.drop_table('scrutineers')
    op.drop_table('scrutiny')
