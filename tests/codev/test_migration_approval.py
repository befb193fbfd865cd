"""Migration 0012_codev_approval keeps existing subgroups: seats of worked cases and the client's own seat count
as approved (when their subgroup was composed); the other seats of cases still to be worked wait for the client."""

from datetime import UTC, datetime

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from network.codev.enums import CaseState
from network.codev.models import Subgroup
from network.extensions import db
from tests import factories
from tests.codev import factories as codev_factories
from tests.test_migrations import migration_app, migration_database_url  # noqa: F401 (fixtures)

BEFORE = "0012_membership_history"  # the revision migration 0012_codev_approval revises

COMPOSED = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def _subgroup_at_0011(case, meeting, seats) -> None:
    subgroup = Subgroup(meeting_id=meeting.id, case_id=case.id, created_at=COMPOSED)
    db.session.add(subgroup)
    db.session.flush()
    for member, role in seats:  # the ORM model has approved_at, which 0011 does not have
        db.session.execute(text("INSERT INTO codev_subgroup_members (subgroup_id, meeting_id, member_id, role) "
                                "VALUES (:subgroup, :meeting, :member, :role)"),
                           {"subgroup": subgroup.id, "meeting": meeting.id, "member": member.id, "role": role})
    db.session.commit()


def test_existing_seats_are_approved_when_worked_and_pending_otherwise(migration_app):  # noqa: F811
    upgrade(revision=BEFORE)
    network = factories.create_network()
    people = [factories.create_member(network=network) for _ in range(6)]
    held = codev_factories.create_meeting(network, days_from_now=-30, status="held")
    coming = codev_factories.create_meeting(network, days_from_now=30)
    worked = codev_factories.create_case(people[0], state=CaseState.WORKED, meeting=held)
    selected = codev_factories.create_case(people[3], state=CaseState.SELECTED, meeting=coming)
    _subgroup_at_0011(worked, held, [(people[0], "client"), (people[1], "animator"), (people[2], "consultant")])
    _subgroup_at_0011(selected, coming, [(people[3], "client"), (people[4], "animator"), (people[5], "consultant")])

    upgrade()

    rows = db.session.execute(text("SELECT member_id, approved_at FROM codev_subgroup_members ORDER BY member_id"))
    approved = {member_id: value for member_id, value in rows}
    composed = str(COMPOSED.replace(tzinfo=None))
    assert {member_id: str(value)[:19] if value else None for member_id, value in approved.items()} == {
        people[0].id: composed, people[1].id: composed, people[2].id: composed,
        people[3].id: composed, people[4].id: None, people[5].id: None}
    db.session.commit()  # end the reads: on PostgreSQL the downgrade's DROP TABLE would wait for their locks
    downgrade(revision=BEFORE)
    assert "approved_at" not in {column["name"] for column in db.inspect(db.engine).get_columns("codev_subgroup_members")}
