"""Leaf module: breakdown keys, grid scores and the self-efficacy answer scale."""

from enum import StrEnum


class Breakdown(StrEnum):
    NETWORK = "network"
    TERRITORY = "territory"
    INSTITUTION = "institution"
    MEETING = "meeting"

    @property
    def label(self) -> str:
        return {"network": "Réseau", "territory": "Territoire", "institution": "Institution",
                "meeting": "Rencontre"}[self.value]


# Grid: an activity is scored 0–3, or NC (stored as NULL: "non concerné", neutralised in the rubric).
GRID_SCORE_CHOICES = [
    ("NC", "NC — Non concerné"),
    ("0", "0 — Non / pas : réalisé, mesuré, adapté, efficace…"),
    ("1", "1 — Partiellement"),
    ("2", "2 — Majoritairement"),
    ("3", "3 — Oui / totalement"),
]
GRID_MAX_SCORE = 3

# Threshold under which no group figure is shown (a mean of 1–4 people reveals individuals).
MIN_GROUP_SIZE = 5
