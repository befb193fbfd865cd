"""National-scale data set (DESIGN.md §5): 100 networks, 5,000 members, 10 years of quarterly
meetings (4,000 meetings, ~150,000 invitations and attendances). Bulk inserts keep it fast;
features add their own volumes (CODEV cases, ballots) through NATIONAL_EXTENSIONS."""

import random
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select

from network.demo.departments import DEPARTMENTS
from network.demo.members import DEMO_PASSWORD
from network.extensions import db
from network.members.enums import InstitutionKind, Role
from network.members.models import Institution, Member, Network, Territory
from network.members.passwords import hash_password
from network.sessions.enums import AttendanceStatus, MeetingKind, MeetingStatus, Rsvp
from network.sessions.models import Attendance, Invitation, Meeting

NETWORKS = 100
MEMBERS_PER_NETWORK = 50
YEARS = 10
INVITED_PER_MEETING = 38  # 4,000 meetings × 38 ≈ 150,000 invitations
CHUNK = 5_000
FIRST_NAMES = ["Claire", "Julien", "Sophie", "Thomas", "Inès", "Marc", "Nadia", "Pierre", "Lucie", "Antoine",
               "Camille", "Hugo", "Emma", "Louis", "Manon", "Romain", "Julie", "Olivier", "Sarah", "Kévin"]
LAST_NAMES = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
              "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier"]


@dataclass
class NationalScale:
    networks: list[int] = field(default_factory=list)
    members_by_network: dict[int, list[int]] = field(default_factory=dict)
    facilitators_by_network: dict[int, list[int]] = field(default_factory=dict)
    past_meetings: list[tuple[int, int, datetime]] = field(default_factory=list)  # (meeting, network, starts_at)
    counts: dict[str, int] = field(default_factory=dict)


def _bulk(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(model), rows[start:start + CHUNK])


def _paris_morning(day: date) -> datetime:
    # 09:30 Paris is 07:30Z in summer, 08:30Z in winter; close enough for a data set: use 08:00Z.
    return datetime(day.year, day.month, day.day, 8, 0, tzinfo=UTC)


def seed_national(*, today: date | None = None, rng: random.Random | None = None, networks: int = NETWORKS,
                  members_per_network: int = MEMBERS_PER_NETWORK, years: int = YEARS,
                  invited_per_meeting: int = INVITED_PER_MEETING) -> NationalScale:
    today = today or date.today()
    rng = rng or random.Random(2026)
    scale = NationalScale()
    password_hash = hash_password(DEMO_PASSWORD)
    first_year = today.year - years + 1

    _bulk(Network, [
        {"slug": f"dep-{code.lower()}", "name": f"Réseau des chargés de coopération — {name}",
         "department_code": code, "mailbox_email": f"reseau.ctg{code.lower()}@example.org", "is_active": True,
         "created_at": datetime.now(UTC)}
        for code, name in DEPARTMENTS[:networks]
    ])
    network_rows = db.session.execute(
        select(Network.id, Network.department_code).where(Network.slug.like("dep-%"))).all()
    scale.networks = [network_id for network_id, _ in network_rows]

    institution_rows, territory_rows = [], []
    for network_id, code in network_rows:
        institution_rows += [
            {"network_id": network_id, "name": f"Caf ({code})", "kind": InstitutionKind.CAF},
            {"network_id": network_id, "name": f"MSA ({code})", "kind": InstitutionKind.MSA},
        ] + [{"network_id": network_id, "name": f"Communauté de communes {code}-{n}",
              "kind": InstitutionKind.COLLECTIVITE} for n in range(1, 4)]
        territory_rows += [{"network_id": network_id, "name": f"CC {code}-{n}", "siren": None} for n in range(1, 4)]
    _bulk(Institution, institution_rows)
    _bulk(Territory, territory_rows)
    institutions = {}
    for institution_id, network_id, kind in db.session.execute(
            select(Institution.id, Institution.network_id, Institution.kind).where(Institution.network_id.in_(scale.networks))):
        institutions.setdefault((network_id, kind), []).append(institution_id)
    territories = {}
    for territory_id, network_id in db.session.execute(
            select(Territory.id, Territory.network_id).where(Territory.network_id.in_(scale.networks))):
        territories.setdefault(network_id, []).append(territory_id)

    member_rows = []
    for network_id, code in network_rows:
        for n in range(members_per_network):
            role = Role.FACILITATOR if n < 2 else Role.COORDINATOR
            kind = (InstitutionKind.CAF, InstitutionKind.MSA)[n] if n < 2 else InstitutionKind.COLLECTIVITE
            member_rows.append({
                "network_id": network_id, "email": f"membre{n:02d}.{code.lower()}@example.org",
                "first_name": rng.choice(FIRST_NAMES), "last_name": rng.choice(LAST_NAMES), "role": role,
                "institution_id": rng.choice(institutions[(network_id, kind)]),
                "territory_id": None if n < 2 else rng.choice(territories[network_id]),
                "is_associated_operator": n % 17 == 5, "is_active": True, "password_hash": password_hash,
                "joined_on": date(first_year, 1, 1), "calendar_token": secrets.token_urlsafe(24),
                "created_at": datetime.now(UTC), "job_title": "Chargé·e de coopération CTG",
            })
    _bulk(Member, member_rows)
    for member_id, network_id, role in db.session.execute(
            select(Member.id, Member.network_id, Member.role).where(Member.network_id.in_(scale.networks))
            .order_by(Member.id)):
        scale.members_by_network.setdefault(network_id, []).append(member_id)
        if role == Role.FACILITATOR:
            scale.facilitators_by_network.setdefault(network_id, []).append(member_id)

    meeting_rows = []
    for network_id in scale.networks:
        caf, msa = scale.facilitators_by_network[network_id]
        for year in range(first_year, today.year + 1):
            for quarter, month in enumerate((3, 6, 9, 12), start=1):
                starts_at = _paris_morning(date(year, month, 10 + rng.randrange(8)))
                past = starts_at.date() < today
                meeting_rows.append({
                    "network_id": network_id, "kind": MeetingKind.QUARTERLY,
                    "title": f"Rencontre trimestrielle T{quarter} {year}", "starts_at": starts_at,
                    "ends_at": starts_at + timedelta(hours=6, minutes=30),
                    "status": MeetingStatus.CLOSED if past else MeetingStatus.INVITED,
                    "caf_facilitator_id": caf, "msa_facilitator_id": msa, "ical_uid": f"{uuid.uuid4()}@reseau",
                    "ical_sequence": 0, "created_at": datetime.now(UTC),
                })
    _bulk(Meeting, meeting_rows)

    invitation_rows, attendance_rows = [], []
    meetings = db.session.execute(
        select(Meeting.id, Meeting.network_id, Meeting.starts_at).where(Meeting.network_id.in_(scale.networks))).all()
    statuses = [AttendanceStatus.PRESENT] * 7 + [AttendanceStatus.PARTIAL, AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT]
    for meeting_id, network_id, starts_at in meetings:
        invited = rng.sample(scale.members_by_network[network_id], invited_per_meeting)
        past = starts_at.date() < today
        if past:
            scale.past_meetings.append((meeting_id, network_id, starts_at))
        for member_id in invited:
            rsvp = rng.choice((Rsvp.YES, Rsvp.YES, Rsvp.YES, Rsvp.NO, Rsvp.EXCUSED, Rsvp.PENDING))
            invitation_rows.append({"meeting_id": meeting_id, "member_id": member_id, "rsvp": rsvp,
                                    "sent_at": starts_at - timedelta(days=30)})
            if past:
                attendance_rows.append({"meeting_id": meeting_id, "member_id": member_id,
                                        "status": rng.choice(statuses), "recorded_at": starts_at})
    _bulk(Invitation, invitation_rows)
    _bulk(Attendance, attendance_rows)
    scale.counts = {"networks": len(scale.networks), "members": len(member_rows), "meetings": len(meeting_rows),
                    "invitations": len(invitation_rows), "attendances": len(attendance_rows)}
    for extend in NATIONAL_EXTENSIONS:
        scale.counts.update(extend(scale, rng=rng, today=today))
    return scale


# Features register callables (scale, *, rng, today) -> {name: count} to add their own volumes.
NATIONAL_EXTENSIONS: list = []
