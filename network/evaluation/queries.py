"""Named queries: self-efficacy group figures and history, the grid, rubric scores (member and group)."""

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Float, Row, and_, bindparam, case, cast, func, select
from sqlalchemy.orm import joinedload

from network.database import constant, or_zero, plain_rows
from network.evaluation.enums import GRID_MAX_SCORE, MIN_GROUP_SIZE
from network.evaluation.figures import RubricMean, RubricScore, SelfEfficacyGroup
from network.evaluation.models import (
    GridActivity, GridRubric, Publication, SelfAssessment, SelfAssessmentScore, SelfEfficacyReminder,
    SelfEfficacyResponse,
)
from network.periods import Scope, ScopeShape, Series
from network.extensions import db
from network.members.enums import Role
from network.members.history import active_on_day
from network.members.models import Member, MembershipPeriod, Network, Territory

# --- self-efficacy --------------------------------------------------------------------------------

def _response_filters(statement, shape: ScopeShape, model=SelfEfficacyResponse, by_day: bool = True):
    """Answers of the scope's networks and territory; taken by the period's last day unless by_day is False (the
    caller compares them with each period's end)."""
    if by_day:
        statement = statement.where(model.taken_on <= shape.last_day)
    if shape.network_ids is not None:
        statement = statement.where(model.network_id.in_(shape.network_ids))
    if shape.territory_id is not None:  # the member's territory on the day of the answer (membership history)
        statement = statement.join(MembershipPeriod, active_on_day(model.member_id, model.taken_on)).where(
            MembershipPeriod.territory_id == shape.territory_id)
    return statement


@lru_cache(maxsize=16)
def _self_efficacy_statement(shape: ScopeShape, by_network: bool):
    """Per period of the shape (`bucket`): the members' T0 and their latest yearly answer up to the period's end."""
    response = SelfEfficacyResponse
    ends = shape.period_ends()
    scored = response.score.is_not(None)

    def answered_by_the_end(*columns):
        statement = select(ends.c.bucket, *columns).select_from(response).join(
            ends, response.taken_on <= ends.c.last_day)
        return _response_filters(statement, shape, by_day=False)

    # every T0 answered by the end, scored or not (a T0 with more than 3 items unanswered has no score: counted apart)
    t0 = answered_by_the_end(response.member_id, response.network_id, response.score.label("score")).where(
        response.wave == constant(0)).subquery("t0")
    latest = (answered_by_the_end(response.member_id, func.max(response.wave).label("wave"))
              .where(response.wave >= constant(1), scored).group_by(ends.c.bucket, response.member_id)
              .subquery("latest"))
    t1 = (select(latest.c.bucket, response.member_id, response.score.label("score"))
          .join(latest, and_(latest.c.member_id == response.member_id, latest.c.wave == response.wave))
          .subquery("t1"))
    paired_t0 = case((t1.c.score.is_not(None), t0.c.score))
    statement = (
        select(t0.c.bucket, func.count(t0.c.score).label("respondents"),
               (func.count(t0.c.member_id) - func.count(t0.c.score)).label("unscored"),
               func.count(t1.c.member_id).label("paired"), func.avg(paired_t0).label("mean_t0"),
               func.avg(t1.c.score).label("mean_t1"), func.avg(t1.c.score - t0.c.score).label("change"))
        .select_from(t0).outerjoin(t1, and_(t1.c.member_id == t0.c.member_id, t1.c.bucket == t0.c.bucket,
                                            t0.c.score.is_not(None)))
        .group_by(t0.c.bucket)
    )
    if by_network:
        statement = statement.add_columns(t0.c.network_id).group_by(t0.c.network_id)
    return statement


def self_efficacy_by_period(scope: Scope | Series, *, by_network: bool = False
                            ) -> dict[tuple[int, int | None], SelfEfficacyGroup]:
    """self_efficacy_groups of each period of a Series (or of the one period of a Scope), keyed by (bucket, network
    id or None): one query."""
    return {
        (int(row.bucket), row.network_id if by_network else None): SelfEfficacyGroup.from_aggregates(
            int(row.respondents), int(row.paired), row.mean_t0, row.mean_t1, row.change,
            unscored_t0=int(row.unscored))
        for row in plain_rows(_self_efficacy_statement(scope.shape, by_network), scope.parameters)
    }


def self_efficacy_groups(scope: Scope, *, by_network: bool = False) -> dict[int | None, SelfEfficacyGroup]:
    """Paired T0 / latest yearly score (up to the period's end) per network, or overall (key None)."""
    return {key: group for (_bucket, key), group in self_efficacy_by_period(scope, by_network=by_network).items()}


def self_efficacy_history(member: Member) -> list[SelfEfficacyResponse]:
    return list(db.session.scalars(
        select(SelfEfficacyResponse).where(SelfEfficacyResponse.member_id == member.id)
        .order_by(SelfEfficacyResponse.wave)))


@dataclass(frozen=True)
class SelfEfficacyStatus:
    """A member's place in the T0-then-yearly cycle."""

    member_id: int
    first_taken_on: object  # date of T0, None before it
    last_wave: int | None
    last_taken_on: object = None  # date of the latest answer: the next wave is due a year after it


def self_efficacy_statuses(member_ids: list[int] | None = None) -> dict[int, SelfEfficacyStatus]:
    """T0 date, last wave and latest answer's date of each member who answered at least once (one query)."""
    response = SelfEfficacyResponse
    first = func.min(case((response.wave == 0, response.taken_on)))
    statement = select(response.member_id, first.label("first"), func.max(response.wave).label("last"),
                       func.max(response.taken_on).label("latest")).group_by(response.member_id)
    if member_ids is not None:
        statement = statement.where(response.member_id.in_(member_ids))
    return {row.member_id: SelfEfficacyStatus(row.member_id, row.first, row.last, row.latest)
            for row in db.session.execute(statement)}


def correctable_self_efficacy(member: Member, since) -> SelfEfficacyResponse | None:
    """The member's latest questionnaire if it was taken on or after `since` (still open for corrections)."""
    return db.session.scalar(
        select(SelfEfficacyResponse).where(SelfEfficacyResponse.member_id == member.id,
                                           SelfEfficacyResponse.taken_on >= since)
        .order_by(SelfEfficacyResponse.wave.desc()).limit(1))


def self_efficacy_participants() -> list[Member]:
    """Active coordinators of active networks: the people invited to answer the questionnaire."""
    return list(db.session.scalars(
        select(Member).join(Network, Network.id == Member.network_id)
        .where(Member.is_active.is_(True), Member.role == Role.COORDINATOR, Network.is_active.is_(True))
        .order_by(Member.id)))


def reminded_waves() -> set[tuple[int, int]]:
    rows = db.session.execute(select(SelfEfficacyReminder.member_id, SelfEfficacyReminder.wave))
    return {(row.member_id, row.wave) for row in rows}


# --- the grid -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RubricWithActivities:
    rubric: GridRubric
    activities: list[GridActivity]


def network_grid(network_id: int, *, include_archived: bool = False) -> list[RubricWithActivities]:
    """The network's rubrics in order, each with its activities (two queries)."""
    rubric_statement = select(GridRubric).where(GridRubric.network_id == network_id)
    if not include_archived:
        rubric_statement = rubric_statement.where(GridRubric.is_active.is_(True))
    rubrics = list(db.session.scalars(rubric_statement.order_by(GridRubric.position, GridRubric.id)))
    activity_statement = select(GridActivity).where(GridActivity.rubric_id.in_([rubric.id for rubric in rubrics]))
    if not include_archived:
        activity_statement = activity_statement.where(GridActivity.is_active.is_(True))
    activities: dict[int, list[GridActivity]] = {rubric.id: [] for rubric in rubrics}
    for activity in db.session.scalars(activity_statement.order_by(GridActivity.position, GridActivity.id)):
        activities[activity.rubric_id].append(activity)
    return [RubricWithActivities(rubric, activities[rubric.id]) for rubric in rubrics]


def grid_exists(network_id: int) -> bool:
    return db.session.scalar(select(func.count(GridRubric.id)).where(GridRubric.network_id == network_id)) > 0


def self_assessments_of(member: Member) -> list[SelfAssessment]:
    return list(db.session.scalars(
        select(SelfAssessment).where(SelfAssessment.member_id == member.id).order_by(SelfAssessment.wave)))


def _per_assessment_rubric():
    score = SelfAssessmentScore
    return (
        select(SelfAssessment.id.label("assessment_id"), SelfAssessment.member_id.label("member_id"),
               SelfAssessment.wave.label("wave"), GridActivity.rubric_id.label("rubric_id"),
               or_zero(func.sum(score.score)).label("total"), func.count(score.score).label("scored"))
        .join(score, score.assessment_id == SelfAssessment.id)
        .join(GridActivity, GridActivity.id == score.activity_id)
        .group_by(SelfAssessment.id, SelfAssessment.member_id, SelfAssessment.wave, GridActivity.rubric_id)
    )


def member_rubric_scores(member: Member) -> dict[int, list[RubricScore]]:
    """Rubric totals of each of the member's self-assessments, keyed by wave (one query)."""
    per = _per_assessment_rubric().where(SelfAssessment.member_id == member.id).subquery()
    statement = (
        select(per.c.wave, GridRubric.id, GridRubric.title, GridRubric.short_title, per.c.total, per.c.scored)
        .join(GridRubric, GridRubric.id == per.c.rubric_id)
        .order_by(per.c.wave, GridRubric.position, GridRubric.id)
    )
    by_wave: dict[int, list[RubricScore]] = {}
    for row in db.session.execute(statement):
        by_wave.setdefault(row.wave, []).append(
            RubricScore(row.id, row.title, row.short_title, int(row.total), int(row.scored)))
    return by_wave


def group_rubric_means(scope: Scope) -> list[RubricMean]:
    """Mean rubric share of the members at T0 and at their latest later wave, for each active rubric of the scope's
    networks (by network and position): one query."""
    return [RubricMean(row.id, row.title, row.short_title, row.n0 or 0, row.n1 or 0,
                       _published(row.n0, row.mean0), _published(row.n1, row.mean1))
            for row in plain_rows(_group_rubric_means_statement(scope.shape), scope.parameters)]


def _published(respondents: int | None, mean) -> float | None:
    """A group mean is shown from MIN_GROUP_SIZE respondents only."""
    return float(mean) if respondents and respondents >= MIN_GROUP_SIZE and mean is not None else None


@lru_cache(maxsize=4)
def _group_rubric_means_statement(shape: ScopeShape):
    """The scope's active rubrics (id, title, short_title), each with its T0 and T1 group means (n and mean)."""
    t0 = _rubric_means_statement(shape, False).subquery("t0")
    t1 = _rubric_means_statement(shape, True).subquery("t1")
    statement = (
        select(GridRubric.id, GridRubric.title, GridRubric.short_title, t0.c.n.label("n0"), t0.c.mean.label("mean0"),
               t1.c.n.label("n1"), t1.c.mean.label("mean1"))
        .outerjoin(t0, t0.c.rubric_id == GridRubric.id).outerjoin(t1, t1.c.rubric_id == GridRubric.id)
        .where(GridRubric.is_active.is_(True))
        .order_by(GridRubric.network_id, GridRubric.position, GridRubric.id)
    )
    if shape.network_ids is not None:
        statement = statement.where(GridRubric.network_id.in_(shape.network_ids))
    return statement


@lru_cache(maxsize=16)
def _rubric_means_statement(shape: ScopeShape, latest: bool):
    assessment = SelfAssessment
    chosen = _response_filters(select(assessment.member_id, assessment.id.label("assessment_id")), shape, assessment)
    if latest:
        last = _response_filters(
            select(assessment.member_id, func.max(assessment.wave).label("wave")).where(assessment.wave >= constant(1)),
            shape, assessment).group_by(assessment.member_id).subquery("last")
        chosen = chosen.join(last, and_(last.c.member_id == assessment.member_id, last.c.wave == assessment.wave))
    else:
        chosen = chosen.where(assessment.wave == constant(0))
    chosen = chosen.subquery("chosen")
    # each chosen assessment's rubric totals, added up from its own scores (by the (assessment, activity) index): a
    # join to every assessment's totals made PostgreSQL add up the scores of the whole country first
    score = SelfAssessmentScore
    per = (
        select(chosen.c.assessment_id, GridActivity.rubric_id.label("rubric_id"),
               or_zero(func.sum(score.score)).label("total"), func.count(score.score).label("scored"))
        .select_from(chosen).join(score, score.assessment_id == chosen.c.assessment_id)
        .join(GridActivity, GridActivity.id == score.activity_id)
        .group_by(chosen.c.assessment_id, GridActivity.rubric_id)
    ).subquery("per")
    share = case((per.c.scored > constant(0), cast(per.c.total, Float) / (constant(GRID_MAX_SCORE) * per.c.scored)))
    return select(per.c.rubric_id, func.count(share).label("n"), func.avg(share).label("mean")).group_by(per.c.rubric_id)


@dataclass(frozen=True)
class GridSummary:
    """A network's grid in one figure: the mean, over its rubrics, of the group's rubric shares at T0 and at T1
    (each rubric mean published from MIN_GROUP_SIZE respondents only); respondents = the most of any rubric."""

    respondents_t0: int = 0
    respondents_t1: int = 0
    mean_t0: float | None = None
    mean_t1: float | None = None


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def grid_summaries(scope: Scope) -> tuple[dict[int, GridSummary], GridSummary]:
    """GridSummary per network of the scope, and over all their rubrics (two queries: group_rubric_means, then
    the rubrics' networks)."""
    means = group_rubric_means(scope)
    network_of = {rubric_id: network_id for rubric_id, network_id in db.session.execute(
        select(GridRubric.id, GridRubric.network_id).where(GridRubric.id.in_([mean.rubric_id for mean in means])))}
    by_network: dict[int, list] = {}
    for mean in means:
        by_network.setdefault(network_of[mean.rubric_id], []).append(mean)

    def summary(rubrics) -> GridSummary:
        return GridSummary(max((m.respondents_t0 for m in rubrics), default=0),
                           max((m.respondents_t1 for m in rubrics), default=0),
                           _mean([m.mean_t0 for m in rubrics if m.mean_t0 is not None]),
                           _mean([m.mean_t1 for m in rubrics if m.mean_t1 is not None]))

    per_network = {network_id: summary(rubrics) for network_id, rubrics in by_network.items()}
    total = GridSummary(sum(g.respondents_t0 for g in per_network.values()),
                        sum(g.respondents_t1 for g in per_network.values()),
                        _mean([m.mean_t0 for m in means if m.mean_t0 is not None]),
                        _mean([m.mean_t1 for m in means if m.mean_t1 is not None]))
    return per_network, total


# --- publications -----------------------------------------------------------------------------------------------

def publications() -> list[Publication]:
    """Every publication of the experiment's report, newest first, with who published it (one query)."""
    return list(db.session.scalars(select(Publication).options(joinedload(Publication.published_by))
                                   .order_by(Publication.created_at.desc(), Publication.id.desc())))


def publication(publication_id: int) -> Publication | None:
    return db.session.scalar(select(Publication).options(joinedload(Publication.published_by))
                             .where(Publication.id == publication_id))


@lru_cache(maxsize=1)
def _territory_choices_statement():
    return (select(Territory.id, Territory.name).where(Territory.network_id == bindparam("network_id"))
            .order_by(Territory.name))


def territory_choices(network_id: int) -> list[Row]:
    """(id, name) of the network's territories by name, the period filter's choices: plain rows (Core)."""
    return plain_rows(_territory_choices_statement(), {"network_id": network_id})
