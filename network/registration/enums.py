from enum import StrEnum


class JoinRequestStatus(StrEnum):
    UNCONFIRMED = "unconfirmed"  # the email address is not confirmed yet
    PENDING = "pending"  # confirmed, waiting for the facilitators
    APPROVED = "approved"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    JoinRequestStatus.UNCONFIRMED: "Adresse non confirmée",
    JoinRequestStatus.PENDING: "En attente de décision",
    JoinRequestStatus.APPROVED: "Acceptée",
    JoinRequestStatus.DECLINED: "Refusée",
}

OPEN_STATUSES = (JoinRequestStatus.UNCONFIRMED, JoinRequestStatus.PENDING)
