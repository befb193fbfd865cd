"""topic_votes: when the facilitators were told a round reached its deadline

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22 22:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('topic_votes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('close_notice_sent_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('topic_votes', schema=None) as batch_op:
        batch_op.drop_column('close_notice_sent_at')
