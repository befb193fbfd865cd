"""Calendar, meeting detail, planning (one meeting or a year), agenda and venues."""

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from network.auth import require, require_in_reach, roles, signed_in
from network.calendar import to_paris
from network.database import utcnow
from network.extensions import db
from network.forms import query_year
from network.formatting import plural
from network.members.enums import Role
from network.routing import id_urls
from network.scope import network_in_scope, scope_args
from network.sessions import queries, services
from network.sessions.blueprint import bp
from network.sessions.enums import MeetingStatus
from network.sessions.forms import AgendaItemForm, MeetingForm, PlanYearForm, VenueForm
from network.sessions.models import AgendaItem, Venue
from network.sessions.permissions import can_manage_meetings, can_view_network_meetings
from network.sessions.views.common import NETWORK_ROLES, STAFF, load_meeting, load_meeting_view
from network.sessions.views.context import MY_MEETING_LABELS, calendar_context, meeting_context
from network.views_support import on_refusal


@bp.route("/")
@roles(*NETWORK_ROLES)
def calendar():
    network = network_in_scope()
    require(can_view_network_meetings(current_user, network.id))
    year = query_year(to_paris(utcnow()).year)
    return render_template("sessions/calendar.html", **calendar_context(network, year))


@bp.route("/mes-rencontres")
@signed_in
def my_meetings():
    meetings = queries.my_meetings(current_user.id)
    now = utcnow()
    year = to_paris(now).year
    return render_template("sessions/my_meetings.html", year=year, labels=MY_MEETING_LABELS,
                           meeting_url=id_urls("sessions.meeting_detail", "meeting_id"),  # built once (url_for: 6 µs)
                           upcoming=[meeting for meeting in meetings if meeting.ends_at > now][::-1],
                           past=[meeting for meeting in meetings if meeting.ends_at <= now],
                           assiduity=queries.my_assiduity(current_user, year, now))


@bp.route("/<int:meeting_id>")
@roles(*NETWORK_ROLES)
def meeting_detail(meeting_id):
    now = utcnow()
    return render_template("sessions/meeting_detail.html", **meeting_context(load_meeting_view(meeting_id, now), now))


def _meeting_data(form: MeetingForm) -> services.MeetingData:
    return services.MeetingData(
        kind=form.kind.data, title=form.title.data.strip(), description=form.description.data or None,
        starts_at=form.starts_at, ends_at=form.ends_at, venue_id=form.venue_id.data,
        caf_facilitator_id=form.caf_facilitator_id.data, msa_facilitator_id=form.msa_facilitator_id.data,
        trainer=form.trainer.data or None, capacity=form.capacity.data)


def _meeting_form(network_id: int, **kwargs) -> MeetingForm:
    form = MeetingForm(**kwargs)
    form.set_choices(queries.venues_of(network_id, active_only=True), queries.facilitators_of(network_id))
    return form


@bp.route("/nouvelle", methods=["GET", "POST"])
@roles(Role.FACILITATOR)
def meeting_create():
    network = network_in_scope()
    require(can_manage_meetings(current_user, network.id))
    form = _meeting_form(network.id, kind=request.args.get("type", "quarterly"))

    def page():
        return render_template("sessions/meeting_form.html", form=form, meeting=None)

    if form.validate_on_submit():
        with on_refusal(page):
            meeting = services.create_meeting(actor=current_user, network=network, data=_meeting_data(form))
        db.session.commit()
        flash("La rencontre est planifiée.", "success")
        return redirect(url_for("sessions.meeting_detail", meeting_id=meeting.id))
    return page()


@bp.route("/<int:meeting_id>/modifier", methods=["GET", "POST"])
@roles(Role.FACILITATOR)
def meeting_edit(meeting_id):
    meeting = load_meeting(meeting_id, manage=True)
    local_start, local_end = to_paris(meeting.starts_at), to_paris(meeting.ends_at)
    form = _meeting_form(meeting.network_id, obj=meeting, day=local_start.date(), start=local_start.time(),
                         end=local_end.time())
    if form.validate_on_submit():
        with on_refusal(lambda: render_template("sessions/meeting_form.html", form=form,
                                                meeting=load_meeting(meeting_id, manage=True))):
            changed = services.update_meeting(actor=current_user, meeting=meeting, data=_meeting_data(form))
        db.session.commit()
        resent = meeting.status == MeetingStatus.INVITED and set(changed) & set(services.planning.CALENDAR_FIELDS)
        flash("Rencontre modifiée" + (" ; une mise à jour est envoyée aux invités." if resent else "."), "success")
        return redirect(url_for("sessions.meeting_detail", meeting_id=meeting.id))
    return render_template("sessions/meeting_form.html", form=form, meeting=meeting)


@bp.route("/<int:meeting_id>/annuler", methods=["POST"])
@roles(Role.FACILITATOR)
def meeting_cancel(meeting_id):
    meeting = load_meeting(meeting_id, manage=True)
    back = url_for("sessions.meeting_detail", meeting_id=meeting_id)
    with on_refusal(back):
        sent = services.cancel_meeting(meeting, actor=current_user)
    db.session.commit()
    notices = plural(sent, "avis d'annulation envoyé", "avis d'annulation envoyés")
    flash(f"Rencontre annulée. {notices}." if sent else "Rencontre annulée.", "success")
    return redirect(back)


@bp.route("/<int:meeting_id>/etat/<any(held, closed):status>", methods=["POST"])
@roles(Role.FACILITATOR)
def meeting_status(meeting_id, status):
    meeting = load_meeting(meeting_id, manage=True)
    back = url_for("sessions.meeting_detail", meeting_id=meeting_id)
    with on_refusal(back):
        services.change_meeting_status(meeting, MeetingStatus(status), actor=current_user)
    db.session.commit()
    flash(f"Rencontre : {MeetingStatus(status).label.lower()}.", "success")
    return redirect(back)


# --- annual planning ----------------------------------------------------------------------------

def _plan_form(network_id: int, year: int, quarters: list[int]) -> PlanYearForm:
    venues = queries.venues_of(network_id, active_only=True)
    caf, msa = services.default_facilitators(network_id)
    slots = [{"day": s.day, "start": s.start, "end": s.end, "venue_id": s.venue_id}
             for s in services.default_slots(year, venues, quarters)]
    form = PlanYearForm(data={"slots": slots, "caf_facilitator_id": caf, "msa_facilitator_id": msa}
                        if request.method == "GET" else None)
    form.set_choices(venues, queries.facilitators_of(network_id))
    return form


@bp.route("/planifier", methods=["GET", "POST"])
@roles(Role.FACILITATOR)
def plan_year():
    network = network_in_scope()
    require(can_manage_meetings(current_user, network.id))
    today = to_paris(utcnow()).date()
    year = query_year(today.year if today < date(today.year, 3, 1) else today.year + 1)
    planned = services.planned_quarters(network.id, year)  # the quarters already planned are shown, not re-offered
    quarters = [quarter for quarter in services.QUARTERS if quarter not in planned]
    form = _plan_form(network.id, year, quarters)

    def page():
        return render_template("sessions/plan_year.html", form=form, year=year, planned=planned, quarters=quarters,
                               quarter_names=services.QUARTER_NAMES)

    if quarters and form.validate_on_submit():
        slots = [services.Slot(s.form.day.data, s.form.start.data, s.form.end.data, s.form.venue_id.data)
                 for s in form.slots]
        with on_refusal(page):
            meetings = services.plan_year(actor=current_user, network=network, year=year, slots=slots,
                                          caf_facilitator_id=form.caf_facilitator_id.data,
                                          msa_facilitator_id=form.msa_facilitator_id.data)
        db.session.commit()
        flash(f"{plural(len(meetings), 'rencontre planifiée', 'rencontres planifiées')} pour {year}.", "success")
        return redirect(url_for("sessions.calendar", annee=year))
    return page()


# --- agenda -------------------------------------------------------------------------------------

def _agenda_data(form: AgendaItemForm) -> services.AgendaData:
    return services.AgendaData(kind=form.kind.data, title=form.title.data.strip(), starts_at=form.starts_at,
                               ends_at=form.ends_at, speaker=form.speaker.data or None,
                               details=form.details.data or None)


@bp.route("/<int:meeting_id>/ordre-du-jour/nouveau", methods=["GET", "POST"], defaults={"item_id": None})
@bp.route("/<int:meeting_id>/ordre-du-jour/<int:item_id>", methods=["GET", "POST"])
@roles(Role.FACILITATOR)
def agenda_item_edit(meeting_id, item_id):
    meeting = load_meeting(meeting_id, manage=True)
    item = db.get_or_404(AgendaItem, item_id) if item_id else None
    if item is not None and item.meeting_id != meeting.id:
        abort(404)
    form = AgendaItemForm(obj=item, start=item and item.starts_at and to_paris(item.starts_at).time(),
                          end=item and item.ends_at and to_paris(item.ends_at).time())
    if form.validate_on(to_paris(meeting.starts_at).date()):
        with on_refusal(lambda: render_template("sessions/agenda_item_form.html", form=form,
                                                meeting=load_meeting(meeting_id, manage=True), item=item)):
            if item is None:
                services.add_agenda_item(actor=current_user, meeting=meeting, data=_agenda_data(form))
            else:
                services.update_agenda_item(actor=current_user, meeting=meeting, item=item, data=_agenda_data(form))
        db.session.commit()
        flash("Ordre du jour mis à jour.", "success")
        return redirect(url_for("sessions.meeting_detail", meeting_id=meeting.id) + "#ordre-du-jour")
    return render_template("sessions/agenda_item_form.html", form=form, meeting=meeting, item=item)


@bp.route("/<int:meeting_id>/ordre-du-jour/<int:item_id>/supprimer", methods=["POST"])
@roles(Role.FACILITATOR)
def agenda_item_delete(meeting_id, item_id):
    meeting = load_meeting(meeting_id, manage=True)
    item = db.get_or_404(AgendaItem, item_id)
    back = url_for("sessions.meeting_detail", meeting_id=meeting_id) + "#ordre-du-jour"
    with on_refusal(back):
        services.delete_agenda_item(actor=current_user, meeting=meeting, item=item)
    db.session.commit()
    flash("Point retiré de l'ordre du jour.", "success")
    return redirect(back)


# --- venues -------------------------------------------------------------------------------------

@bp.route("/lieux")
@roles(*STAFF)
def venue_list():
    network = network_in_scope()
    require(can_view_network_meetings(current_user, network.id))
    return render_template("sessions/venue_list.html", network=network, venues=queries.venues_of(network.id),
                           can_manage=can_manage_meetings(current_user, network.id), scope=scope_args(network))


def _venue_data(form: VenueForm) -> services.VenueData:
    return services.VenueData(name=form.name.data.strip(), host_kind=form.host_kind.data, street=form.street.data.strip(),
                              postal_code=form.postal_code.data.strip(), city=form.city.data.strip(),
                              access_notes=form.access_notes.data or None, is_active=form.is_active.data)


@bp.route("/lieux/nouveau", methods=["GET", "POST"], defaults={"venue_id": None})
@bp.route("/lieux/<int:venue_id>", methods=["GET", "POST"])
@roles(Role.FACILITATOR)
def venue_edit(venue_id):
    venue = db.get_or_404(Venue, venue_id) if venue_id else None
    network_id = venue.network_id if venue else current_user.network_id
    require_in_reach(network_id)
    require(can_manage_meetings(current_user, network_id))
    form = VenueForm(obj=venue)

    def page():
        return render_template("sessions/venue_form.html", form=form, venue=venue)

    if form.validate_on_submit():
        with on_refusal(page):
            if venue is None:
                services.create_venue(actor=current_user, network=network_in_scope(), data=_venue_data(form))
            else:
                update = services.update_venue(actor=current_user, venue=venue, data=_venue_data(form))
        db.session.commit()
        flash("Lieu enregistré." if venue is None or not update.meetings_updated else
              "Lieu enregistré ; une mise à jour est envoyée aux invités "
              + ("de la rencontre à venir qui s'y tient." if update.meetings_updated == 1 else
                 f"des {update.meetings_updated} rencontres à venir qui s'y tiennent."), "success")
        return redirect(url_for("sessions.venue_list"))
    return page()
