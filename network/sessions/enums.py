from enum import StrEnum

from network.enums import LabelledEnum


class MeetingKind(LabelledEnum):
    QUARTERLY = "quarterly", "Rencontre trimestrielle"
    TRAINING = "training", "Formation mutualisée"


class MeetingStatus(LabelledEnum):
    PLANNED = "planned", "Planifiée"
    INVITED = "invited", "Invitations envoyées"
    HELD = "held", "Tenue"
    CLOSED = "closed", "Clôturée"
    CANCELLED = "cancelled", "Annulée"

    @property
    def member_label(self) -> str:
        """What a member needs to know: the facilitators' steps (invitations sent, held, closed) are theirs."""
        return {"planned": "À venir", "invited": "À venir", "held": "Passée", "closed": "Passée",
                "cancelled": "Annulée"}[self.value]

    @property
    def explanation(self) -> str:
        return {"planned": "Planifiée\u00a0: les invitations ne sont pas encore envoyées.",
                "invited": "Invitations envoyées\u00a0: les membres peuvent répondre.",
                "held": "Tenue\u00a0: la rencontre a eu lieu\u00a0; les présences restent modifiables.",
                "closed": "Clôturée\u00a0: présences vérifiées, la rencontre est figée.",
                "cancelled": "Annulée\u00a0: un avis d'annulation a été envoyé."}[self.value]


class Rsvp(LabelledEnum):
    PENDING = "pending", "Sans réponse"
    YES = "yes", "Oui"
    NO = "no", "Non"
    EXCUSED = "excused", "Excusé·e"


class AttendanceStatus(LabelledEnum):
    PRESENT = "present", "Présent·e"
    PARTIAL = "partial", "Présence partielle"
    EXCUSED = "excused", "Excusé·e"
    ABSENT = "absent", "Absent·e"


class AgendaItemKind(LabelledEnum):
    THEMATIC = "thematic", "Information thématique"
    CODEV = "codev", "Atelier de co-développement"
    VOTE = "vote", "Vote du thème suivant"
    FREE = "free", "Autre point"


class RegistrationStatus(LabelledEnum):
    CONFIRMED = "confirmed", "Inscrit·e"
    WAITLISTED = "waitlisted", "Liste d'attente"


class RsvpSource(LabelledEnum):
    """Where an answer came from: the email's link, the site, or the member's calendar (an iMIP REPLY)."""

    LINK = "link", "lien"
    SITE = "site", "site"
    CALENDAR = "calendar", "agenda"


class ReplyOutcome(StrEnum):
    """What reading one email of the organizer's mailbox led to (stored per Message-ID)."""

    APPLIED = "applied"
    IGNORED = "ignored"
    MALFORMED = "malformed"
