"""Leaf module: breakdown keys, grid scores and the self-efficacy answer scale."""

from network.enums import LabelledEnum


class Breakdown(LabelledEnum):
    NETWORK = "network", "Réseau"
    TERRITORY = "territory", "Territoire"
    INSTITUTION = "institution", "Institution"
    MEETING = "meeting", "Rencontre"


# Grid: an activity is scored 0–3, or NC (stored as NULL: "non concerné", neutralised in the rubric).
GRID_SCORE_CHOICES = [
    ("NC", "NC — Non concerné"),
    ("0", "0 — Non / pas : réalisé, mesuré, adapté, efficace…"),
    ("1", "1 — Partiellement"),
    ("2", "2 — Majoritairement"),
    ("3", "3 — Oui / totalement"),
]
GRID_MAX_SCORE = 3

# Threshold under which no group figure is shown (a mean of 1–4 people reveals individuals).
MIN_GROUP_SIZE = 5
