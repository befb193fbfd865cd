from enum import StrEnum

from network.enums import LabelledEnum


class Role(LabelledEnum):
    ADMIN = "admin", "Administrateur (Cnaf / CCMSA)"
    FACILITATOR = "facilitator", "Co-animateur·rice"
    COORDINATOR = "coordinator", "Chargé·e de coopération"


class InstitutionKind(LabelledEnum):
    CAF = "caf", "Caf"
    MSA = "msa", "MSA"
    COLLECTIVITE = "collectivite", "Collectivité (EPCI, commune)"
    PARTNER = "partner", "Partenaire"


class EmailChangeKind(StrEnum):
    CORRECTION = "correction"  # typed by a facilitator or an admin: the member approves, then the new address verifies
    SELF = "self"  # asked by the member (password re-entered): the new address verifies
    FORCED = "forced"  # an admin's, for a lost address: takes effect after a delay the member may cancel


class EmailChangeStatus(StrEnum):
    AWAITING_APPROVAL = "awaiting_approval"
    AWAITING_VERIFICATION = "awaiting_verification"
    SCHEDULED = "scheduled"
    DONE = "done"
    REFUSED = "refused"
    CANCELLED = "cancelled"
    SUPERSEDED = "superseded"

    @property
    def is_open(self) -> bool:
        return self in OPEN_EMAIL_CHANGE_STATUSES


OPEN_EMAIL_CHANGE_STATUSES = frozenset({EmailChangeStatus.AWAITING_APPROVAL, EmailChangeStatus.AWAITING_VERIFICATION,
                                        EmailChangeStatus.SCHEDULED})
