"""Demo meetings: the current year planned in Pas-de-Calais, past meetings held with attendance,
upcoming ones invited with answers, and a pooled training with a waitlist.

Rows are written directly: seeding must never queue emails."""

import uuid
from datetime import datetime, time, timedelta

from network.calendar import paris_to_utc, to_paris
from network.database import utcnow
from network.extensions import db
from network.members.enums import Role
from network.sessions.enums import AttendanceStatus, MeetingKind, MeetingStatus, RegistrationStatus, Rsvp
from network.sessions.models import Attendance, Invitation, Meeting, Registration, Venue
from network.sessions.services.planning import default_agenda, quarter_title, second_tuesday

VENUES = [
    ("Caf du Pas-de-Calais — site d'Arras", "caf", "9 rue Willy Brandt", "62000", "Arras",
     "Salle Artois, 2e étage. Parking visiteurs rue Émile Legrelle ; gare d'Arras à 10 minutes à pied."),
    ("MSA Nord-Pas de Calais — Lille", "msa", "33 rue du Ballon", "59000", "Lille",
     "Accueil au rez-de-chaussée ; métro ligne 1, station Gare Lille-Flandres."),
    ("Maison du Département Solidarité du Montreuillois", "partner", "21 rue Pierre Ledent", "62170",
     "Montreuil-sur-Mer", "Salle de réunion au 1er étage, accessible par ascenseur."),
]

THEMES = [
    ("Le schéma départemental des services aux familles (SDSF)", "Mme Roussel, conseillère technique Caf",
     "https://www.caf.fr/partenaires/caf-du-pas-de-calais\nDiaporama du SDSF 2025-2029 (PDF)"),
    ("Inclusion des enfants en situation de handicap dans les accueils de loisirs", "M. Delcourt, Pôle ressources handicap 62",
     "https://www.monenfant.fr"),
    ("Mobiliser les élus autour de la CTG", "Mme Vandenbussche, Association des maires du Pas-de-Calais", None),
    ("Jeunesse en milieu rural : diagnostics partagés", "M. Lefranc, MSA Nord-Pas de Calais", None),
]

# Answer and attendance patterns, cycled over members so the demo looks lived-in.
RSVP_PATTERN = [Rsvp.YES, Rsvp.YES, Rsvp.YES, Rsvp.EXCUSED, Rsvp.YES, Rsvp.NO, Rsvp.YES, Rsvp.PENDING]
ATTENDANCE_FOR = {Rsvp.YES: AttendanceStatus.PRESENT, Rsvp.EXCUSED: AttendanceStatus.EXCUSED,
                  Rsvp.NO: AttendanceStatus.ABSENT, Rsvp.PENDING: AttendanceStatus.ABSENT}


def _meeting(network, **values) -> Meeting:
    meeting = Meeting(network_id=network.id, ical_uid=f"rencontre-{uuid.uuid4()}@reseau.example.org",
                      ical_sequence=0, **values)
    db.session.add(meeting)
    db.session.flush()
    return meeting


def _agenda(meeting: Meeting, theme) -> None:
    items = default_agenda(meeting)
    title, speaker, details = theme
    items[1].title, items[1].speaker, items[1].details = title, speaker, details
    db.session.add_all(items)


def _invite_and_attend(meeting: Meeting, members, facilitators, now: datetime, offset: int) -> None:
    held = meeting.status in (MeetingStatus.HELD, MeetingStatus.CLOSED)
    sent = min(meeting.starts_at - timedelta(days=40), now)
    for index, member in enumerate(members):
        rsvp = RSVP_PATTERN[(index + offset) % len(RSVP_PATTERN)]
        if member.role == Role.FACILITATOR:
            rsvp = Rsvp.YES
        db.session.add(Invitation(meeting_id=meeting.id, member_id=member.id, rsvp=rsvp, sent_at=sent,
                                  responded_at=None if rsvp == Rsvp.PENDING else sent + timedelta(days=2 + index % 9)))
        if held:
            status = ATTENDANCE_FOR[rsvp]
            if rsvp == Rsvp.YES and (index + offset) % 11 == 0:
                status = AttendanceStatus.PARTIAL
            db.session.add(Attendance(meeting_id=meeting.id, member_id=member.id, status=status,
                                      recorded_by_id=facilitators[0].id, recorded_at=meeting.starts_at))


def seed_sessions(demo) -> None:
    now = utcnow()
    pdc = demo.pas_de_calais
    network = pdc.network
    venues = [Venue(network_id=network.id, name=name, host_kind=kind, street=street, postal_code=postal_code,
                    city=city, access_notes=notes) for name, kind, street, postal_code, city, notes in VENUES]
    db.session.add_all(venues)
    db.session.flush()
    members = sorted(pdc.members.values(), key=lambda m: m.id)
    facilitators = [m for m in members if m.role == Role.FACILITATOR]
    caf, msa = facilitators[0], facilitators[1]
    year = to_paris(now).year
    for index, month in enumerate((3, 6, 9, 12)):
        day = second_tuesday(year, month)
        starts_at, ends_at = paris_to_utc(day, time(9, 30)), paris_to_utc(day, time(16, 0))
        past = ends_at <= now
        status = (MeetingStatus.CLOSED if past and index < 2 else MeetingStatus.HELD if past
                  else MeetingStatus.INVITED if starts_at - now < timedelta(days=75) else MeetingStatus.PLANNED)
        meeting = _meeting(network, kind=MeetingKind.QUARTERLY, title=quarter_title(day), starts_at=starts_at,
                           ends_at=ends_at, venue_id=venues[index % 3].id, status=status,
                           caf_facilitator_id=caf.id, msa_facilitator_id=msa.id,
                           description="Rencontre trimestrielle du réseau : information thématique, atelier de "
                                       "co-développement en sous-groupes et vote du thème de la prochaine rencontre.")
        _agenda(meeting, THEMES[index])
        if status != MeetingStatus.PLANNED:
            _invite_and_attend(meeting, members, facilitators, now, offset=index * 3)
    _seed_training(network, members, venues[0], caf, msa, now)


def _seed_training(network, members, venue, caf, msa, now: datetime) -> None:
    day = (to_paris(now) + timedelta(days=24)).date()
    day += timedelta(days=(3 - day.weekday()) % 7)  # a Thursday
    training = _meeting(network, kind=MeetingKind.TRAINING, title="Animer une réunion avec des élus",
                        description="Journée de formation mutualisée : préparer l'ordre du jour, faciliter les "
                                    "échanges avec les élus communautaires, conclure sur des décisions.",
                        trainer="Territoires Conseil (Banque des Territoires)", capacity=6,
                        starts_at=paris_to_utc(day, time(9, 0)), ends_at=paris_to_utc(day, time(17, 0)),
                        venue_id=venue.id, status=MeetingStatus.INVITED, caf_facilitator_id=caf.id,
                        msa_facilitator_id=msa.id)
    coordinators = [m for m in members if m.role == Role.COORDINATOR]
    for index, member in enumerate(coordinators[:8]):
        registered_at = now - timedelta(days=10 - index)
        confirmed = index < 6
        db.session.add(Registration(meeting_id=training.id, member_id=member.id, registered_at=registered_at,
                                    status=RegistrationStatus.CONFIRMED if confirmed else RegistrationStatus.WAITLISTED))
        if confirmed:
            db.session.add(Invitation(meeting_id=training.id, member_id=member.id, rsvp=Rsvp.YES,
                                      sent_at=registered_at, responded_at=registered_at))
    db.session.flush()


