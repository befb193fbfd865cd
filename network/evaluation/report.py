"""The annual evaluation report as a PDF (fpdf2), with the same figures, definitions and SVG charts as the page.

Text uses the vendored DejaVu Sans (static/fonts, see its LICENSE): fpdf2's core fonts are latin-1 only
and would lose "≥", "œ", "’" and the narrow no-break space of French number formatting.
"""

import io
import re
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from network.evaluation import charts
from network.evaluation.assembly import Evaluation, ratio_text
from network.evaluation.indicators import DEFINITIONS
from network.evaluation.scales import GSE_CITATION
from network.formatting import french_date, french_percent, plural
from network.text import clean_text

FONT_DIR = Path(__file__).resolve().parents[2] / "static" / "fonts"
BLUE = (11, 92, 138)
MUTED = (91, 104, 117)


def _rate(ratio) -> str:
    """'82 %' over '124 sur 152', or 'n.d.': a narrow table cell."""
    return "n.d." if ratio.value is None else f"{french_percent(ratio.value)}\n{ratio.numerator} sur {ratio.denominator}"


class ReportPDF(FPDF):
    def __init__(self, title: str):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.report_title = title
        self.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(True, margin=18)
        self.set_title(title)
        self.set_creator("Réseau")

    def normalize_text(self, text: str) -> str:
        """Every string fpdf2 writes: control characters removed, a character the font lacks (an emoji, a
        Chinese name) shown as "?" rather than as an empty box."""
        text = clean_text(super().normalize_text(text))
        font = self.current_font
        cmap = getattr(font, "cmap", None)
        if not cmap:
            return text
        return "".join(char if char == "\n" or ord(char) in cmap else "?" for char in text)

    def to_bytes(self) -> bytes:
        """The document; then the font files fpdf2 keeps open (fontTools reads them lazily) are closed."""
        try:
            return bytes(self.output())
        finally:
            for font in self.fonts.values():
                if getattr(font, "ttfont", None) is not None:
                    font.ttfont.close()

    def footer(self):
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, f"{self.report_title} — page {self.page_no()}/{{nb}}", align="C")

    def heading(self, text: str, size: int = 14):
        if self.will_page_break(45):  # never leave a heading alone at the foot of a page
            self.add_page()
        self.ln(3)
        self.set_font("DejaVu", "B", size)
        self.set_text_color(*BLUE)
        self.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)
        self.set_font("DejaVu", "", 10)

    def paragraph(self, text: str, size: int = 10, muted: bool = False):
        self.set_font("DejaVu", "", size)
        self.set_text_color(*(MUTED if muted else (0, 0, 0)))
        self.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)
        self.ln(1)

    def grid_table(self, header: list[str], rows: list[list[str]], widths: tuple | None = None):
        self.set_font("DejaVu", "", 9)
        with self.table(col_widths=widths, headings_style=FontFace(emphasis="BOLD", fill_color=(230, 240, 247)),
                        line_height=5.5, text_align="LEFT") as table:
            for values in [header, *rows]:
                line = table.row()
                for value in values:
                    line.cell(str(value))
        self.ln(2)

    def chart(self, svg: str, width: float):
        """At `width` mm a chart's 13-unit text prints at about 9 pt (WIDTH units over 100 mm)."""
        view_width, view_height = (float(v) for v in re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', str(svg)).groups())
        if self.will_page_break(width * view_height / view_width):
            self.add_page()
        # The embedded text must use the vendored font too: core fonts have no "…", "≥" or "œ".
        markup = str(svg).replace(charts.FONT, 'font-family="DejaVu"')
        self.image(io.BytesIO(markup.encode("utf-8")), w=width, x=self.l_margin)
        self.ln(2)


def evaluation_pdf(evaluation: Evaluation, network, years: list | None = None) -> bytes:
    """years: year_by_year of the network (section 6, most recent first), left out when None."""
    summary, scope = evaluation.summary, evaluation.scope
    title = f"Rapport d'évaluation — {network.name} — {scope.period.label}"
    pdf = ReportPDF(title)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 18)
    pdf.set_text_color(*BLUE)
    pdf.multi_cell(0, 9, "Rapport d'évaluation du réseau", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.paragraph(f"{network.name} · {scope.period.label} · établi le {french_date(scope.now)}", size=11)
    pdf.paragraph("Indicateurs calculés à partir des enregistrements de la plateforme (présences, ordres du jour, "
                  "cas CODEV, votes, questionnaires). Chaque taux est donné avec ses effectifs. Aucun score "
                  "individuel n'y figure.", muted=True)

    attendance = summary.attendance
    pdf.heading("1. Présence aux rencontres trimestrielles")
    pdf.grid_table(["Indicateur", "Valeur"], [
        ["Rencontres dont les présences sont saisies", str(attendance.meetings_recorded)],
        ["Rencontres sans présences saisies (exclues des taux)", str(attendance.meetings_unrecorded)],
        ["Taux de présence de la période (agrégé)", ratio_text(attendance.counts.rate)],
        ["Taux hors excusés", ratio_text(attendance.counts.rate_excused_excluded)],
        ["Moyenne des taux des rencontres", french_percent(attendance.mean_meeting_rate)],
        [f"Membres assidus ({attendance.assiduity.threshold_label} des rencontres)",
         ratio_text(attendance.assiduity.share)],
    ], widths=(110, 64))
    pdf.chart(evaluation.charts["meetings"], 100)
    pdf.grid_table(["Rencontre", "Présences", "Hors excusés"], [
        [f"{row.starts_at:%d/%m/%Y} {row.title}",
         ratio_text(row.counts.rate) if row.is_recorded else "présences non saisies",
         ratio_text(row.counts.rate_excused_excluded) if row.is_recorded else "—"]
        for row in evaluation.meetings] or [["Aucune rencontre", "", ""]], widths=(90, 42, 42))
    pdf.heading("Par territoire", 11)
    pdf.chart(evaluation.charts["territories"], 100)
    pdf.heading("Par institution", 11)
    pdf.grid_table(["Institution", "Présences", "Hors excusés"], [
        [row.label, ratio_text(row.counts.rate), ratio_text(row.counts.rate_excused_excluded)]
        for row in evaluation.institutions] or [["Aucune donnée", "", ""]], widths=(90, 42, 42))

    pdf.heading("2. Thèmes traités et formations")
    training = summary.training
    pdf.grid_table(["Indicateur", "Valeur"], [
        ["Rencontres tenues avec un thème choisi", ratio_text(summary.topics.share)],
        ["Thèmes distincts présentés", str(summary.topics.distinct_topics)],
        ["Formations mutualisées (présences saisies)", str(training.summary.meetings_recorded)],
        ["Taux de présence en formation", ratio_text(training.summary.counts.rate)],
        ["Membres formés (distincts)", str(training.participants)],
    ], widths=(110, 64))

    pdf.heading("3. Co-développement (CODEV) et votes")
    codev = summary.codev
    pdf.grid_table(["Indicateur", "Valeur"], [
        ["Cas CODEV travaillés en atelier", str(codev.cases_worked)],
        ["Porteurs distincts", str(codev.distinct_clients)],
        ["Thèmes distincts", str(codev.distinct_themes)],
        ["Complétude des suivis", ratio_text(codev.follow_up_completion)],
        ["Problèmes résolus (suivis hors « sans objet »)", ratio_text(codev.resolved_rate)],
        ["Résolus ou surmontés (suivis hors « sans objet »)", ratio_text(codev.resolved_or_overcome_rate)],
        ["Participation aux votes", f"{ratio_text(summary.votes.turnout)}, {plural(summary.votes.rounds, 'tour clos', 'tours clos')}"],
        ["Ressources partagées (documents et liens, comptes rendus, actualités)", str(summary.resources.total)],
        ["Partages avec tous les réseaux / téléchargements",
         f"{summary.resources.national_shares} / {summary.resources.downloads}"],
    ], widths=(110, 64))
    pdf.chart(evaluation.charts["outcomes"], 100)
    pdf.paragraph("Un suivi manquant n'est pas compté comme non résolu. Seules des métadonnées des cas sont "
                  "utilisées : aucun contenu de cas ni nom de porteur.", size=8, muted=True)

    pdf.heading("4. Sentiment d'efficacité personnelle")
    efficacy = summary.self_efficacy
    pdf.grid_table(["Indicateur", "Valeur"], [
        ["Répondants à l'entrée (T0) avec un score", str(efficacy.respondents_t0)],
        ["T0 trop incomplets pour un score (plus de 3 items sans réponse)", str(efficacy.unscored_t0)],
        ["Effectif apparié (T0 et T1)", str(efficacy.paired)],
        ["Moyenne T0 / T1 / évolution",
         f"{efficacy.mean_t0} / {efficacy.mean_t1} / {efficacy.mean_change:+.1f}".replace(".", ",")
         if efficacy.is_sufficient else "effectif insuffisant (n < 5)"],
    ], widths=(110, 64))
    pdf.chart(evaluation.charts["self_efficacy"], 84)
    pdf.paragraph(GSE_CITATION, size=8, muted=True)

    pdf.heading("5. Grille d'auto-évaluation de la fonction")
    pdf.grid_table(["Rubrique", "T0 (n)", "T1 (n)"], [
        [mean.short_title, f"{french_percent(mean.mean_t0)} ({mean.respondents_t0})",
         f"{french_percent(mean.mean_t1)} ({mean.respondents_t1})"] for mean in evaluation.rubric_means]
        or [["Grille non initialisée", "", ""]], widths=(110, 32, 32))
    pdf.chart(evaluation.charts["radar"], 110)

    if years:
        pdf.heading("6. Année par année")
        pdf.grid_table(["Année", "Rencontres", "Présence", "Assidus", "Thème choisi", "Cas CODEV",
                        "Résolus ou surmontés", "Votes"], [
            [str(period.year), str(line.attendance.meetings_recorded), _rate(line.attendance.counts.rate),
             _rate(line.attendance.assiduity.share), _rate(line.topics.share), str(line.codev.cases_worked),
             _rate(line.codev.resolved_or_overcome_rate), _rate(line.votes.turnout)]
            for period, line in years], widths=(15, 24, 25, 23, 21, 16, 26, 24))
        pdf.paragraph("Chaque année calculée comme pour l'année entière ; l'année en cours compte les rencontres "
                      "déjà passées.", size=8, muted=True)

    pdf.heading("Définitions")
    for name, text in DEFINITIONS:
        pdf.set_font("DejaVu", "B", 9)
        pdf.multi_cell(0, 5, name, new_x="LMARGIN", new_y="NEXT")
        pdf.paragraph(text, size=9)
    return pdf.to_bytes()
