"""progress reports: the reason of a correction that lowers reported spending

Revision ID: 7c3d2e1f0a9b
Revises: 7c3f9a2e1b40 (the jobs table)
Create Date: 2026-12-04 19:05:00

Spending is cumulative: a report states each source's total spent so far. A report that
lowers a source's total says why (a correction), and the project's history shows it.
"""
from alembic import op
import sqlalchemy as sa


revision = '7c3d2e1f0a9b'
down_revision = '7c3f9a2e1b40'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('progress_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('correction', sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table('progress_reports', schema=None) as batch_op:
        batch_op.drop_column('correction')
