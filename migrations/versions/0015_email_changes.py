"""email_changes: a member's email address changes only with their approval (issue #14 §1)

Revision ID: 0012_email_changes
Revises: 0012_codev_approval
Create Date: 2026-12-04 14:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_email_changes'
down_revision = '0012_codev_approval'
branch_labels = None
depends_on = None

OPEN_WHERE = "status IN ('awaiting_approval', 'awaiting_verification', 'scheduled')"


def upgrade():
    op.create_table('email_changes',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('old_email', sa.String(length=320), nullable=False),
    sa.Column('new_email', sa.String(length=320), nullable=False),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('effective_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_email_changes_member_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['members.id'], name=op.f('fk_email_changes_requested_by_id_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_changes'))
    )
    with op.batch_alter_table('email_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_email_changes_member_id'), ['member_id'], unique=False)
        batch_op.create_index('ix_email_changes_status_effective', ['status', 'effective_at'], unique=False)
        batch_op.create_index('ux_email_changes_open_member', ['member_id'], unique=True,
                              sqlite_where=sa.text(OPEN_WHERE), postgresql_where=sa.text(OPEN_WHERE))


def downgrade():
    with op.batch_alter_table('email_changes', schema=None) as batch_op:
        batch_op.drop_index('ux_email_changes_open_member', sqlite_where=sa.text(OPEN_WHERE),
                            postgresql_where=sa.text(OPEN_WHERE))
        batch_op.drop_index('ix_email_changes_status_effective')
        batch_op.drop_index(batch_op.f('ix_email_changes_member_id'))

    op.drop_table('email_changes')
