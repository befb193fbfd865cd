"""Check-in at the door, walk-ins, the sign-in sheet (page and PDF) and attendance history."""

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from network.auth import require, roles, signed_in
from network.calendar import to_paris
from network.database import utcnow
from network.extensions import db
from network.forms import query_year
from network.members.enums import Role
from network.scope import network_in_scope, scope_args
from network.sessions import queries, services
from network.sessions.blueprint import bp
from network.sessions.enums import AttendanceStatus
from network.sessions.forms import AttendanceForm, WalkInForm
from network.sessions.permissions import can_manage_meetings, can_see_answers
from network.sessions.signin_layout import signature_columns, structure
from network.sessions.views.common import STAFF, load_meeting, load_meeting_page, load_meeting_to_change
from network.sessions.views.context import RSVP_LABELS
from network.views_support import on_refusal

ATTENDANCE_LABELS = {status.value: status.label for status in AttendanceStatus}


def _checkin_url(meeting_id: int) -> str:
    return url_for("sessions.checkin", meeting_id=meeting_id, q=request.args.get("q") or None)


def _record_url(meeting_id: int, search: str) -> tuple[str, str]:
    """The two ends of attendance_record's URL on the check-in page, the member's id going between them: built
    once rather than once per row (a url_for per row: 7 % of the page's time with 50 rows)."""
    path, _, query = url_for("sessions.attendance_record", meeting_id=meeting_id, member_id=0,
                             q=search or None).partition("?")
    return path.removesuffix("0"), "?" + query if query else ""


@bp.route("/<int:meeting_id>/presences")
@roles(*STAFF)
def checkin(meeting_id):
    meeting = load_meeting_page(meeting_id)
    require(can_see_answers(current_user, meeting))
    search = request.args.get("q", "").strip()
    can_record = (can_manage_meetings(current_user, meeting.network_id)
                  and services.has_started_day(meeting, utcnow()) and meeting.status in ("invited", "held", "closed"))
    lists = queries.checkin_list(meeting.id, search=search)
    return render_template(
        "sessions/checkin.html", meeting=meeting, invitations=lists.invited, walk_ins=lists.walk_ins, search=search,
        can_record=can_record,
        # the walk-in form is written out in the template: no form object to build for the page
        rsvp_labels=RSVP_LABELS,
        record_url=_record_url(meeting.id, search) if can_record else None,
        attendance_labels=ATTENDANCE_LABELS,
        # as of its end: the door counter shows from the first check-in, even before the start time
        attendance=queries.meeting_attendance_of(meeting, max(utcnow(), meeting.ends_at)))


@bp.route("/<int:meeting_id>/presences/<int:member_id>", methods=["POST"])
@roles(Role.FACILITATOR)
def attendance_record(meeting_id, member_id):
    meeting = load_meeting_to_change(meeting_id)
    form = AttendanceForm()
    if not form.validate_on_submit():
        flash("Statut de présence inconnu.", "error")
        return redirect(_checkin_url(meeting_id))
    back = _checkin_url(meeting_id) + f"#membre-{member_id}"
    with on_refusal(back):
        services.record_attendance(actor=current_user, meeting=meeting, member_id=member_id, status=form.status.data)
    db.session.commit()
    return redirect(back)


@bp.route("/<int:meeting_id>/presences/sur-place", methods=["POST"])
@roles(Role.FACILITATOR)
def walk_in_add(meeting_id):
    meeting = load_meeting_to_change(meeting_id)
    form = WalkInForm()
    if not form.validate_on_submit():
        flash("Indiquez le nom de la personne.", "error")
        return redirect(_checkin_url(meeting_id))
    with on_refusal(_checkin_url(meeting_id)):
        services.add_walk_in(actor=current_user, meeting=meeting, name=form.name.data,
                             organisation=form.organisation.data)
    db.session.commit()
    flash(f"{form.name.data} est ajouté·e, présent·e.", "success")
    return redirect(_checkin_url(meeting_id))


def _sheet_rows(meeting) -> list[tuple[str, str, str]]:
    rows = []
    for invitation in queries.invitations(meeting.id):
        member = invitation.member
        if member is not None:
            rows.append((member.full_name, member.institution.name if member.institution else "",
                         member.territory.name if member.territory else ""))
        else:
            rows.append((invitation.guest_name or invitation.guest_email, "Invité·e", ""))
    return rows + [(a.guest_name, a.guest_organisation or "Sur place", "") for a in queries.attendances(meeting.id)[1]]


@bp.route("/<int:meeting_id>/emargement")
@roles(*STAFF)
def signin_sheet(meeting_id):
    meeting = load_meeting(meeting_id)
    require(can_see_answers(current_user, meeting))
    rows = [(name, structure(institution, territory)) for name, institution, territory in _sheet_rows(meeting)]
    return render_template("sessions/signin_sheet.html", meeting=meeting, rows=rows, blank_rows=5,
                           signatures=signature_columns(meeting), hosts=queries.host_names(meeting.network_id))


@bp.route("/<int:meeting_id>/emargement.pdf")
@roles(*STAFF)
def signin_sheet_pdf(meeting_id):
    meeting = load_meeting(meeting_id)
    require(can_see_answers(current_user, meeting))
    # fpdf2 + fontTools: ~33 MB a worker, loaded by the first PDF, not at start
    from network.sessions.signin_sheet import build_signin_pdf

    body = build_signin_pdf(meeting, meeting.venue, _sheet_rows(meeting), hosts=queries.host_names(meeting.network_id))
    filename = f"emargement-{to_paris(meeting.starts_at):%Y-%m-%d}.pdf"
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


@bp.route("/assiduite")
@roles(*STAFF)
def attendance_history():
    network = network_in_scope()
    require(current_user.is_admin or can_manage_meetings(current_user, network.id))
    year = query_year(to_paris(utcnow()).year)
    return render_template("sessions/attendance_history.html", network=network, year=year,
                           history=queries.attendance_history(network.id, year, utcnow()), scope=scope_args(network),
                           years=queries.calendar_years(network.id, year))


@bp.route("/mon-assiduite")
@signed_in
def my_attendance():
    return redirect(url_for("sessions.my_meetings") + "#historique")
