"""Result types of the indicators: plain frozen dataclasses, counts first, rates derived.

Every rate keeps its numerator and denominator so pages, exports and the CLI can say "7 sur 10".
"""

from dataclasses import dataclass, field

from network.evaluation.enums import MIN_GROUP_SIZE
from network.sessions.attendance_figures import (  # noqa: F401  (re-exported: the indicators' result types)
    Assiduity, AttendanceCounts, AttendanceSummary, MeetingAttendance, MemberAssiduity, Ratio,
)


@dataclass(frozen=True)
class AttendanceRow:
    """One line of a breakdown (a network, a territory, an institution)."""

    key: int | None
    label: str
    counts: AttendanceCounts


@dataclass(frozen=True)
class TopicFigures:
    meetings_held: int = 0  # quarterly meetings held (status held or closed) in the period
    meetings_with_topic: int = 0  # …with a thematic segment whose topic is set
    distinct_topics: int = 0

    @property
    def share(self) -> Ratio:
        return Ratio(self.meetings_with_topic, self.meetings_held)


@dataclass(frozen=True)
class TrainingFigures:
    summary: AttendanceSummary
    participants: int  # distinct members present at one training at least


@dataclass(frozen=True)
class SelfEfficacyGroup:
    """Paired T0/T1 figures; the means exist only when at least MIN_GROUP_SIZE members are paired.

    respondents_t0: members whose entry questionnaire (T0) has a score (at most 3 items unanswered);
    unscored_t0: members whose T0 was answered but too incompletely to score (never in a mean)."""

    respondents_t0: int = 0
    paired: int = 0
    mean_t0: float | None = None
    mean_t1: float | None = None
    mean_change: float | None = None
    unscored_t0: int = 0

    @property
    def is_sufficient(self) -> bool:
        return self.paired >= MIN_GROUP_SIZE

    @property
    def answered_t0(self) -> int:
        """Everyone who answered the entry questionnaire, with a score or not."""
        return self.respondents_t0 + self.unscored_t0

    @classmethod
    def from_aggregates(cls, respondents_t0, paired, mean_t0, mean_t1, mean_change, *,
                        unscored_t0: int = 0) -> "SelfEfficacyGroup":
        if paired < MIN_GROUP_SIZE:  # never let a small group's mean leave this module
            return cls(respondents_t0=respondents_t0, paired=paired, unscored_t0=unscored_t0)
        return cls(respondents_t0, paired, _round1(mean_t0), _round1(mean_t1), _round1(mean_change),
                   unscored_t0=unscored_t0)


@dataclass(frozen=True)
class RubricMean:
    rubric_id: int
    title: str
    short_title: str
    respondents_t0: int
    respondents_t1: int
    mean_t0: float | None  # mean rubric share (0–1) of the members, None below the group threshold or all NC
    mean_t1: float | None


@dataclass(frozen=True)
class RubricScore:
    rubric_id: int
    title: str
    short_title: str
    total: int  # Σ scores
    scored: int  # activities scored 0–3 (NC excluded)

    @property
    def share(self) -> float | None:
        """Σ scores ÷ (3 × scored activities); None (NC) when every activity is NC."""
        return None if not self.scored else self.total / (3 * self.scored)


@dataclass(frozen=True)
class CodevFigures:
    """CODEV cases worked at the meetings of the period and what became of them (metadata only, never content)."""

    cases_worked: int = 0
    distinct_clients: int = 0
    distinct_themes: int = 0
    followed_up: int = 0  # worked cases with a recorded follow-up
    resolved: int = 0
    resolved_or_overcome: int = 0
    outcome_counts: dict[str, int] = field(default_factory=dict)  # outcome → count, not_applicable included
    with_outcome: int = 0  # follow-ups whose outcome is not `not_applicable`

    @property
    def resolved_rate(self) -> Ratio:
        return Ratio(self.resolved, self.with_outcome)

    @property
    def resolved_or_overcome_rate(self) -> Ratio:
        return Ratio(self.resolved_or_overcome, self.with_outcome)

    @property
    def follow_up_completion(self) -> Ratio:
        """Worked cases with a recorded follow-up ÷ cases worked (shown beside the resolution rates)."""
        return Ratio(self.followed_up, self.cases_worked)


@dataclass(frozen=True)
class VoteTurnout:
    """Vote rounds of the period: ballots cast and members entitled to vote, summed over the rounds."""

    rounds: int = 0
    ballots: int = 0
    eligible: int = 0  # members entitled to vote, summed over the rounds

    @property
    def turnout(self) -> Ratio:
        return Ratio(self.ballots, self.eligible)


@dataclass(frozen=True)
class SharedResources:
    """« Ressources partagées » of the period (indicators.shared_resources_by_period): what the network left behind
    its meetings and posted, what it shared with every network, and how often its files were downloaded."""

    materials: int = 0  # documents and links published on the meetings (and trainings) of the period
    minutes: int = 0  # minutes published of those meetings
    news: int = 0  # news items posted in the period
    shared_resources: int = 0  # documents and links put in the national library in the period
    shared_sheets: int = 0  # CODEV capitalisation sheets put in the national library in the period
    downloads: int = 0  # downloads of the network's files in the period: a count per day, never who

    @property
    def total(self) -> int:
        """The indicator: materials + minutes + news."""
        return self.materials + self.minutes + self.news

    @property
    def national_shares(self) -> int:
        return self.shared_resources + self.shared_sheets


@dataclass(frozen=True)
class NetworkSummary:
    """One line of the synthesis: the same object feeds the dashboard, the admin table, exports and the CLI."""

    network_id: int | None  # None for the total line
    slug: str
    name: str
    active_members: int
    attendance: AttendanceSummary
    topics: TopicFigures
    training: TrainingFigures
    self_efficacy: SelfEfficacyGroup
    codev: CodevFigures = field(default_factory=CodevFigures)
    votes: VoteTurnout = field(default_factory=VoteTurnout)
    resources: SharedResources = field(default_factory=SharedResources)


def _round1(value) -> float | None:
    return None if value is None else round(float(value), 1)
