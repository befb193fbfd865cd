"""The evaluation of one scope, assembled once for the dashboard, the report, the exports and the CLI."""

from dataclasses import dataclass

from markupsafe import Markup

from network.codev.enums import Outcome
from network.evaluation import charts, indicators, queries
from network.evaluation.figures import (
    AttendanceRow, CodevFigures, MeetingAttendance, MemberAssiduity, NetworkSummary, Ratio, RubricMean,
)
from network.periods import PARIS, Period, Scope, Series
from network.formatting import french_percent
from network.network_versions import EVERY_NETWORK
from network.result_cache import ResultCache
from network.sessions.enums import MeetingKind


def ratio_text(ratio: Ratio) -> str:
    """'7 sur 10 (70 %)', or '0 sur 0 (n.d.)'."""
    return f"{ratio.counts} ({french_percent(ratio.value)})"


@dataclass(frozen=True)
class Evaluation:
    scope: Scope
    summary: NetworkSummary
    meetings: list[MeetingAttendance]
    trainings: list[MeetingAttendance]
    territories: list[AttendanceRow]
    institutions: list[AttendanceRow]
    members: list[MemberAssiduity]  # empty unless the viewer may see named attendance (a network's facilitators)
    rubric_means: list[RubricMean]
    outcomes: list[tuple[str, int, Ratio]]  # CODEV outcomes: (label, count, share of the follow-ups)
    charts: dict[str, Markup]


# Kept per worker until a write in the scope's network.
_evaluations = ResultCache(maxsize=64)
_year_series = ResultCache(maxsize=64)


def kept_under(network_ids: tuple[int, ...] | None) -> int | str:
    """The version a result of these networks is kept under: its network's, or every network's."""
    return network_ids[0] if network_ids is not None and len(network_ids) == 1 else EVERY_NETWORK


def build_evaluation(scope: Scope, *, with_members: bool) -> Evaluation:
    """Everything a single-network page shows, in a fixed number of queries (one on a hit: the version)."""
    return _evaluations.get_or_compute((scope, with_members),
                                       lambda: _computed_evaluation(scope, with_members=with_members),
                                       network=kept_under(scope.network_ids))


def _computed_evaluation(scope: Scope, *, with_members: bool) -> Evaluation:
    # The attendance (per meeting, per member, by territory and institution) is read at once, shown and added up
    # into the summary.
    attendance = indicators.period_attendance(scope)
    summary = indicators.network_summary(scope, meetings=attendance.meetings, trainings=attendance.trainings,
                                         member_rows=attendance.member_rows,
                                         training_member_rows=attendance.training_member_rows)
    meetings = indicators.meeting_attendance(scope, rows=attendance.meetings)
    trainings = indicators.meeting_attendance(scope, MeetingKind.TRAINING, rows=attendance.trainings)
    territories, institutions = attendance.territories, attendance.institutions
    members = indicators.member_assiduity(scope, rows=attendance.member_rows) if with_members else []
    rubric_means = queries.group_rubric_means(scope)
    return Evaluation(scope, summary, meetings, trainings, territories, institutions, members, rubric_means,
                      outcome_rows(summary.codev), _charts(summary, meetings, territories, rubric_means))


EVOLUTION_YEARS = 10  # at most: the years of a young network before its first meeting are left out


def last_years(scope: Scope, count: int = EVOLUTION_YEARS) -> Series:
    """The last `count` years up to now, of the scope's network and territory, whatever period it covers."""
    this_year = scope.now.astimezone(PARIS).year
    return Series.of_years(this_year - count + 1, this_year, scope.now, network_ids=scope.network_ids,
                           territory_id=scope.territory_id)


def year_by_year(series: Series) -> list[tuple[Period, NetworkSummary]]:
    """The synthesis of the series' network for each year, most recent first, in the queries of one year. The
    years before the first with a meeting (quarterly or training) are left out; the current year always stays."""
    return _year_series.get_or_compute(series, lambda: _computed_year_by_year(series),
                                       network=kept_under(series.network_ids))


def _computed_year_by_year(series: Series) -> list[tuple[Period, NetworkSummary]]:
    lines = [(scope.period, rows[0]) for scope, rows, _total in indicators.series_summaries(series, with_total=False)]
    first = next((index for index, (_period, line) in enumerate(lines) if _has_meetings(line)), len(lines) - 1)
    return lines[first:][::-1]


def _has_meetings(line: NetworkSummary) -> bool:
    attendance, training = line.attendance, line.training.summary
    return bool(attendance.meetings_recorded or attendance.meetings_unrecorded or training.meetings_recorded
                or training.meetings_unrecorded)


def _charts(summary, meetings, territories, rubric_means) -> dict[str, Markup]:
    efficacy = summary.self_efficacy
    return {
        "meetings": charts.bar_chart(
            [charts.Bar(f"{row.starts_at:%d/%m/%Y}", row.counts.rate.value if row.is_recorded else None,
                        ratio_text(row.counts.rate)) for row in meetings],
            "Taux de présence par rencontre"),
        "territories": charts.bar_chart(
            [charts.Bar(row.label, row.counts.rate.value, ratio_text(row.counts.rate)) for row in territories],
            "Taux de présence par territoire"),
        "outcomes": outcomes_chart(summary.codev),
        "self_efficacy": charts.paired_means_chart(efficacy.mean_t0, efficacy.mean_t1, efficacy.paired,
                                                   "Sentiment d'efficacité personnelle, moyennes T0 et T1"),
        "radar": group_radar(rubric_means),
    }


OUTCOME_COLOURS = {Outcome.RESOLVED: charts.GREEN, Outcome.OVERCOME: charts.GREEN_LIGHT,
                   Outcome.PARTIALLY_RESOLVED: charts.AMBER, Outcome.NOT_RESOLVED: charts.RED,
                   Outcome.NOT_APPLICABLE: charts.GREY}


def outcome_rows(codev: CodevFigures) -> list[tuple[str, int, Ratio]]:
    """(French label, count, count ÷ follow-ups) per outcome, in the order of the scale."""
    return [(outcome.label, codev.outcome_counts.get(outcome.value, 0),
             Ratio(codev.outcome_counts.get(outcome.value, 0), codev.followed_up)) for outcome in Outcome]


def outcomes_chart(codev: CodevFigures) -> Markup:
    """Outcomes of the followed-up cases: one bar per outcome, its share of the follow-ups, with the counts."""
    bars = [charts.Bar(label, share.value, ratio_text(share), OUTCOME_COLOURS[outcome])
            for outcome, (label, _count, share) in zip(Outcome, outcome_rows(codev), strict=True)]
    return charts.bar_chart(bars if codev.followed_up else [], "Issues des cas CODEV suivis (part des suivis)",
                            empty_message="Aucun suivi de cas renseigné sur cette période", widths=(190, 170, 130))


def years_chart(years: list[tuple[Period, NetworkSummary]]) -> Markup:
    """Attendance rate per year, oldest first, with the counts."""
    return charts.bar_chart([charts.Bar(str(period.year), line.attendance.counts.rate.value,
                                        ratio_text(line.attendance.counts.rate)) for period, line in reversed(years)],
                            "Taux de présence aux rencontres trimestrielles, par année",
                            widths=(60, 300, 140))  # short labels: the chart stays legible on a phone


def group_radar(rubric_means: list[RubricMean]) -> Markup:
    series = []
    if any(mean.mean_t0 is not None for mean in rubric_means):
        series.append(charts.RadarSeries("T0 (moyenne du groupe)", [m.mean_t0 for m in rubric_means],
                                         charts.BLUE_LIGHT))
    if any(mean.mean_t1 is not None for mean in rubric_means):
        series.append(charts.RadarSeries("T1 (moyenne du groupe)", [m.mean_t1 for m in rubric_means], charts.BLUE))
    return charts.radar_chart([mean.short_title for mean in rubric_means], series,
                              "Grille d'auto-évaluation : moyenne du groupe par rubrique")


def member_radar(scores_by_wave: dict) -> Markup:
    """The member's own radar: T0 and the latest later wave overlaid."""
    if not scores_by_wave:
        return charts.radar_chart([], [], "Mon auto-évaluation")
    first = scores_by_wave[min(scores_by_wave)]
    axes = [score.short_title for score in first]
    series = [charts.RadarSeries(f"T{min(scores_by_wave)}", [s.share for s in first], charts.BLUE_LIGHT)]
    last_wave = max(scores_by_wave)
    if last_wave != min(scores_by_wave):
        by_rubric = {score.rubric_id: score.share for score in scores_by_wave[last_wave]}
        series.append(charts.RadarSeries(f"T{last_wave}", [by_rubric.get(s.rubric_id) for s in first], charts.BLUE))
    return charts.radar_chart(axes, series, "Mon auto-évaluation par rubrique")
