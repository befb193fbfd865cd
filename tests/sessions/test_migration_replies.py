"""Migration 0012_replies keeps the data: the SEQUENCE already sent, a training place's origin, a guest's job
moved out of the name (and back on downgrade)."""

from datetime import date, datetime

from flask_migrate import downgrade, upgrade
from sqlalchemy import Boolean, Date, DateTime, Integer, MetaData, select

from network.extensions import db
from tests.test_migrations import migration_app, migration_database_url  # noqa: F401 (fixtures)

WHEN = datetime(2027, 6, 15, 7, 30)


def _insert(table_name: str, **values) -> int:
    """A row with the given values; other required columns get a plain value of their type."""
    table = MetaData()
    table.reflect(bind=db.session.connection(), only=[table_name])
    table = table.tables[table_name]
    for column in table.columns:
        if column.name in values or column.nullable or column.primary_key or column.server_default is not None:
            continue
        values[column.name] = (False if isinstance(column.type, Boolean) else date(2024, 1, 1)
                               if isinstance(column.type, Date) else WHEN if isinstance(column.type, DateTime)
                               else 0 if isinstance(column.type, Integer) else f"{column.name}-{table_name}")
    return db.session.execute(table.insert().values(**values)).inserted_primary_key[0]


def _invitations() -> dict[int, tuple]:
    table = MetaData()
    table.reflect(bind=db.session.connection(), only=["invitations"])
    invitations = table.tables["invitations"]
    columns = [invitations.c.id, invitations.c.guest_name]
    if "guest_job" in invitations.c:
        columns += [invitations.c.guest_job, invitations.c.rsvp_source, invitations.c.ical_sequence]
    rows = {row[0]: tuple(row[1:]) for row in db.session.execute(select(*columns))}
    db.session.commit()  # PostgreSQL: an open read would block the next migration's ALTER TABLE
    return rows


def test_migration_0012_keeps_sequences_origins_and_guest_jobs(migration_app):  # noqa: F811
    upgrade(revision="0011")
    network = _insert("networks", slug="reseau-62", name="Réseau 62", department_code="62",
                      mailbox_email="reseau62@example.test", is_active=True, created_at=WHEN)
    member = _insert("members", network_id=network, email="ines@example.test", first_name="Inès",
                     last_name="Lemaire", role="coordinator", is_active=True, created_at=WHEN)
    quarterly = _insert("meetings", network_id=network, kind="quarterly", title="Rencontre", starts_at=WHEN,
                        ends_at=WHEN.replace(hour=14), status="invited", ical_uid="q@test", ical_sequence=2,
                        created_at=WHEN)
    training = _insert("meetings", network_id=network, kind="training", title="Formation", starts_at=WHEN,
                       ends_at=WHEN.replace(hour=14), status="invited", ical_uid="t@test", ical_sequence=1,
                       created_at=WHEN)
    sent = _insert("invitations", meeting_id=quarterly, member_id=member, rsvp="yes", sent_at=WHEN)
    guest = _insert("invitations", meeting_id=quarterly, guest_email="marie@cias.test",
                    guest_name="Marie Durand, directrice du CIAS", rsvp="pending")
    plain_guest = _insert("invitations", meeting_id=quarterly, guest_email="paul@partenaire.test",
                          guest_name="Paul Martin", rsvp="pending", sent_at=WHEN)
    place = _insert("invitations", meeting_id=training, member_id=member, rsvp="yes", sent_at=WHEN)
    db.session.commit()

    upgrade(revision="0012_replies")
    assert _invitations() == {
        sent: (None, None, None, 2),  # a past answer on a quarterly meeting: its origin was not recorded
        guest: ("Marie Durand", "directrice du CIAS", None, 0),
        plain_guest: ("Paul Martin", None, None, 2),
        place: (None, None, "site", 1),
    }

    downgrade(revision="0011")
    assert _invitations() == {sent: (None,), guest: ("Marie Durand, directrice du CIAS",),
                              plain_guest: ("Paul Martin",), place: (None,)}
