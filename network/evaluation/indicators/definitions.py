"""The definition of each indicator (DESIGN.md §4), shown on pages, exports and the report."""

DEFINITIONS = (
    ("Taux de présence d'une rencontre",
     "Membres présents (ou présents partiellement) ÷ membres invités et actifs à la date de la rencontre, "
     "d'après l'historique des adhésions (entrée, départ, retour) et non d'après la situation d'aujourd'hui : "
     "une absence pendant laquelle le ou la membre avait quitté le réseau n'est jamais comptée, même après son "
     "retour. Les invités extérieurs ne sont comptés ni au numérateur ni au dénominateur ; les absences "
     "excusées restent au dénominateur."),
    ("Territoire et institution d'une présence",
     "Une rencontre compte sous le territoire et l'institution du ou de la membre à la date de cette rencontre "
     "(historique conservé) : un changement de territoire ou d'institution vaut pour les rencontres suivantes "
     "et ne déplace pas les chiffres déjà établis."),
    ("Membres actifs",
     "Membres du réseau (hors administrateurs) actifs le dernier jour de la période, ou aujourd'hui si la "
     "période n'est pas finie, d'après l'historique des adhésions."),
    ("Taux hors excusés",
     "Membres présents (ou partiellement) ÷ (membres invités − membres excusés). Affiché à côté du taux principal."),
    ("Rencontre sans présences saisies",
     "Rencontre passée dont la feuille d'émargement n'est pas encore saisie : affichée comme telle et exclue "
     "des taux."),
    ("Taux de présence de la période",
     "Σ présents ÷ Σ invités sur les rencontres de la période dont les présences sont saisies (taux agrégé), "
     "avec à côté la moyenne des taux de chaque rencontre."),
    ("Assiduité",
     "Par membre : rencontres où il ou elle était présent·e ÷ rencontres auxquelles il ou elle était invité·e. "
     "Part des membres dont l'assiduité est d'au moins 75 %."),
    ("Thèmes traités",
     "Rencontres trimestrielles tenues dont l'information thématique porte sur un thème choisi ; nombre de "
     "thèmes distincts."),
    ("Formations mutualisées",
     "Même calcul de présence sur les formations ; nombre de membres distincts présents à au moins une formation."),
    ("Sentiment d'efficacité personnelle",
     "Échelle d'auto-efficacité généralisée (Schwarzer & Jerusalem, 1995 ; adaptation française Dumont, "
     "Schwarzer & Jerusalem, 2000), 10 items de 1 à 4, score de 10 à 40, calculé si 3 items au plus manquent "
     "(moyenne des réponses × 10, arrondie au dixième). T0 à l'entrée, puis chaque année ; T1 = le "
     "questionnaire annuel le plus récent jusqu'à la fin de la période. Effectif apparié, moyennes T0 et T1 et "
     "évolution moyenne, publiés seulement à partir de 5 membres appariés. Aucun score individuel."),
    ("Grille d'auto-évaluation de la fonction",
     "Chaque activité est notée de 0 à 3 ou NC (non concerné). Pourcentage d'une rubrique = Σ notes ÷ "
     "(3 × activités notées) ; une rubrique entièrement NC est NC, pas 0 %. Moyennes du groupe publiées à "
     "partir de 5 répondants."),
    ("CODEV : cas travaillés",
     "Cas CODEV travaillés en atelier (parvenus à l'état « travaillé », puis éventuellement « suivi renseigné » ou "
     "« clos ») lors des rencontres de la période ; nombre de porteurs distincts et de thèmes distincts. Le filtre "
     "territoire retient le territoire du porteur à la date de l'atelier. Aucun contenu de cas ni nom de porteur "
     "n'est publié."),
    ("CODEV : problèmes résolus",
     "Parmi les cas travaillés dont le suivi est renseigné (issue du dernier suivi) : nombre de cas « résolu », et "
     "nombre de cas « résolu » ou « surmonté / en bonne voie » ; taux = ce nombre ÷ cas dont l'issue n'est pas "
     "« sans objet ». Un suivi manquant n'est pas compté comme non résolu."),
    ("CODEV : complétude des suivis",
     "Cas travaillés dont le suivi est renseigné ÷ cas travaillés. Affiché à côté des taux de résolution."),
    ("Ressources partagées",
     "Documents et liens publiés sur les rencontres et formations du réseau tenues dans la période (hors rencontres "
     "annulées) + comptes rendus publiés de ces rencontres + actualités publiées dans la période. À côté : partages "
     "avec tous les réseaux faits dans la période (documents et fiches de capitalisation CODEV mis dans la "
     "bibliothèque nationale) et téléchargements des fichiers du réseau pendant la période (un compte par jour, "
     "jamais qui a téléchargé). Chiffres du réseau entier : un filtre de territoire ne les change pas."),
    ("Participation aux votes",
     "Bulletins déposés ÷ membres appelés à voter, additionnés sur les tours de vote du thème suivant clos dans la "
     "période (à leur date limite ou à leur clôture anticipée). Appelés à voter : membres du réseau (hors "
     "administrateurs) actifs à la clôture du tour d'après l'historique des adhésions."),
)
