"""Registration to pooled trainings."""

from flask import flash, redirect, url_for
from flask_login import current_user

from network.auth import roles
from network.extensions import db
from network.members.enums import Role
from network.sessions import services
from network.sessions.blueprint import bp
from network.sessions.views.common import load_meeting
from network.views_support import on_refusal


@bp.route("/<int:meeting_id>/inscription", methods=["POST"])
@roles(Role.FACILITATOR, Role.COORDINATOR)
def training_register(meeting_id):
    meeting = load_meeting(meeting_id)
    back = url_for("sessions.meeting_detail", meeting_id=meeting_id)
    with on_refusal(back):
        registration = services.register(actor=current_user, meeting=meeting)
    position = services.waitlist_position(registration) if registration.is_waitlisted else None
    db.session.commit()
    flash(f"La formation est complète : vous êtes sur liste d'attente (position {position}). "
          "Vous serez prévenu·e par e-mail si une place se libère." if position else
          "Inscription confirmée : l'invitation arrive dans votre agenda.", "info" if position else "success")
    return redirect(back)


@bp.route("/<int:meeting_id>/desinscription", methods=["POST"])
@roles(Role.FACILITATOR, Role.COORDINATOR)
def training_unregister(meeting_id):
    meeting = load_meeting(meeting_id)
    back = url_for("sessions.meeting_detail", meeting_id=meeting_id)
    with on_refusal(back):
        services.unregister(actor=current_user, meeting=meeting)
    db.session.commit()
    flash("Vous êtes désinscrit·e de la formation.", "success")
    return redirect(back)
