"""XLSX and CSV exports, and the flat records the CLI prints: all built from the same figures.

Nothing here carries CODEV content or an individual self-efficacy score: only counts, rates, group means.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime


from network.calendar import to_paris
from network.evaluation.assembly import Evaluation
from network.codev.enums import Outcome
from network.evaluation.figures import CodevFigures, NetworkSummary, Ratio, VoteTurnout
from network.evaluation.indicators import DEFINITIONS
from network.periods import Period, Scope
from network.evaluation.scales import GSE_CITATION
from network.text import spreadsheet_cell

MIMETYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "csv": "text/csv"}  # Werkzeug adds "; charset=utf-8" to text types: named once
neutralise = spreadsheet_cell  # every cell: control characters removed, formulas neutralised (network/text.py)


def _rate(ratio: Ratio) -> float | None:
    return None if ratio.value is None else round(ratio.value, 4)


def _day(instant) -> date:
    """A meeting's day in Paris, kept a date: the XLSX writes a real Excel date, the CSV its ISO form."""
    return to_paris(instant).date()


def _round(value, digits=4):
    return None if value is None else round(value, digits)


# --- the synthesis record: one per network and the total (admin table, exports, CLI) --------------

# CODEV and vote figures: (key, label, getter, is a rate), shared by the synthesis line and their own sheets.
CODEV_COLUMNS: tuple[tuple[str, str, Callable[[CodevFigures], object], bool], ...] = (
    ("cases_worked", "Cas travaillés", lambda c: c.cases_worked, False),
    ("distinct_clients", "Porteurs distincts", lambda c: c.distinct_clients, False),
    ("distinct_themes", "Thèmes distincts", lambda c: c.distinct_themes, False),
    ("followed_up", "Cas avec un suivi renseigné", lambda c: c.followed_up, False),
    ("follow_up_rate", "Complétude des suivis", lambda c: _rate(c.follow_up_completion), True),
    ("resolved", "Problèmes résolus", lambda c: c.resolved, False),
    ("resolved_or_overcome", "Résolus ou surmontés", lambda c: c.resolved_or_overcome, False),
    ("with_outcome", "Suivis dont l'issue n'est pas « sans objet »", lambda c: c.with_outcome, False),
    ("resolved_rate", "Taux de problèmes résolus", lambda c: _rate(c.resolved_rate), True),
    ("resolved_or_overcome_rate", "Taux de résolus ou surmontés", lambda c: _rate(c.resolved_or_overcome_rate),
     True),
    *((f"outcome_{outcome.value}", f"Issue « {outcome.label.lower()} »",
       lambda c, value=outcome.value: c.outcome_counts.get(value, 0), False) for outcome in Outcome),
)
VOTE_COLUMNS: tuple[tuple[str, str, Callable[[VoteTurnout], object], bool], ...] = (
    ("rounds", "Tours de vote clos", lambda v: v.rounds, False),
    ("ballots", "Bulletins déposés", lambda v: v.ballots, False),
    ("eligible", "Membres appelés à voter (cumul des tours)", lambda v: v.eligible, False),
    ("turnout_rate", "Participation aux votes", lambda v: _rate(v.turnout), True),
)

SUMMARY_COLUMNS: tuple[tuple[str, str, Callable[[NetworkSummary], object]], ...] = (
    ("network", "Réseau", lambda s: s.slug),
    ("name", "Nom", lambda s: s.name),
    ("active_members", "Membres actifs", lambda s: s.active_members),
    ("meetings_recorded", "Rencontres (présences saisies)", lambda s: s.attendance.meetings_recorded),
    ("meetings_unrecorded", "Rencontres sans présences saisies", lambda s: s.attendance.meetings_unrecorded),
    ("attended", "Présences (présents + partiels)", lambda s: s.attendance.counts.attended),
    ("invited", "Invitations de membres", lambda s: s.attendance.counts.invited),
    ("excused", "Excusés", lambda s: s.attendance.counts.excused),
    ("attendance_rate", "Taux de présence (agrégé)", lambda s: _rate(s.attendance.counts.rate)),
    ("attendance_rate_excused_excluded", "Taux hors excusés", lambda s: _rate(s.attendance.counts.rate_excused_excluded)),
    ("mean_meeting_rate", "Moyenne des taux des rencontres", lambda s: _round(s.attendance.mean_meeting_rate)),
    ("assiduous_members", "Membres assidus (≥ 75 %)", lambda s: s.attendance.assiduity.at_threshold),
    ("assiduity_members", "Membres invités (assiduité)", lambda s: s.attendance.assiduity.members),
    ("assiduous_share", "Part des membres assidus", lambda s: _rate(s.attendance.assiduity.share)),
    ("meetings_held", "Rencontres tenues", lambda s: s.topics.meetings_held),
    ("meetings_with_topic", "Rencontres avec un thème", lambda s: s.topics.meetings_with_topic),
    ("distinct_topics", "Thèmes distincts", lambda s: s.topics.distinct_topics),
    ("trainings_recorded", "Formations (présences saisies)", lambda s: s.training.summary.meetings_recorded),
    ("training_attended", "Présences en formation", lambda s: s.training.summary.counts.attended),
    ("training_invited", "Invitations en formation", lambda s: s.training.summary.counts.invited),
    ("training_rate", "Taux de présence en formation", lambda s: _rate(s.training.summary.counts.rate)),
    ("training_participants", "Membres formés (distincts)", lambda s: s.training.participants),
    ("gse_respondents_t0", "Efficacité personnelle : répondants T0 avec un score",
     lambda s: s.self_efficacy.respondents_t0),
    ("gse_unscored_t0", "Efficacité personnelle : T0 trop incomplets pour un score",
     lambda s: s.self_efficacy.unscored_t0),
    ("gse_paired", "Efficacité personnelle : effectif apparié", lambda s: s.self_efficacy.paired),
    ("gse_mean_t0", "Efficacité personnelle : moyenne T0", lambda s: s.self_efficacy.mean_t0),
    ("gse_mean_t1", "Efficacité personnelle : moyenne T1", lambda s: s.self_efficacy.mean_t1),
    ("gse_mean_change", "Efficacité personnelle : évolution moyenne", lambda s: s.self_efficacy.mean_change),
    *((f"codev_{key}", f"CODEV : {label[0].lower()}{label[1:]}", lambda s, get=getter: get(s.codev))
      for key, label, getter, _percent in CODEV_COLUMNS),
    *((f"vote_{key}", f"Votes : {label[0].lower()}{label[1:]}", lambda s, get=getter: get(s.votes))
      for key, label, getter, _percent in VOTE_COLUMNS),
    ("resources_shared", "Ressources partagées", lambda s: s.resources.total),
    ("resources_materials", "Ressources : documents et liens publiés", lambda s: s.resources.materials),
    ("resources_minutes", "Ressources : comptes rendus publiés", lambda s: s.resources.minutes),
    ("resources_news", "Ressources : actualités publiées", lambda s: s.resources.news),
    ("resources_national_shares", "Ressources : partages avec tous les réseaux",
     lambda s: s.resources.national_shares),
    ("resources_downloads", "Ressources : téléchargements (sans savoir par qui)", lambda s: s.resources.downloads),
)


def summary_record(summary: NetworkSummary) -> dict:
    return {key: getter(summary) for key, _label, getter in SUMMARY_COLUMNS}


# --- sheets of a single network's evaluation ------------------------------------------------------

@dataclass(frozen=True)
class Sheet:
    title: str
    header: list[str]
    rows: list[list]
    percent_columns: tuple[int, ...] = ()


def _counts_row(label, counts, extra=()):
    return [label, *extra, counts.invited, counts.present, counts.partial, counts.excused, counts.absent,
            _rate(counts.rate), _rate(counts.rate_excused_excluded)]


COUNT_HEADER = ["Invités (membres actifs)", "Présents", "Partiels", "Excusés", "Absents", "Taux de présence",
                "Taux hors excusés"]


def evaluation_sheets(evaluation: Evaluation) -> list[Sheet]:
    summary = evaluation.summary
    scope = evaluation.scope
    synthesis = [[label, value] for key, label, getter in SUMMARY_COLUMNS
                 for value in [getter(summary)] if key not in ("network",)]
    synthesis.insert(0, ["Période", scope.period.label])
    sheets = [
        Sheet("Synthèse", ["Indicateur", "Valeur"], synthesis),
        Sheet("Présence par rencontre", ["Date", "Rencontre", "Présences saisies", *COUNT_HEADER],
              [[_day(row.starts_at), row.title, "oui" if row.is_recorded else "non saisies",
                *_counts_row(None, row.counts)[1:]] if row.is_recorded else
               [_day(row.starts_at), row.title, "non saisies", *[None] * 7]
               for row in evaluation.meetings], percent_columns=(8, 9)),
        Sheet("Présence par territoire", ["Territoire", *COUNT_HEADER],
              [_counts_row(row.label, row.counts) for row in evaluation.territories], percent_columns=(6, 7)),
        Sheet("Présence par institution", ["Institution", *COUNT_HEADER],
              [_counts_row(row.label, row.counts) for row in evaluation.institutions], percent_columns=(6, 7)),
    ]
    if evaluation.members:
        sheets.append(Sheet("Assiduité", ["Membre", "Rencontres présent·e", "Rencontres invité·e", "Assiduité",
                                          "≥ 75 %"],
                            [[m.name, m.attended, m.invited, _rate(m.ratio), "oui" if m.is_at_threshold else "non"]
                             for m in evaluation.members], percent_columns=(3,)))
    sheets += [
        Sheet("Formations", ["Date", "Formation", "Présences saisies", *COUNT_HEADER],
              [[_day(row.starts_at), row.title, "oui" if row.is_recorded else "non saisies",
                *_counts_row(None, row.counts)[1:]] for row in evaluation.trainings], percent_columns=(8, 9)),
        Sheet("Thèmes", ["Indicateur", "Valeur"], [
            ["Rencontres tenues", summary.topics.meetings_held],
            ["Rencontres avec un thème", summary.topics.meetings_with_topic],
            ["Thèmes distincts", summary.topics.distinct_topics]]),
        Sheet("Efficacité personnelle", ["Indicateur", "Valeur"], [
            ["Répondants à l'entrée (T0) avec un score", summary.self_efficacy.respondents_t0],
            ["T0 trop incomplets pour un score (plus de 3 items sans réponse)", summary.self_efficacy.unscored_t0],
            ["Effectif apparié (T0 et T1)", summary.self_efficacy.paired],
            ["Moyenne T0", summary.self_efficacy.mean_t0 if summary.self_efficacy.is_sufficient
             else "effectif insuffisant (n < 5)"],
            ["Moyenne T1", summary.self_efficacy.mean_t1 if summary.self_efficacy.is_sufficient
             else "effectif insuffisant (n < 5)"],
            ["Évolution moyenne", summary.self_efficacy.mean_change if summary.self_efficacy.is_sufficient
             else "effectif insuffisant (n < 5)"],
            ["Source", GSE_CITATION]]),
        Sheet("Grille", ["Rubrique", "Répondants T0", "Moyenne T0", "Répondants T1", "Moyenne T1"],
              [[m.title, m.respondents_t0, _round(m.mean_t0), m.respondents_t1, _round(m.mean_t1)]
               for m in evaluation.rubric_means], percent_columns=(2, 4)),
        _codev_sheet(summary.codev, evaluation.outcomes),
        Sheet("Votes", ["Indicateur", "Nombre", "Sur", "Taux"], [
            ["Tours de vote clos dans la période", summary.votes.rounds, None, None],
            _ratio_row("Participation aux votes (bulletins ÷ membres appelés à voter)", summary.votes.turnout)],
              percent_columns=(3,)),
        Sheet("Définitions", ["Indicateur", "Définition"], [list(item) for item in DEFINITIONS]),
    ]
    return sheets


def _ratio_row(label: str, ratio: Ratio) -> list:
    return [label, ratio.numerator, ratio.denominator, _rate(ratio)]


def _codev_sheet(codev: CodevFigures, outcomes) -> Sheet:
    """Counts and rates only: no case title, content or client name ever reaches an export."""
    return Sheet("CODEV", ["Indicateur", "Nombre", "Sur", "Taux"], [
        ["Cas travaillés", codev.cases_worked, None, None],
        ["Porteurs distincts", codev.distinct_clients, None, None],
        ["Thèmes distincts", codev.distinct_themes, None, None],
        _ratio_row("Complétude des suivis (cas avec un suivi ÷ cas travaillés)", codev.follow_up_completion),
        _ratio_row("Problèmes résolus (÷ suivis hors « sans objet »)", codev.resolved_rate),
        _ratio_row("Résolus ou surmontés (÷ suivis hors « sans objet »)", codev.resolved_or_overcome_rate),
        *(_ratio_row(f"Issue « {label.lower()} » (÷ suivis)", share) for label, _count, share in outcomes),
    ], percent_columns=(3,))


def _per_network_sheet(title: str, columns, figures_of, rows: list[NetworkSummary],
                       total: NetworkSummary) -> Sheet:
    return Sheet(title, ["Réseau", *(label for _k, label, _g, _p in columns)],
                 [[summary.name, *(getter(figures_of(summary)) for _k, _l, getter, _p in columns)]
                  for summary in [*rows, total]],
                 percent_columns=tuple(index + 1 for index, column in enumerate(columns) if column[3]))


def summaries_sheets(rows: list[NetworkSummary], total: NetworkSummary, scope: Scope) -> list[Sheet]:
    percent = tuple(index for index, (key, _l, _g) in enumerate(SUMMARY_COLUMNS)
                    if key.endswith(("rate", "share")))
    return [
        Sheet(f"Synthèse {scope.period.slug}", [label for _k, label, _g in SUMMARY_COLUMNS],
              [[getter(summary) for _k, _l, getter in SUMMARY_COLUMNS] for summary in [*rows, total]],
              percent_columns=percent),
        _per_network_sheet("CODEV", CODEV_COLUMNS, lambda summary: summary.codev, rows, total),
        _per_network_sheet("Votes", VOTE_COLUMNS, lambda summary: summary.votes, rows, total),
        Sheet("Définitions", ["Indicateur", "Définition"], [list(item) for item in DEFINITIONS]),
    ]


def years_sheets(years: list[tuple[Period, NetworkSummary]]) -> list[Sheet]:
    """The synthesis year by year (year_by_year, most recent first), written oldest first as in a spreadsheet."""
    columns = [column for column in SUMMARY_COLUMNS if column[0] not in ("network", "name")]
    return [
        Sheet("Année par année", ["Année", *(label for _k, label, _g in columns)],
              [[period.year, *(getter(line) for _k, _l, getter in columns)] for period, line in reversed(years)],
              percent_columns=tuple(index + 1 for index, (key, _l, _g) in enumerate(columns)
                                    if key.endswith(("rate", "share")))),
        Sheet("Définitions", ["Indicateur", "Définition"], [list(item) for item in DEFINITIONS]),
    ]


# --- writers --------------------------------------------------------------------------------------

def sheets_to_xlsx(sheets: list[Sheet]) -> bytes:
    # openpyxl (with lxml and PIL, ~13 MB a worker): loaded by the first spreadsheet, not at start
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    header_fill = PatternFill("solid", fgColor="E6F0F7")
    for sheet in sheets:
        worksheet = workbook.create_sheet(sheet.title[:31])
        worksheet.append([neutralise(value) for value in sheet.header])
        for cell in worksheet[1]:
            cell.font, cell.fill = Font(bold=True), header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in sheet.rows:
            worksheet.append([neutralise(value) for value in row])
        for cells in worksheet.iter_rows(min_row=2):
            for cell in cells:
                if isinstance(cell.value, (date, datetime)):
                    cell.number_format = "DD/MM/YYYY"
        for column in sheet.percent_columns:
            for (cell,) in worksheet.iter_rows(min_row=2, min_col=column + 1, max_col=column + 1):
                if isinstance(cell.value, float):
                    cell.number_format = "0.0%"
        for index in range(1, len(sheet.header) + 1):
            worksheet.column_dimensions[get_column_letter(index)].width = 18 if index > 1 else 48
        worksheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheets_to_csv(sheets: list[Sheet]) -> bytes:
    """One CSV (semicolon, UTF-8 with BOM for French spreadsheets): a block per family of indicators."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for index, sheet in enumerate(sheets):
        if index:
            writer.writerow([])
        writer.writerow([neutralise(f"# {sheet.title}")])
        writer.writerow([neutralise(value) for value in sheet.header])
        writer.writerows([[value.isoformat() if isinstance(value, date) else neutralise(value) for value in row]
                          for row in sheet.rows])
    return buffer.getvalue().encode("utf-8-sig")


def evaluation_export(evaluation: Evaluation, network, extension: str) -> tuple[bytes, str]:
    sheets = evaluation_sheets(evaluation)
    writer = sheets_to_xlsx if extension == "xlsx" else sheets_to_csv
    return writer(sheets), f"evaluation-{network.slug}-{evaluation.scope.period.slug}.{extension}"


def years_export(years: list[tuple[Period, NetworkSummary]], network, extension: str) -> tuple[bytes, str]:
    writer = sheets_to_xlsx if extension == "xlsx" else sheets_to_csv
    first, last = years[-1][0].year, years[0][0].year
    return writer(years_sheets(years)), f"evaluation-{network.slug}-{first}-{last}.{extension}"


def summaries_export(rows, total, scope: Scope, extension: str) -> tuple[bytes, str]:
    sheets = summaries_sheets(rows, total, scope)
    writer = sheets_to_xlsx if extension == "xlsx" else sheets_to_csv
    return writer(sheets), f"evaluation-reseaux-{scope.period.slug}.{extension}"
