import csv
import io
from datetime import timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from network.auth import require, require_in_reach, roles, signed_in
from network.codev import permissions, queries, services
from network.codev.blueprint import bp
from network.codev.enums import SUBGROUP_MAX_SIZE, SUBGROUP_MIN_SIZE, CaseState
from network.codev.forms import (
    ActionForm, CaseSheetForm, FollowUpForm, MeetingChoiceForm, RecordForm, SubgroupApprovalForm, SubgroupForm,
)
from network.codev.models import Case
from network.database import utcnow
from network.extensions import db
from network.forms import query_page
from network.members.enums import Role
from network.scope import network_in_scope
from network.sessions.models import Meeting
from network.routing import id_urls
from network.text import spreadsheet_row
from network.sessions.pickers import workshop_meeting_choices
from network.views_support import on_refusal

FOLLOW_UP_MEETINGS_AHEAD = timedelta(days=31)  # a follow-up may be written just before the meeting it is shared at
MOVES = {"retirer": CaseState.WITHDRAWN, "travaille": CaseState.WORKED, "clore": CaseState.CLOSED}
MOVE_MESSAGES = {CaseState.WITHDRAWN: "Le cas est retiré.", CaseState.WORKED: "Le cas est noté comme travaillé en atelier.",
                 CaseState.CLOSED: "Le cas est clos."}


def _visible_case(case_id: int) -> Case:
    """The case, or 404 when the member may not know it exists (never 403: that would reveal it)."""
    case = queries.case_for_access(case_id)
    if case is None or not permissions.can_view_case(current_user, case):
        abort(404)
    return case


def _workshop_case(meeting_id: int, case_id: int) -> tuple[Meeting, Case]:
    meeting = db.get_or_404(Meeting, meeting_id)
    require_in_reach(meeting.network_id)
    require(permissions.can_manage_workshop(current_user, meeting))
    case = queries.case_for_access(case_id)
    if case is None or case.network_id != meeting.network_id or case.state == CaseState.DRAFT:
        abort(404)
    return meeting, case


def _back(case: Case):
    return redirect(url_for("codev.case_detail", case_id=case.id))


def _apply(case: Case, verb, success: str, back: str | None = None, **kwargs):
    """Run one service, commit once, flash its outcome and go back (to the case unless told)."""
    back = back or url_for("codev.case_detail", case_id=case.id)
    with on_refusal(back):
        verb(case, actor=current_user, **kwargs)
    db.session.commit()
    flash(success, "success")
    return redirect(back)


# --- cases ------------------------------------------------------------------------------------------------

@bp.route("/")
@signed_in
def case_list():
    page = query_page()
    state = request.args.get("etat") or None
    rows, total = queries.case_list(current_user, page=page, state=state)
    is_facilitator = current_user.role == Role.FACILITATOR
    return render_template(
        "codev/case_list.html", rows=rows, total=total, page=page, page_size=queries.PAGE_SIZE, state=state,
        states=list(CaseState), can_write=permissions.can_write_case(current_user),
        meetings=queries.workshop_meetings(current_user.network_id) if is_facilitator else [],
        can_export=is_facilitator, case_url=id_urls("codev.case_detail", "case_id"))


@bp.route("/cas/nouveau", methods=["GET", "POST"])
@roles(Role.COORDINATOR)
def case_create():
    require(permissions.can_write_case(current_user))
    form = CaseSheetForm()

    def page():
        return render_template("codev/case_form.html", form=form, case=None)

    if form.validate_on_submit():
        with on_refusal(page):
            case = services.create_case(actor=current_user, data=_sheet(form))
        db.session.commit()
        flash("Votre fiche-cas est enregistrée comme brouillon. Proposez-la pour une rencontre quand elle est prête.",
              "success")
        return _back(case)
    return page()


def _sheet(form) -> services.CaseSheet:
    return services.CaseSheet(title=form.title.data, case_type=form.case_type.data, theme=form.theme.data,
                              context=form.context.data or "", question=form.question.data or "",
                              help_wanted=form.help_wanted.data or "")


@bp.route("/cas/<int:case_id>")
@signed_in
def case_detail(case_id):
    case = _visible_case(case_id)
    readable = permissions.can_read_case_content(current_user, case)
    content = queries.load_case_content(case) if readable else None
    meetings = workshop_meeting_choices(case.network_id, now=utcnow(), today=False) if permissions.can_move_case(
        current_user, case, CaseState.PROPOSED) else []
    history = queries.subgroup_history(case) if permissions.can_view_subgroup_history(current_user, case) else []
    return render_template("codev/case_detail.html", case=case, content=content, readable=readable,
                           perm=permissions, propose_form=MeetingChoiceForm(meetings=meetings),
                           action_form=ActionForm(), CaseState=CaseState, history=history,
                           approval_form=SubgroupApprovalForm())


@bp.route("/cas/<int:case_id>/modifier", methods=["GET", "POST"])
@signed_in
def case_edit(case_id):
    case = _visible_case(case_id)
    require(permissions.can_edit_case_sheet(current_user, case))
    queries.load_case_content(case)
    form = CaseSheetForm(obj=case)

    def page():
        return render_template("codev/case_form.html", form=form, case=case)

    if form.validate_on_submit():
        with on_refusal(page):
            services.update_case_sheet(case, actor=current_user, data=_sheet(form))
        db.session.commit()
        flash("La fiche-cas est mise à jour.", "success")
        return _back(case)
    return page()


@bp.route("/cas/<int:case_id>/proposer", methods=["POST"])
@signed_in
def case_propose(case_id):
    case = _visible_case(case_id)
    require(permissions.may_attempt_move(current_user, case, CaseState.PROPOSED))
    form = MeetingChoiceForm(meetings=workshop_meeting_choices(case.network_id, now=utcnow(), today=False))
    if not form.validate_on_submit():
        flash("Choisissez une rencontre dans la liste.", "error")
        return _back(case)
    meeting = queries.meeting_of_network(form.meeting_id.data, case.network_id)
    return _apply(case, services.propose_case, "Le cas est proposé : les co-animateurs le verront dans la liste "
                  "des cas à programmer (titre, type et thème seulement).", meeting=meeting)


@bp.route("/cas/<int:case_id>/etat/<any(retirer, travaille, clore):move>", methods=["POST"])
@signed_in
def case_transition(case_id, move):
    case = _visible_case(case_id)
    target = MOVES[move]
    require(permissions.may_attempt_move(current_user, case, target))
    return _apply(case, lambda c, **kw: services.change_case_state(c, target, **kw), MOVE_MESSAGES[target])


@bp.route("/cas/<int:case_id>/reconsulter", methods=["POST"])
@signed_in
def case_reconsult(case_id):
    case = _visible_case(case_id)
    require(permissions.is_client(current_user, case))
    with on_refusal(url_for("codev.case_detail", case_id=case.id)):
        new_case = services.reconsult_case(case, actor=current_user)
    db.session.commit()
    flash("Une nouvelle fiche-cas, liée à la précédente, est créée en brouillon : complétez-la.", "success")
    return redirect(url_for("codev.case_edit", case_id=new_case.id))


@bp.route("/cas/<int:case_id>/capitalisation", methods=["POST"])
@signed_in
def capitalisation_consent(case_id):
    case = _visible_case(case_id)
    require(permissions.is_client(current_user, case))
    consent = request.form.get("consent") == "oui"
    return _apply(case, services.set_capitalisation_consent,
                  "Fiche de capitalisation partagée avec le réseau, sans aucun nom." if consent
                  else "La fiche de capitalisation n'est plus partagée.", consent=consent)


# --- the six-step record -------------------------------------------------------------------------------------

@bp.route("/cas/<int:case_id>/compte-rendu", methods=["GET", "POST"])
@signed_in
def record_edit(case_id):
    case = _visible_case(case_id)
    require(permissions.can_edit_record(current_user, case))
    content = queries.load_case_content(case)
    form = RecordForm(obj=content.record)
    if form.validate_on_submit():
        # After the rollback the case is loaded again: the page's permission checks read its subgroup.
        with on_refusal(lambda: _record_page(form, _visible_case(case_id))):
            services.save_record(case, actor=current_user, data=services.RecordData(
                **{name: getattr(form, name).data or "" for name in services.RECORD_FIELDS}))
        db.session.commit()
        flash("Le compte rendu est enregistré.", "success")
        return _back(case)
    return _record_page(form, case, content)


def _record_page(form: RecordForm, case: Case, content: queries.CaseContent | None = None):
    return render_template("codev/record_form.html", case=case, content=content or queries.load_case_content(case),
                           form=form, action_form=ActionForm(), perm=permissions)


@bp.route("/cas/<int:case_id>/actions", methods=["POST"])
@signed_in
def action_add(case_id):
    case = _visible_case(case_id)
    require(permissions.can_edit_record(current_user, case))
    form = ActionForm()
    if not form.validate_on_submit():
        flash("Action non ajoutée : " + " ".join(error for errors in form.errors.values() for error in errors), "error")
        return redirect(url_for("codev.record_edit", case_id=case.id))
    return _apply(case, services.add_action, "Action ajoutée au plan.",
                  back=url_for("codev.record_edit", case_id=case.id) + "#plan-action",
                  description=form.description.data, owner=form.owner.data or "", due_on=form.due_on.data)


@bp.route("/cas/<int:case_id>/actions/<int:action_id>/<any(faite, afaire, supprimer):change>", methods=["POST"])
@signed_in
def action_update(case_id, action_id, change):
    case = _visible_case(case_id)
    require(permissions.can_edit_record(current_user, case))
    action = queries.action_of(case, action_id) or abort(404)
    return _apply(case, lambda c, **kw: services.update_action(action, c, **kw), "Plan d'action mis à jour.",
                  back=request.form.get("next") == "record" and url_for("codev.record_edit", case_id=case.id)
                  or url_for("codev.case_detail", case_id=case.id),
                  done={"faite": True, "afaire": False}.get(change), remove=change == "supprimer")


# --- follow-up ----------------------------------------------------------------------------------------------

@bp.route("/cas/<int:case_id>/suivi", methods=["GET", "POST"])
@signed_in
def follow_up(case_id):
    case = _visible_case(case_id)
    require(permissions.is_client(current_user, case))
    if not permissions.can_record_follow_up(current_user, case):
        flash("Le suivi se renseigne une fois le cas travaillé en atelier, et tant qu'il n'est pas clos.", "error")
        return _back(case)
    now = utcnow()
    meetings = workshop_meeting_choices(case.network_id, now=now, until=now + FOLLOW_UP_MEETINGS_AHEAD,
                                        shared_since=case.meeting.starts_at if case.meeting else None)
    form = FollowUpForm(meetings=meetings)
    if form.validate_on_submit():
        data = services.FollowUpData(outcome=form.outcome.data, helpfulness=form.helpfulness.data,
                                     actions_done=form.actions_done.data or "", comment=form.comment.data or "")
        meeting = next((m for m in meetings if m.id == form.meeting_id.data), None)
        return _apply(case, services.record_follow_up, "Merci : le suivi de votre cas est enregistré.", data=data,
                      meeting=meeting)
    return render_template("codev/follow_up_form.html", case=case, form=form,
                           content=queries.load_case_content(case))


# --- a meeting's workshop (facilitators) -----------------------------------------------------------------------

@bp.route("/rencontres/<int:meeting_id>")
@roles(Role.FACILITATOR)
def workshop(meeting_id):
    meeting = db.get_or_404(Meeting, meeting_id)
    require_in_reach(meeting.network_id)
    require(permissions.can_manage_workshop(current_user, meeting))
    later = workshop_meeting_choices(meeting.network_id, now=utcnow(), today=False, after=meeting.starts_at)
    return render_template("codev/workshop.html", workshop=queries.workshop(meeting), min_size=SUBGROUP_MIN_SIZE,
                           postpone_form=MeetingChoiceForm(meetings=later, empty_label="— Sans date : retour dans la liste —"))


def _workshop_redirect(meeting: Meeting, success: str):
    db.session.commit()
    flash(success, "success")
    return redirect(url_for("codev.workshop", meeting_id=meeting.id))


@bp.route("/rencontres/<int:meeting_id>/cas/<int:case_id>/retenir", methods=["POST"])
@roles(Role.FACILITATOR)
def case_select(meeting_id, case_id):
    meeting, case = _workshop_case(meeting_id, case_id)
    with on_refusal(url_for("codev.workshop", meeting_id=meeting.id)):
        services.select_case(case, actor=current_user, meeting=meeting)
    return _workshop_redirect(meeting, "Cas retenu pour l'atelier : composez maintenant son sous-groupe.")


@bp.route("/rencontres/<int:meeting_id>/cas/<int:case_id>/reporter", methods=["POST"])
@roles(Role.FACILITATOR)
def case_postpone(meeting_id, case_id):
    meeting, case = _workshop_case(meeting_id, case_id)
    form = MeetingChoiceForm(meetings=workshop_meeting_choices(meeting.network_id, now=utcnow(), today=False,
                                                               after=meeting.starts_at))
    form.validate_on_submit()
    target = queries.meeting_of_network(form.meeting_id.data, meeting.network_id)
    with on_refusal(url_for("codev.workshop", meeting_id=meeting.id)):
        services.postpone_case(case, actor=current_user, meeting=target)
    return _workshop_redirect(meeting, "Cas reporté ; la personne qui le porte est prévenue.")


@bp.route("/rencontres/<int:meeting_id>/cas/<int:case_id>/sous-groupe", methods=["GET", "POST"])
@roles(Role.FACILITATOR)
def subgroup_compose(meeting_id, case_id):
    meeting, case = _workshop_case(meeting_id, case_id)
    workshop = queries.workshop(meeting)
    form = SubgroupForm(coming=workshop.coming, client_id=case.client_id)
    if form.validate_on_submit():
        chosen = queries.members_by_ids([form.animator_id.data, *form.consultant_ids.data])
        animator = None
        if form.animator_id.data is not None:
            animator = chosen.get(form.animator_id.data) or abort(404)
        # After the rollback the meeting and the case are loaded again: the page reads their relationships.
        with on_refusal(lambda: _subgroup_page(form, *_workshop_case(meeting_id, case_id))):
            try:
                services.compose_subgroup(case, actor=current_user, animator=animator,
                                          consultants=[chosen[i] for i in form.consultant_ids.data if i in chosen])
            except services.CompositionRefused as error:  # refused before any change: every reason, the choices kept
                return _subgroup_page(form, meeting, case, errors=error.messages, workshop=workshop)
        return _workshop_redirect(meeting, "Sous-groupe enregistré : la personne qui porte le cas est "
                                  "invitée à approuver sa composition avant que quiconque en lise le contenu.")
    elif request.method == "GET" and case.subgroup:
        form.animator_id.data = next((s.member_id for s in case.subgroup.members if s.role == "animator"), None)
        form.consultant_ids.data = [s.member_id for s in case.subgroup.members if s.role == "consultant"]
    return _subgroup_page(form, meeting, case, workshop=workshop)


def _subgroup_page(form: SubgroupForm, meeting: Meeting, case: Case, *, errors=(), workshop=None):
    return render_template("codev/subgroup_form.html", workshop=workshop or queries.workshop(meeting), case=case,
                           form=form, errors=errors, blockers=queries.seat_blockers(case),
                           min_size=SUBGROUP_MIN_SIZE, max_size=SUBGROUP_MAX_SIZE)


# --- the client's approval of the subgroup ---------------------------------------------------------------------

@bp.route("/cas/<int:case_id>/sous-groupe/approuver", methods=["POST"])
@signed_in
def subgroup_approve(case_id):
    case = _visible_case(case_id)
    require(permissions.can_approve_subgroup(current_user, case))
    form = SubgroupApprovalForm()
    if not form.validate_on_submit():
        abort(400)
    return _apply(case, services.approve_subgroup, "Composition approuvée : les membres du sous-groupe sont prévenus "
                  "et lisent désormais votre cas.", seen=form.composition.data or "")


@bp.route("/cas/<int:case_id>/sous-groupe/refuser/<int:member_id>", methods=["POST"])
@signed_in
def subgroup_refuse(case_id, member_id):
    case = _visible_case(case_id)
    require(permissions.can_approve_subgroup(current_user, case))
    seat = case.subgroup.seat_of(member_id) or abort(404)
    return _apply(case, lambda c, **kw: services.refuse_subgroup_member(c, seat.member, **kw),
                  f"{seat.member.full_name} ne fait plus partie du sous-groupe et n'y sera plus proposé·e pour ce cas ; "
                  "les co-animateurs sont prévenus pour le compléter.")


# --- export and capitalisation -----------------------------------------------------------------------------------

@bp.route("/export.csv")
@roles(Role.ADMIN, Role.FACILITATOR)
def case_export():
    network = network_in_scope()
    require(permissions.can_export_cases(current_user, network))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(spreadsheet_row(queries.EXPORT_COLUMNS))
    writer.writerows(spreadsheet_row(row) for row in queries.export_rows(network))
    return Response("\ufeff" + buffer.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="codev-{network.slug}.csv"', "Cache-Control": "no-store"})


@bp.route("/capitalisation")
@signed_in
def capitalisation_list():
    network = network_in_scope()
    require(permissions.can_view_capitalisation(current_user, network))
    return render_template("codev/capitalisation.html", network=network,
                           sheets=queries.capitalisation_sheets(network))
