"""The experiment's report as a PDF (fpdf2, like the annual report) and an XLSX (openpyxl, like the exports), from
the report's data — computed now or frozen in a publication — so a publication's files are the same later: a FORMAT 1
publication, published before « Ressources partagées », gets neither their sections nor their columns."""

from network.evaluation.bilan import INSUFFICIENT, Report, grid_text, gse_text
from network.evaluation.exports import Sheet, sheets_to_xlsx
from network.evaluation.figures import Ratio, SharedResources
from network.evaluation.indicators import DEFINITIONS
from network.formatting import french_datetime, french_percent, plural

INTRO = ("Chaque réseau côte à côte sur les années choisies, puis le total national et la trajectoire de chaque "
         "réseau année par année. Chiffres agrégés, jamais nominatifs ; les moyennes d'un groupe de moins de 5 "
         "membres appariés (ou répondants) sont remplacées par « effectif insuffisant ».")


def _rate(ratio: Ratio) -> str:
    return "n.d." if ratio.value is None else f"{french_percent(ratio.value)}\n{ratio.numerator} sur {ratio.denominator}"


def resources_parts(resources: SharedResources) -> str:
    """The indicator's parts, worded as on the dashboard."""
    return (f"{plural(resources.materials, 'document ou lien', 'documents ou liens')}, "
            f"{plural(resources.minutes, 'compte rendu publié', 'comptes rendus publiés')}, "
            f"{plural(resources.news, 'actualité')}")


def shares_parts(resources: SharedResources) -> str:
    """The shares with every network, by kind, worded as on the dashboard."""
    return (f"{plural(resources.shared_resources, 'document')}, "
            f"{plural(resources.shared_sheets, 'fiche CODEV', 'fiches CODEV')}")


def bilan_pdf(report: Report, publication=None, notes: list[str] | None = None) -> bytes:
    title = f"Bilan de l'expérimentation — {report.label}"
    # fpdf2 + fontTools: ~33 MB a worker, loaded by the first PDF, not at start
    from network.evaluation.report import ReportPDF

    pdf = ReportPDF(title)
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.heading(title, 16)
    if publication is not None:
        pdf.paragraph(publication_line(publication), size=9, muted=True)
    pdf.paragraph(INTRO, size=9, muted=True)
    lines = [*report.networks, report.total]
    pdf.heading("1. Présence et thèmes")
    pdf.grid_table(["Réseau", "Membres", "Présence", "Assidus (≥ 75 %)", "Thèmes traités"], [
        [line.name, str(line.members), _rate(line.attendance), _rate(line.assiduity), _rate(line.topics)]
        for line in lines], widths=(58, 20, 32, 32, 32))
    pdf.heading("2. CODEV, efficacité personnelle, grille")
    pdf.grid_table(["Réseau", "Cas travaillés", "Résolus ou surmontés", "Efficacité personnelle (T0 → T1)",
                    "Grille (T0 → T1)"], [
        [line.name, str(line.cases_worked), _rate(line.resolved_or_overcome_rate), gse_text(line), grid_text(line)]
        for line in lines], widths=(44, 20, 30, 44, 36))
    pdf.heading("3. Trajectoires : taux de présence année par année")
    pdf.grid_table(["Réseau", *(str(year) for year in report.years)], [
        [line.name, *(_rate(attendance) for _year, attendance, _worked, _resolved in line.year_rates())]
        for line in lines])
    pdf.heading("4. Trajectoires : cas CODEV travaillés année par année")
    pdf.grid_table(["Réseau", *(str(year) for year in report.years)], [
        [line.name, *(str(worked) for _year, _attendance, worked, _resolved in line.year_rates())]
        for line in lines])
    if report.shows_resources:
        _resources_sections(pdf, report, lines)
    if notes:
        pdf.heading("Corrections depuis la publication")
        for note in notes:
            pdf.paragraph(f"• {note}", size=9)
    pdf.heading("Définitions")
    for term, definition in DEFINITIONS:
        pdf.paragraph(f"{term}. {definition}", size=8)
    return bytes(pdf.output())


def _resources_sections(pdf, report: Report, lines: list) -> None:
    pdf.heading("5. Ressources partagées")
    pdf.grid_table(["Réseau", "Ressources partagées", "Partages avec tous les réseaux", "Téléchargements"], [
        [line.name, f"{line.resources.total}\n{resources_parts(line.resources)}",
         f"{line.resources.national_shares}\n{shares_parts(line.resources)}", str(line.resources.downloads)]
        for line in lines], widths=(40, 56, 42, 36))
    pdf.paragraph("Partages avec tous les réseaux\u00a0: documents et fiches CODEV mis dans la bibliothèque "
                  "nationale pendant ces années. Téléchargements des fichiers du réseau pendant ces années, comptés "
                  "sans savoir par qui.", size=9, muted=True)
    pdf.heading("6. Trajectoires\u00a0: ressources partagées année par année")
    pdf.grid_table(["Réseau", *(str(year) for year in report.years)], [
        [line.name, *(str(line.resources_by_year[year].total) for year in report.years)] for line in lines])


def publication_line(publication) -> str:
    author = publication.published_by.full_name if publication.published_by is not None else "un compte supprimé"
    when = french_datetime(publication.created_at, "d MMMM y 'à' H 'h' mm")
    return (f"Publié le {when} par {author} — empreinte SHA-256 "
            f"{publication.digest[:16]}…")


RESOURCE_HEADERS = ["Ressources partagées", "Ressources\u00a0: documents ou liens",
                    "Ressources\u00a0: comptes rendus publiés", "Ressources\u00a0: actualités",
                    "Partages avec tous les réseaux", "Partages\u00a0: documents", "Partages\u00a0: fiches CODEV",
                    "Téléchargements (comptés sans savoir par qui)"]


def _resource_cells(report: Report, line, year: int | None = None) -> list[int]:
    """The line's (or its year's) resources for RESOURCE_HEADERS; none for a FORMAT 1 publication."""
    if not report.shows_resources:
        return []
    resources = line.resources if year is None else line.resources_by_year[year]
    return [resources.total, resources.materials, resources.minutes, resources.news, resources.national_shares,
            resources.shared_resources, resources.shared_sheets, resources.downloads]


def bilan_xlsx(report: Report, publication=None, notes: list[str] | None = None) -> bytes:
    lines = [*report.networks, report.total]
    # appended after the columns a FORMAT 1 publication had, which keep their place
    extra_headers = RESOURCE_HEADERS if report.shows_resources else []
    sheets = [
        Sheet("Réseaux", ["Réseau", "Membres actifs", "Présents", "Invités", "Taux de présence", "Assidus",
                          "Membres (assiduité)", "Rencontres avec un thème", "Rencontres tenues", "Thèmes distincts",
                          "Cas CODEV travaillés", "Porteurs distincts", "Cas suivis", "Résolus",
                          "Résolus ou surmontés", "Suivis hors « sans objet »", "SEP : répondants T0 avec un score",
                          "SEP : T0 trop incomplets", "SEP : effectif apparié", "SEP : moyenne T0", "SEP : moyenne T1",
                          "SEP : évolution moyenne", "Grille : moyenne T0", "Grille : moyenne T1", *extra_headers],
              [[line.name, line.members, line.attended, line.invited, line.attendance.value, line.assiduous,
                line.assiduity_members, line.meetings_with_topic, line.meetings_held, line.distinct_topics,
                line.cases_worked, line.distinct_clients, line.followed_up, line.resolved,
                line.resolved_or_overcome, line.with_outcome, line.gse_respondents_t0, line.gse_unscored_t0,
                line.gse_paired, *((line.gse_mean_t0, line.gse_mean_t1, line.gse_mean_change)
                                   if line.gse_sufficient else (INSUFFICIENT,) * 3),
                *((line.grid_mean_t0, line.grid_mean_t1) if line.grid_sufficient else (INSUFFICIENT,) * 2),
                *_resource_cells(report, line)]
               for line in lines], percent_columns=(4, 22, 23)),
        Sheet("Trajectoires", ["Réseau", "Année", "Présents", "Invités", "Taux de présence", "Cas CODEV travaillés",
                               "Résolus ou surmontés", "Suivis hors « sans objet »", *extra_headers],
              [[line.name, year["year"], year["attended"], year["invited"],
                Ratio(year["attended"], year["invited"]).value, year["cases_worked"],
                year["resolved_or_overcome"], year["with_outcome"],
                *_resource_cells(report, line, year["year"])] for line in lines for year in line.years],
              percent_columns=(4,)),
        Sheet("Définitions", ["Indicateur", "Définition"], [list(item) for item in DEFINITIONS]),
    ]
    if publication is not None:
        sheets.insert(0, Sheet("Publication", ["Publication", "Valeur"], [
            ["Titre", publication.title], ["Publication", publication_line(publication)],
            ["Empreinte SHA-256", publication.digest],
            *(["Correction depuis la publication", note] for note in notes or ()),
        ]))
    return sheets_to_xlsx(sheets)
