from sqlalchemy import func, select

from network.codev.enums import CaseState, Outcome
from network.codev.models import Case, SubgroupMember
from network.demo import seed_demo
from network.members.models import Member


def test_demo_has_cases_in_every_state_and_every_outcome(db):
    seed_demo()
    db.session.commit()
    states = set(db.session.scalars(select(Case.state).distinct()))
    outcomes = set(db.session.scalars(select(Case.outcome).where(Case.outcome.is_not(None)).distinct()))
    assert states == set(CaseState)
    assert outcomes == set(Outcome)
    sophie = db.session.scalars(select(Member).where(Member.email == "coordinatrice@example.org")).one()
    roles = set(db.session.scalars(select(SubgroupMember.role).where(SubgroupMember.member_id == sophie.id)))
    assert roles == {"client", "consultant"}
    per_meeting = db.session.execute(select(SubgroupMember.meeting_id, func.count()).group_by(
        SubgroupMember.meeting_id)).all()
    assert [count for _, count in per_meeting] == [18, 18]


def test_demo_subgroups_are_approved_so_their_members_read_the_cases(db):
    seed_demo()
    db.session.commit()
    pending = db.session.scalar(select(func.count(SubgroupMember.id)).where(SubgroupMember.approved_at.is_(None)))
    seats = db.session.scalar(select(func.count(SubgroupMember.id)))
    assert (seats, pending) == (36, 0)
