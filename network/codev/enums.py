"""CODEV vocabulary and the case transitions table (a leaf module: no model, no database).

`services.change_case_state()` is the only function that applies a move; permissions read the
same table to show or hide the buttons, so the two never disagree.
"""

from enum import StrEnum

from network.enums import LabelledEnum


class CaseType(LabelledEnum):
    PROBLEM = "problem", "Problème"
    PROJECT = "project", "Projet"
    CONCERN = "concern", "Préoccupation"


class Theme(LabelledEnum):
    EARLY_CHILDHOOD = "early_childhood", "Petite enfance"
    CHILDHOOD_YOUTH = "childhood_youth", "Enfance-jeunesse"
    PARENTING = "parenting", "Parentalité"
    SOCIAL_LIFE = "social_life", "Animation de la vie sociale"
    ACCESS_TO_RIGHTS = "access_to_rights", "Accès aux droits"
    HOUSING = "housing", "Logement"
    INCLUSION_DISABILITY = "inclusion_disability", "Inclusion et handicap"
    CTG_STEERING = "ctg_steering", "Pilotage de la CTG"
    ELECTED_OFFICIALS = "elected_officials", "Relations avec les élus"
    CAF_MSA_PARTNERSHIP = "caf_msa_partnership", "Partenariat Caf-MSA"
    DIAGNOSIS_EVALUATION = "diagnosis_evaluation", "Diagnostic et évaluation"
    STANCE_ORGANISATION = "stance_organisation", "Posture et organisation"


THEME_LABELS = Theme.labels()


class CaseState(LabelledEnum):
    DRAFT = "draft", "Brouillon"
    PROPOSED = "proposed", "Proposé"
    SELECTED = "selected", "Retenu"
    WORKED = "worked", "Travaillé en atelier"
    FOLLOWED_UP = "followed_up", "Suivi renseigné"
    CLOSED = "closed", "Clos"
    POSTPONED = "postponed", "Reporté"
    WITHDRAWN = "withdrawn", "Retiré"

    @property
    def tone(self) -> str:
        return {"draft": "muted", "proposed": "accent", "selected": "accent", "worked": "success",
                "followed_up": "success", "closed": "neutral", "postponed": "warning",
                "withdrawn": "muted"}[self.value]


class Outcome(LabelledEnum):
    RESOLVED = "resolved", "Résolu"
    OVERCOME = "overcome", "Surmonté / en bonne voie"
    PARTIALLY_RESOLVED = "partially_resolved", "Partiellement résolu"
    NOT_RESOLVED = "not_resolved", "Non résolu"
    NOT_APPLICABLE = "not_applicable", "Sans objet"


HELPFULNESS_LABELS = {0: "0 — pas du tout", 1: "1 — un peu", 2: "2 — beaucoup", 3: "3 — énormément"}


class SubgroupRole(LabelledEnum):
    CLIENT = "client", "Client·e (porteur du cas)"
    ANIMATOR = "animator", "Animateur·rice"
    CONSULTANT = "consultant", "Consultant·e"


class SubgroupEventKind(LabelledEnum):
    """One line of a subgroup's composition history (shown to the client; people's names, never content)."""

    PROPOSED = "proposed", "Proposition"  # a facilitator seats someone (pending the client's approval)
    ROLE_CHANGED = "role_changed", "Changement de rôle"  # a facilitator gives someone another role (pending again)
    REMOVED = "removed", "Retrait"  # a facilitator takes someone out
    APPROVED = "approved", "Accord"  # the client approves the seat: the person reads the case from now on
    REFUSED = "refused", "Refus"  # the client refuses the person: out of the subgroup, and kept out for this case
    DISSOLVED = "dissolved", "Sous-groupe dissous (cas reporté)"  # the case was postponed: the subgroup is dissolved


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
