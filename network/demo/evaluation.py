"""Demo evaluation data: two years of meeting history (created only where a network has no meeting that year)
with attendance, a chosen topic for each thematic segment and the CODEV cases worked at each workshop with their
follow-ups; a sign-in sheet for this year's held meetings; self-efficacy answers at T0 and T1, the default grid
and members' self-assessments."""

import random
import secrets
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import exists, select

from network.codev.enums import CaseState, Outcome
from network.codev.models import Case, CaseFollowUp, SubgroupMember
from network.database import utcnow
from network.evaluation import services
from network.evaluation.models import SelfAssessment, SelfAssessmentScore, SelfEfficacyResponse
from network.periods import PARIS
from network.evaluation.queries import network_grid
from network.evaluation.scales import gse_score
from network.extensions import db
from network.members import services as member_services
from network.members.enums import Role
from network.sessions.enums import AgendaItemKind, AttendanceStatus, MeetingKind, MeetingStatus, Rsvp
from network.sessions.models import AgendaItem, Attendance, Invitation, Meeting
from network.topics.enums import TopicStatus
from network.topics.models import Topic

QUARTER_DAYS = ((3, 14), (6, 13), (9, 26), (12, 5))
TRAINING_DAY = (10, 10)
# Thematic segments of the historical meetings: real chosen topics (titles already proposed in a network are
# skipped, so a backlog proposal never doubles as a past topic).
HISTORY_TOPICS = (
    ("Le schéma départemental des services aux familles (SDSF)",
     "Les orientations du SDSF et la manière dont les CTG les déclinent sur les territoires ruraux."),
    ("Inclusion des enfants en situation de handicap",
     "Pôle ressources handicap, bonus inclusion, accueil en crèche et en accueil de loisirs."),
    ("Mobiliser les élus sur la CTG",
     "Comités de pilotage, délibérations, restitution aux conseils communautaires : ce qui marche."),
    ("Le diagnostic partagé de territoire",
     "Données Caf et MSA, observatoires, ateliers avec les habitants : construire un diagnostic utile."),
    ("L'animation de la vie sociale en milieu rural",
     "Centres sociaux et espaces de vie sociale : agréments, financements, couverture du territoire."),
    ("La jeunesse en milieu rural : mobilité et engagement",
     "Transport, permis, Promeneurs du Net, conseils de jeunes : les leviers à l'échelle intercommunale."),
    ("L'accès aux droits et les espaces France services",
     "Rendez-vous des droits, accueil partenarial, lutte contre le non-recours."),
    ("Le soutien à la parentalité et le REAAP",
     "Actions collectives, lieux d'accueil enfants-parents et coordination départementale."),
    ("Le bonus territoire CTG et les financements de la Caf",
     "Ce que finance le bonus territoire, ce qui change avec la nouvelle convention d'objectifs et de gestion."),
    ("Le partenariat Caf-MSA sur les territoires ruraux",
     "Qui fait quoi, comment co-animer une CTG, les dispositifs propres à la MSA."),
)
# Cases worked at the historical meetings' workshops: (title, type, theme). Metadata only; content is generic.
HISTORY_CASES = (
    ("Relancer le comité de pilotage de la CTG", "problem", "ctg_steering"),
    ("Un relais petite enfance sans animatrice depuis six mois", "problem", "early_childhood"),
    ("Associer les communes rurales au diagnostic", "project", "diagnosis_evaluation"),
    ("Des familles qui ne viennent plus au lieu d'accueil enfants-parents", "concern", "parenting"),
    ("Convaincre un nouvel exécutif intercommunal", "problem", "elected_officials"),
    ("Un accueil de loisirs qui refuse un enfant autiste", "problem", "inclusion_disability"),
    ("Coordonner les permanences d'accès aux droits", "project", "access_to_rights"),
    ("Trouver ma place entre la Caf et l'intercommunalité", "concern", "stance_organisation"),
    ("Faire émerger un espace de vie sociale", "project", "social_life"),
    ("Des jeunes absents des instances de la CTG", "problem", "childhood_youth"),
    ("Un logement d'urgence pour les familles saisonnières", "problem", "housing"),
    ("Partager les données entre la Caf et la MSA", "problem", "caf_msa_partnership"),
)
# Outcomes drawn for the follow-ups: mostly positive, some partial, a few unresolved or without object.
OUTCOME_WEIGHTS = ((Outcome.RESOLVED, 4), (Outcome.OVERCOME, 4), (Outcome.PARTIALLY_RESOLVED, 3),
                   (Outcome.NOT_RESOLVED, 2), (Outcome.NOT_APPLICABLE, 1))
DEMO_CONTENT = "Cas de démonstration : le contenu confidentiel n'est lisible que par le sous-groupe."


def seed_evaluation(demo, today: date | None = None) -> None:
    today = today or utcnow().astimezone(PARIS).date()
    rng = random.Random(62)
    for demo_network in (demo.pas_de_calais, demo.tarn):
        members = [m for m in demo_network.members.values() if m.role in (Role.COORDINATOR, Role.FACILITATOR)]
        topics = _history_topics(demo_network.network, [m for m in members if m.role == Role.COORDINATOR])
        for year in (today.year - 2, today.year - 1):
            _meeting_history(demo_network.network, members, year, rng, topics, last_year=today.year - 1)
        _current_year_attendance(demo_network.network, members, today, rng)
        services.create_default_grid(demo_network.network, actor=None)
        coordinators = [m for m in members if m.role == Role.COORDINATOR]
        _self_efficacy(coordinators, today, rng)
        _self_assessments(demo_network.network, coordinators, today, rng)
    _membership_history(demo, today)
    db.session.flush()


def _membership_history(demo, today: date) -> None:
    """Some history in the membership periods (DESIGN.md §4): in Pas-de-Calais, Kévin Morel was away from
    1 July to 15 November last year (meetings held meanwhile leave him out), and Julie Bernard moved from the
    CC des 7 Vallées to the CA des 2 Baies on 1 September last year (earlier meetings stay under the former)."""
    network = demo.pas_de_calais
    facilitator = network.members["animatrice.caf@example.org"]
    away = network.members["kevin.morel@example.org"]
    member_services.deactivate_member(actor=facilitator, member=away, now=_at(today.year - 1, 7, 1))
    member_services.reactivate_member(actor=facilitator, member=away, now=_at(today.year - 1, 11, 15))
    mover = network.members["julie.bernard@example.org"]
    new_home = network.territories["CA des 2 Baies en Montreuillois"].id
    data = member_services.MemberData(**{field: getattr(mover, field) for field in member_services.MEMBER_FIELDS})
    data.territory_id = new_home
    member_services.update_member(actor=facilitator, member=mover, data=data, now=_at(today.year - 1, 9, 1))


def _at(year, month, day, hour=9) -> datetime:
    return datetime(year, month, day, hour, tzinfo=PARIS).astimezone(UTC)


def _history_topics(network, coordinators) -> list[Topic]:
    """Chosen topics for the eight historical meetings, proposed by coordinators in turn."""
    taken = set(db.session.scalars(select(Topic.title).where(Topic.network_id == network.id)))
    topics = []
    for index, (title, description) in enumerate([entry for entry in HISTORY_TOPICS if entry[0] not in taken][:8]):
        topics.append(Topic(network_id=network.id, title=title, description=description,
                            author_id=coordinators[index % len(coordinators)].id, status=TopicStatus.CHOSEN))
    db.session.add_all(topics)
    db.session.flush()
    return topics


def _meeting_history(network, members, year, rng, topics, last_year: int) -> None:
    existing = db.session.scalars(select(Meeting.kind).where(
        Meeting.network_id == network.id, Meeting.starts_at >= _at(year, 1, 1, 0),
        Meeting.starts_at < _at(year + 1, 1, 1, 0))).all()
    if MeetingKind.QUARTERLY not in existing:
        for index, (month, day) in enumerate(QUARTER_DAYS):
            meeting = _meeting(network, MeetingKind.QUARTERLY, f"Rencontre trimestrielle — {index + 1}e trimestre "
                               f"{year}".replace("1e ", "1er "), _at(year, month, day))
            topic = topics[(index + 4 * (year % 2)) % len(topics)]
            topic.created_at = meeting.starts_at - timedelta(days=120)
            db.session.add(AgendaItem(meeting_id=meeting.id, kind=AgendaItemKind.THEMATIC, position=1,
                                      title=topic.title, topic_id=topic.id))
            db.session.add(AgendaItem(meeting_id=meeting.id, kind=AgendaItemKind.CODEV, position=2,
                                      title="Atelier de co-développement"))
            present = _attendance(meeting, members, rng, base=0.78)
            _worked_cases(network, meeting, [m for m in present if m.role == Role.COORDINATOR], rng,
                          is_last=(year, index) == (last_year, 3))
    if MeetingKind.TRAINING not in existing:
        meeting = _meeting(network, MeetingKind.TRAINING, "Formation : animer une réunion avec des élus",
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


def _worked_cases(network, meeting, present, rng, is_last: bool) -> None:
    """Two or three cases worked at the workshop, with their clients' follow-ups (none yet for the last one)."""
    for client in rng.sample(present, k=min(len(present), rng.choice((2, 3, 3)))):
        title, case_type, theme = HISTORY_CASES[rng.randrange(len(HISTORY_CASES))]
        worked_at = meeting.starts_at + timedelta(hours=2)
        case = Case(network_id=network.id, client_id=client.id, meeting_id=meeting.id, title=title,
                    case_type=case_type, theme=theme, state=CaseState.WORKED, context=DEMO_CONTENT,
                    question=DEMO_CONTENT, help_wanted="", created_at=meeting.starts_at - timedelta(days=40),
                    proposed_at=meeting.starts_at - timedelta(days=35),
                    selected_at=meeting.starts_at - timedelta(days=14), worked_at=worked_at,
                    state_changed_at=worked_at)
        db.session.add(case)
        if is_last and rng.random() < 0.7:  # the most recent workshop: follow-ups still to come
            continue
        db.session.flush()
        outcome = rng.choices([o for o, _w in OUTCOME_WEIGHTS], weights=[w for _o, w in OUTCOME_WEIGHTS])[0]
        answered = meeting.starts_at + timedelta(days=91)
        db.session.add(CaseFollowUp(case_id=case.id, author_id=client.id, outcome=outcome,
                                    helpfulness={Outcome.NOT_RESOLVED: 1, Outcome.NOT_APPLICABLE: 0}.get(outcome, 3),
                                    actions_done=DEMO_CONTENT, comment="", created_at=answered))
        case.outcome, case.followed_up_at, case.state_changed_at = outcome, answered, answered
        case.state = CaseState.CLOSED if rng.random() < 0.6 else CaseState.FOLLOWED_UP
        if case.state == CaseState.CLOSED:
            case.closed_at = answered + timedelta(days=7)


def _current_year_attendance(network, members, today, rng) -> None:
    """This year's held meetings (made by the other demos) get a sign-in sheet: subgroup seats are present."""
    meetings = db.session.scalars(select(Meeting).where(
        Meeting.network_id == network.id, Meeting.kind == MeetingKind.QUARTERLY,
        Meeting.status.in_((MeetingStatus.HELD, MeetingStatus.CLOSED)), Meeting.starts_at >= _at(today.year, 1, 1, 0),
        Meeting.starts_at < _at(today.year, today.month, today.day, 0),
        ~exists().where(Attendance.meeting_id == Meeting.id))).all()
    for meeting in meetings:
        seated = set(db.session.scalars(select(SubgroupMember.member_id)
                                        .where(SubgroupMember.meeting_id == meeting.id)))
        invited = set(db.session.scalars(select(Invitation.member_id).where(Invitation.meeting_id == meeting.id)))
        _attendance(meeting, members, rng, base=0.8, always_present=seated, already_invited=invited)


def _attendance(meeting, members, rng, base, always_present=frozenset(), already_invited=frozenset()) -> list:
    """Invitations and a sign-in sheet for the members who had joined; returns the members present."""
    present = []
    for index, member in enumerate(members):
        if member.joined_on > meeting.starts_at.date():
            continue
        presence = base - 0.04 * (index % 6)  # some members come more often than others
        draw = 0.0 if member.id in always_present else rng.random()
        if draw < presence:
            status, rsvp = (AttendanceStatus.PARTIAL if rng.random() < 0.08 else AttendanceStatus.PRESENT), Rsvp.YES
        elif draw < presence + 0.1:
            status, rsvp = AttendanceStatus.EXCUSED, Rsvp.EXCUSED
        else:
            status, rsvp = AttendanceStatus.ABSENT, Rsvp.PENDING
        if member.id not in already_invited:
            db.session.add(Invitation(meeting_id=meeting.id, member_id=member.id, rsvp=rsvp,
                                      sent_at=meeting.starts_at - timedelta(days=30)))
        db.session.add(Attendance(meeting_id=meeting.id, member_id=member.id, status=status,
                                  recorded_at=meeting.starts_at + timedelta(hours=1)))
        if status in (AttendanceStatus.PRESENT, AttendanceStatus.PARTIAL):
            present.append(member)
    return present


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
