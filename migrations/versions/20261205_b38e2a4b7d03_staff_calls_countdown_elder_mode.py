"""calls for staff, a vote's time limit, the deputies' elder mode

Revision ID: b38e2a4b7d03
Revises: b28d1f3a6c02
Create Date: 2026-12-05 01:00:00

A deputy's tablet calls the staff to the seat (staff_calls: one open call per deputy); opening
a vote may set a time limit (votes.closes_at: a countdown, nothing closes by itself); each
deputy's tablet text size and high contrast (长辈模式) are kept with the deputy.
"""
from alembic import op
import sqlalchemy as sa


revision = 'b38e2a4b7d03'
down_revision = 'b28d1f3a6c02'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'staff_calls',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('deputy_id', sa.Integer(), nullable=False),
        sa.Column('made_at', sa.DateTime(), nullable=False),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.Column('cancelled_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_staff_calls_answered_by_id_users')),
        sa.ForeignKeyConstraint(['deputy_id'], ['deputies.id'], name=op.f('fk_staff_calls_deputy_id_deputies')),
        sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_staff_calls_session_id_sessions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_calls')),
    )
    op.create_index(op.f('ix_staff_calls_session_id'), 'staff_calls', ['session_id'], unique=False)
    op.create_index(
        'uq_staff_calls_one_open_per_deputy',
        'staff_calls',
        ['deputy_id'],
        unique=True,
        sqlite_where=sa.text('answered_at IS NULL AND cancelled_at IS NULL'),
        postgresql_where=sa.text('answered_at IS NULL AND cancelled_at IS NULL'),
    )
    # Plain ALTER TABLE … ADD COLUMN on both databases: a batch would rebuild the votes and
    # deputies tables on SQLite, which the rows of other tables point to.
    op.add_column('votes', sa.Column('closes_at', sa.DateTime(), nullable=True))
    op.add_column(
        'deputies',
        sa.Column('text_size', sa.String(length=10), nullable=False, server_default='standard'),
    )
    op.add_column(
        'deputies',
        sa.Column('high_contrast', sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade():
    with op.batch_alter_table('deputies', schema=None) as batch_op:
        batch_op.drop_column('high_contrast')
        batch_op.drop_column('text_size')
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.drop_column('closes_at')
    op.drop_index('uq_staff_calls_one_open_per_deputy', table_name='staff_calls')
    op.drop_index(op.f('ix_staff_calls_session_id'), table_name='staff_calls')
    op.drop_table('staff_calls')
