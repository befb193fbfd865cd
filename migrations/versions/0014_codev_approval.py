"""CODEV: the client approves their subgroup's composition (per seat), and its history

Revision ID: 0012_codev_approval
Revises: 0012_membership_history
Create Date: 2026-12-04 14:45:00

Existing seats: the client's own seat and the seats of cases already worked (the workshop took place) count
as approved when their subgroup was composed; the other seats of cases still awaiting their workshop wait for
the client's approval, as every composition does from now on.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_codev_approval'
down_revision = '0012_membership_history'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('codev_subgroup_members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approved_at', sa.DateTime(), nullable=True))

    op.execute(
        "UPDATE codev_subgroup_members SET approved_at = "
        "(SELECT codev_subgroups.created_at FROM codev_subgroups WHERE codev_subgroups.id = codev_subgroup_members.subgroup_id) "
        "WHERE role = 'client' OR subgroup_id IN (SELECT codev_subgroups.id FROM codev_subgroups "
        "JOIN codev_cases ON codev_cases.id = codev_subgroups.case_id "
        "WHERE codev_cases.state IN ('worked', 'followed_up', 'closed'))")

    op.create_table('codev_subgroup_events',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=12), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['members.id'], name=op.f('fk_codev_subgroup_events_actor_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['case_id'], ['codev_cases.id'], name=op.f('fk_codev_subgroup_events_case_id_codev_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_codev_subgroup_events_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_codev_subgroup_events'))
    )
    with op.batch_alter_table('codev_subgroup_events', schema=None) as batch_op:
        batch_op.create_index('ix_codev_subgroup_events_case', ['case_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_codev_subgroup_events_member_id'), ['member_id'], unique=False)


def downgrade():
    with op.batch_alter_table('codev_subgroup_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_codev_subgroup_events_member_id'))
        batch_op.drop_index('ix_codev_subgroup_events_case')

    op.drop_table('codev_subgroup_events')
    with op.batch_alter_table('codev_subgroup_members', schema=None) as batch_op:
        batch_op.drop_column('approved_at')
