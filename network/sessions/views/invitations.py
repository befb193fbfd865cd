"""Sending invitations, guests, answers (site and signed link), .ics download and the private feed."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from network.auth import public, require, roles, safe_next_url
from network.calendar import build_feed
from network.database import commit_keeping_loaded, utcnow
from network.extensions import db
from network.formatting import plural
from network.members.enums import Role
from network.sessions import queries, services
from network.sessions.blueprint import bp
from network.sessions.enums import RsvpSource
from network.sessions.forms import GuestForm, RsvpForm
from network.sessions.permissions import can_answer
from network.sessions.services.mailing import MeetingContext, event_data
from network.sessions.views.common import NETWORK_ROLES, load_meeting
from network.views_support import on_refusal


DEAD_MEMBER_LINK = ("Ce lien ne fonctionne plus\u202f: cette invitation n'est plus active. Si vous faites toujours partie "
                    "du réseau, écrivez à ses co-animateurs.")


@bp.route("/<int:meeting_id>/invitations", methods=["POST"])
@roles(Role.FACILITATOR)
def invitations_send(meeting_id):
    meeting = load_meeting(meeting_id, manage=True)
    back = url_for("sessions.meeting_detail", meeting_id=meeting_id)
    with on_refusal(back):
        sent = services.send_invitations(meeting, actor=current_user)
    db.session.commit()
    flash(f"{plural(sent, 'invitation envoyée', 'invitations envoyées')}." if sent
          else "Tout le monde a déjà reçu son invitation.",
          "success" if sent else "info")
    return redirect(back)


@bp.route("/<int:meeting_id>/invites-externes", methods=["POST"])
@roles(Role.FACILITATOR)
def guest_add(meeting_id):
    meeting = load_meeting(meeting_id, manage=True)
    form = GuestForm()
    if not form.validate_on_submit():
        flash("Invitation non envoyée : " + " ".join(e for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for("sessions.meeting_detail", meeting_id=meeting_id) + "#invites")
    back = url_for("sessions.meeting_detail", meeting_id=meeting_id) + "#invites"
    with on_refusal(back):
        services.add_guest(actor=current_user, meeting=meeting, name=form.name.data, job=form.job.data,
                           email=form.email.data)
    db.session.commit()
    flash(f"{form.name.data} est ajouté·e aux invités.", "success")
    return redirect(back)


@bp.route("/<int:meeting_id>/reponse", methods=["POST"])
@roles(*NETWORK_ROLES)
def rsvp(meeting_id):
    meeting = load_meeting(meeting_id)
    invitation = queries.my_invitation(meeting.id, current_user.id)
    require(can_answer(current_user, invitation))
    form = RsvpForm()
    # The home page's one-click answer comes back to the home page.
    back = safe_next_url(request.form.get("next"), url_for("sessions.meeting_detail", meeting_id=meeting_id))
    if not form.validate_on_submit():
        flash("Choisissez une réponse : oui, non ou excusé·e.", "error")
        return redirect(back)
    with on_refusal(back):
        services.answer_invitation(invitation, answer=form.answer.data, comment=form.comment.data, actor=current_user)
    commit_keeping_loaded()  # the flash shows the answer just written: no reload of the invitation
    flash(f"Réponse enregistrée : {invitation.rsvp_label.lower()}.", "success")
    return redirect(back)


@bp.route("/reponse/<token>", methods=["GET", "POST"])
@public
def rsvp_link(token):
    """Answer from the email without signing in. GET only shows the choice (link scanners must not answer)."""
    try:
        invitation = services.invitation_for_token(token)
    except services.LinkInvalid as error:
        return render_template("sessions/rsvp_link_invalid.html", message=str(error)), 400
    member, meeting = invitation.member, invitation.meeting  # loaded with it
    if member is not None and (not member.is_active or member.erased_at is not None):
        # a deactivated or erased member's links are dead (nothing is recorded, nothing about them shown)
        return render_template("sessions/rsvp_link_invalid.html", message=DEAD_MEMBER_LINK), 400
    form = RsvpForm(answer=request.args.get("reponse") or (None if invitation.rsvp == "pending" else invitation.rsvp),
                    comment=invitation.rsvp_comment)
    if form.validate_on_submit():
        services.answer_invitation(invitation, answer=form.answer.data, comment=form.comment.data, actor=member,
                                   source=RsvpSource.LINK)
        commit_keeping_loaded()  # the page shows the meeting and the answer as loaded and written: no reload
        return render_template("sessions/rsvp_link_done.html", meeting=meeting, invitation=invitation, token=token)
    proposed = request.args.get("reponse") if request.args.get("reponse") != invitation.rsvp else None
    return render_template("sessions/rsvp_link.html", form=form, meeting=meeting, invitation=invitation,
                           name=member.first_name if member else invitation.guest_name, proposed=proposed)


@bp.route("/reponse/<token>/rencontre.ics")
@public
def rsvp_link_ics(token):
    """« Ajouter à mon agenda » from the answer page: the same signed link opens the meeting's calendar entry."""
    try:
        invitation = services.invitation_for_token(token)
    except services.LinkInvalid:
        abort(404)
    meeting = invitation.meeting  # loaded with it, venue and network
    context = MeetingContext(meeting, meeting.network, meeting.venue, [])
    return _ics_response(build_feed([event_data(context)], name=meeting.title), f"rencontre-{meeting.id}.ics")


def _ics_response(body: bytes, filename: str) -> Response:
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"})


@bp.route("/<int:meeting_id>/rencontre.ics")
@roles(*NETWORK_ROLES)
def meeting_ics(meeting_id):
    meeting = load_meeting(meeting_id)
    context = MeetingContext(meeting, meeting.network, meeting.venue, [])
    return _ics_response(build_feed([event_data(context)], name=meeting.title), f"rencontre-{meeting.id}.ics")


@bp.route("/agenda/<token>.ics")
@public
def calendar_feed(token):
    feed = services.calendar_feed(token, utcnow().replace(second=0, microsecond=0)) or abort(404)
    # Clients poll the feed: they may keep it (never a shared cache) and revalidate with If-None-Match → 304.
    response = Response(feed.body, mimetype="text/calendar", headers={"Cache-Control": "private, no-cache"})
    response.set_etag(feed.etag)
    return response.make_conditional(request)
