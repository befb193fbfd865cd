"""The General Self-Efficacy Scale (GSE), French version.

Schwarzer, R. & Jerusalem, M. (1995). Generalized Self-Efficacy scale. In J. Weinman, S. Wright,
& M. Johnston, Measures in health psychology: A user's portfolio. Windsor, UK: NFER-NELSON.
French adaptation: Dumont, M., Schwarzer, R. & Jerusalem, M. (2000). French Adaptation of the
General Self-Efficacy Scale. http://userpage.fu-berlin.de/~health/french.htm
"""

from decimal import ROUND_HALF_UP, Decimal

GSE_ITEMS = (
    "Je peux toujours arriver à résoudre mes difficultés si j'essaie assez fort.",
    "Si quelqu'un s'oppose à moi, je peux trouver une façon pour obtenir ce que je veux.",
    "C'est facile pour moi de maintenir mon attention sur mes objectifs et accomplir mes buts.",
    "J'ai confiance que je peux faire face efficacement aux événements inattendus.",
    "Grâce à ma débrouillardise, je sais comment faire face aux situations imprévues.",
    "Je peux résoudre la plupart de mes problèmes si j'investis les efforts nécessaires.",
    "Je peux rester calme lorsque je suis confronté(e) à des difficultés car je peux me fier "
    "à mes habiletés pour faire face aux problèmes.",
    "Lorsque je suis confronté(e) à un problème, je peux habituellement trouver plusieurs solutions.",
    "Si je suis « coincé(e) », je peux habituellement penser à ce que je pourrais faire.",
    "Peu importe ce qui arrive, je suis généralement capable d'y faire face.",
)
GSE_ANSWERS = (
    (1, "Pas du tout vrai"),
    (2, "À peine vrai"),
    (3, "Moyennement vrai"),
    (4, "Totalement vrai"),
)
GSE_ITEM_COUNT = len(GSE_ITEMS)
GSE_MAX_MISSING = 3
GSE_CITATION = (
    "Échelle d'auto-efficacité généralisée (General Self-Efficacy Scale) : Schwarzer, R. & Jerusalem, M. (1995). "
    "Adaptation française : Dumont, M., Schwarzer, R. & Jerusalem, M. (2000)."
)
GSE_SCORING_RULE = (
    "Score de 10 à 40 (somme des 10 réponses notées de 1 à 4). Il est calculé si 3 réponses au plus manquent : "
    "moyenne des réponses données × 10, arrondie au dixième. Au-delà de 3 réponses manquantes, pas de score."
)


def gse_score(answers: list[int | None]) -> float | None:
    """Prorated score: mean of the answered items × 10, 1 decimal; None when more than 3 items are missing."""
    given = [answer for answer in answers if answer is not None]
    if len(answers) - len(given) > GSE_MAX_MISSING or not given:
        return None
    exact = Decimal(sum(given) * 10) / Decimal(len(given))
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
