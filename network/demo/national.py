"""National-scale data set (DESIGN.md §5): 100 networks, 5,000 members, 10 years of quarterly
meetings (4,000 meetings, ~150,000 invitations and attendances), 20,000 CODEV cases and ~50,000
ballots. Bulk Core inserts keep it fast; the cases and the vote rounds are NATIONAL_EXTENSIONS."""

import random
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select

from network.codev.enums import CaseState, CaseType, Outcome, Theme
from network.codev.models import Case, CaseFollowUp, CaseRecord
from network.demo.departments import DEPARTMENTS
from network.demo.members import DEMO_PASSWORD
from network.extensions import db
from network.members.enums import InstitutionKind, Role
from network.members.history import open_missing_first_periods
from network.members.models import Institution, Member, Network, Territory
from network.members.passwords import hash_password
from network.resources.demo import seed_national_resources
from network.sessions.enums import AttendanceStatus, MeetingKind, MeetingStatus, Rsvp
from network.sessions.models import Attendance, Invitation, Meeting
from network.topics.enums import DEFAULT_MAX_PER_TOPIC, TopicStatus, VoteStatus
from network.topics.models import Ballot, BallotPoint, Topic, TopicVote, TopicVoteCandidate

NETWORKS = 100
MEMBERS_PER_NETWORK = 50
YEARS = 10
INVITED_PER_MEETING = 38  # 4,000 meetings × 38 ≈ 150,000 invitations
CASES_PER_NETWORK = 200  # 100 networks × 200 = 20,000 CODEV cases
WORKED_PER_MEETING = 3  # cases worked at each past quarterly meeting (one per subgroup)
BALLOTS_PER_ROUND = 13  # ~3,900 past meetings × 13 ≈ 50,000 ballots
CANDIDATES_PER_ROUND = 4
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
    future_meetings: list[tuple[int, int, datetime]] = field(default_factory=list)
    invited_by_meeting: dict[int, list[int]] = field(default_factory=dict)
    cases_per_network: int = CASES_PER_NETWORK
    ballots_per_round: int = BALLOTS_PER_ROUND
    counts: dict[str, int] = field(default_factory=dict)


def _bulk(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(model), rows[start:start + CHUNK])


def _paris_morning(day: date) -> datetime:
    # 09:30 Paris is 07:30Z in summer, 08:30Z in winter; close enough for a data set: use 08:00Z.
    return datetime(day.year, day.month, day.day, 8, 0, tzinfo=UTC)


def seed_national(*, today: date | None = None, rng: random.Random | None = None, networks: int = NETWORKS,
                  members_per_network: int = MEMBERS_PER_NETWORK, years: int = YEARS,
                  invited_per_meeting: int = INVITED_PER_MEETING, cases_per_network: int = CASES_PER_NETWORK,
                  ballots_per_round: int = BALLOTS_PER_ROUND, with_history: bool = True,
                  extensions: list | None = None) -> NationalScale:
    """with_history=False leaves out the membership periods (the data as it stood before migration 0012, for the
    migration's test); `extensions` (default NATIONAL_EXTENSIONS) lets such a test leave out later tables too."""
    today = today or date.today()
    rng = rng or random.Random(2026)
    scale = NationalScale(cases_per_network=cases_per_network, ballots_per_round=ballots_per_round)
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
    if with_history:
        open_missing_first_periods()  # a bulk insert bypasses the ORM, which opens a new member's first period
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
        (scale.past_meetings if past else scale.future_meetings).append((meeting_id, network_id, starts_at))
        scale.invited_by_meeting[meeting_id] = invited
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
    for extend in NATIONAL_EXTENSIONS if extensions is None else extensions:
        scale.counts.update(extend(scale, rng=rng, today=today))
    return scale


def _by_network(meetings: list[tuple[int, int, datetime]]) -> dict[int, list[tuple[int, datetime]]]:
    grouped: dict[int, list[tuple[int, datetime]]] = {}
    for meeting_id, network_id, starts_at in sorted(meetings, key=lambda row: row[2]):
        grouped.setdefault(network_id, []).append((meeting_id, starts_at))
    return grouped


def _insert_returning_ids(model, rows: list[dict]) -> list[int]:
    """Bulk insert that gives back the new ids in the order of `rows` (SQLite and PostgreSQL alike)."""
    ids: list[int] = []
    for start in range(0, len(rows), CHUNK):
        ids += db.session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True),
                                  rows[start:start + CHUNK]).all()
    return ids


# Past workshop cases: mostly closed when old, still awaiting or carrying a follow-up when recent.
_OLD_WORKED_STATES = [CaseState.CLOSED] * 6 + [CaseState.FOLLOWED_UP] * 3 + [CaseState.WORKED]
_RECENT_WORKED_STATES = [CaseState.WORKED, CaseState.FOLLOWED_UP]
# The rest of a network's cases: the pool, the drafts, and those that went nowhere.
_OTHER_STATES = ([CaseState.PROPOSED] * 6 + [CaseState.DRAFT] * 5 + [CaseState.POSTPONED] * 4
                 + [CaseState.WITHDRAWN] * 4 + [CaseState.SELECTED])
_OUTCOMES = [Outcome.RESOLVED] * 3 + [Outcome.OVERCOME] * 3 + [Outcome.PARTIALLY_RESOLVED] * 3 + [
    Outcome.NOT_RESOLVED, Outcome.NOT_APPLICABLE]
_CASE_TITLES = ["Mobiliser les élus autour de la CTG", "Ouvrir une micro-crèche en zone rurale",
                "Aller vers les parents éloignés", "Partager le diagnostic avec le CIAS",
                "Transport des enfants vers l'accueil de loisirs", "Positionner l'espace de vie sociale",
                "Relancer un comité de pilotage essoufflé", "Coordonner Caf et MSA sur un projet commun"]
RECORD_EVERY = 10  # one worked case in ten has its six-step record written in the platform


def seed_national_cases(scale: NationalScale, *, rng: random.Random, today: date) -> dict[str, int]:
    """CODEV cases per network: WORKED_PER_MEETING worked at each past meeting (outcome and follow-up once
    followed up), the rest spread over the other states; `selected` ones wait for the next meeting."""
    past_by_network, future_by_network = _by_network(scale.past_meetings), _by_network(scale.future_meetings)
    midnight = datetime(today.year, today.month, today.day, tzinfo=UTC)
    one_year_ago = midnight - timedelta(days=365)
    case_rows, follow_ups = [], []  # follow_ups: (index in case_rows, row without case_id)
    for network_id in scale.networks:
        facilitators = set(scale.facilitators_by_network[network_id])
        coordinators = [m for m in scale.members_by_network[network_id] if m not in facilitators]
        network_rows = []
        for meeting_id, starts_at in past_by_network.get(network_id, []):
            clients = [m for m in scale.invited_by_meeting[meeting_id] if m not in facilitators]
            for client_id in rng.sample(clients, min(WORKED_PER_MEETING, len(clients))):
                if len(network_rows) >= scale.cases_per_network:
                    break
                state = rng.choice(_OLD_WORKED_STATES if starts_at < one_year_ago else _RECENT_WORKED_STATES)
                proposed_at = starts_at - timedelta(days=60)
                # A follow-up comes about a quarter later, and never after today.
                followed_up_at = (starts_at + timedelta(days=min(91, (midnight - starts_at).days // 2))
                                  if state != CaseState.WORKED else None)
                closed_at = starts_at + timedelta(days=120) if state == CaseState.CLOSED else None
                outcome = rng.choice(_OUTCOMES) if followed_up_at else None
                network_rows.append(_case_row(
                    rng, network_id, client_id, meeting_id, state, changed_at=closed_at or followed_up_at or starts_at,
                    proposed_at=proposed_at, selected_at=starts_at - timedelta(days=30), worked_at=starts_at,
                    followed_up_at=followed_up_at, closed_at=closed_at, outcome=outcome))
                if outcome:
                    follow_ups.append((len(case_rows) + len(network_rows) - 1, {
                        "author_id": client_id, "meeting_id": None, "outcome": outcome,
                        "helpfulness": rng.randint(1, 3), "created_at": followed_up_at}))
        upcoming = future_by_network.get(network_id, [])
        while len(network_rows) < scale.cases_per_network:
            state = _OTHER_STATES[len(network_rows) % len(_OTHER_STATES)]
            proposed_at = midnight - timedelta(days=rng.randrange(10, 365 * 3))
            meeting_id = upcoming[0][0] if upcoming and state in (CaseState.PROPOSED, CaseState.SELECTED) else None
            network_rows.append(_case_row(
                rng, network_id, rng.choice(coordinators), meeting_id, state, changed_at=proposed_at,
                proposed_at=None if state == CaseState.DRAFT else proposed_at,
                selected_at=proposed_at if state == CaseState.SELECTED else None, worked_at=None,
                followed_up_at=None, closed_at=None, outcome=None,
                postponed_count=1 if state == CaseState.POSTPONED else 0))
        case_rows += network_rows
    case_ids = _insert_returning_ids(Case, case_rows)
    _bulk(CaseFollowUp, [{"case_id": case_ids[index], **row} for index, row in follow_ups])
    worked = [case_id for case_id, row in zip(case_ids, case_rows, strict=True) if row["worked_at"] is not None]
    records = [{"case_id": case_id, "exposition": "Le client expose la situation et ce qu'il a déjà tenté.",
                "synthesis": "Deux ou trois leviers retenus pour la prochaine rencontre.", "updated_at": None,
                "updated_by_id": None} for case_id in worked[::RECORD_EVERY]]
    _bulk(CaseRecord, records)
    return {"cases": len(case_rows), "case_follow_ups": len(follow_ups), "case_records": len(records)}


def _case_row(rng: random.Random, network_id: int, client_id: int, meeting_id: int | None, state: CaseState, *,
              changed_at: datetime, proposed_at, selected_at, worked_at, followed_up_at, closed_at, outcome,
              postponed_count: int = 0) -> dict:
    return {"network_id": network_id, "client_id": client_id, "meeting_id": meeting_id, "previous_case_id": None,
            "title": rng.choice(_CASE_TITLES), "case_type": rng.choice(list(CaseType)), "theme": rng.choice(list(Theme)),
            "state": state, "state_changed_at": changed_at, "proposed_at": proposed_at, "selected_at": selected_at,
            "worked_at": worked_at, "followed_up_at": followed_up_at, "closed_at": closed_at,
            "postponed_count": postponed_count, "outcome": outcome, "has_capitalisation_consent": rng.random() < 0.3,
            "context": "Contexte du cas.", "question": "Comment avancer ?", "help_wanted": "Des retours d'expérience.",
            "created_at": proposed_at or changed_at}


_TOPIC_TITLES = ["Le schéma départemental des services aux familles", "L'inclusion des enfants en situation de handicap",
                 "Les conventions territoriales globales de deuxième génération", "L'accès aux droits en zone rurale",
                 "La jeunesse et l'engagement", "Le logement des jeunes actifs", "Les espaces de vie sociale",
                 "La petite enfance et les modes d'accueil", "L'évaluation d'une CTG", "La parentalité numérique"]
BACKLOG_TOPICS_PER_NETWORK = 6


def seed_national_ballots(scale: NationalScale, *, rng: random.Random, today: date) -> dict[str, int]:
    """A confirmed vote round at each past quarterly meeting: CANDIDATES_PER_ROUND new topics (the winner is
    chosen for the next meeting, the others archived), and ballots by members invited to that meeting that
    spend their points within the round's rules (at most max_per_topic on one topic)."""
    past_by_network = _by_network(scale.past_meetings)
    next_meeting = {}
    for network_id, rows in _by_network(scale.past_meetings + scale.future_meetings).items():
        next_meeting.update({meeting_id: following for (meeting_id, _), (following, _) in zip(rows, rows[1:])})
    points_per_voter, max_per_topic = -(-CANDIDATES_PER_ROUND // 3), DEFAULT_MAX_PER_TOPIC
    topic_rows, rounds = [], []  # rounds: (network, meeting, starts_at, creator, index of the first candidate)
    for network_id in scale.networks:
        creator = scale.facilitators_by_network[network_id][0]
        members = scale.members_by_network[network_id]
        for meeting_id, starts_at in past_by_network.get(network_id, []):
            rounds.append((network_id, meeting_id, starts_at, creator, len(topic_rows)))
            for n in range(CANDIDATES_PER_ROUND):
                topic_rows.append(_topic_row(rng, network_id, rng.choice(members), starts_at - timedelta(days=60),
                                             TopicStatus.CHOSEN if n == 0 else TopicStatus.ARCHIVED,
                                             archived_at=None if n == 0 else starts_at))
        for _ in range(BACKLOG_TOPICS_PER_NETWORK):
            topic_rows.append(_topic_row(rng, network_id, rng.choice(members),
                                         datetime(today.year, today.month, 1, tzinfo=UTC), TopicStatus.BACKLOG,
                                         archived_at=None))
    topic_ids = _insert_returning_ids(Topic, topic_rows)
    vote_rows = []
    for network_id, meeting_id, starts_at, creator, first in rounds:
        closes_at = starts_at + timedelta(hours=6)
        vote_rows.append({
            "network_id": network_id, "meeting_id": meeting_id, "status": VoteStatus.CONFIRMED,
            "points_per_voter": points_per_voter, "max_per_topic": max_per_topic, "closes_at": closes_at,
            "hide_results": False, "created_by_id": creator, "opened_at": starts_at, "closed_at": closes_at,
            "closed_by_id": creator, "confirmed_at": closes_at, "confirmed_by_id": creator,
            "chosen_topic_id": topic_ids[first], "target_meeting_id": next_meeting.get(meeting_id),
            "created_at": starts_at - timedelta(days=7)})
    vote_ids = _insert_returning_ids(TopicVote, vote_rows)
    candidate_rows, ballot_rows, allocations = [], [], []
    for vote_id, (_network, meeting_id, starts_at, _creator, first) in zip(vote_ids, rounds, strict=True):
        candidates = topic_ids[first:first + CANDIDATES_PER_ROUND]
        candidate_rows += [{"vote_id": vote_id, "topic_id": topic_id} for topic_id in candidates]
        invited = scale.invited_by_meeting[meeting_id]
        for member_id in rng.sample(invited, min(scale.ballots_per_round, len(invited))):
            cast_at = starts_at + timedelta(minutes=rng.randrange(300))
            ballot_rows.append({"vote_id": vote_id, "member_id": member_id, "created_at": cast_at,
                                "updated_at": cast_at})
            allocations.append(_allocation(rng, candidates, points_per_voter, max_per_topic))
    _bulk(TopicVoteCandidate, candidate_rows)
    ballot_ids = _insert_returning_ids(Ballot, ballot_rows)
    point_rows = [{"ballot_id": ballot_id, "topic_id": topic_id, "points": points}
                  for ballot_id, allocation in zip(ballot_ids, allocations, strict=True)
                  for topic_id, points in allocation.items()]
    _bulk(BallotPoint, point_rows)
    return {"topics": len(topic_rows), "vote_rounds": len(vote_rows), "ballots": len(ballot_rows),
            "ballot_points": len(point_rows)}


def _topic_row(rng: random.Random, network_id: int, author_id: int, created_at: datetime, status: TopicStatus, *,
               archived_at: datetime | None) -> dict:
    return {"network_id": network_id, "title": rng.choice(_TOPIC_TITLES), "description": None, "links": None,
            "author_id": author_id, "status": status, "merged_into_id": None, "archived_at": archived_at,
            "created_at": created_at}


def _allocation(rng: random.Random, candidates: list[int], points: int, max_per_topic: int) -> dict[int, int]:
    """Spend all `points` (as cast_ballot's rules allow), never more than max_per_topic on one topic."""
    allocation: dict[int, int] = {}
    while points:
        topic_id = rng.choice([t for t in candidates if allocation.get(t, 0) < max_per_topic])
        allocation[topic_id] = allocation.get(topic_id, 0) + 1
        points -= 1
    return allocation


# Callables (scale, *, rng, today) -> {name: count} that add volumes once members and meetings exist.
NATIONAL_EXTENSIONS: list = [seed_national_cases, seed_national_ballots, seed_national_resources]
