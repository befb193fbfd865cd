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
