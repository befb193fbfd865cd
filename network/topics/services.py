"""Verb functions for topics and vote rounds. They never commit; they raise DomainError subclasses with French
messages. change_vote_status() is the only writer of a round's status."""

import math
from collections.abc import Collection, Mapping
from datetime import datetime, time, timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.util import identity_key

from network.audit import record_audit
from network.calendar import paris_to_utc, to_paris
from network.database import utcnow
from network.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from network.extensions import db
from network.formatting import french_date, french_datetime, plural
from network.members.enums import Role
from network.members.models import Member, Network
from network.network_versions import NETWORK_IDS_OPTION
from network.outbox import external_url, queue_templated_email
from network.sessions.enums import AgendaItemKind, MeetingKind
from network.sessions.models import AgendaItem, Meeting
from network.topics import permissions, queries
from network.topics.enums import DEFAULT_MAX_PER_TOPIC, VOTE_TRANSITIONS, TopicStatus, VoteStatus
from network.topics.models import Ballot, BallotPoint, Topic, TopicVote, TopicVoteCandidate

THEMATIC_POSITION = 1  # thematic information opens the meeting, before the CODEV workshop and the vote


DEFAULT_CLOSING_TIME = time(18, 0)


def default_closes_at(meeting: Meeting, now: datetime) -> datetime:
    """A round's deadline unless the facilitator says otherwise: the evening before its meeting, so the result is
    known there; for a meeting already under way (the vote is held in the room), the meeting's end."""
    eve = paris_to_utc(to_paris(meeting.starts_at).date() - timedelta(days=1), DEFAULT_CLOSING_TIME)
    return eve if eve > now else max(meeting.ends_at, now + timedelta(hours=1))


def default_points_per_voter(candidate_count: int) -> int:
    """Dot voting: ⌈candidates ÷ 3⌉ points, at least one."""
    return max(1, math.ceil(candidate_count / 3))


# --- topics ------------------------------------------------------------------------------------

def _clean_links(links: str | None) -> str | None:
    lines = [line.strip() for line in (links or "").splitlines() if line.strip()]
    return "\n".join(lines) or None


def propose_topic(*, actor: Member, network: Network, title: str, description: str | None = None,
                  links: str | None = None) -> Topic:
    if not permissions.can_propose_topic(actor, network.id):
        raise NotAllowed("Seuls les membres actifs du réseau peuvent proposer un thème.")
    if not title or not title.strip():
        raise DomainError("Donnez un titre au thème.")
    topic = Topic(network_id=network.id, title=title.strip(), description=(description or "").strip() or None,
                  links=_clean_links(links), author_id=actor.id, status=TopicStatus.BACKLOG)
    db.session.add(topic)
    db.session.flush()
    record_audit(actor=actor, action="topic.propose", obj=topic)
    return topic


def _check_not_in_pending_round(topic: Topic, verb: str) -> None:
    if queries.topics_in_pending_rounds([topic.id]):
        raise Conflict(f"« {topic.title} » est candidat à un vote en cours : impossible de le {verb}.")


def merge_topic(topic: Topic, *, into: Topic, actor: Member) -> Topic:
    """`topic` is a duplicate of `into`: it leaves the backlog, its links join `into`'s, author and date are kept."""
    if not permissions.can_manage_topics(actor, topic.network_id):
        raise NotAllowed("Seuls les co-animateurs du réseau peuvent fusionner des thèmes.")
    if into.id == topic.id:
        raise DomainError("Un thème ne peut pas être fusionné avec lui-même.")
    if into.network_id != topic.network_id:
        raise DomainError("Les deux thèmes doivent appartenir au même réseau.")
    if not topic.is_in_backlog or not into.is_in_backlog:
        raise InvalidTransition("Seuls deux thèmes encore proposés peuvent être fusionnés.")
    _check_not_in_pending_round(topic, "fusionner")
    into.links = _clean_links("\n".join(dict.fromkeys([*into.link_list, *topic.link_list])))
    topic.status = TopicStatus.MERGED
    topic.merged_into_id = into.id
    db.session.flush()
    record_audit(actor=actor, action="topic.merge", obj=topic, fields=("merged_into_id", "status"))
    return into


def archive_topic(topic: Topic, *, actor: Member, now: datetime | None = None) -> None:
    if not permissions.can_manage_topics(actor, topic.network_id):
        raise NotAllowed("Seuls les co-animateurs du réseau peuvent archiver un thème.")
    if not topic.is_in_backlog:
        raise InvalidTransition("Seul un thème encore proposé peut être archivé.")
    _check_not_in_pending_round(topic, "archiver")
    topic.status = TopicStatus.ARCHIVED
    topic.archived_at = now or utcnow()
    db.session.flush()
    record_audit(actor=actor, action="topic.archive", obj=topic, fields=("status",))


def restore_topic(topic: Topic, *, actor: Member) -> None:
    if not permissions.can_manage_topics(actor, topic.network_id):
        raise NotAllowed("Seuls les co-animateurs du réseau peuvent remettre un thème dans les propositions.")
    if topic.status not in (TopicStatus.ARCHIVED, TopicStatus.MERGED):
        raise InvalidTransition("Seul un thème archivé ou fusionné peut revenir dans les propositions.")
    topic.status = TopicStatus.BACKLOG
    topic.archived_at = None
    topic.merged_into_id = None
    db.session.flush()
    record_audit(actor=actor, action="topic.restore", obj=topic, fields=("status",))


# --- vote rounds -------------------------------------------------------------------------------

def create_vote_round(*, actor: Member, meeting: Meeting, topics: Collection[Topic], closes_at: datetime,
                      points_per_voter: int | None = None, max_per_topic: int = DEFAULT_MAX_PER_TOPIC,
                      hide_results: bool = False, open_now: bool = True, now: datetime | None = None) -> TopicVote:
    now = now or utcnow()
    if not permissions.can_manage_topics(actor, meeting.network_id):
        raise NotAllowed("Seuls les co-animateurs du réseau peuvent ouvrir un vote.")
    if meeting.is_cancelled:
        raise DomainError("Cette rencontre est annulée : choisissez une autre rencontre.")
    if meeting.kind != MeetingKind.QUARTERLY:
        raise DomainError("Le vote du thème se tient lors d'une rencontre trimestrielle, pas d'une formation.")
    candidates = list({topic.id: topic for topic in topics}.values())
    if len(candidates) < 2:
        raise DomainError("Choisissez au moins deux thèmes candidats.")
    for topic in candidates:
        if topic.network_id != meeting.network_id:
            raise DomainError("Un des thèmes choisis n'appartient pas à ce réseau.")
        if not topic.is_in_backlog:
            raise DomainError(f"« {topic.title} » n'est plus dans la liste des propositions.")
    if busy := queries.topics_in_pending_rounds([topic.id for topic in candidates]):
        raise Conflict(f"« {busy[0].title} » est déjà candidat à un autre vote en cours.")
    points = points_per_voter if points_per_voter is not None else default_points_per_voter(len(candidates))
    if points < 1 or max_per_topic < 1:
        raise DomainError("Le nombre de points doit être d'au moins 1.")
    if points > max_per_topic * len(candidates):
        raise DomainError(f"Avec {len(candidates)} thèmes et {plural(max_per_topic, 'point')} au plus par thème, "
                          f"on ne peut pas répartir plus de {max_per_topic * len(candidates)} points.")
    if closes_at <= now:
        raise DomainError("La clôture du vote doit être dans le futur.")
    vote = TopicVote(network_id=meeting.network_id, meeting_id=meeting.id, status=VoteStatus.DRAFT,
                     points_per_voter=points, max_per_topic=max_per_topic, closes_at=closes_at,
                     hide_results=hide_results, created_by_id=actor.id,
                     candidates=[TopicVoteCandidate(topic_id=topic.id) for topic in candidates])
    db.session.add(vote)
    db.session.flush()
    record_audit(actor=actor, action="topic_vote.create", obj=vote)
    if open_now:
        change_vote_status(vote, VoteStatus.OPEN, actor=actor, now=now)
    return vote


REFUSALS = {
    (VoteStatus.OPEN, VoteStatus.OPEN): "Ce vote est déjà ouvert.",
    (VoteStatus.CLOSED, VoteStatus.CLOSED): "Ce vote est déjà clos.",
    (VoteStatus.CLOSED, VoteStatus.OPEN): "Ce vote est clos : il ne peut pas être rouvert.",
    (VoteStatus.OPEN, VoteStatus.CONFIRMED): "Le vote est encore ouvert : clôturez-le avant de confirmer le thème.",
    (VoteStatus.DRAFT, VoteStatus.CONFIRMED): "Ce vote n'a pas encore été ouvert.",
    (VoteStatus.DRAFT, VoteStatus.CLOSED): "Ce vote n'a pas encore été ouvert.",
}


def change_vote_status(vote: TopicVote, target: VoteStatus, *, actor: Member, chosen_topic: Topic | None = None,
                       now: datetime | None = None) -> TopicVote:
    """Move a round along draft → open → closed → confirmed, recording who and when. An open round past its
    deadline counts as closed; confirming it records the deadline as its close."""
    now = now or utcnow()
    target = VoteStatus(target)
    if not permissions.can_manage_topics(actor, vote.network_id):
        raise NotAllowed("Seuls les co-animateurs du réseau peuvent conduire un vote.")
    current = vote.current_status(now)
    if target not in VOTE_TRANSITIONS[current]:
        raise InvalidTransition(REFUSALS.get((current, target), f"Ce vote est « {current.label} » : "
                                                                 f"impossible de passer à « {target.label} »."))
    if target == VoteStatus.OPEN:
        if vote.closes_at <= now:
            raise DomainError("La clôture du vote doit être dans le futur.")
        vote.opened_at = now
        if vote.closes_at > utcnow():  # a round replayed in the past (demo data) is announced to nobody
            _announce_vote(vote)
    elif target == VoteStatus.CLOSED:
        vote.closed_at, vote.closed_by_id = now, actor.id
    elif target == VoteStatus.CONFIRMED:
        if vote.closed_at is None:
            vote.closed_at = vote.closes_at
        target_meeting = _make_topic_of_next_meeting(vote, chosen_topic)
        vote.confirmed_at, vote.confirmed_by_id = now, actor.id
        if target_meeting.starts_at > utcnow():  # a round replayed in the past (demo data) is announced to nobody
            _announce_chosen_topic(vote, chosen_topic, target_meeting)
    vote.status = target
    db.session.flush()
    record_audit(actor=actor, action=f"topic_vote.{target.value}", obj=vote, fields=("status",))
    return vote


def _announce_vote(vote: TopicVote) -> int:
    """A round opens: each active facilitator and coordinator of the network gets the candidate topics, the
    deadline and the link to vote (the same page they use at the meeting). No ballot content ever leaves."""
    network = db.session.get(Network, vote.network_id)
    titles = list(db.session.scalars(
        select(Topic.title).join(TopicVoteCandidate, TopicVoteCandidate.topic_id == Topic.id)
        .where(TopicVoteCandidate.vote_id == vote.id).order_by(Topic.title)))
    members = queries.eligible_voters(vote.network_id)
    url = external_url("topics.vote_detail", vote_id=vote.id)
    for member in members:
        queue_templated_email(
            "vote_open", to=member.email, subject="Vote ouvert : le thème de la prochaine rencontre",
            reply_to=network.mailbox_email, name=member.first_name, topics=titles, vote=vote, network=network,
            vote_url=url)
    return len(members)


def _announce_chosen_topic(vote: TopicVote, topic: Topic, meeting: Meeting) -> int:
    """The round is confirmed: the same members learn the chosen topic and the meeting it opens."""
    network = db.session.get(Network, vote.network_id)
    members = queries.eligible_voters(vote.network_id)
    url = external_url("sessions.meeting_detail", meeting_id=meeting.id)
    for member in members:
        queue_templated_email(
            "vote_confirmed", to=member.email, subject=f"Thème retenu : {topic.title}",
            reply_to=network.mailbox_email, name=member.first_name, topic=topic, meeting=meeting, network=network,
            meeting_url=url)
    return len(members)


CLOSE_NOTICE_WINDOW = timedelta(days=7)  # an older deadline (cron stopped, demo data) is not announced any more


def send_close_notices(*, now: datetime | None = None) -> int:
    """Rounds whose deadline has passed while still open: tell the network's active facilitators, once, that the
    vote is over, with the turnout and the leading topic(s), so they confirm the topic. Returns the emails queued.
    A round closed by a facilitator needs no notice: they closed it."""
    now = now or utcnow()
    rounds = db.session.scalars(
        select(TopicVote).where(TopicVote.status == VoteStatus.OPEN, TopicVote.closes_at <= now,
                                TopicVote.closes_at > now - CLOSE_NOTICE_WINDOW,
                                TopicVote.close_notice_sent_at.is_(None))
        .order_by(TopicVote.closes_at, TopicVote.id)).all()
    network_ids = {vote.network_id for vote in rounds}
    networks = {network.id: network for network in db.session.scalars(
        select(Network).where(Network.id.in_(network_ids)))}
    facilitators_of: dict[int, list[Member]] = {network_id: [] for network_id in network_ids}
    for member in db.session.scalars(select(Member).where(Member.network_id.in_(network_ids),
                                                          Member.is_active.is_(True), Member.role == Role.FACILITATOR)
                                     .order_by(Member.id)):
        facilitators_of[member.network_id].append(member)
    sent = 0
    for vote in rounds:  # a few rounds per run; the tally and the turnout are per round
        network, facilitators = networks[vote.network_id], facilitators_of[vote.network_id]
        leaders = [row for row in queries.tally(vote) if row.is_leader and row.points]
        turnout = queries.turnout(vote)
        url = external_url("topics.vote_detail", vote_id=vote.id)
        for facilitator in facilitators:
            queue_templated_email(
                "vote_closed", to=facilitator.email, subject="Vote clos : confirmez le thème de la prochaine rencontre",
                reply_to=network.mailbox_email, name=facilitator.first_name, vote=vote, network=network,
                leaders=leaders, turnout=turnout, vote_url=url)
        vote.close_notice_sent_at = now
        record_audit(actor=None, action="topic_vote.close_notice", obj=vote, fields=["close_notice_sent_at"])
        sent += len(facilitators)
    db.session.flush()
    return sent


def open_vote_round(vote: TopicVote, *, actor: Member, now: datetime | None = None) -> TopicVote:
    return change_vote_status(vote, VoteStatus.OPEN, actor=actor, now=now)


def close_vote_round(vote: TopicVote, *, actor: Member, now: datetime | None = None) -> TopicVote:
    return change_vote_status(vote, VoteStatus.CLOSED, actor=actor, now=now)


def confirm_vote_round(vote: TopicVote, *, topic: Topic | None, actor: Member,
                       now: datetime | None = None) -> Meeting:
    """Confirm the chosen topic (settling a tie); it becomes the next quarterly meeting's thematic segment."""
    change_vote_status(vote, VoteStatus.CONFIRMED, actor=actor, chosen_topic=topic, now=now)
    return db.session.get(Meeting, vote.target_meeting_id)


def _make_topic_of_next_meeting(vote: TopicVote, topic: Topic | None) -> Meeting:
    if topic is None:
        raise DomainError("Choisissez le thème retenu.")
    if topic.id not in queries.candidate_topic_ids(vote):
        raise DomainError("Ce thème ne fait pas partie de ce vote.")
    if topic.id not in queries.leading_topic_ids(vote):
        raise DomainError("Ce thème n'est pas en tête du vote : seul un thème classé premier (ex æquo compris) "
                          "peut être retenu.")
    if not topic.is_in_backlog:
        raise Conflict(f"« {topic.title} » n'est plus dans la liste des propositions.")
    meeting = db.session.get(Meeting, vote.meeting_id)
    target = queries.next_quarterly_meeting_after(meeting)
    if target is None:
        raise DomainError(f"Aucune rencontre trimestrielle n'est prévue après celle du {french_date(meeting.starts_at)} "
                          ": planifiez-la, puis confirmez le thème.")
    item = queries.thematic_item_of(target)
    if item is not None and item.topic_id not in (None, topic.id):
        raise Conflict(f"La rencontre du {french_date(target.starts_at)} a déjà un thème : « {item.title} ».")
    if item is None:
        item = AgendaItem(meeting_id=target.id, kind=AgendaItemKind.THEMATIC, position=THEMATIC_POSITION)
        db.session.add(item)
    item.title = topic.title[:200]
    item.topic_id = topic.id
    if not item.details and topic.links:
        item.details = topic.links
    topic.status = TopicStatus.CHOSEN
    vote.chosen_topic_id = topic.id
    vote.target_meeting_id = target.id
    return target


# --- ballots -----------------------------------------------------------------------------------

def _check_allocation(vote: TopicVote, allocation: Mapping[int, int]) -> dict[int, int]:
    candidates = queries.candidate_topic_ids(vote)
    points: dict[int, int] = {}
    for topic_id, value in allocation.items():
        if topic_id not in candidates:
            raise DomainError("Un des thèmes de votre bulletin ne fait pas partie de ce vote.")
        if value is None or value < 0:
            raise DomainError("Les points attribués ne peuvent pas être négatifs.")
        if value > vote.max_per_topic:
            raise DomainError(f"{plural(vote.max_per_topic, 'point')} au maximum sur un même thème.")
        if value:
            points[topic_id] = value
    total = sum(points.values())
    if total > vote.points_per_voter:
        raise DomainError(f"Vous avez réparti {total} points : vous en avez {vote.points_per_voter} au maximum.")
    if total == 0:
        raise DomainError("Attribuez au moins un point.")
    return points


def _refuse_closed(vote: TopicVote, status: str, closes_at: datetime, now: datetime) -> None:
    if status == VoteStatus.DRAFT:
        raise InvalidTransition("Ce vote n'est pas encore ouvert.")
    if status != VoteStatus.OPEN or now >= closes_at:
        raise InvalidTransition(f"Le vote est clos depuis le {french_datetime(vote.closed_at or closes_at)} : "
                                "votre bulletin n'a pas été enregistré.")


def _stamp_ballot(vote: TopicVote, member: Member, now: datetime) -> int:
    """The member's ballot, inserted or stamped `updated_at`, its id returned, in one statement: INSERT … ON CONFLICT
    DO UPDATE … RETURNING. With unique(vote, member), two simultaneous first ballots make one row; the row stays
    locked until the commit (PostgreSQL), as by a SELECT … FOR UPDATE."""
    dialect = db.session.get_bind().dialect.name
    ballots = Ballot.__table__  # a Core statement: the ORM's bulk machinery has nothing to do here
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(ballots).values(
        vote_id=vote.id, member_id=member.id, created_at=now, updated_at=now)
    ballot_id = db.session.execute(
        statement.on_conflict_do_update(index_elements=["vote_id", "member_id"],
                                        set_={"updated_at": statement.excluded.updated_at})
        .returning(ballots.c.id).execution_options(**{NETWORK_IDS_OPTION: (vote.network_id,)})
    ).scalar_one()
    loaded = db.session.identity_map.get(identity_key(Ballot, ballot_id))
    if loaded is not None:  # a Ballot this session read before: its next use reads the row written here
        db.session.expire(loaded)
    return ballot_id


def cast_ballot(vote: TopicVote, allocation: Mapping[int, int], *, actor: Member,
                now: datetime | None = None) -> int:
    """Record or replace `actor`'s ballot: {topic_id: points}. Zero-point topics are left out. Returns the
    ballot's id. Statements, the round loaded: its candidates (none when loaded with it), the ballot, the round
    re-read, its points deleted then inserted."""
    now = now or utcnow()
    if not permissions.can_vote(actor, vote):
        raise NotAllowed("Seuls les membres actifs de ce réseau peuvent voter.")
    _refuse_closed(vote, vote.status, vote.closes_at, now)
    points = _check_allocation(vote, allocation)
    ballot_id = _stamp_ballot(vote, actor, now)
    # Under the write lock, re-read the round: a close committed meanwhile wins over this ballot.
    status, closes_at = db.session.execute(
        select(TopicVote.status, TopicVote.closes_at).where(TopicVote.id == vote.id).with_for_update(read=True)
    ).one()
    _refuse_closed(vote, status, closes_at, now)
    in_network = {NETWORK_IDS_OPTION: (vote.network_id,)}
    # Core statements on the table: the points are never loaded as objects on a ballot's way, and the commit that
    # follows expires whatever the session holds
    ballot_points = BallotPoint.__table__
    db.session.execute(delete(ballot_points).where(ballot_points.c.ballot_id == ballot_id)
                       .execution_options(**in_network))
    db.session.execute(insert(ballot_points).execution_options(**in_network),
                       [{"ballot_id": ballot_id, "topic_id": topic_id, "points": value}
                        for topic_id, value in points.items()])
    return ballot_id
