from enum import StrEnum


class TopicStatus(StrEnum):
    BACKLOG = "backlog"
    CHOSEN = "chosen"
    ARCHIVED = "archived"
    MERGED = "merged"

    @property
    def label(self) -> str:
        return {"backlog": "Proposé", "chosen": "Retenu", "archived": "Archivé",
                "merged": "Fusionné"}[self.value]


class VoteStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    CONFIRMED = "confirmed"

    @property
    def label(self) -> str:
        return {"draft": "En préparation", "open": "Ouvert", "closed": "Clos",
                "confirmed": "Thème confirmé"}[self.value]


# The vote round's state machine; services.change_vote_status is its only writer.
VOTE_TRANSITIONS: dict[VoteStatus, frozenset[VoteStatus]] = {
    VoteStatus.DRAFT: frozenset({VoteStatus.OPEN}),
    VoteStatus.OPEN: frozenset({VoteStatus.CLOSED}),
    VoteStatus.CLOSED: frozenset({VoteStatus.CONFIRMED}),
    VoteStatus.CONFIRMED: frozenset(),
}

DEFAULT_MAX_PER_TOPIC = 2
