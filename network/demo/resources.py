"""Demo materials, minutes and news: what the last meetings of the Pas-de-Calais network left behind, so that a
newcomer's library, meeting pages and « ressources partagées » are not empty.

Files and links go through the services (checked from their content, stored once, indexed for the search); the
minutes are written published and the news posted with the default weekly digest: seeding never queues an email."""

from datetime import timedelta

from sqlalchemy import select

from network.codev.enums import Theme
from network.extensions import db
from network.resources import news, services
from network.resources.enums import MinutesStatus
from network.resources.models import MinutesVersion
from network.sessions.enums import MeetingKind, MeetingStatus
from network.sessions.models import Meeting

SLIDES = (
    "Schéma départemental des services aux familles 2025-2029",
    ["Diagnostic partagé : 37 communes sans solution d'accueil du jeune enfant à moins de 15 minutes.",
     "Quatre axes : petite enfance, parentalité, jeunesse, animation de la vie sociale.",
     "Rôle des chargés de coopération : relayer le diagnostic auprès des élus communautaires.",
     "Calendrier : comités techniques par territoire au premier trimestre."],
)
PRACTICAL_SHEET = (
    "Fiche pratique : préparer un comité de pilotage CTG avec les élus",
    ["Trois semaines avant : valider l'ordre du jour avec le vice-président en charge.",
     "Deux semaines avant : envoyer les tableaux de bord, une page par axe.",
     "Le jour même : conclure chaque point sur une décision et un porteur.",
     "Après : relevé de décisions sous huit jours, partagé avec la Caf et la MSA."],
)
MINUTES = [
    ("Présentation du schéma départemental, atelier de co-développement sur la mobilisation des élus, vote du "
     "thème de la prochaine rencontre.",
     "## Information thématique\n\nMme Roussel a présenté le schéma départemental des services aux familles : "
     "diagnostic, quatre axes et calendrier des comités techniques. Le diaporama est joint à la rencontre.\n\n"
     "## Atelier de co-développement\n\nDeux sous-groupes ont travaillé sur des situations apportées par des "
     "membres du réseau ; leur contenu reste confidentiel.\n\n## Prochaine rencontre\n\nLe thème retenu par le "
     "vote sera précisé dans l'invitation."),
    ("Retour d'expérience sur les comités de pilotage CTG et échanges sur la jeunesse en milieu rural.",
     "## Tour de table\n\nChaque territoire a présenté l'état de sa convention territoriale globale.\n\n"
     "## Comités de pilotage\n\nLa fiche pratique jointe reprend les étapes qui ont fonctionné sur le "
     "Montreuillois.\n\n## Suites\n\nLes co-animateurs diffusent le calendrier des comités techniques."),
]
NEWS = [
    ("Appel à projets « Fonds publics et territoires » 2027",
     "La Caf ouvre son appel à projets pour l'inclusion des enfants en situation de handicap et la jeunesse. "
     "Dossiers attendus avant le 31 janvier ; les co-animateurs peuvent relire vos projets."),
    ("Webinaire MSA : l'aller-vers en milieu rural",
     "La MSA Nord-Pas-de-Calais organise un webinaire d'une heure sur les démarches d'aller-vers ; le lien "
     "d'inscription est sur le site de la MSA."),
]


def _pdf(title: str, lines: list[str]) -> bytes:
    from fpdf import FPDF  # loaded by the first PDF, not at start

    document = FPDF()
    document.add_page()
    document.set_font("helvetica", style="B", size=14)
    document.multi_cell(0, 8, text=title, new_x="LMARGIN", new_y="NEXT")
    document.set_font("helvetica", size=11)
    for line in lines:
        document.multi_cell(0, 7, text=f"- {line}", new_x="LMARGIN", new_y="NEXT")
    return bytes(document.output())


def _held_meetings(network_id: int) -> list[Meeting]:
    """The network's last two held quarterly meetings, most recent first."""
    return list(db.session.scalars(
        select(Meeting).where(Meeting.network_id == network_id, Meeting.kind == MeetingKind.QUARTERLY,
                              Meeting.status.in_((MeetingStatus.HELD, MeetingStatus.CLOSED)))
        .order_by(Meeting.starts_at.desc()).limit(2)))


def _published_minutes(meeting: Meeting, facilitator, summary: str, body: str) -> None:
    minutes = services.save_minutes(meeting, actor=facilitator, summary=summary, body=body)
    published_at = meeting.ends_at + timedelta(days=3)
    minutes.status, minutes.published_at, minutes.version = MinutesStatus.PUBLISHED, published_at, 1
    db.session.add(MinutesVersion(minutes_id=minutes.id, version=1, summary=minutes.summary, body=minutes.body,
                                  author_id=facilitator.id, created_at=published_at))


def seed_resources(demo) -> None:
    pdc = demo.pas_de_calais
    facilitator = pdc.members["animatrice.caf@example.org"]
    meetings = _held_meetings(pdc.network.id)
    for meeting, (title, lines), link, (summary, body) in zip(
            meetings, (SLIDES, PRACTICAL_SHEET),
            (("Caf du Pas-de-Calais — espace partenaires", "https://www.caf.fr/partenaires/caf-du-pas-de-calais"),
             ("MSA — l'action sanitaire et sociale", "https://www.msa.fr/lfp/sante/action-sanitaire-sociale")),
            MINUTES):
        document = services.attach_file(
            actor=facilitator, meeting=meeting, title=title, description="Support présenté pendant la rencontre.",
            upload=services.Upload(_pdf(title, lines), "support.pdf"))
        services.attach_link(actor=facilitator, meeting=meeting, title=link[0], description=None, url=link[1])
        _published_minutes(meeting, facilitator, summary, body)
        if title == PRACTICAL_SHEET[0]:
            services.share_resource(document, actor=facilitator, theme=Theme.ELECTED_OFFICIALS)
    for title, body in NEWS:
        news.post_news(pdc.network, actor=facilitator, title=title, body=body)
    db.session.flush()
