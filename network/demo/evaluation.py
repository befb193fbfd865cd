"""Demo evaluation data: two years of meeting history with attendance (created only where a network has no
meeting that year), self-efficacy answers at T0 and T1, the default grid and members' self-assessments."""

import random
import secrets
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from network.database import utcnow
from network.evaluation import services
from network.evaluation.models import SelfAssessment, SelfAssessmentScore, SelfEfficacyResponse
from network.evaluation.periods import PARIS
from network.evaluation.queries import network_grid
from network.evaluation.scales import gse_score
from network.extensions import db
from network.members.enums import Role
from network.sessions.enums import AgendaItemKind, AttendanceStatus, MeetingKind, MeetingStatus, Rsvp
from network.sessions.models import AgendaItem, Attendance, Invitation, Meeting

QUARTER_DAYS = ((3, 14), (6, 13), (9, 26), (12, 5))
TRAINING_DAY = (10, 10)
THEMES = ("Le schéma départemental des services aux familles", "L'inclusion des enfants en situation de handicap",
          "Le diagnostic partagé de territoire", "L'animation de la vie sociale", "La jeunesse en milieu rural",
          "L'accès aux droits et France services", "La parentalité", "L'évaluation de la CTG")


def seed_evaluation(demo, today: date | None = None) -> None:
    today = today or utcnow().astimezone(PARIS).date()
    rng = random.Random(62)
    for demo_network in (demo.pas_de_calais, demo.tarn):
        members = [m for m in demo_network.members.values() if m.role in (Role.COORDINATOR, Role.FACILITATOR)]
        for year in (today.year - 2, today.year - 1):
            _meeting_history(demo_network.network, members, year, rng)
        services.create_default_grid(demo_network.network, actor=None)
        coordinators = [m for m in members if m.role == Role.COORDINATOR]
        _self_efficacy(coordinators, today, rng)
        _self_assessments(demo_network.network, coordinators, today, rng)
    db.session.flush()


def _at(year, month, day, hour=9) -> datetime:
    return datetime(year, month, day, hour, tzinfo=PARIS).astimezone(UTC)


def _meeting_history(network, members, year, rng) -> None:
    existing = db.session.scalars(select(Meeting.kind).where(
        Meeting.network_id == network.id, Meeting.starts_at >= _at(year, 1, 1, 0),
        Meeting.starts_at < _at(year + 1, 1, 1, 0))).all()
    if MeetingKind.QUARTERLY not in existing:
        for index, (month, day) in enumerate(QUARTER_DAYS):
            meeting = _meeting(network, MeetingKind.QUARTERLY, f"Rencontre trimestrielle — {index + 1}e trimestre "
                               f"{year}".replace("1e ", "1er "), _at(year, month, day))
            db.session.add(AgendaItem(meeting_id=meeting.id, kind=AgendaItemKind.THEMATIC, position=1,
                                      title=THEMES[(index + 4 * (year % 2)) % len(THEMES)]))
            db.session.add(AgendaItem(meeting_id=meeting.id, kind=AgendaItemKind.CODEV, position=2,
                                      title="Atelier de co-développement"))
            _attendance(meeting, members, rng, base=0.78)
    if MeetingKind.TRAINING not in existing:
        meeting = _meeting(network, MeetingKind.TRAINING, "Formation : animer une réunion avec des élus",
                           _at(year, *TRAINING_DAY))
        _attendance(meeting, rng.sample(members, k=max(3, len(members) // 2)), rng, base=0.85)


def _meeting(network, kind, title, starts_at) -> Meeting:
    meeting = Meeting(network_id=network.id, kind=kind, title=title, starts_at=starts_at,
                      ends_at=starts_at + timedelta(hours=3, minutes=30), status=MeetingStatus.CLOSED,
                      ical_uid=f"{secrets.token_hex(12)}@reseau.demo", trainer="Cabinet Territoires & Coopération"
                      if kind == MeetingKind.TRAINING else None)
    db.session.add(meeting)
    db.session.flush()
    return meeting


def _attendance(meeting, members, rng, base) -> None:
    for index, member in enumerate(members):
        if member.joined_on > meeting.starts_at.date():
            continue
        presence = base - 0.04 * (index % 6)  # some members come more often than others
        draw = rng.random()
        if draw < presence:
            status, rsvp = (AttendanceStatus.PARTIAL if rng.random() < 0.08 else AttendanceStatus.PRESENT), Rsvp.YES
        elif draw < presence + 0.1:
            status, rsvp = AttendanceStatus.EXCUSED, Rsvp.EXCUSED
        else:
            status, rsvp = AttendanceStatus.ABSENT, Rsvp.PENDING
        db.session.add(Invitation(meeting_id=meeting.id, member_id=member.id, rsvp=rsvp, sent_at=meeting.starts_at
                                  - timedelta(days=30)))
        db.session.add(Attendance(meeting_id=meeting.id, member_id=member.id, status=status,
                                  recorded_at=meeting.starts_at + timedelta(hours=1)))


def _answers(rng, level: float) -> list[int | None]:
    return [max(1, min(4, round(level + rng.uniform(-0.8, 0.8)))) for _ in range(10)]


def _self_efficacy(coordinators, today, rng) -> None:
    """T0 shortly after joining for most; T1 a year later for about three quarters of them."""
    for index, member in enumerate(coordinators[: max(3, len(coordinators) * 3 // 4)]):
        level = 2.3 + 0.1 * (index % 5)
        taken = member.joined_on + timedelta(days=10 + index)
        answers = _answers(rng, level)
        if index == 2:
            answers[8] = answers[9] = None  # two items left blank: prorated score
        _response(member, 0, taken, answers)
        later = taken.replace(year=taken.year + 1)
        if index % 4 != 3 and later <= today:
            _response(member, 1, later, _answers(rng, level + 0.35))


def _response(member, wave, taken_on, answers) -> None:
    db.session.add(SelfEfficacyResponse(member_id=member.id, network_id=member.network_id, wave=wave,
                                        taken_on=taken_on, score=gse_score(answers),
                                        **{f"item_{n}": a for n, a in enumerate(answers, start=1)}))


def _self_assessments(network, coordinators, today, rng) -> None:
    db.session.flush()
    activities = [activity for entry in network_grid(network.id) for activity in entry.activities]
    for index, member in enumerate(coordinators[:8]):
        taken = member.joined_on + timedelta(days=20 + index)
        for wave, shift in ((0, 0.0), (1, 0.6)):
            if wave == 1 and (index == 7 or taken.replace(year=taken.year + 1) > today):
                continue
            assessment = SelfAssessment(member_id=member.id, network_id=network.id, wave=wave,
                                        taken_on=taken.replace(year=taken.year + wave))
            db.session.add(assessment)
            db.session.flush()
            for position, activity in enumerate(activities):
                not_concerned = (position + index) % 9 == 0
                score = None if not_concerned else max(0, min(3, round(1.3 + shift + rng.uniform(-1, 1)
                                                                       + 0.2 * (index % 3))))
                db.session.add(SelfAssessmentScore(assessment_id=assessment.id, activity_id=activity.id,
                                                   score=score))
