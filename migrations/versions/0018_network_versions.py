"""network versions: one number per network, raised by the writes of that network only, in place of the data
version that every write of the deployment raised (the workers' result caches key on them)

Each network starts at the old data version (its results were kept under that number); the downgrade gives the
data version back the highest network version.

Revision ID: 0018_network_versions
Revises: 0012_resources
Create Date: 2026-12-04 17:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_network_versions'
down_revision = '0012_resources'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('network_versions',
    sa.Column('network_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('network_id', name=op.f('pk_network_versions'))
    )
    op.execute("INSERT INTO network_versions (network_id, version) "
               "SELECT networks.id, COALESCE((SELECT MAX(version) FROM data_versions), 0) FROM networks")
    op.drop_table('data_versions')


def downgrade():
    op.create_table('data_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_versions'))
    )
    op.execute("INSERT INTO data_versions (id, version) "
               "SELECT 1, COALESCE((SELECT MAX(version) FROM network_versions), 0)")
    op.drop_table('network_versions')
