"""public portal: project refs and categories, public data generation

Revision ID: 4928bec6ac1e
Revises: b6a2629a6ad3
Create Date: 2026-11-22 22:35:57.231833

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4928bec6ac1e'
down_revision = 'b6a2629a6ad3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ref', sa.String(length=48), nullable=True))
        batch_op.add_column(
            sa.Column('category', sa.String(length=20), nullable=False, server_default='other')
        )
    # Existing projects get their readable id: year, jurisdiction code, number in that year.
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT p.id, p.year, j.code FROM projects p JOIN jurisdictions j "
            "ON j.id = p.jurisdiction_id ORDER BY p.jurisdiction_id, p.year, p.id"
        )
    ).all()
    seen = {}
    for pid, year, code in rows:
        seen[(code, year)] = seen.get((code, year), 0) + 1
        conn.execute(
            sa.text("UPDATE projects SET ref = :ref WHERE id = :id"),
            {"ref": f"{year}-{code}-{seen[(code, year)]:02d}", "id": pid},
        )
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.alter_column('ref', existing_type=sa.String(length=48), nullable=False)
        batch_op.alter_column('category', existing_type=sa.String(length=20), server_default=None)
        batch_op.create_unique_constraint(batch_op.f('uq_projects_ref'), ['ref'])

    op.create_table(
        'public_generation',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('n', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_public_generation')),
    )
    op.execute("INSERT INTO public_generation (id, n) VALUES (1, 0)")


def downgrade():
    op.drop_table('public_generation')
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_projects_ref'), type_='unique')
        batch_op.drop_column('category')
        batch_op.drop_column('ref')
