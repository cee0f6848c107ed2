"""votes: the ballot box's public key; ballots' marks wide enough to hold them sealed

Revision ID: 5e1c0b7a9d21
Revises: 4928bec6ac1e
Create Date: 2026-12-04 19:30:00

A vote opened before this revision has no box key: its ballots were cast in the clear and
its close reads them as before. A sealed ballot of 500 positions takes 732 characters.
"""
from alembic import op
import sqlalchemy as sa


revision = '5e1c0b7a9d21'
down_revision = '4928bec6ac1e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('box_key', sa.String(length=64), nullable=True))
    # SQLite: the table is rebuilt, and must stay WITHOUT ROWID (see the Ballot model).
    with op.batch_alter_table(
        'ballots', schema=None, table_kwargs={'sqlite_with_rowid': False}
    ) as batch_op:
        batch_op.alter_column(
            'marks', existing_type=sa.String(length=500), type_=sa.String(length=800)
        )


def downgrade():
    with op.batch_alter_table(
        'ballots', schema=None, table_kwargs={'sqlite_with_rowid': False}
    ) as batch_op:
        batch_op.alter_column(
            'marks', existing_type=sa.String(length=800), type_=sa.String(length=500)
        )
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.drop_column('box_key')
