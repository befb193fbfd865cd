from enum import StrEnum


class MeetingKind(StrEnum):
    QUARTERLY = "quarterly"
    TRAINING = "training"

    @property
    def label(self) -> str:
        return {"quarterly": "Rencontre trimestrielle", "training": "Formation mutualisée"}[self.value]


class MeetingStatus(StrEnum):
    PLANNED = "planned"
    INVITED = "invited"
    HELD = "held"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {"planned": "Planifiée", "invited": "Invitations envoyées", "held": "Tenue",
                "closed": "Clôturée", "cancelled": "Annulée"}[self.value]

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


class Rsvp(StrEnum):
    PENDING = "pending"
    YES = "yes"
    NO = "no"
    EXCUSED = "excused"

    @property
    def label(self) -> str:
        return {"pending": "Sans réponse", "yes": "Oui", "no": "Non", "excused": "Excusé·e"}[self.value]


class AttendanceStatus(StrEnum):
    PRESENT = "present"
    PARTIAL = "partial"
    EXCUSED = "excused"
    ABSENT = "absent"

    @property
    def label(self) -> str:
        return {"present": "Présent·e", "partial": "Présence partielle", "excused": "Excusé·e",
                "absent": "Absent·e"}[self.value]


class AgendaItemKind(StrEnum):
    THEMATIC = "thematic"
    CODEV = "codev"
    VOTE = "vote"
    FREE = "free"

    @property
    def label(self) -> str:
        return {"thematic": "Information thématique", "codev": "Atelier de co-développement",
                "vote": "Vote du thème suivant", "free": "Autre point"}[self.value]


class RegistrationStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"

    @property
    def label(self) -> str:
        return {"confirmed": "Inscrit·e", "waitlisted": "Liste d'attente"}[self.value]


class RsvpSource(StrEnum):
    """Where an answer came from: the email's link, the site, or the member's calendar (an iMIP REPLY)."""

    LINK = "link"
    SITE = "site"
    CALENDAR = "calendar"

    @property
    def label(self) -> str:
        return {"link": "lien", "site": "site", "calendar": "agenda"}[self.value]


class ReplyOutcome(StrEnum):
    """What reading one email of the organizer's mailbox led to (stored per Message-ID)."""

    APPLIED = "applied"
    IGNORED = "ignored"
    MALFORMED = "malformed"
