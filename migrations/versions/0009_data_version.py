"""data version: one row raised by every committed write, for the workers' caches

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 18:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    data_versions = op.create_table('data_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_versions'))
    )
    op.bulk_insert(data_versions, [{'id': 1, 'version': 0}])


def downgrade():
    op.drop_table('data_versions')
