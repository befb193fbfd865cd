"""Indicators of DESIGN.md §4 as SQL aggregates (GROUP BY / COUNT / SUM in the database).

Every function takes a Scope (networks, period, optional territory, `now`) and issues a fixed number of
queries whatever the data size. Definitions live in DEFINITIONS, shown on pages, exports and the report.
"""

from fractions import Fraction
from functools import lru_cache

from sqlalchemy import and_, case, distinct, exists, func, literal, select, true, type_coerce, union_all
from sqlalchemy.orm import aliased

from network.codev.enums import AFTER_WORKSHOP_STATES, Outcome
from network.codev.models import Case
from network.database import UTCDateTime
from network.evaluation.enums import ASSIDUITY_THRESHOLD_DEN, ASSIDUITY_THRESHOLD_NUM, Breakdown
from network.evaluation.figures import (
    Assiduity, AttendanceCounts, AttendanceRow, AttendanceSummary, CodevFigures, MeetingAttendance,
    MemberAssiduity, NetworkSummary, SelfEfficacyGroup, SharedResources, TopicFigures, TrainingFigures, VoteTurnout,
)
from network.evaluation.periods import Scope, ScopeShape, Series
from network.evaluation.queries import self_efficacy_by_period
from network.extensions import db
from network.members.enums import Role
from network.members.history import active_at, active_on_day
from network.members.models import Institution, Member, MembershipPeriod, Network, Territory
from network.resources.enums import MinutesStatus, ResourceStatus
from network.resources.models import Minutes, NewsItem, Resource, ResourceDownload, SharedCaseSheet
from network.sessions.enums import AgendaItemKind, AttendanceStatus, MeetingKind, MeetingStatus
from network.sessions.models import AgendaItem, Attendance, Invitation, Meeting
from network.topics.enums import VoteStatus
from network.topics.models import Ballot, TopicVote

HELD_STATUSES = (MeetingStatus.HELD, MeetingStatus.CLOSED)
ATTENDED_STATUSES = (AttendanceStatus.PRESENT, AttendanceStatus.PARTIAL)

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
    ("Ressources partagées",
     "Documents et liens publiés sur les rencontres et formations du réseau tenues dans la période (hors rencontres "
     "annulées) + comptes rendus publiés de ces rencontres + actualités publiées dans la période. À côté : partages "
     "avec tous les réseaux faits dans la période (documents et fiches de capitalisation CODEV mis dans la "
     "bibliothèque nationale) et téléchargements des fichiers du réseau pendant la période (un compte par jour, "
     "jamais qui a téléchargé). Chiffres du réseau entier : un filtre de territoire ne les change pas."),
    ("Participation aux votes",
     "Bulletins déposés ÷ membres appelés à voter, additionnés sur les tours de vote du thème suivant clos dans la "
     "période (à leur date limite ou à leur clôture anticipée). Appelés à voter : membres du réseau (hors "
     "administrateurs) actifs à la clôture du tour d'après l'historique des adhésions."),
)


# --- building blocks ------------------------------------------------------------------------------
# Statements are built from a ScopeShape (bound parameters in place of the scope's values), once per shape and
# arguments (lru_cache), and executed with scope.parameters: building was most of the cost of the indicators.

def _run(statement, scope: Scope | Series):
    # Core execution on the session's connection: these statements select columns, never ORM entities, and the
    # ORM's result processing cost a third of the indicators' Python time.
    return db.session.connection().execute(statement, scope.parameters)


def _meeting_filter(shape: ScopeShape, kind: str):
    conditions = [
        Meeting.kind == kind,
        Meeting.status != MeetingStatus.CANCELLED,
        Meeting.starts_at >= shape.start_at,
        Meeting.starts_at < shape.until,
    ]
    if shape.network_ids is not None:
        conditions.append(Meeting.network_id.in_(shape.network_ids))
    return and_(*conditions)


def _bucket(shape: ScopeShape, moment):
    """The `bucket` column: which period of the shape `moment` falls in (always 0 for a single period)."""
    return shape.bucket(moment).label("bucket")


def _group_by_period(statement, shape: ScopeShape, bucket):
    """Group by the bucket when the shape has several periods (a constant 0 is never grouped by: in GROUP BY a
    number means a column position)."""
    return statement.group_by(bucket) if shape.periods > 1 else statement


# Built once: aliased() sets up its column collections on every call, which cost ~3 ms per statement.
_RECORDED = aliased(Attendance, name="recorded")


def _is_recorded():
    """Attendance is recorded for a meeting once one member's attendance row exists."""
    return exists().where(_RECORDED.meeting_id == Meeting.id, _RECORDED.member_id.is_not(None)).correlate(Meeting)


def _count_columns():
    status = Attendance.status

    def tally(*statuses):
        return func.coalesce(func.sum(case((status.in_(statuses), 1), else_=0)), 0)

    return (
        func.count(Invitation.id).label("invited"),
        tally(AttendanceStatus.PRESENT).label("present"),
        tally(AttendanceStatus.PARTIAL).label("partial"),
        tally(AttendanceStatus.EXCUSED).label("excused"),
    )


def _eligible(statement, shape: ScopeShape, kind: str):
    """Invitations of members active at the meeting date (their membership period then), in recorded meetings of the
    scope."""
    statement = (
        statement.select_from(Invitation)
        .join(Meeting, Meeting.id == Invitation.meeting_id)
        # the member's period covering the meeting's start: active then, in that territory and institution (periods
        # never overlap, so one row at most; a guest, without member, has none)
        .join(MembershipPeriod, active_at(Invitation.member_id, Meeting.starts_at))
        .outerjoin(Attendance, and_(Attendance.meeting_id == Invitation.meeting_id,
                                    Attendance.member_id == Invitation.member_id))
        .where(
            _meeting_filter(shape, kind),
            _is_recorded(),
        )
    )
    if shape.territory_id is not None:
        statement = statement.where(MembershipPeriod.territory_id == shape.territory_id)
    return statement


def _counts(row) -> AttendanceCounts:
    invited, present, partial, excused = (int(row.invited or 0), int(row.present or 0), int(row.partial or 0),
                                          int(row.excused or 0))
    return AttendanceCounts(invited=invited, present=present, partial=partial, excused=excused,
                            absent=invited - present - partial - excused)


# --- attendance -----------------------------------------------------------------------------------

@lru_cache(maxsize=64)
def _totals_statement(shape: ScopeShape, kind: str):
    return _eligible(select(*_count_columns()), shape, kind)


def attendance_totals(scope: Scope, kind: str = MeetingKind.QUARTERLY) -> AttendanceCounts:
    return _counts(_run(_totals_statement(scope.shape, kind), scope).one())


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
    statement = _eligible(select(key.label("key"), label.label("label"), *_count_columns()), shape, kind)
    return statement.outerjoin(model, on).group_by(key, label).order_by(label)


def attendance_breakdown(scope: Scope, by: Breakdown, kind: str = MeetingKind.QUARTERLY) -> list[AttendanceRow]:
    """Pooled attendance per network, territory or institution (the member's at each meeting's date)."""
    return [AttendanceRow(row.key, row.label or UNASSIGNED_LABELS[by], _counts(row))
            for row in _run(_breakdown_statement(scope.shape, by, kind), scope)]


@lru_cache(maxsize=64)
def _breakdowns_statement(shape: ScopeShape, breakdowns: tuple[Breakdown, ...], kind: str):
    """The grouped queries of _breakdown_statement as one UNION ALL, each part tagged by its position."""
    parts = []
    for position, by in enumerate(breakdowns):
        key, label, on, model = _BREAKDOWN_COLUMNS[by]
        part = _eligible(select(literal(position).label("breakdown"), key.label("key"), label.label("label"),
                                *_count_columns()), shape, kind)
        parts.append(part.outerjoin(model, on).group_by(key, label))
    union = union_all(*parts)
    return union.order_by(union.selected_columns.breakdown, union.selected_columns.label)


def attendance_breakdowns(scope: Scope, breakdowns: tuple[Breakdown, ...],
                          kind: str = MeetingKind.QUARTERLY) -> list[list[AttendanceRow]]:
    """attendance_breakdown for each of `breakdowns`, in one query (the same rows, in the same order)."""
    results: list[list[AttendanceRow]] = [[] for _ in breakdowns]
    for row in _run(_breakdowns_statement(scope.shape, breakdowns, kind), scope):
        by = breakdowns[row.breakdown]
        results[row.breakdown].append(AttendanceRow(row.key, row.label or UNASSIGNED_LABELS[by], _counts(row)))
    return results


@lru_cache(maxsize=64)
def _meeting_attendance_statement(shape: ScopeShape, kind: str):
    per_meeting = _eligible(select(Invitation.meeting_id.label("meeting_id"), *_count_columns()), shape, kind)
    per_meeting = per_meeting.group_by(Invitation.meeting_id).subquery()
    return (
        select(Meeting.id, Meeting.network_id, Meeting.title, Meeting.starts_at, Meeting.status,
               _is_recorded().label("is_recorded"), per_meeting.c.invited, per_meeting.c.present,
               per_meeting.c.partial, per_meeting.c.excused)
        .outerjoin(per_meeting, per_meeting.c.meeting_id == Meeting.id)
        .where(_meeting_filter(shape, kind))
        .order_by(Meeting.starts_at, Meeting.id)
    )


def meeting_rows(scope: Scope | Series, kind: str = MeetingKind.QUARTERLY) -> list:
    """The rows behind meeting_attendance (with the meeting's network_id): one query, one row per meeting (of
    every period of a Series, in order: scope.bucket_of(row.starts_at) tells which)."""
    return _run(_meeting_attendance_statement(scope.shape, kind), scope).all()


def meeting_attendance(scope: Scope, kind: str = MeetingKind.QUARTERLY, rows=None) -> list[MeetingAttendance]:
    """Every past, non-cancelled meeting of the scope, recorded or not, with its counts.

    rows: meeting_rows(scope, kind) already fetched, to reuse them instead of querying again."""
    if rows is None:
        rows = meeting_rows(scope, kind)
    return [MeetingAttendance(row.id, row.title, row.starts_at, row.status, bool(row.is_recorded), _counts(row))
            for row in rows]


def _mean_meeting_rate(recorded_rows) -> float | None:
    """Mean of the meetings' attendance rates ((present + partial) ÷ invited), over recorded meetings with
    invited members. Added up as exact fractions: the result does not depend on the order of the rows (a float
    sum would, and a mean at a rounding tie, 72.5 %, could then show another percentage)."""
    rates = [Fraction(int(row.present or 0) + int(row.partial or 0), int(row.invited))
             for row in recorded_rows if row.invited]
    return float(sum(rates) / len(rates)) if rates else None


def _per_member(shape: ScopeShape, kind: str):
    """Meetings attended and invited to per member (and network, and period of the shape)."""
    attended = func.coalesce(func.sum(case((Attendance.status.in_(ATTENDED_STATUSES), 1), else_=0)), 0)
    bucket = _bucket(shape, Meeting.starts_at)
    statement = _eligible(
        select(bucket, Meeting.network_id.label("network_id"), Invitation.member_id.label("member_id"),
               attended.label("attended"), func.count(Invitation.id).label("invited")),
        shape, kind,
    )
    return _group_by_period(statement.group_by(Meeting.network_id, Invitation.member_id), shape, bucket)


@lru_cache(maxsize=64)
def _assiduity_statement(shape: ScopeShape, kind: str, by_network: bool):
    members = _per_member(shape, kind).subquery()
    at_threshold = case(
        (members.c.attended * ASSIDUITY_THRESHOLD_DEN >= members.c.invited * ASSIDUITY_THRESHOLD_NUM, 1), else_=0)
    statement = select(members.c.bucket, func.count().label("members"),
                       func.coalesce(func.sum(at_threshold), 0).label("at")).group_by(members.c.bucket)
    if by_network:
        statement = statement.add_columns(members.c.network_id).group_by(members.c.network_id)
    return statement


@lru_cache(maxsize=64)
def _member_assiduity_statement(shape: ScopeShape, kind: str):
    members = _per_member(shape, kind).subquery()
    return (
        select(Member.id, Member.first_name, Member.last_name, members.c.bucket, members.c.network_id,
               members.c.attended, members.c.invited)
        .join(members, members.c.member_id == Member.id)
        .order_by(Member.last_name, Member.first_name, Member.id)
    )


def member_assiduity_rows(scope: Scope, kind: str = MeetingKind.QUARTERLY) -> list:
    """The rows behind member_assiduity (with the network_id): one query, one row per (network, member)."""
    return _run(_member_assiduity_statement(scope.shape, kind), scope).all()


def member_assiduity(scope: Scope, kind: str = MeetingKind.QUARTERLY, rows=None) -> list[MemberAssiduity]:
    """Assiduity of each invited member (for the facilitators of the network; never in national exports).

    rows: member_assiduity_rows(scope, kind) already fetched, to reuse them instead of querying again."""
    if rows is None:
        rows = member_assiduity_rows(scope, kind)
    return [MemberAssiduity(row.id, f"{row.first_name} {row.last_name}", int(row.attended), int(row.invited))
            for row in rows]


def _assiduity_from(member_rows, by_network: bool) -> dict[tuple[int, int | None], Assiduity]:
    """The assiduity counts of _assiduity_statement, from member_assiduity_rows already fetched."""
    tallies: dict[tuple[int, int | None], list[int]] = {}
    for row in member_rows:
        tally = tallies.setdefault((int(row.bucket), row.network_id if by_network else None), [0, 0])
        tally[0] += 1
        tally[1] += row.attended * ASSIDUITY_THRESHOLD_DEN >= row.invited * ASSIDUITY_THRESHOLD_NUM
    return {key: Assiduity(members, at) for key, (members, at) in tallies.items()}


def attendance_summary(scope: Scope, kind: str = MeetingKind.QUARTERLY) -> AttendanceSummary:
    return _attendance_summaries(scope, kind, by_network=False)[0, None]


def _attendance_summaries(scope: Scope | Series, kind: str, by_network: bool, rows=None,
                          member_rows=None) -> dict[tuple[int, int | None], AttendanceSummary]:
    """AttendanceSummary per period (bucket) and network (by_network) or the whole scope (None): two queries at
    most.

    The pooled counts, the recorded / unrecorded meetings and the mean of the meetings' rates are worked out from
    the per-meeting counts (one row per meeting, aggregated in SQL: meeting_rows, or `rows` if already fetched).
    The assiduity is a grouped query per member, or added up from `member_rows` (member_assiduity_rows of the
    same scope and kind) if already fetched."""
    if rows is None:
        rows = meeting_rows(scope, kind)
    groups: dict[tuple[int, int | None], list] = {} if by_network else {
        (bucket, None): [] for bucket in range(len(scope.periods))}
    for row in rows:
        groups.setdefault((scope.bucket_of(row.starts_at), row.network_id if by_network else None), []).append(row)
    if member_rows is not None:
        assiduity = _assiduity_from(member_rows, by_network)
    else:
        assiduity = {(int(row.bucket), row.network_id if by_network else None): Assiduity(int(row.members),
                                                                                          int(row.at))
                     for row in _run(_assiduity_statement(scope.shape, kind, by_network), scope)}
    summaries = {}
    for key, group in groups.items():
        recorded = [row for row in group if row.is_recorded]
        counts = [_counts(row) for row in recorded]
        summaries[key] = AttendanceSummary(
            counts=AttendanceCounts(*(sum(getattr(count, field) for count in counts)
                                      for field in ("invited", "present", "partial", "excused", "absent"))),
            meetings_recorded=len(recorded),
            meetings_unrecorded=len(group) - len(recorded),
            mean_meeting_rate=_mean_meeting_rate(recorded),
            assiduity=assiduity.get(key, Assiduity()),
        )
    return summaries


# --- topics and trainings -------------------------------------------------------------------------

@lru_cache(maxsize=16)
def _topic_statement(shape: ScopeShape, by_network: bool):
    with_topic = case((AgendaItem.id.is_not(None), Meeting.id))
    bucket = _bucket(shape, Meeting.starts_at)
    statement = (
        select(bucket, func.count(distinct(Meeting.id)).label("held"),
               func.count(distinct(with_topic)).label("with_topic"),
               func.count(distinct(AgendaItem.topic_id)).label("topics"))
        .select_from(Meeting)
        .outerjoin(AgendaItem, and_(AgendaItem.meeting_id == Meeting.id, AgendaItem.kind == AgendaItemKind.THEMATIC,
                                    AgendaItem.topic_id.is_not(None)))
        .where(_meeting_filter(shape, MeetingKind.QUARTERLY), Meeting.status.in_(HELD_STATUSES))
    )
    statement = _group_by_period(statement, shape, bucket)
    if by_network:
        statement = statement.add_columns(Meeting.network_id).group_by(Meeting.network_id)
    return statement


def _topic_rows(scope: Scope | Series, by_network: bool):
    return {(int(row.bucket), row.network_id if by_network else None): TopicFigures(int(row.held),
                                                                                    int(row.with_topic),
                                                                                    int(row.topics))
            for row in _run(_topic_statement(scope.shape, by_network), scope)}


def topic_figures(scope: Scope) -> TopicFigures:
    return _topic_rows(scope, by_network=False).get((0, None), TopicFigures())


@lru_cache(maxsize=16)
def _training_participants_statement(shape: ScopeShape, by_network: bool):
    bucket = _bucket(shape, Meeting.starts_at)
    statement = _eligible(select(bucket, func.count(distinct(Invitation.member_id)).label("participants")), shape,
                          MeetingKind.TRAINING).where(Attendance.status.in_(ATTENDED_STATUSES))
    statement = _group_by_period(statement, shape, bucket)
    if by_network:
        statement = statement.add_columns(Meeting.network_id).group_by(Meeting.network_id)
    return statement


def _training_participants(scope: Scope | Series, by_network: bool):
    return {(int(row.bucket), row.network_id if by_network else None): int(row.participants)
            for row in _run(_training_participants_statement(scope.shape, by_network), scope)}


def training_figures(scope: Scope) -> TrainingFigures:
    return TrainingFigures(attendance_summary(scope, MeetingKind.TRAINING),
                           _training_participants(scope, by_network=False).get((0, None), 0))


# --- CODEV and votes ------------------------------------------------------------------------------------

@lru_cache(maxsize=16)
def _codev_statements(shape: ScopeShape, by_network: bool):
    key = Case.network_id if by_network else literal(None)
    statement = (
        # a case's meeting is one of its network's (codev.services._check_meeting): saying so lets PostgreSQL reach
        # the period's meetings by the (network, starts_at) index instead of scanning all meetings
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
    bucket = _bucket(shape, Meeting.starts_at)
    totals = statement.with_only_columns(
        bucket, key, func.count(Case.id), func.count(distinct(Case.client_id)), func.count(distinct(Case.theme)),
        func.count(Case.outcome),
        func.sum(case((Case.outcome == Outcome.RESOLVED, 1), else_=0)),
        func.sum(case((Case.outcome.in_((Outcome.RESOLVED, Outcome.OVERCOME)), 1), else_=0)),
        func.sum(case((applicable, 1), else_=0)),
        *(func.coalesce(func.sum(case((Case.outcome == code, 1), else_=0)), 0) for code in Outcome),
    ).group_by(key)
    return _group_by_period(totals, shape, bucket)


def codev_figures(scope: Scope, *, by_network: bool = False) -> dict[int | None, CodevFigures]:
    """CODEV cases worked at meetings of the period (one grouped query, the count of each outcome as a
    conditional sum). Key: network id, or None for all.

    Outcome = the case's latest follow-up; a case without follow-up is not counted as unresolved."""
    return {key: figures for (_bucket, key), figures in _codev_by_period(scope, by_network).items()}


def _codev_by_period(scope: Scope | Series, by_network: bool) -> dict[tuple[int, int | None], CodevFigures]:
    totals = _run(_codev_statements(scope.shape, by_network), scope).all()
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
        select(TopicVote.id, TopicVote.network_id, closed_at.label("closed_at"), _bucket(shape, closed_at))
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
    rows = _run(_vote_turnout_statement(scope.shape, by_network), scope).all()
    return {(int(bucket), group): VoteTurnout(rounds=count, ballots=int(ballots), eligible=int(eligible))
            for bucket, group, count, ballots, eligible in rows if count}


# --- ressources partagées (issue #16) ---------------------------------------------------------------------------

SHARED_RESOURCE_SOURCES = ("materials", "minutes", "news", "shared_resources", "shared_sheets", "downloads")


@lru_cache(maxsize=16)
def _shared_resources_statement(shape: ScopeShape):
    """One UNION ALL of grouped counts, a part per source of SHARED_RESOURCE_SOURCES (its position): source, bucket,
    network_id, value. Not filtered by territory: resources belong to the network, not to a member's territory."""

    def part(source, model, network_id, moment, value, *conditions, join=None):
        bucket = _bucket(shape, moment)
        statement = select(literal(SHARED_RESOURCE_SOURCES.index(source)).label("source"), bucket,
                           network_id.label("network_id"), value.label("value")).select_from(model)
        if join is not None:
            statement = statement.join(*join)
        statement = statement.where(moment >= shape.start_at, moment < shape.until, *conditions)
        if shape.network_ids is not None:
            statement = statement.where(network_id.in_(shape.network_ids))
        return _group_by_period(statement.group_by(network_id), shape, bucket)

    at_meeting = (Meeting, Meeting.id == Resource.meeting_id)
    published = Resource.status == ResourceStatus.PUBLISHED
    held = Meeting.status != MeetingStatus.CANCELLED
    # a download day compared as the UTC midnight starting it: the period edges are Paris midnights in UTC (the day
    # before, 22:00 or 23:00), so each Paris day falls in its own period on both databases
    download_day = type_coerce(ResourceDownload.day, UTCDateTime)
    return union_all(
        part("materials", Resource, Resource.network_id, Meeting.starts_at, func.count(Resource.id), published, held,
             join=at_meeting),
        part("minutes", Minutes, Minutes.network_id, Meeting.starts_at, func.count(Minutes.id),
             Minutes.status == MinutesStatus.PUBLISHED, held, join=(Meeting, Meeting.id == Minutes.meeting_id)),
        part("news", NewsItem, NewsItem.network_id, NewsItem.created_at, func.count(NewsItem.id)),
        part("shared_resources", Resource, Resource.network_id, Resource.shared_at, func.count(Resource.id),
             published),
        part("shared_sheets", SharedCaseSheet, SharedCaseSheet.network_id, SharedCaseSheet.created_at,
             func.count(SharedCaseSheet.id)),
        part("downloads", ResourceDownload, Resource.network_id, download_day,
             func.coalesce(func.sum(ResourceDownload.count), 0),
             join=(Resource, Resource.id == ResourceDownload.resource_id)),
    )


def shared_resources_by_period(scope: Scope | Series, by_network: bool) -> dict[tuple[int, int | None],
                                                                               SharedResources]:
    """« Ressources partagées » per period (bucket) and network (by_network) or all networks (None): one query.
    The definition is DEFINITIONS' « Ressources partagées »."""
    tallies: dict[tuple[int, int | None], dict[str, int]] = {}
    for row in _run(_shared_resources_statement(scope.shape), scope):
        key = (int(row.bucket), row.network_id if by_network else None)
        tally = tallies.setdefault(key, dict.fromkeys(SHARED_RESOURCE_SOURCES, 0))
        tally[SHARED_RESOURCE_SOURCES[row.source]] += int(row.value or 0)
    return {key: SharedResources(**tally) for key, tally in tallies.items()}


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
    return {(int(row[0]), row[1]): row[2] for row in _run(_active_members_statement(scope.shape), scope)}


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
    networks = _run(_networks_statement(scope.shape), scope).all()
    members = _active_members(scope)
    if meetings is None:
        meetings = meeting_rows(scope, MeetingKind.QUARTERLY)
    if trainings is None:
        trainings = meeting_rows(scope, MeetingKind.TRAINING)
    figures = {}
    for by_network in (True, False) if with_total else (True,):
        figures[by_network] = (
            _attendance_summaries(scope, MeetingKind.QUARTERLY, by_network, meetings, member_rows),
            _topic_rows(scope, by_network),
            _attendance_summaries(scope, MeetingKind.TRAINING, by_network, trainings),
            _training_participants(scope, by_network),
            self_efficacy_by_period(scope, by_network=by_network),
            _codev_by_period(scope, by_network),
            _votes_by_period(scope, by_network),
            shared_resources_by_period(scope, by_network),
        )
    empty = _attendance_summaries_empty()

    def line(bucket, network_id, slug, name, member_count, by_network):
        attendance, topics, trainings, participants, efficacy, codev, votes, resources = figures[by_network]
        key = (bucket, network_id)
        return NetworkSummary(
            network_id=network_id, slug=slug, name=name, active_members=member_count,
            attendance=attendance.get(key, empty), topics=topics.get(key, TopicFigures()),
            training=TrainingFigures(trainings.get(key, empty), participants.get(key, 0)),
            self_efficacy=efficacy.get(key, SelfEfficacyGroup()),
            codev=codev.get(key, CodevFigures()), votes=votes.get(key, VoteTurnout()),
            resources=resources.get(key, SharedResources()),
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

