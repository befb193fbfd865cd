"""Demo topics: a backlog of proposals, a closed round whose winner is the next meeting's thematic segment, and an
open round the demo coordinator can vote in. Uses the meetings already seeded when they exist, creates minimal
quarterly meetings otherwise."""

import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from network.database import utcnow
from network.extensions import db
from network.sessions.enums import AgendaItemKind, MeetingKind, MeetingStatus
from network.sessions.models import AgendaItem, Meeting
from network.topics import queries, services
from network.topics.enums import TopicStatus

PARIS = ZoneInfo("Europe/Paris")

BACKLOG = [
    # author email, title, description, links
    ("coordinatrice@example.org", "Le schéma départemental des services aux familles (SDSF)",
     "Où en est le SDSF du Pas-de-Calais, et comment nos CTG peuvent-elles s'y raccrocher ?",
     "https://www.caf.fr/partenaires/caf-du-pas-de-calais"),
    ("thomas.caron@example.org", "Animer une réunion avec des élus",
     "Préparer, tenir le cadre, faire décider : retours d'expérience et outils.", None),
    ("ines.lemaire@example.org", "Inclusion des enfants en situation de handicap",
     "Le pôle ressources handicap, les bonus inclusion : qui fait quoi sur nos territoires ?", None),
    ("marc.delattre@example.org", "Les espaces de vie sociale en milieu rural",
     "Agréments, financements, articulation avec les centres sociaux.", None),
    ("nadia.benali@example.org", "Parentalité : le REAAP et les nouveaux appels à projets", None, None),
    ("pierre.vasseur@example.org", "Mobilité des jeunes en zone rurale",
     "Permis, transport à la demande, aides MSA : un tour d'horizon.", None),
    ("lucie.fontaine@example.org", "Évaluer une CTG à mi-parcours",
     "Indicateurs, questionnaires, comités de pilotage : comment s'y prendre sans y passer l'année ?", None),
    ("camille.leroy@example.org", "Petite enfance : le service public de la petite enfance (SPPE)",
     "Ce que change le SPPE pour les communes de moins de 10 000 habitants.", None),
    ("emma.wattel@example.org", "France services et accès aux droits", None, None),
    ("hugo.boulanger@example.org", "Les tiers-lieux comme levier de coopération", None, None),
]

HANDLED_TITLES = ["Le diagnostic partagé de territoire", "La Convention territoriale globale, cinq ans après",
                  "Le fonds publics et territoires"]


def _at(day: date, hour: int = 9, minute: int = 30) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS).astimezone(UTC)


def _meeting(network, starts_at: datetime, status: str) -> Meeting:
    meeting = Meeting(network_id=network.id, kind=MeetingKind.QUARTERLY, status=status,
                      title=f"Rencontre trimestrielle du {starts_at.astimezone(PARIS):%d/%m/%Y}",
                      starts_at=starts_at, ends_at=starts_at + timedelta(hours=6, minutes=30),
                      ical_uid=f"demo-topics-{uuid.uuid4()}@reseau.example.org")
    db.session.add(meeting)
    db.session.flush()
    return meeting


def _meetings_around_today(network, now: datetime) -> tuple[Meeting, Meeting, Meeting]:
    """The last quarterly meeting before today and the two after it, created when missing."""
    if db.session.scalar(select(Meeting.id).where(Meeting.network_id == network.id).limit(1)) is None:
        for days in (222, 131, 40):  # no meetings seeded at all: the last three quarters, held
            _meeting(network, _at((now - timedelta(days=days)).date()), MeetingStatus.CLOSED)
    past = db.session.scalar(
        select(Meeting).where(Meeting.network_id == network.id, Meeting.kind == MeetingKind.QUARTERLY,
                              Meeting.status != MeetingStatus.CANCELLED, Meeting.starts_at < now)
        .order_by(Meeting.starts_at.desc()).limit(1)
    ) or _meeting(network, _at((now - timedelta(days=40)).date()), MeetingStatus.HELD)
    quarter_later = past.starts_at + timedelta(days=91)
    following = queries.next_quarterly_meeting_after(past) or _meeting(
        network, _at((quarter_later if quarter_later > now else now + timedelta(days=45)).date()),
        MeetingStatus.PLANNED)
    after = queries.next_quarterly_meeting_after(following) or _meeting(
        network, _at(following.starts_at.date() + timedelta(days=91)), MeetingStatus.PLANNED)
    return past, following, after


def _link_handled_topics(network, before: Meeting, author) -> None:
    """Earlier held meetings get a chosen topic in their thematic segment, for the history and the indicator."""
    earlier = db.session.scalars(
        select(Meeting).where(Meeting.network_id == network.id, Meeting.kind == MeetingKind.QUARTERLY,
                              Meeting.status.in_((MeetingStatus.HELD, MeetingStatus.CLOSED)),
                              Meeting.starts_at < before.starts_at)
        .order_by(Meeting.starts_at.desc()).limit(len(HANDLED_TITLES))
    ).all()
    for meeting, title in zip(earlier, HANDLED_TITLES, strict=False):
        item = queries.thematic_item_of(meeting)
        if item is None:
            item = AgendaItem(meeting_id=meeting.id, kind=AgendaItemKind.THEMATIC, title=title, position=1)
            db.session.add(item)
        elif item.topic_id is not None:
            continue
        topic = services.propose_topic(actor=author, network=network, title=item.title)
        topic.created_at = meeting.starts_at - timedelta(days=100)
        topic.status = TopicStatus.CHOSEN
        item.topic_id = topic.id


def seed_topics(demo) -> None:
    network_demo = demo.pas_de_calais
    network, people = network_demo.network, network_demo.members
    facilitator = people["animatrice.caf@example.org"]
    now = utcnow()
    past, following, _after = _meetings_around_today(network, now)  # _after: where the open round's winner goes
    if past.status in (MeetingStatus.PLANNED, MeetingStatus.INVITED):
        past.status = MeetingStatus.HELD
    _link_handled_topics(network, past, people["animateur.msa@example.org"])

    proposed_on = past.starts_at - timedelta(days=60)
    topics = []
    for index, (email, title, description, links) in enumerate(BACKLOG):
        topic = services.propose_topic(actor=people[email], network=network, title=title, description=description,
                                       links=links)
        topic.created_at = proposed_on + timedelta(days=5 * index)
        topics.append(topic)
    duplicate = services.propose_topic(actor=people["romain.lecomte@example.org"], network=network,
                                       title="Le SDSF : où en est-on ?")
    services.merge_topic(duplicate, into=topics[0], actor=facilitator)
    archived = services.propose_topic(actor=people["kevin.morel@example.org"], network=network,
                                      title="Organisation du pot de fin d'année")
    services.archive_topic(archived, actor=facilitator)

    # The round held at the last meeting: a tie at the top, settled by the facilitators.
    opened = min(past.starts_at + timedelta(hours=5), now - timedelta(hours=12))
    closes_at = min(opened + timedelta(days=7), now - timedelta(hours=1))
    closed_round = services.create_vote_round(actor=facilitator, meeting=past, topics=topics[:6],
                                              closes_at=closes_at, now=opened)
    ballots = [("coordinatrice@example.org", {0: 1, 1: 1}), ("thomas.caron@example.org", {1: 2}),
               ("ines.lemaire@example.org", {0: 2}), ("marc.delattre@example.org", {3: 1, 1: 1}),
               ("nadia.benali@example.org", {0: 1, 4: 1}), ("pierre.vasseur@example.org", {5: 2}),
               ("lucie.fontaine@example.org", {1: 1, 2: 1}), ("camille.leroy@example.org", {0: 1, 2: 1})]
    # SDSF 5 points, élus 5 points: ex æquo. The deadline passed; confirming records it as the close.
    for offset, (email, points) in enumerate(ballots):
        services.cast_ballot(closed_round, {topics[i].id: value for i, value in points.items()},
                             actor=people[email], now=opened + (closes_at - opened) * (offset + 1) / 10)
    services.confirm_vote_round(closed_round, topic=topics[1], actor=facilitator, now=closes_at)

    # The round for the meeting after next, open now: the demo coordinator has not voted yet.
    open_round = services.create_vote_round(actor=facilitator, meeting=following,
                                            topics=[topics[0], *topics[6:10]], closes_at=now + timedelta(days=10),
                                            now=now)
    for email, points in (("thomas.caron@example.org", {0: 2}), ("emma.wattel@example.org", {8: 1, 9: 1}),
                          ("hugo.boulanger@example.org", {9: 2}), ("julie.bernard@example.org", {7: 1, 0: 1})):
        services.cast_ballot(open_round, {topics[i].id: value for i, value in points.items()}, actor=people[email],
                             now=now)

    tarn = demo.tarn
    for email, title in (("agnes.fabre@example.org", "Coopérer avec les secrétaires de mairie"),
                         ("mathieu.alric@example.org", "Le projet social de territoire")):
        services.propose_topic(actor=tarn.members[email], network=tarn.network, title=title)
