from network.enums import LabelledEnum


class JoinRequestStatus(LabelledEnum):
    UNCONFIRMED = "unconfirmed", "Adresse non confirmée"  # the email address is not confirmed yet
    PENDING = "pending", "En attente de décision"  # confirmed, waiting for the facilitators
    APPROVED = "approved", "Acceptée"
    DECLINED = "declined", "Refusée"


OPEN_STATUSES = (JoinRequestStatus.UNCONFIRMED, JoinRequestStatus.PENDING)
