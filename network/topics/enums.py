from network.enums import LabelledEnum


class TopicStatus(LabelledEnum):
    BACKLOG = "backlog", "Proposé"
    CHOSEN = "chosen", "Retenu"
    ARCHIVED = "archived", "Archivé"
    MERGED = "merged", "Fusionné"


class VoteStatus(LabelledEnum):
    DRAFT = "draft", "En préparation"
    OPEN = "open", "Ouvert"
    CLOSED = "closed", "Clos"
    CONFIRMED = "confirmed", "Thème confirmé"


# The vote round's state machine; services.change_vote_status is its only writer.
VOTE_TRANSITIONS: dict[VoteStatus, frozenset[VoteStatus]] = {
    VoteStatus.DRAFT: frozenset({VoteStatus.OPEN}),
    VoteStatus.OPEN: frozenset({VoteStatus.CLOSED}),
    VoteStatus.CLOSED: frozenset({VoteStatus.CONFIRMED}),
    VoteStatus.CONFIRMED: frozenset(),
}

DEFAULT_MAX_PER_TOPIC = 2
