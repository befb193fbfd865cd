from datetime import date

from sqlalchemy import func, select

from network.demo.national import seed_national
from network.members.models import Member
from network.sessions.models import Attendance, Invitation, Meeting


def test_national_seed_creates_the_requested_volumes(db):
    scale = seed_national(today=date(2031, 11, 22), networks=3, members_per_network=10, years=2,
                          invited_per_meeting=8)
    db.session.commit()

    assert scale.counts == {"networks": 3, "members": 30, "meetings": 24, "invitations": 192, "attendances": 168}
    assert db.session.scalar(select(func.count(Member.id))) == 30
    assert db.session.scalar(select(func.count(Meeting.id))) == 24
    assert db.session.scalar(select(func.count(Invitation.id))) == 192
    # 2030 (4) and 2031 Q1–Q3 (3) are past in each network: 7 × 3 meetings × 8 invited.
    assert db.session.scalar(select(func.count(Attendance.id))) == 168
