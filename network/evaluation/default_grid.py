"""The default self-assessment grid of the coordinator function (Caf grid, "Évaluation de la fonction
de chargé de coopération CTG", MAJ août 2024). Mission 1's activities are the grid's own wording;
missions 2–4 are the référentiel's other missions, broken into activities in the same style —
facilitators adapt them to their network (the grid is editable)."""

DEFAULT_GRID = (
    ("Mission 1 : Mettre en œuvre les politiques « petite-enfance, enfance-jeunesse et éducation, parentalité, "
     "logement et accès aux droits »", "Mise en œuvre des politiques", (
        "Contribue à répondre aux objectifs politiques et impulse de façon opérationnelle les projets validés "
        "par le comité de pilotage et les élus du territoire",
        "Développe et suit le plan d'action annuel de la CTG (sur 4 ans)",
        "Intègre de façon systématique la notion d'évaluation continue par les impacts, en suivant la mise en "
        "œuvre des indicateurs co-construits avec la CAF et les partenaires concernés",
        "Est en capacité d'éclairer sur les évolutions en cours, nouveaux enjeux, prospective et d'aider à la "
        "prise de décision (posture)",
        "Propose des ajustements du plan d'actions si nécessaire",
        "Met en place des outils de suivi d'activité et de fonctionnement des équipements",
        "Crée des indicateurs de suivi interne des équipements en gestion directe",
        "Crée et suit des tableaux de bord financiers et budgétaires",
        "Anime et outille le dialogue de gestion du schéma de services avec les partenaires de la collectivité",
        "Construit la complémentarité des engagements financiers et humains CdC/CAF/CCD/AFC, développe les "
        "financements (vision prospective et préventive)",
        "Répond aux appels à projets (ou est en appui), notamment ceux de la Caf",
        "Pratique un reporting régulier auprès des élus (réalisations, avancées, difficultés)",
        "Partage régulièrement avec le conseiller territorial référent Caf les réalisations, avancées, "
        "difficultés dans la mise en œuvre du projet de territoire",
        "Suit le partenariat contractuel",
    )),
    ("Mission 2 : Mettre en adéquation l'offre d'accueil aux besoins des familles", "Offre et besoins des familles", (
        "Actualise le diagnostic partagé du territoire (besoins des familles, offre existante)",
        "Identifie les écarts entre l'offre d'accueil et les besoins, et les zones ou publics non couverts",
        "Propose aux élus des scénarios d'évolution de l'offre (création, adaptation, mutualisation)",
        "Accompagne les porteurs de projets d'équipements et de services aux familles",
        "Veille à l'information des familles sur l'offre existante (monenfant.fr, RPE, France services)",
    )),
    ("Mission 3 : Animer la mise en réseau des acteurs", "Mise en réseau des acteurs", (
        "Organise et anime les instances de pilotage et les groupes de travail de la CTG",
        "Mobilise les partenaires institutionnels et associatifs autour des objectifs partagés",
        "Favorise l'interconnaissance et la coordination des professionnels du territoire",
        "Fait circuler l'information entre les acteurs (comptes rendus, relevés de décision, fonction d'alerte)",
        "Participe aux réseaux départementaux (réseau des chargés de coopération, SDSF)",
    )),
    ("Mission 4 : Organiser et animer la relation avec la population", "Relation avec la population", (
        "Associe les habitants et les familles au diagnostic et à l'évaluation des actions",
        "Organise des temps de concertation ou de participation des habitants",
        "Valorise les actions et les réalisations de la CTG auprès de la population",
        "Relaie les besoins exprimés par les habitants auprès des élus et des partenaires",
    )),
)
