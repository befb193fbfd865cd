"""CODEV vocabulary and the case transitions table (a leaf module: no model, no database).

`services.change_case_state()` is the only function that applies a move; permissions read the
same table to show or hide the buttons, so the two never disagree.
"""

from enum import StrEnum


class CaseType(StrEnum):
    PROBLEM = "problem"
    PROJECT = "project"
    CONCERN = "concern"

    @property
    def label(self) -> str:
        return {"problem": "Problème", "project": "Projet", "concern": "Préoccupation"}[self.value]


class Theme(StrEnum):
    EARLY_CHILDHOOD = "early_childhood"
    CHILDHOOD_YOUTH = "childhood_youth"
    PARENTING = "parenting"
    SOCIAL_LIFE = "social_life"
    ACCESS_TO_RIGHTS = "access_to_rights"
    HOUSING = "housing"
    INCLUSION_DISABILITY = "inclusion_disability"
    CTG_STEERING = "ctg_steering"
    ELECTED_OFFICIALS = "elected_officials"
    CAF_MSA_PARTNERSHIP = "caf_msa_partnership"
    DIAGNOSIS_EVALUATION = "diagnosis_evaluation"
    STANCE_ORGANISATION = "stance_organisation"

    @property
    def label(self) -> str:
        return THEME_LABELS[self]


THEME_LABELS = {
    Theme.EARLY_CHILDHOOD: "Petite enfance",
    Theme.CHILDHOOD_YOUTH: "Enfance-jeunesse",
    Theme.PARENTING: "Parentalité",
    Theme.SOCIAL_LIFE: "Animation de la vie sociale",
    Theme.ACCESS_TO_RIGHTS: "Accès aux droits",
    Theme.HOUSING: "Logement",
    Theme.INCLUSION_DISABILITY: "Inclusion et handicap",
    Theme.CTG_STEERING: "Pilotage de la CTG",
    Theme.ELECTED_OFFICIALS: "Relations avec les élus",
    Theme.CAF_MSA_PARTNERSHIP: "Partenariat Caf-MSA",
    Theme.DIAGNOSIS_EVALUATION: "Diagnostic et évaluation",
    Theme.STANCE_ORGANISATION: "Posture et organisation",
}


class CaseState(StrEnum):
    DRAFT = "draft"
    PROPOSED = "proposed"
    SELECTED = "selected"
    WORKED = "worked"
    FOLLOWED_UP = "followed_up"
    CLOSED = "closed"
    POSTPONED = "postponed"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {"draft": "Brouillon", "proposed": "Proposé", "selected": "Retenu", "worked": "Travaillé en atelier",
                "followed_up": "Suivi renseigné", "closed": "Clos", "postponed": "Reporté",
                "withdrawn": "Retiré"}[self.value]

    @property
    def tone(self) -> str:
        return {"draft": "muted", "proposed": "accent", "selected": "accent", "worked": "success",
                "followed_up": "success", "closed": "neutral", "postponed": "warning",
                "withdrawn": "muted"}[self.value]


class Outcome(StrEnum):
    RESOLVED = "resolved"
    OVERCOME = "overcome"
    PARTIALLY_RESOLVED = "partially_resolved"
    NOT_RESOLVED = "not_resolved"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        return {"resolved": "Résolu", "overcome": "Surmonté / en bonne voie",
                "partially_resolved": "Partiellement résolu", "not_resolved": "Non résolu",
                "not_applicable": "Sans objet"}[self.value]


HELPFULNESS_LABELS = {0: "0 — pas du tout", 1: "1 — un peu", 2: "2 — beaucoup", 3: "3 — énormément"}


class SubgroupRole(StrEnum):
    CLIENT = "client"
    ANIMATOR = "animator"
    CONSULTANT = "consultant"

    @property
    def label(self) -> str:
        return {"client": "Client·e (porteur du cas)", "animator": "Animateur·rice",
                "consultant": "Consultant·e"}[self.value]


class SubgroupEventKind(StrEnum):
    """One line of a subgroup's composition history (shown to the client; people's names, never content)."""

    PROPOSED = "proposed"  # a facilitator seats someone (pending the client's approval)
    ROLE_CHANGED = "role_changed"  # a facilitator gives someone another role (pending again)
    REMOVED = "removed"  # a facilitator takes someone out
    APPROVED = "approved"  # the client approves the seat: the person reads the case from now on
    REFUSED = "refused"  # the client refuses the person: out of the subgroup, and kept out for this case
    DISSOLVED = "dissolved"  # the case was postponed: the subgroup is dissolved

    @property
    def label(self) -> str:
        return {"proposed": "Proposition", "role_changed": "Changement de rôle", "removed": "Retrait",
                "approved": "Accord", "refused": "Refus", "dissolved": "Sous-groupe dissous (cas reporté)"}[self.value]


class Party(StrEnum):
    """Who may make a move: the case's client, its subgroup's animator, a facilitator of its network."""

    CLIENT = "client"
    ANIMATOR = "animator"
    FACILITATOR = "facilitator"


S = CaseState
# (from, to) → the parties allowed to make the move. Anything absent is an illegal move.
CASE_TRANSITIONS: dict[tuple[CaseState, CaseState], frozenset[Party]] = {
    (S.DRAFT, S.PROPOSED): frozenset({Party.CLIENT}),
    (S.DRAFT, S.WITHDRAWN): frozenset({Party.CLIENT}),
    (S.PROPOSED, S.SELECTED): frozenset({Party.FACILITATOR}),
    (S.PROPOSED, S.POSTPONED): frozenset({Party.FACILITATOR}),
    (S.PROPOSED, S.WITHDRAWN): frozenset({Party.CLIENT}),
    (S.POSTPONED, S.PROPOSED): frozenset({Party.CLIENT}),
    (S.POSTPONED, S.SELECTED): frozenset({Party.FACILITATOR}),
    (S.POSTPONED, S.WITHDRAWN): frozenset({Party.CLIENT}),
    (S.SELECTED, S.WORKED): frozenset({Party.CLIENT, Party.ANIMATOR, Party.FACILITATOR}),
    (S.SELECTED, S.POSTPONED): frozenset({Party.FACILITATOR}),
    (S.SELECTED, S.WITHDRAWN): frozenset({Party.CLIENT}),
    (S.WORKED, S.FOLLOWED_UP): frozenset({Party.CLIENT}),
    (S.FOLLOWED_UP, S.CLOSED): frozenset({Party.CLIENT, Party.FACILITATOR}),
}
del S

# The pool a facilitator picks from when preparing a workshop.
POOL_STATES = frozenset({CaseState.PROPOSED, CaseState.POSTPONED})
# The fiche-cas (context, question, help wished) can be edited until the case is selected.
SHEET_EDITABLE_STATES = frozenset({CaseState.DRAFT, CaseState.PROPOSED, CaseState.POSTPONED})
# The six-step record is written during or after the workshop.
RECORD_EDITABLE_STATES = frozenset({CaseState.SELECTED, CaseState.WORKED, CaseState.FOLLOWED_UP})
FOLLOW_UP_STATES = frozenset({CaseState.WORKED, CaseState.FOLLOWED_UP})
AFTER_WORKSHOP_STATES = frozenset({CaseState.WORKED, CaseState.FOLLOWED_UP, CaseState.CLOSED})

SUBGROUP_MIN_SIZE = 5
SUBGROUP_MAX_SIZE = 8
