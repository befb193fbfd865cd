"""Indicators of DESIGN.md §4 as SQL aggregates (GROUP BY / COUNT / SUM in the database).

Every function takes a Scope (networks, period, optional territory, `now`) and issues a fixed number of
queries whatever the data size. Definitions live in DEFINITIONS, shown on pages, exports and the report.
"""

from functools import lru_cache

from sqlalchemy import and_, case, distinct, func, literal, select, true, union_all

from network.codev.enums import AFTER_WORKSHOP_STATES, Outcome
from network.codev.models import Case
from network.evaluation.enums import Breakdown
from network.evaluation.figures import (
    Assiduity, AttendanceCounts, AttendanceRow, AttendanceSummary, CodevFigures, NetworkSummary, SelfEfficacyGroup,
    TopicFigures, TrainingFigures, VoteTurnout,
)
from network.evaluation.queries import self_efficacy_by_period
from network.members.enums import Role
from network.members.history import active_at, active_on_day
from network.members.models import Institution, Member, MembershipPeriod, Network, Territory
from network.periods import Scope, ScopeShape, Series
from network.sessions.attendance_counts import (  # noqa: F401  (attendance_totals … member_assiduity: re-exported)
    ATTENDED_STATUSES, attendance_summaries, attendance_summary, attendance_totals, count_columns, counts_of,
    eligible_invitations, group_by_period, meeting_attendance, meeting_filter, meeting_rows, member_assiduity,
    member_assiduity_rows, period_bucket, run,
)
from network.sessions.enums import AgendaItemKind, MeetingKind, MeetingStatus
from network.sessions.models import AgendaItem, Attendance, Invitation, Meeting
from network.topics.enums import VoteStatus
from network.topics.models import Ballot, TopicVote

HELD_STATUSES = (MeetingStatus.HELD, MeetingStatus.CLOSED)

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
     "Rencontre passée dont la feuille d'émargement n'est pas encore saisie : affichée comme telle et exclue "
     "des taux."),
    ("Taux de présence de la période",
     "Σ présents ÷ Σ invités sur les rencontres de la période dont les présences sont saisies (taux agrégé), "
     "avec à côté la moyenne des taux de chaque rencontre."),
    ("Assiduité",
     "Par membre : rencontres où il ou elle était présent·e ÷ rencontres auxquelles il ou elle était invité·e. "
     "Part des membres dont l'assiduité est d'au moins 75 %."),
    ("Thèmes traités",
     "Rencontres trimestrielles tenues dont l'information thématique porte sur un thème choisi ; nombre de "
     "thèmes distincts."),
    ("Formations mutualisées",
     "Même calcul de présence sur les formations ; nombre de membres distincts présents à au moins une formation."),
    ("Sentiment d'efficacité personnelle",
     "Échelle d'auto-efficacité généralisée (Schwarzer & Jerusalem, 1995 ; adaptation française Dumont, "
     "Schwarzer & Jerusalem, 2000), 10 items de 1 à 4, score de 10 à 40, calculé si 3 items au plus manquent "
     "(moyenne des réponses × 10, arrondie au dixième). T0 à l'entrée, puis chaque année ; T1 = le "
     "questionnaire annuel le plus récent jusqu'à la fin de la période. Effectif apparié, moyennes T0 et T1 et "
     "évolution moyenne, publiés seulement à partir de 5 membres appariés. Aucun score individuel."),
    ("Grille d'auto-évaluation de la fonction",
     "Chaque activité est notée de 0 à 3 ou NC (non concerné). Pourcentage d'une rubrique = Σ notes ÷ "
     "(3 × activités notées) ; une rubrique entièrement NC est NC, pas 0 %. Moyennes du groupe publiées à "
     "partir de 5 répondants."),
    ("CODEV : cas travaillés",
     "Cas CODEV travaillés en atelier (parvenus à l'état « travaillé », puis éventuellement « suivi renseigné » ou "
     "« clos ») lors des rencontres de la période ; nombre de porteurs distincts et de thèmes distincts. Le filtre "
     "territoire retient le territoire du porteur à la date de l'atelier. Aucun contenu de cas ni nom de porteur "
     "n'est publié."),
    ("CODEV : problèmes résolus",
     "Parmi les cas travaillés dont le suivi est renseigné (issue du dernier suivi) : nombre de cas « résolu », et "
     "nombre de cas « résolu » ou « surmonté / en bonne voie » ; taux = ce nombre ÷ cas dont l'issue n'est pas "
     "« sans objet ». Un suivi manquant n'est pas compté comme non résolu."),
    ("CODEV : complétude des suivis",
     "Cas travaillés dont le suivi est renseigné ÷ cas travaillés. Affiché à côté des taux de résolution."),
    ("Participation aux votes",
     "Bulletins déposés ÷ membres appelés à voter, additionnés sur les tours de vote du thème suivant clos dans la "
     "période (à leur date limite ou à leur clôture anticipée). Appelés à voter : membres du réseau (hors "
     "administrateurs) actifs à la clôture du tour d'après l'historique des adhésions."),
)


_BREAKDOWN_COLUMNS = {
    Breakdown.NETWORK: (Meeting.network_id, Network.name, Network.id == Meeting.network_id, Network),
    # the territory and institution of the member's period at the meeting's date, not today's
    Breakdown.TERRITORY: (MembershipPeriod.territory_id, Territory.name, Territory.id == MembershipPeriod.territory_id,
                          Territory),
    Breakdown.INSTITUTION: (MembershipPeriod.institution_id, Institution.name,
                            Institution.id == MembershipPeriod.institution_id, Institution),
}
UNASSIGNED_LABELS = {Breakdown.TERRITORY: "Sans territoire", Breakdown.INSTITUTION: "Sans institution",
                     Breakdown.NETWORK: "—"}


@lru_cache(maxsize=64)
def _breakdown_statement(shape: ScopeShape, by: Breakdown, kind: str):
    key, label, on, model = _BREAKDOWN_COLUMNS[by]
    statement = eligible_invitations(select(key.label("key"), label.label("label"), *count_columns()), shape, kind)
    return statement.outerjoin(model, on).group_by(key, label).order_by(label)


def attendance_breakdown(scope: Scope, by: Breakdown, kind: str = MeetingKind.QUARTERLY) -> list[AttendanceRow]:
    """Pooled attendance per network, territory or institution (the member's at each meeting's date)."""
    return [AttendanceRow(row.key, row.label or UNASSIGNED_LABELS[by], counts_of(row))
            for row in run(_breakdown_statement(scope.shape, by, kind), scope)]


@lru_cache(maxsize=64)
def _breakdowns_statement(shape: ScopeShape, breakdowns: tuple[Breakdown, ...], kind: str):
    """The grouped queries of _breakdown_statement as one UNION ALL, each part tagged by its position."""
    parts = []
    for position, by in enumerate(breakdowns):
        key, label, on, model = _BREAKDOWN_COLUMNS[by]
        part = eligible_invitations(select(literal(position).label("breakdown"), key.label("key"), label.label("label"),
                                *count_columns()), shape, kind)
        parts.append(part.outerjoin(model, on).group_by(key, label))
    union = union_all(*parts)
    return union.order_by(union.selected_columns.breakdown, union.selected_columns.label)


def attendance_breakdowns(scope: Scope, breakdowns: tuple[Breakdown, ...],
                          kind: str = MeetingKind.QUARTERLY) -> list[list[AttendanceRow]]:
    """attendance_breakdown for each of `breakdowns`, in one query (the same rows, in the same order)."""
    results: list[list[AttendanceRow]] = [[] for _ in breakdowns]
    for row in run(_breakdowns_statement(scope.shape, breakdowns, kind), scope):
        by = breakdowns[row.breakdown]
        results[row.breakdown].append(AttendanceRow(row.key, row.label or UNASSIGNED_LABELS[by], counts_of(row)))
    return results


# --- topics and trainings -------------------------------------------------------------------------

@lru_cache(maxsize=16)
def _topic_statement(shape: ScopeShape, by_network: bool):
    with_topic = case((AgendaItem.id.is_not(None), Meeting.id))
    bucket = period_bucket(shape, Meeting.starts_at)
    statement = (
        select(bucket, func.count(distinct(Meeting.id)).label("held"),
               func.count(distinct(with_topic)).label("with_topic"),
               func.count(distinct(AgendaItem.topic_id)).label("topics"))
        .select_from(Meeting)
        .outerjoin(AgendaItem, and_(AgendaItem.meeting_id == Meeting.id, AgendaItem.kind == AgendaItemKind.THEMATIC,
                                    AgendaItem.topic_id.is_not(None)))
        .where(meeting_filter(shape, MeetingKind.QUARTERLY), Meeting.status.in_(HELD_STATUSES))
    )
    statement = group_by_period(statement, shape, bucket)
    if by_network:
        statement = statement.add_columns(Meeting.network_id).group_by(Meeting.network_id)
    return statement


def _topic_rows(scope: Scope | Series, by_network: bool):
    return {(int(row.bucket), row.network_id if by_network else None): TopicFigures(int(row.held),
                                                                                    int(row.with_topic),
                                                                                    int(row.topics))
            for row in run(_topic_statement(scope.shape, by_network), scope)}


def topic_figures(scope: Scope) -> TopicFigures:
    return _topic_rows(scope, by_network=False).get((0, None), TopicFigures())


@lru_cache(maxsize=16)
def _training_participants_statement(shape: ScopeShape, by_network: bool):
    bucket = period_bucket(shape, Meeting.starts_at)
    statement = eligible_invitations(select(bucket, func.count(distinct(Invitation.member_id)).label("participants")), shape,
                          MeetingKind.TRAINING).where(Attendance.status.in_(ATTENDED_STATUSES))
    statement = group_by_period(statement, shape, bucket)
    if by_network:
        statement = statement.add_columns(Meeting.network_id).group_by(Meeting.network_id)
    return statement


def _training_participants(scope: Scope | Series, by_network: bool):
    return {(int(row.bucket), row.network_id if by_network else None): int(row.participants)
            for row in run(_training_participants_statement(scope.shape, by_network), scope)}


def training_figures(scope: Scope) -> TrainingFigures:
    return TrainingFigures(attendance_summary(scope, MeetingKind.TRAINING),
                           _training_participants(scope, by_network=False).get((0, None), 0))


# --- CODEV and votes ------------------------------------------------------------------------------------

@lru_cache(maxsize=16)
def _codev_statements(shape: ScopeShape, by_network: bool):
    key = Case.network_id if by_network else literal(None)
    statement = (
        # a case's meeting is one of its network's (codev.services.states._check_meeting): saying so lets PostgreSQL
        # reach the period's meetings by the (network, starts_at) index instead of scanning all meetings
        select(Case).join(Meeting, and_(Meeting.id == Case.meeting_id, Meeting.network_id == Case.network_id))
        .where(Case.worked_at.is_not(None), Case.state.in_(AFTER_WORKSHOP_STATES),
               Meeting.starts_at >= shape.start_at, Meeting.starts_at < shape.until)
    )
    if shape.network_ids is not None:
        statement = statement.where(Case.network_id.in_(shape.network_ids))
    if shape.territory_id is not None:  # the client's territory at the workshop's date
        statement = statement.join(MembershipPeriod, active_at(Case.client_id, Meeting.starts_at)).where(
            MembershipPeriod.territory_id == shape.territory_id)
    applicable = and_(Case.outcome.is_not(None), Case.outcome != Outcome.NOT_APPLICABLE)
    bucket = period_bucket(shape, Meeting.starts_at)
    totals = statement.with_only_columns(
        bucket, key, func.count(Case.id), func.count(distinct(Case.client_id)), func.count(distinct(Case.theme)),
        func.count(Case.outcome),
        func.sum(case((Case.outcome == Outcome.RESOLVED, 1), else_=0)),
        func.sum(case((Case.outcome.in_((Outcome.RESOLVED, Outcome.OVERCOME)), 1), else_=0)),
        func.sum(case((applicable, 1), else_=0)),
        *(func.coalesce(func.sum(case((Case.outcome == code, 1), else_=0)), 0) for code in Outcome),
    ).group_by(key)
    return group_by_period(totals, shape, bucket)


def codev_figures(scope: Scope, *, by_network: bool = False) -> dict[int | None, CodevFigures]:
    """CODEV cases worked at meetings of the period (one grouped query, the count of each outcome as a
    conditional sum). Key: network id, or None for all.

    Outcome = the case's latest follow-up; a case without follow-up is not counted as unresolved."""
    return {key: figures for (_bucket, key), figures in _codev_by_period(scope, by_network).items()}


def _codev_by_period(scope: Scope | Series, by_network: bool) -> dict[tuple[int, int | None], CodevFigures]:
    totals = run(_codev_statements(scope.shape, by_network), scope).all()
    return {
        (int(bucket), group): CodevFigures(cases_worked=worked, distinct_clients=clients, distinct_themes=themes,
                            followed_up=followed, resolved=int(resolved or 0),
                            resolved_or_overcome=int(resolved_or_overcome or 0),
                            outcome_counts={code.value: int(count)
                                            for code, count in zip(Outcome, outcomes, strict=True)},
                            with_outcome=int(with_outcome or 0))
        for bucket, group, worked, clients, themes, followed, resolved, resolved_or_overcome, with_outcome, *outcomes
        in totals
    }


@lru_cache(maxsize=16)
def _vote_turnout_statement(shape: ScopeShape, by_network: bool):
    closed_at = func.coalesce(TopicVote.closed_at, TopicVote.closes_at)
    rounds = (
        select(TopicVote.id, TopicVote.network_id, closed_at.label("closed_at"), period_bucket(shape, closed_at))
        .where(TopicVote.status != VoteStatus.DRAFT, closed_at >= shape.start_at, closed_at < shape.until)
    )
    if shape.network_ids is not None:
        rounds = rounds.where(TopicVote.network_id.in_(shape.network_ids))
    rounds = rounds.subquery()
    # entitled: a member of the round's network (admins excluded) whose membership period covers the close
    entitled = [Member.network_id == rounds.c.network_id, Member.role != Role.ADMIN]
    if shape.territory_id is not None:
        entitled.append(MembershipPeriod.territory_id == shape.territory_id)
    # Two counts per round, each reached by its own index (members by network, ballots by round): a join of the
    # round's members to their ballots made PostgreSQL read every ballot of each member.
    eligible = (select(func.count(Member.id)).join(MembershipPeriod, active_at(Member.id, rounds.c.closed_at))
                .where(*entitled).correlate(rounds).scalar_subquery())
    ballots = (select(func.count(Ballot.id)).join(Member, Member.id == Ballot.member_id)
               .join(MembershipPeriod, active_at(Member.id, rounds.c.closed_at))
               .where(Ballot.vote_id == rounds.c.id, *entitled).correlate(rounds).scalar_subquery())
    per_round = select(rounds.c.id, rounds.c.network_id, rounds.c.bucket, eligible.label("eligible"),
                       ballots.label("ballots")).subquery()
    key = per_round.c.network_id if by_network else literal(None)
    return (select(per_round.c.bucket, key, func.count(per_round.c.id),
                   func.coalesce(func.sum(per_round.c.ballots), 0), func.coalesce(func.sum(per_round.c.eligible), 0))
            .group_by(per_round.c.bucket, key))


def vote_turnout(scope: Scope, *, by_network: bool = False) -> dict[int | None, VoteTurnout]:
    """Vote rounds closed in the period: ballots cast ÷ members entitled to vote, summed over the rounds.

    A round closes at its early close (closed_at) or its deadline; entitled = members of the round's network
    (admins excluded) who had joined by the close and were not deactivated before it. One query."""
    return {key: turnout for (_bucket, key), turnout in _votes_by_period(scope, by_network).items()}


def _votes_by_period(scope: Scope | Series, by_network: bool) -> dict[tuple[int, int | None], VoteTurnout]:
    rows = run(_vote_turnout_statement(scope.shape, by_network), scope).all()
    return {(int(bucket), group): VoteTurnout(rounds=count, ballots=int(ballots), eligible=int(eligible))
            for bucket, group, count, ballots, eligible in rows if count}


# --- the synthesis line: one per network, plus the total ------------------------------------------

@lru_cache(maxsize=8)
def _active_members_statement(shape: ScopeShape):
    """Members (admins excluded) active on each period's last day (or today if earlier), by their membership
    periods, per network: reactivating or moving someone later leaves a closed period's count as it was."""
    ends = shape.period_ends()
    statement = (
        select(ends.c.bucket, Member.network_id, func.count(Member.id))
        .select_from(Member)
        .join(ends, true())
        .join(MembershipPeriod, active_on_day(Member.id, ends.c.last_day))
        .where(Member.role != Role.ADMIN, Member.network_id.is_not(None))
        .group_by(ends.c.bucket, Member.network_id)
    )
    if shape.network_ids is not None:
        statement = statement.where(Member.network_id.in_(shape.network_ids))
    if shape.territory_id is not None:
        statement = statement.where(MembershipPeriod.territory_id == shape.territory_id)
    return statement


def _active_members(scope: Scope | Series) -> dict[tuple[int, int], int]:
    return {(int(row[0]), row[1]): row[2] for row in run(_active_members_statement(scope.shape), scope)}


@lru_cache(maxsize=8)
def _networks_statement(shape: ScopeShape):
    statement = select(Network.id, Network.slug, Network.name).order_by(Network.name)
    if shape.network_ids is not None:
        statement = statement.where(Network.id.in_(shape.network_ids))
    return statement


def network_summaries(scope: Scope, *, with_total: bool = True, meetings=None, trainings=None,
                      member_rows=None) -> tuple[list[NetworkSummary], NetworkSummary | None]:
    """One NetworkSummary per network of the scope (by name) and the total over them: a fixed number of queries.

    with_total=False skips the total (None), half of the queries, for callers that show only the networks.
    meetings / trainings (meeting_rows of the quarterly meetings / trainings) and member_rows
    (member_assiduity_rows, quarterly) are reused instead of queried when the caller has already fetched them."""
    return _summaries_by_period(scope, with_total, meetings, trainings, member_rows)[0]


def series_summaries(series: Series, *, with_total: bool = True
                     ) -> list[tuple[Scope, list[NetworkSummary], NetworkSummary | None]]:
    """network_summaries of each period of the series, in order, computed in one pass: the same statements, each
    grouped by period, so ten years cost the queries of one."""
    return [(scope, rows, total) for scope, (rows, total)
            in zip(series.scopes, _summaries_by_period(series, with_total), strict=True)]


def _summaries_by_period(scope: Scope | Series, with_total: bool, meetings=None, trainings=None, member_rows=None):
    networks = run(_networks_statement(scope.shape), scope).all()
    members = _active_members(scope)
    if meetings is None:
        meetings = meeting_rows(scope, MeetingKind.QUARTERLY)
    if trainings is None:
        trainings = meeting_rows(scope, MeetingKind.TRAINING)
    figures = {}
    for by_network in (True, False) if with_total else (True,):
        figures[by_network] = (
            attendance_summaries(scope, MeetingKind.QUARTERLY, by_network, meetings, member_rows),
            _topic_rows(scope, by_network),
            attendance_summaries(scope, MeetingKind.TRAINING, by_network, trainings),
            _training_participants(scope, by_network),
            self_efficacy_by_period(scope, by_network=by_network),
            _codev_by_period(scope, by_network),
            _votes_by_period(scope, by_network),
        )
    empty = _attendance_summaries_empty()

    def line(bucket, network_id, slug, name, member_count, by_network):
        attendance, topics, trainings, participants, efficacy, codev, votes = figures[by_network]
        key = (bucket, network_id)
        return NetworkSummary(
            network_id=network_id, slug=slug, name=name, active_members=member_count,
            attendance=attendance.get(key, empty), topics=topics.get(key, TopicFigures()),
            training=TrainingFigures(trainings.get(key, empty), participants.get(key, 0)),
            self_efficacy=efficacy.get(key, SelfEfficacyGroup()),
            codev=codev.get(key, CodevFigures()), votes=votes.get(key, VoteTurnout()),
        )

    def members_of(bucket, network_id=None):
        if network_id is not None:
            return members.get((bucket, network_id), 0)
        return sum(count for (of_bucket, _network), count in members.items() if of_bucket == bucket)

    return [([line(bucket, row.id, row.slug, row.name, members_of(bucket, row.id), True) for row in networks],
             line(bucket, None, "total", "Total", members_of(bucket), False) if with_total else None)
            for bucket in range(len(scope.periods))]


def _attendance_summaries_empty() -> AttendanceSummary:
    return AttendanceSummary(AttendanceCounts(), 0, 0, None, Assiduity())


def network_summary(scope: Scope, **prefetched) -> NetworkSummary:
    """The synthesis of a single network scope (the dashboard's headline); prefetched: see network_summaries."""
    rows, _total = network_summaries(scope, with_total=False, **prefetched)
    return rows[0]

