"""votes: a practice ballot (试投票)

Revision ID: 9a4e6b2c8d15
Revises: 7c3d2e1f0a9b (progress reports' corrections)
Create Date: 2026-12-04 22:00:00

A practice vote tests every tablet before the first real vote: cast through the same path,
never counted, published or registered; its only result is who cast and who did not.
"""
from alembic import op
import sqlalchemy as sa


revision = '9a4e6b2c8d15'
down_revision = '7c3d2e1f0a9b'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ALTER TABLE … ADD COLUMN on both databases: a batch would rebuild the votes
    # table on SQLite, which the rows of other tables point to.
    op.add_column(
        'votes', sa.Column('practice', sa.Boolean(), nullable=False, server_default=sa.false())
    )


def downgrade():
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.drop_column('practice')
