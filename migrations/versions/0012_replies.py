"""invitations: where an answer came from, the SEQUENCE last sent to each person, a guest's job apart from the
name; calendar_replies: the emails read from the organizer's mailbox (one per Message-ID)

Revision ID: 0012_replies
Revises: 0011
Create Date: 2026-12-04 14:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_replies'
down_revision = '0011'
branch_labels = None
depends_on = None

invitations = sa.table('invitations', sa.column('id', sa.Integer), sa.column('meeting_id', sa.Integer),
                       sa.column('rsvp', sa.String), sa.column('rsvp_source', sa.String),
                       sa.column('sent_at', sa.DateTime), sa.column('ical_sequence', sa.Integer),
                       sa.column('guest_name', sa.String), sa.column('guest_job', sa.String))
meetings = sa.table('meetings', sa.column('id', sa.Integer), sa.column('kind', sa.String),
                    sa.column('ical_sequence', sa.Integer))


def upgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('guest_job', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('rsvp_source', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('ical_sequence', sa.Integer(), server_default='0', nullable=False))

    op.create_table('calendar_replies',
    sa.Column('message_key', sa.String(length=255), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('processed_at', sa.DateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitations.id'], name=op.f('fk_calendar_replies_invitation_id_invitations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_replies')),
    sa.UniqueConstraint('message_key', name=op.f('uq_calendar_replies_message_key'))
    )
    with op.batch_alter_table('calendar_replies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_replies_invitation_id'), ['invitation_id'], unique=False)

    # Existing rows. Everyone who was sent the invitation holds the meeting's current SEQUENCE.
    op.execute(invitations.update().where(invitations.c.sent_at.is_not(None)).values(
        ical_sequence=sa.select(meetings.c.ical_sequence).where(meetings.c.id == invitations.c.meeting_id)
        .scalar_subquery()))
    # A training's place is taken on the site; other past answers came from the link or the site, not recorded.
    op.execute(invitations.update().where(invitations.c.rsvp != 'pending', invitations.c.meeting_id.in_(
        sa.select(meetings.c.id).where(meetings.c.kind == 'training'))).values(rsvp_source='site'))
    # Guests were entered as « Nom, fonction » in one field: the job moves to its own column.
    connection = op.get_bind()
    rows = connection.execute(sa.select(invitations.c.id, invitations.c.guest_name)
                              .where(invitations.c.guest_name.like('%,%'))).all()
    for row_id, guest_name in rows:
        name, _, job = guest_name.partition(',')
        if name.strip() and job.strip():
            connection.execute(invitations.update().where(invitations.c.id == row_id)
                               .values(guest_name=name.strip(), guest_job=job.strip()[:200]))


def downgrade():
    connection = op.get_bind()
    rows = connection.execute(sa.select(invitations.c.id, invitations.c.guest_name, invitations.c.guest_job)
                              .where(invitations.c.guest_job.is_not(None))).all()
    for row_id, guest_name, guest_job in rows:
        connection.execute(invitations.update().where(invitations.c.id == row_id)
                           .values(guest_name=f"{guest_name}, {guest_job}"[:200]))

    with op.batch_alter_table('calendar_replies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_replies_invitation_id'))

    op.drop_table('calendar_replies')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_column('ical_sequence')
        batch_op.drop_column('rsvp_source')
        batch_op.drop_column('guest_job')
