from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    FACILITATOR = "facilitator"
    COORDINATOR = "coordinator"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: "Administrateur (Cnaf / CCMSA)",
    Role.FACILITATOR: "Co-animateur·rice",
    Role.COORDINATOR: "Chargé·e de coopération",
}


class InstitutionKind(StrEnum):
    CAF = "caf"
    MSA = "msa"
    COLLECTIVITE = "collectivite"
    PARTNER = "partner"

    @property
    def label(self) -> str:
        return INSTITUTION_KIND_LABELS[self]


INSTITUTION_KIND_LABELS = {
    InstitutionKind.CAF: "Caf",
    InstitutionKind.MSA: "MSA",
    InstitutionKind.COLLECTIVITE: "Collectivité (EPCI, commune)",
    InstitutionKind.PARTNER: "Partenaire",
}


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
