"""Demo CODEV data (Pas-de-Calais): cases in every state, two held workshops with their subgroups and
records, follow-ups with each outcome. The demo coordinator (coordinatrice@example.org) is the client of
one case and a consultant on another. Uses the network's meetings when the sessions demo made them."""

import uuid
from datetime import timedelta

from sqlalchemy import select

from network.codev.enums import CaseState, Outcome, SubgroupRole
from network.codev.models import Case, CaseAction, CaseFollowUp, CaseRecord, Subgroup, SubgroupMember
from network.database import utcnow
from network.extensions import db
from network.sessions.enums import MeetingStatus, Rsvp
from network.sessions.models import Invitation, Meeting

# client, animator, consultants — one seat per person and meeting.
SUBGROUPS = {
    "A1": ("thomas.caron", "animatrice.caf", ["coordinatrice", "marc.delattre", "camille.leroy", "hugo.boulanger"]),
    "A2": ("ines.lemaire", "animateur.msa", ["romain.lecomte", "julie.bernard", "olivier.petit", "sarah.lambert"]),
    "A3": ("nadia.benali", "antoine.deprez", ["emma.wattel", "louis.carpentier", "manon.dupont", "kevin.morel"]),
    "B1": ("coordinatrice", "animatrice.caf", ["thomas.caron", "ines.lemaire", "marc.delattre", "lucie.fontaine"]),
    "B2": ("pierre.vasseur", "animateur.msa", ["nadia.benali", "camille.leroy", "olivier.petit", "louis.carpentier"]),
    "B3": ("emma.wattel", "hugo.boulanger", ["romain.lecomte", "julie.bernard", "sarah.lambert", "antoine.deprez"]),
}

# key: (title, type, theme, context, question, help wished)
SHEETS = {
    "A1": ("Faire vivre la CTG auprès des élus renouvelés", "problem", "elected_officials",
           "Depuis les élections, la moitié des maires de l'intercommunalité ne connaissent pas la CTG. Le comité de "
           "pilotage ne réunit plus que les techniciens et la vice-présidente en charge de la cohésion sociale.",
           "Comment redonner aux nouveaux élus l'envie de porter la CTG ?", "Des formats de réunion qui marchent."),
    "A2": ("Ouvrir une micro-crèche dans une commune de 900 habitants", "project", "early_childhood",
           "Une commune rurale veut une micro-crèche ; les besoins sont réels mais le gestionnaire pressenti hésite "
           "et la PMI demande des garanties sur le local.", "Comment sécuriser le projet sans le porter à la place de "
           "la commune ?", "Des retours d'expérience de micro-crèches rurales."),
    "A3": ("Mobiliser les parents éloignés des actions de parentalité", "concern", "parenting",
           "Les cafés des parents réunissent toujours les mêmes familles ; les parents des hameaux et les pères ne "
           "viennent pas.", "Comment aller vers les parents qui ne viennent jamais ?", "Des idées d'aller-vers."),
    "B1": ("Articuler le diagnostic CTG avec l'analyse des besoins sociaux", "problem", "diagnosis_evaluation",
           "Le CIAS lance son analyse des besoins sociaux au moment où nous actualisons le diagnostic de la CTG : "
           "deux cabinets, deux calendriers, les mêmes partenaires sollicités deux fois.",
           "Comment mutualiser les deux démarches sans froisser le CIAS ?", "Des exemples de diagnostics partagés."),
    "B2": ("Un accueil de loisirs intercommunal sans solution de transport", "problem", "childhood_youth",
           "L'accueil de loisirs intercommunal du mercredi est loin des communes du nord ; les familles sans voiture "
           "n'y ont pas accès.", "Quelles solutions de mobilité pour les enfants le mercredi ?",
           "Des contacts (transport à la demande, MSA)."),
    "B3": ("Positionner l'espace de vie sociale entre la mairie et le centre social", "concern", "social_life",
           "L'EVS associatif et le centre social voisin se disputent les mêmes publics ; la mairie attend que je "
           "tranche.", "Comment tenir une posture de coopération sans arbitrer à la place des élus ?",
           "Un regard extérieur sur ma posture."),
}
RECORDS = {
    "exposition": "La cliente expose la situation, les acteurs en présence et ce qu'elle a déjà tenté.",
    "clarifications": "Qui décide ? Quel calendrier ? Qu'attendent les élus ? Qu'avez-vous déjà essayé ?",
    "contract": "Identifier deux ou trois leviers concrets à actionner d'ici la prochaine rencontre.",
    "suggestions": "Associer les élus dès la conception ; s'appuyer sur la MSA pour les communes rurales ; "
                   "proposer un format court et concret ; partir des chiffres de la Caf.",
    "synthesis": "Retenus : un temps d'échange court avec les élus, un appui de la conseillère Caf, un calendrier partagé.",
    "client_learnings": "Je peux proposer un cadre sans porter seule la décision.",
    "group_learnings": "La posture d'ensemblier se construit avec les élus, pas à leur place.",
}
ACTIONS = {
    "A1": [("Organiser un petit-déjeuner CTG pour les nouveaux maires", "Chargé de coopération", 30, True),
           ("Préparer une fiche d'une page sur la CTG par commune", "Chargé de coopération", 45, True)],
    "A2": [("Réunir la commune, la PMI et le gestionnaire pressenti", "Chargée de coopération", 30, True),
           ("Solliciter l'appui du conseiller Caf petite enfance", "Chargée de coopération", 20, False)],
    "A3": [("Tester un café des parents au marché du samedi", "Référente parentalité", 60, False)],
    "B1": [("Proposer au CIAS un comité technique commun", "Chargée de coopération", 21, True),
           ("Partager le calendrier des deux diagnostics", "Chargée de coopération", 30, False),
           ("Présenter la démarche commune en conférence des maires", "Vice-présidente", 75, False)],
    "B2": [("Étudier le transport à la demande avec la région", "Chargé de coopération", 45, False)],
    "B3": [("Réunir l'EVS et le centre social autour d'un projet commun", "Animatrice", 40, False)],
}
OUTCOMES = {"A1": Outcome.RESOLVED, "A2": Outcome.OVERCOME, "A3": Outcome.NOT_RESOLVED,
            "B1": Outcome.PARTIALLY_RESOLVED, "B2": Outcome.NOT_APPLICABLE}
FOLLOW_UP_TEXT = {
    Outcome.RESOLVED: "Le comité de pilotage réunit de nouveau huit maires sur onze.",
    Outcome.OVERCOME: "Le gestionnaire a confirmé ; le local est en travaux.",
    Outcome.NOT_RESOLVED: "Le café au marché n'a pas attiré de nouveaux parents ; je reviens vers le groupe.",
    Outcome.PARTIALLY_RESOLVED: "Comité technique commun lancé ; le calendrier reste à caler.",
    Outcome.NOT_APPLICABLE: "La commune a finalement rejoint une autre intercommunalité.",
}
# Cases that do not reach the workshop: (client, title, type, theme, state, meeting key or None).
OTHER_CASES = [
    ("hugo.boulanger", "Associer les jeunes au projet de territoire", "project", "childhood_youth",
     CaseState.SELECTED, "C"),
    ("camille.leroy", "Des places en crèche pour les saisonniers agricoles", "problem", "caf_msa_partnership",
     CaseState.PROPOSED, "C"),
    ("romain.lecomte", "Harmoniser les tarifs des accueils de loisirs", "problem", "childhood_youth",
     CaseState.POSTPONED, None),
    ("julie.bernard", "Coordonner le soutien à la parentalité avec le REAAP", "project", "parenting",
     CaseState.DRAFT, None),
    ("manon.dupont", "Une France services débordée par les demandes d'accès aux droits", "concern",
     "access_to_rights", CaseState.WITHDRAWN, None),
    ("kevin.morel", "Accompagner un élu référent handicap", "project", "inclusion_disability",
     CaseState.PROPOSED, None),
]


def _member(people, key):
    return people[f"{key}@example.org"]


def _meetings(network, facilitators) -> dict:
    """Two held meetings and one upcoming: the network's own if they exist, created otherwise."""
    now = utcnow()
    existing = list(db.session.scalars(select(Meeting).where(Meeting.network_id == network.id,
                                                             Meeting.status != MeetingStatus.CANCELLED)
                                       .order_by(Meeting.starts_at)))
    held = [m for m in existing if m.starts_at < now and m.status in (MeetingStatus.HELD, MeetingStatus.CLOSED)]
    upcoming = [m for m in existing if m.starts_at > now and m.status in (MeetingStatus.PLANNED, MeetingStatus.INVITED)]
    wanted = {"A": (held[-2] if len(held) >= 2 else None, -150, MeetingStatus.HELD),
              "B": (held[-1] if held else None, -60, MeetingStatus.HELD),
              "C": (upcoming[0] if upcoming else None, 35, MeetingStatus.INVITED)}
    meetings = {}
    for key, (meeting, days, status) in wanted.items():
        if meeting is None:
            starts = (now + timedelta(days=days)).replace(hour=8, minute=0, second=0, microsecond=0)
            meeting = Meeting(network_id=network.id, title=f"Rencontre trimestrielle du réseau ({key})",
                              starts_at=starts, ends_at=starts + timedelta(hours=3, minutes=30), status=status,
                              ical_uid=f"{uuid.uuid4()}@reseau.demo", caf_facilitator_id=facilitators[0].id,
                              msa_facilitator_id=facilitators[1].id)
            db.session.add(meeting)
        meetings[key] = meeting
    db.session.flush()
    return meetings


def _say_yes(meeting, members) -> None:
    invitations = {inv.member_id: inv for inv in db.session.scalars(
        select(Invitation).where(Invitation.meeting_id == meeting.id))}
    for member in members:
        invitation = invitations.get(member.id)
        if invitation is None:
            db.session.add(Invitation(meeting_id=meeting.id, member_id=member.id, rsvp=Rsvp.YES,
                                      responded_at=meeting.starts_at - timedelta(days=10)))
        elif invitation.rsvp != Rsvp.YES:
            invitation.rsvp = Rsvp.YES


def seed_codev(demo) -> None:
    people = demo.pas_de_calais.members
    network = demo.pas_de_calais.network
    meetings = _meetings(network, [_member(people, "animatrice.caf"), _member(people, "animateur.msa")])
    cases = {}
    for key, (client_key, animator_key, consultant_keys) in SUBGROUPS.items():
        meeting = meetings[key[0]]
        seats = [(_member(people, client_key), SubgroupRole.CLIENT), (_member(people, animator_key), SubgroupRole.ANIMATOR),
                 *[(_member(people, k), SubgroupRole.CONSULTANT) for k in consultant_keys]]
        _say_yes(meeting, [member for member, _ in seats])
        cases[key] = _worked_case(key, network, meeting, seats)
    _say_yes(meetings["C"], [m for m in people.values() if m.role == "coordinator"][:12])
    for client_key, title, case_type, theme, state, meeting_key in OTHER_CASES:
        _case(network, _member(people, client_key), title, case_type, theme, state,
              meetings[meeting_key] if meeting_key else None, context="Situation décrite par la personne qui porte "
              "le cas (démonstration).", question="Comment avancer ?")
    nadia = _member(people, "nadia.benali")
    _case(network, nadia, "Mobiliser les parents éloignés (nouvelle consultation)", "concern", "parenting",
          CaseState.PROPOSED, meetings["C"], previous=cases["A3"],
          context=SHEETS["A3"][3] + " Le café au marché n'a pas fonctionné.",
          question="Quelles autres portes d'entrée vers ces familles ?")
    db.session.flush()


def _case(network, client, title, case_type, theme, state, meeting, *, context, question, previous=None,
          help_wanted="") -> Case:
    start = (meeting.starts_at if meeting else utcnow()) - timedelta(days=30)
    case = Case(network_id=network.id, client_id=client.id, meeting_id=meeting.id if meeting else None,
                previous_case_id=previous.id if previous else None, title=title, case_type=case_type, theme=theme,
                state=state, context=context, question=question, help_wanted=help_wanted, created_at=start,
                state_changed_at=start + timedelta(days=5))
    if state not in (CaseState.DRAFT, CaseState.WITHDRAWN):
        case.proposed_at = start + timedelta(days=2)
    if state == CaseState.POSTPONED:
        case.postponed_count = 1
    if state == CaseState.SELECTED:
        case.selected_at = start + timedelta(days=10)
    db.session.add(case)
    db.session.flush()
    return case


def _worked_case(key, network, meeting, seats) -> Case:
    title, case_type, theme, context, question, help_wanted = SHEETS[key]
    outcome = OUTCOMES.get(key)
    state = CaseState.WORKED if outcome is None else (CaseState.CLOSED if key == "A1" else CaseState.FOLLOWED_UP)
    case = _case(network, seats[0][0], title, case_type, theme, state, meeting, context=context, question=question,
                 help_wanted=help_wanted)
    case.selected_at = meeting.starts_at - timedelta(days=14)
    case.worked_at = meeting.starts_at + timedelta(hours=2)
    case.has_capitalisation_consent = key in ("A1", "B1")
    subgroup = Subgroup(meeting_id=meeting.id, case_id=case.id)
    # The client approved the composition before the workshop (every seat reads the case).
    subgroup.members = [SubgroupMember(meeting_id=meeting.id, member_id=member.id, role=role,
                                       approved_at=case.selected_at + timedelta(days=2)) for member, role in seats]
    db.session.add(subgroup)
    db.session.add(CaseRecord(case_id=case.id, updated_at=case.worked_at, updated_by_id=seats[1][0].id, **RECORDS))
    for description, owner, days, done in ACTIONS[key]:
        db.session.add(CaseAction(case_id=case.id, description=description, owner=owner, is_done=done,
                                  due_on=(meeting.starts_at + timedelta(days=days)).date()))
    if outcome is not None:
        answered = meeting.starts_at + timedelta(days=50)
        db.session.add(CaseFollowUp(case_id=case.id, author_id=seats[0][0].id, outcome=outcome,
                                    helpfulness={Outcome.NOT_RESOLVED: 1, Outcome.NOT_APPLICABLE: 0}.get(outcome, 3),
                                    actions_done=FOLLOW_UP_TEXT[outcome], comment="", created_at=answered))
        case.outcome = outcome
        case.followed_up_at = answered
        case.state_changed_at = answered
        if state == CaseState.CLOSED:
            case.closed_at = answered + timedelta(days=1)
    return case
