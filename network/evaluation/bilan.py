"""The experiment's national report (*Bilan de l'expérimentation*): every network side by side over chosen years,
the national total and each network's trajectory year by year — as plain JSON-able data, so that a publication
freezes exactly what was shown and renders it again identically later (page, PDF, XLSX).

Computed in a fixed number of queries whatever the number of networks: the synthesis over the span (one Scope over a
YearSpan), the same statements grouped by year (a Series), the grid means.

FORMAT 2 added « Ressources partagées » (RESOURCE_FIELDS, per network, total and year). A FORMAT 1 publication holds
none of them: it renders as it was published (no resources column, section or sheet) and its corrections compare only
the figures it holds."""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from network.evaluation import indicators, queries
from network.evaluation.enums import MIN_GROUP_SIZE
from network.evaluation.figures import NetworkSummary, Ratio, SharedResources
from network.periods import Scope, Series, YearSpan
from network.formatting import french_percent
from network.network_versions import EVERY_NETWORK
from network.result_cache import ResultCache

FORMAT = 2  # version of the payload's layout, stored with each publication (2: « Ressources partagées »)
RESOURCES_FORMAT = 2  # the first FORMAT whose payload holds RESOURCE_FIELDS

# SharedResources' counts, each stored as "resources_<name>" in a network's (or the total's) line and in its years
RESOURCE_FIELDS = ("materials", "minutes", "news", "shared_resources", "shared_sheets", "downloads")


# Every network's figures: kept per worker until a write in any network.
_reports = ResultCache(maxsize=16)


def figures(first_year: int, last_year: int, now: datetime) -> dict:
    """compute(), kept per worker under every network's version (the page and its downloads)."""
    return _reports.get_or_compute((first_year, last_year, now), lambda: compute(first_year, last_year, now),
                                   network=EVERY_NETWORK)


def compute(first_year: int, last_year: int, now: datetime) -> dict:
    """The report's figures for every network over [first_year, last_year], as of `now` (JSON-able)."""
    span = Scope(YearSpan(first_year, last_year), now)
    rows, total = indicators.network_summaries(span)
    grids, grid_total = queries.grid_summaries(span)
    yearly = indicators.series_summaries(Series.of_years(first_year, last_year, now))
    years_of: dict[int | None, list] = {}
    for scope, year_rows, year_total in yearly:
        for line in [*year_rows, year_total]:
            years_of.setdefault(line.network_id, []).append(_year(scope.period.year, line))
    return {
        "format": FORMAT, "first_year": first_year, "last_year": last_year,
        "networks": [_line(row, grids.get(row.network_id, queries.GridSummary()), years_of[row.network_id])
                     for row in rows],
        "total": _line(total, grid_total, years_of[None]),
    }


def _line(summary: NetworkSummary, grid: queries.GridSummary, years: list) -> dict:
    attendance, codev, efficacy = summary.attendance, summary.codev, summary.self_efficacy
    return {
        "network_id": summary.network_id, "slug": summary.slug, "name": summary.name,
        "members": summary.active_members,
        "attended": attendance.counts.attended, "invited": attendance.counts.invited,
        "excused": attendance.counts.excused, "meetings_recorded": attendance.meetings_recorded,
        "meetings_unrecorded": attendance.meetings_unrecorded,
        "assiduous": attendance.assiduity.at_threshold, "assiduity_members": attendance.assiduity.members,
        "meetings_held": summary.topics.meetings_held, "meetings_with_topic": summary.topics.meetings_with_topic,
        "distinct_topics": summary.topics.distinct_topics,
        "cases_worked": codev.cases_worked, "distinct_clients": codev.distinct_clients,
        "followed_up": codev.followed_up, "resolved": codev.resolved,
        "resolved_or_overcome": codev.resolved_or_overcome, "with_outcome": codev.with_outcome,
        "gse_respondents_t0": efficacy.respondents_t0, "gse_unscored_t0": efficacy.unscored_t0,
        "gse_paired": efficacy.paired, "gse_mean_t0": efficacy.mean_t0, "gse_mean_t1": efficacy.mean_t1,
        "gse_mean_change": efficacy.mean_change,
        "grid_respondents_t0": grid.respondents_t0, "grid_respondents_t1": grid.respondents_t1,
        "grid_mean_t0": _round(grid.mean_t0), "grid_mean_t1": _round(grid.mean_t1),
        **_resources(summary.resources),
        "years": years,
    }


def _year(year: int, line: NetworkSummary) -> dict:
    return {"year": year, "attended": line.attendance.counts.attended, "invited": line.attendance.counts.invited,
            "cases_worked": line.codev.cases_worked, "resolved_or_overcome": line.codev.resolved_or_overcome,
            "with_outcome": line.codev.with_outcome, **_resources(line.resources)}


def _resources(resources: SharedResources) -> dict:
    return {f"resources_{name}": getattr(resources, name) for name in RESOURCE_FIELDS}


def _resources_of(data: dict) -> SharedResources:
    return SharedResources(**{name: data[f"resources_{name}"] for name in RESOURCE_FIELDS})


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def serialise(data: dict) -> str:
    """Canonical JSON: the same figures always give the same text (and digest)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def digest(payload: str) -> str:
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# --- what the page, the PDF and the XLSX show, from the data (computed now or frozen) ---------------------------

@dataclass(frozen=True)
class Line:
    """One network (or the total) of the report, with its figures as Ratios and texts."""

    data: dict

    def __getattr__(self, name):
        if name == "data":  # not set yet (copy, pickle): never look it up in itself
            raise AttributeError(name)
        try:
            return self.data[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def is_total(self) -> bool:
        return self.data["network_id"] is None

    @property
    def attendance(self) -> Ratio:
        return Ratio(self.data["attended"], self.data["invited"])

    @property
    def assiduity(self) -> Ratio:
        return Ratio(self.data["assiduous"], self.data["assiduity_members"])

    @property
    def topics(self) -> Ratio:
        return Ratio(self.data["meetings_with_topic"], self.data["meetings_held"])

    @property
    def resolved_or_overcome_rate(self) -> Ratio:
        return Ratio(self.data["resolved_or_overcome"], self.data["with_outcome"])

    @property
    def follow_up_completion(self) -> Ratio:
        return Ratio(self.data["followed_up"], self.data["cases_worked"])

    @property
    def gse_sufficient(self) -> bool:
        return self.data["gse_paired"] >= MIN_GROUP_SIZE and self.data["gse_mean_t0"] is not None

    @property
    def grid_sufficient(self) -> bool:
        return self.data["grid_mean_t0"] is not None or self.data["grid_mean_t1"] is not None

    @property
    def resources(self) -> SharedResources:
        """« Ressources partagées » over the span (a FORMAT 2 payload or later: see Report.shows_resources)."""
        return _resources_of(self.data)

    @property
    def resources_by_year(self) -> dict[int, SharedResources]:
        return {year["year"]: _resources_of(year) for year in self.data["years"]}

    def year_rates(self) -> list[tuple[int, Ratio, int, Ratio]]:
        """(year, attendance, cases worked, resolved or overcome) for each year of the span, oldest first."""
        return [(year["year"], Ratio(year["attended"], year["invited"]), year["cases_worked"],
                 Ratio(year["resolved_or_overcome"], year["with_outcome"])) for year in self.data["years"]]


INSUFFICIENT = "effectif insuffisant"


def gse_text(line: Line) -> str:
    if not line.gse_sufficient:
        return f"{INSUFFICIENT} (n = {line.gse_paired})"
    change = line.gse_mean_change
    return (f"{_number(line.gse_mean_t0)} → {_number(line.gse_mean_t1)} ({'+' if change > 0 else ''}"
            f"{_number(change)}\u00a0point{'s' if abs(change) >= 2 else ''}, n = {line.gse_paired})")


def grid_text(line: Line) -> str:
    if not line.grid_sufficient:
        return INSUFFICIENT
    return (f"{french_percent(line.grid_mean_t0)} → {french_percent(line.grid_mean_t1)} "
            f"(n = {line.grid_respondents_t0} / {line.grid_respondents_t1})")


def _number(value: float) -> str:
    return f"{value:.1f}".replace(".", ",").replace("-", "−")


def ratio_text(ratio: Ratio) -> str:
    return f"{ratio.numerator} sur {ratio.denominator} ({french_percent(ratio.value)})"


@dataclass(frozen=True)
class Report:
    first_year: int
    last_year: int
    networks: list[Line]
    total: Line
    payload_format: int  # the FORMAT of the data it was made from

    @property
    def shows_resources(self) -> bool:
        """« Ressources partagées » were part of the report when it was computed (not in a FORMAT 1 publication)."""
        return self.payload_format >= RESOURCES_FORMAT

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))

    @property
    def label(self) -> str:
        return YearSpan(self.first_year, self.last_year).label

    @property
    def slug(self) -> str:
        return YearSpan(self.first_year, self.last_year).slug


def report_of(data: dict) -> Report:
    return Report(data["first_year"], data["last_year"], [Line(line) for line in data["networks"]],
                  Line(data["total"]), data["format"])


# --- later corrections: a frozen publication against today's figures --------------------------------------------

FIELD_LABELS = {
    "members": "membres actifs", "attended": "présents", "invited": "invités", "excused": "excusés",
    "meetings_recorded": "rencontres saisies", "meetings_unrecorded": "rencontres non saisies",
    "assiduous": "membres assidus", "assiduity_members": "membres invités (assiduité)",
    "meetings_held": "rencontres tenues", "meetings_with_topic": "rencontres avec un thème",
    "distinct_topics": "thèmes distincts", "cases_worked": "cas CODEV travaillés",
    "distinct_clients": "porteurs distincts", "followed_up": "cas suivis", "resolved": "cas résolus",
    "resolved_or_overcome": "cas résolus ou surmontés", "with_outcome": "suivis hors « sans objet »",
    "gse_respondents_t0": "répondants T0 avec un score", "gse_unscored_t0": "T0 trop incomplets",
    "gse_paired": "effectif apparié", "gse_mean_t0": "moyenne T0", "gse_mean_t1": "moyenne T1",
    "gse_mean_change": "évolution moyenne", "grid_respondents_t0": "répondants grille T0",
    "grid_respondents_t1": "répondants grille T1", "grid_mean_t0": "grille T0", "grid_mean_t1": "grille T1",
    "resources_materials": "documents ou liens", "resources_minutes": "comptes rendus publiés",
    "resources_news": "actualités", "resources_shared_resources": "documents partagés avec tous les réseaux",
    "resources_shared_sheets": "fiches CODEV partagées avec tous les réseaux",
    "resources_downloads": "téléchargements",
}
YEAR_FIELDS = ("attended", "invited", "cases_worked", "resolved_or_overcome", "with_outcome",
               *(f"resources_{name}" for name in RESOURCE_FIELDS))


def corrections(published: dict, today: dict) -> list[str]:
    """What changed in the records since the publication, figure by figure (French sentences); [] if nothing.
    Only the figures the publication holds are compared: an older FORMAT has nothing to say of a later figure."""
    notes = []
    now_by_network = {line["network_id"]: line for line in today["networks"]}
    for line in [*published["networks"], published["total"]]:
        current = today["total"] if line["network_id"] is None else now_by_network.get(line["network_id"])
        name = "Total national" if line["network_id"] is None else line["name"]
        if current is None:
            notes.append(f"{name}{_colon()}réseau absent des chiffres d'aujourd'hui.")
            continue
        for key, label in FIELD_LABELS.items():
            if key in line and line[key] != current.get(key):
                notes.append(f"{name}, {label}{_colon()}{_value(line.get(key))} publié, {_value(current.get(key))} "
                             "aujourd'hui.")
        for before, after in zip(line["years"], current["years"], strict=False):
            for key in YEAR_FIELDS:
                if key in before and before[key] != after.get(key):
                    notes.append(f"{name}, {before['year']}, {FIELD_LABELS[key]}{_colon()}{before[key]} publié, "
                                 f"{after[key]} aujourd'hui.")
    published_ids = {line["network_id"] for line in published["networks"]}
    notes += [f"{line['name']}{_colon()}réseau ajouté depuis la publication." for line in today["networks"]
              if line["network_id"] not in published_ids and line["invited"]]
    return notes


def _colon() -> str:
    return "\u00a0: "


def _value(value) -> str:
    if value is None:
        return "n.d."
    return _number(value) if isinstance(value, float) else str(value)
