"""Evaluation pages: dashboard, national overview, exports, report, the member's own evaluation, the grid."""

import json
from datetime import timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from network.auth import require, roles
from network.database import utcnow
from network.evaluation import bilan, bilan_documents, exports, permissions, queries, services
from network.evaluation.blueprint import bp
from network.evaluation.markup import ratio
from network.evaluation.assembly import build_evaluation, last_years, member_radar, year_by_year, years_chart
from network.evaluation.forms import (
    ActivityForm, BilanYearsForm, PeriodFilterForm, PublishBilanForm, RubricForm, SelfEfficacyForm, missing_sentence,
    self_assessment_form, self_assessment_scores, self_efficacy_answers, self_efficacy_data, skip_key,
)
from network.evaluation.indicators import DEFINITIONS, network_summaries
from network.evaluation.models import GridActivity, GridRubric
from network.periods import PARIS, Period, Scope
from network.evaluation.scales import GSE_CITATION, GSE_SCORING_RULE
from network.extensions import db
from network.members.enums import Role
from network.members.models import Network
from network.scope import network_in_scope
from network.views_support import on_refusal

bp.add_app_template_global(ratio, "ratio")  # the rates of every evaluation page (network/evaluation/markup.py)

STAFF = (Role.ADMIN, Role.FACILITATOR)
FILTER_NAMES = ("annee", "trimestre", "territoire")


# --- helpers: which network, which period ---------------------------------------------------------

def _indicators_network() -> Network | None:
    """The network whose indicators the page shows: ?reseau=slug (checked), else the member's own network; None for
    an admin's national view."""
    network = network_in_scope(admin_overview=True, slug_for_every_role=True)
    if network is not None:
        require(permissions.can_view_indicators(current_user, network))
    return network


def _filter_args(network: bool = True) -> dict[str, str]:
    """The filters a page's links carry over: only these names (any other, e.g. ?extension= or ?_external=, would
    collide with url_for's own arguments)."""
    names = ("reseau", *FILTER_NAMES) if network else FILTER_NAMES
    return {name: request.args[name] for name in names if name in request.args}


def _filters(network: Network | None) -> tuple[PeriodFilterForm, Scope]:
    # Figures as of the start of the minute: the same request a few seconds later hits the dashboard cache.
    now = utcnow().replace(second=0, microsecond=0)
    this_year = now.astimezone(PARIS).year
    territories = queries.territory_choices(network.id) if network else []
    form = PeriodFilterForm(request.args, years=list(range(this_year, this_year - 5, -1)), territories=territories,
                            meta={"csrf": False})
    if not form.validate():
        form = PeriodFilterForm(None, years=list(range(this_year, this_year - 5, -1)), territories=territories,
                                annee=this_year)
    year = form.annee.data or this_year
    quarter = int(form.trimestre.data) if form.trimestre.data else None
    territory_id = int(form.territoire.data) if form.territoire.data else None
    return form, Scope(period=Period(year, quarter), now=now, network_ids=(network.id,) if network else None,
                       territory_id=territory_id)


def _evaluation_for(network: Network):
    form, scope = _filters(network)
    with_members = permissions.can_edit_grid(current_user, network)  # named assiduity: the network's facilitators
    return form, build_evaluation(scope, with_members=with_members)


def _years_for(scope: Scope):
    """The network's (and territory's) last years, year by year, whatever period the scope covers."""
    return year_by_year(last_years(scope))


# --- facilitators and admins ----------------------------------------------------------------------

@bp.route("/")
@roles(*STAFF)
def dashboard():
    network = _indicators_network()
    if network is None:
        return redirect(url_for("evaluation.overview", **_filter_args(network=False)))
    form, evaluation = _evaluation_for(network)
    return render_template("evaluation/dashboard.html", network=network, filter_form=form, evaluation=evaluation,
                           definitions=DEFINITIONS, query_args=_filter_args())


@bp.route("/evolution")
@roles(*STAFF)
def evolution():
    network = _indicators_network() or abort(404)
    form, scope = _filters(network)
    years = _years_for(scope)
    return render_template("evaluation/evolution.html", network=network, filter_form=form, scope=scope,
                           years=years, chart=years_chart(years), definitions=DEFINITIONS,
                           query_args=_filter_args())


@bp.route("/evolution.<any(xlsx, csv):extension>")
@roles(*STAFF)
def evolution_export(extension):
    network = _indicators_network() or abort(404)
    _form, scope = _filters(network)
    content, name = exports.years_export(_years_for(scope), network, extension)
    return Response(content, mimetype=exports.MIMETYPES[extension],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/reseaux")
@roles(Role.ADMIN)
def overview():
    form, scope = _filters(None)
    rows, total = network_summaries(scope)
    return render_template("evaluation/overview.html", filter_form=form, scope=scope, rows=rows, total=total,
                           definitions=DEFINITIONS, query_args=_filter_args(network=False))


# --- the experiment's report (admins) and its frozen publications ------------------------------------------------

def _bilan_years() -> tuple[BilanYearsForm, int, int]:
    """?de=&a= (checked), by default the last closed years (the previous year and the two before it)."""
    this_year = utcnow().astimezone(PARIS).year
    years = list(range(this_year, this_year - 10, -1))
    form = BilanYearsForm(request.args, years=years, meta={"csrf": False})
    if request.args and form.validate():
        return form, form.de.data, form.a.data
    first_year, last_year = this_year - 3, this_year - 1
    if not request.args:  # an invalid choice keeps what was asked, with its French error
        form.de.data, form.a.data = first_year, last_year
    return form, first_year, last_year


def _bilan_data(first_year: int, last_year: int) -> dict:
    now = utcnow().replace(second=0, microsecond=0)
    return bilan.figures(first_year, last_year, now)


def _download(content: bytes, name: str, extension: str) -> Response:
    mimetype = "application/pdf" if extension == "pdf" else exports.MIMETYPES[extension]
    disposition = "inline" if extension == "pdf" else "attachment"
    return Response(content, mimetype=mimetype, headers={"Content-Disposition": f'{disposition}; filename="{name}"'})


@bp.route("/bilan")
@roles(Role.ADMIN)
def bilan_page():
    form, first_year, last_year = _bilan_years()
    this_year = utcnow().astimezone(PARIS).year
    return render_template("evaluation/bilan.html", form=form, report=bilan.report_of(_bilan_data(first_year, last_year)),
                           publish_form=PublishBilanForm(de=first_year, a=last_year), can_publish=last_year < this_year,
                           publications=queries.publications(), definitions=DEFINITIONS, publication=None, notes=[],
                           query_args={"de": first_year, "a": last_year})


@bp.route("/bilan.<any(pdf, xlsx):extension>")
@roles(Role.ADMIN)
def bilan_download(extension):
    _form, first_year, last_year = _bilan_years()
    report = bilan.report_of(_bilan_data(first_year, last_year))
    write = bilan_documents.bilan_pdf if extension == "pdf" else bilan_documents.bilan_xlsx
    return _download(write(report), f"bilan-experimentation-{report.slug}.{extension}", extension)


@bp.route("/bilan/publier", methods=["POST"])
@roles(Role.ADMIN)
def bilan_publish():
    form = PublishBilanForm()
    if not form.validate_on_submit() or not (form.de.data.isdigit() and form.a.data.isdigit()):
        abort(400)
    with on_refusal(url_for("evaluation.bilan_page", de=form.de.data, a=form.a.data)):
        publication = services.publish_bilan(int(form.de.data), int(form.a.data), actor=current_user, now=utcnow())
    db.session.commit()
    flash("Le bilan est publié : ses chiffres sont figés tels qu'affichés.", "success")
    return redirect(url_for("evaluation.publication", publication_id=publication.id))


def _publication_with_notes(publication_id: int):
    publication = queries.publication(publication_id) or abort(404)
    frozen = json.loads(publication.payload)
    notes = bilan.corrections(frozen, _bilan_data(publication.first_year, publication.last_year))
    return publication, bilan.report_of(frozen), notes


@bp.route("/publications/<int:publication_id>")
@roles(Role.ADMIN)
def publication(publication_id):
    publication, report, notes = _publication_with_notes(publication_id)
    return render_template("evaluation/bilan.html", form=None, report=report, publish_form=None, can_publish=False,
                           publications=queries.publications(), definitions=DEFINITIONS, publication=publication,
                           notes=notes, publication_line=bilan_documents.publication_line(publication),
                           query_args={})


@bp.route("/publications/<int:publication_id>.<any(pdf, xlsx):extension>")
@roles(Role.ADMIN)
def publication_download(publication_id, extension):
    publication, report, notes = _publication_with_notes(publication_id)
    write = bilan_documents.bilan_pdf if extension == "pdf" else bilan_documents.bilan_xlsx
    return _download(write(report, publication, notes),
                     f"bilan-experimentation-{report.slug}-publication-{publication.id}.{extension}", extension)


@bp.route("/export.<any(xlsx, csv):extension>")
@roles(*STAFF)
def export(extension):
    network = _indicators_network()
    if network is None:
        form, scope = _filters(None)
        rows, total = network_summaries(scope)
        content, name = exports.summaries_export(rows, total, scope, extension)
    else:
        form, evaluation = _evaluation_for(network)
        content, name = exports.evaluation_export(evaluation, network, extension)
    return Response(content, mimetype=exports.MIMETYPES[extension],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/rapport")
@roles(*STAFF)
def report_page():
    network = _indicators_network() or abort(404)
    form, evaluation = _evaluation_for(network)
    return render_template("evaluation/report.html", network=network, evaluation=evaluation, definitions=DEFINITIONS,
                           citation=GSE_CITATION, years=_years_for(evaluation.scope),
                           query_args=_filter_args())


@bp.route("/rapport.pdf")
@roles(*STAFF)
def report_pdf():
    network = _indicators_network() or abort(404)
    form, evaluation = _evaluation_for(network)
    # fpdf2 + fontTools: ~33 MB a worker, loaded by the first PDF, not at start
    from network.evaluation.report import evaluation_pdf

    content = evaluation_pdf(evaluation, network, _years_for(evaluation.scope))
    name = f"rapport-evaluation-{network.slug}-{evaluation.scope.period.slug}.pdf"
    return Response(content, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})


# --- the member's own evaluation ------------------------------------------------------------------

@bp.route("/moi")
@roles(Role.COORDINATOR)
def my_evaluation():
    today = utcnow().astimezone(PARIS).date()
    status = queries.self_efficacy_statuses([current_user.id]).get(current_user.id)
    scores = queries.member_rubric_scores(current_user)
    correctable = _correctable(today)
    return render_template(
        "evaluation/my_evaluation.html", history=queries.self_efficacy_history(current_user),
        due_wave=services.due_wave(status, today), next_due=services.next_due_date(status),
        correctable=correctable, correct_until=correctable and services.correction_deadline(correctable),
        scores=scores, radar=member_radar(scores), assessments=queries.self_assessments_of(current_user),
        has_grid=queries.grid_exists(current_user.network_id), citation=GSE_CITATION, scoring_rule=GSE_SCORING_RULE)


def _correctable(today):
    return queries.correctable_self_efficacy(current_user, today - timedelta(days=services.CORRECTION_DAYS))


@bp.route("/efficacite", methods=["GET", "POST"])
@roles(Role.COORDINATOR)
def self_efficacy_form():
    """Answer the due questionnaire, or correct the latest one for a month. An unanswered question is asked about
    once (« Vous n'avez pas répondu à la question 10 »); the member may then save without it, deliberately."""
    today = utcnow().astimezone(PARIS).date()
    status = queries.self_efficacy_statuses([current_user.id]).get(current_user.id)
    due_wave = services.due_wave(status, today)
    correctable = _correctable(today) if due_wave is None else None
    form = SelfEfficacyForm(data=self_efficacy_data(correctable) if correctable else None)
    missing = []
    if form.validate_on_submit() and not (missing := form.unconfirmed_skips()):
        answers = self_efficacy_answers(form)
        with on_refusal(url_for("evaluation.my_evaluation")):
            if correctable:
                services.correct_self_efficacy(correctable, answers, actor=current_user, today=today)
            else:
                response = services.record_self_efficacy(current_user, answers, actor=current_user, today=today)
        db.session.commit()
        flash("Vos corrections sont enregistrées." if correctable
              else f"Merci\u00a0! Vos réponses ({response.wave_label}) sont enregistrées.", "success")
        return redirect(url_for("evaluation.my_evaluation"))
    return render_template(
        "evaluation/self_efficacy_form.html", form=form, due_wave=due_wave, next_due=services.next_due_date(status),
        correctable=correctable, correct_until=correctable and services.correction_deadline(correctable),
        missing=missing, missing_text=missing_sentence(missing) if missing else "", skip_value=skip_key(missing),
        citation=GSE_CITATION, scoring_rule=GSE_SCORING_RULE)


@bp.route("/grille", methods=["GET", "POST"])
@roles(Role.COORDINATOR)
def self_assessment():
    grid = queries.network_grid(current_user.network_id)
    activities = [activity for entry in grid for activity in entry.activities]
    form = self_assessment_form(activities, formdata=request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        with on_refusal(url_for("evaluation.my_evaluation")):
            assessment = services.record_self_assessment(
                current_user, self_assessment_scores(form, activities), actor=current_user,
                today=utcnow().astimezone(PARIS).date())
        db.session.commit()
        flash(f"Auto-évaluation {assessment.wave_label} enregistrée.", "success")
        return redirect(url_for("evaluation.my_evaluation"))
    return render_template("evaluation/self_assessment_form.html", form=form, grid=grid)


# --- the grid editor (facilitators) ---------------------------------------------------------------

def _own_network() -> Network:
    network = db.get_or_404(Network, current_user.network_id)
    require(permissions.can_edit_grid(current_user, network))
    return network


def _grid_item(model, item_id: int, network: Network):
    item = db.get_or_404(model, item_id)
    rubric = item if model is GridRubric else db.session.get(GridRubric, item.rubric_id)
    if rubric.network_id != network.id:
        abort(404)  # another network's grid answers like a missing one
    return item


def _apply(change, success: str):
    with on_refusal(url_for("evaluation.grid_edit")):
        change()
    db.session.commit()
    flash(success, "success")
    return redirect(url_for("evaluation.grid_edit"))


@bp.route("/grille/modifier")
@roles(Role.FACILITATOR)
def grid_edit():
    network = _own_network()
    return render_template("evaluation/grid_edit.html", network=network,
                           grid=queries.network_grid(network.id, include_archived=True),
                           rubric_form=RubricForm(formdata=None), activity_form=ActivityForm(formdata=None))


@bp.route("/grille/initialiser", methods=["POST"])
@roles(Role.FACILITATOR)
def grid_init():
    network = _own_network()
    return _apply(lambda: services.create_default_grid(network, actor=current_user), "Grille par défaut créée.")


@bp.route("/grille/rubriques", methods=["POST"])
@roles(Role.FACILITATOR)
def rubric_add():
    network, form = _own_network(), RubricForm()
    if not form.validate_on_submit():
        flash("Rubrique non ajoutée : l'intitulé et le libellé court sont obligatoires.", "error")
        return redirect(url_for("evaluation.grid_edit"))
    return _apply(lambda: services.add_rubric(network, title=form.title.data, short_title=form.short_title.data,
                                              actor=current_user), "Rubrique ajoutée.")


@bp.route("/grille/rubriques/<int:rubric_id>", methods=["POST"])
@roles(Role.FACILITATOR)
def rubric_update(rubric_id):
    network = _own_network()
    rubric, form = _grid_item(GridRubric, rubric_id, network), RubricForm()
    if not form.validate_on_submit():
        flash("Rubrique non modifiée : l'intitulé et le libellé court sont obligatoires.", "error")
        return redirect(url_for("evaluation.grid_edit"))
    return _apply(lambda: services.update_rubric(rubric, network, title=form.title.data,
                                                 short_title=form.short_title.data, is_active=form.is_active.data,
                                                 actor=current_user), "Rubrique enregistrée.")


@bp.route("/grille/rubriques/<int:rubric_id>/activites", methods=["POST"])
@roles(Role.FACILITATOR)
def activity_add(rubric_id):
    network = _own_network()
    rubric, form = _grid_item(GridRubric, rubric_id, network), ActivityForm()
    if not form.validate_on_submit():
        flash("Activité non ajoutée : son intitulé est obligatoire.", "error")
        return redirect(url_for("evaluation.grid_edit"))
    return _apply(lambda: services.add_activity(rubric, network, label=form.label.data, actor=current_user),
                  "Activité ajoutée.")


@bp.route("/grille/activites/<int:activity_id>", methods=["POST"])
@roles(Role.FACILITATOR)
def activity_update(activity_id):
    network = _own_network()
    activity, form = _grid_item(GridActivity, activity_id, network), ActivityForm()
    if not form.validate_on_submit():
        flash("Activité non modifiée : son intitulé est obligatoire.", "error")
        return redirect(url_for("evaluation.grid_edit"))
    return _apply(lambda: services.update_activity(activity, network, label=form.label.data,
                                                   is_active=form.is_active.data, actor=current_user),
                  "Activité enregistrée.")
