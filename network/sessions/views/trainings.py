"""Registration to pooled trainings."""

from flask import flash, redirect, url_for
from flask_login import current_user

from network.auth import roles
from network.errors import DomainError
from network.extensions import db
from network.members.enums import Role
from network.sessions import services
from network.sessions.blueprint import bp
from network.sessions.views.common import flash_domain_error, load_meeting


@bp.route("/<int:meeting_id>/inscription", methods=["POST"])
@roles(Role.FACILITATOR, Role.COORDINATOR)
def training_register(meeting_id):
    meeting = load_meeting(meeting_id)
    try:
        registration = services.register(actor=current_user, meeting=meeting)
    except DomainError as error:
        flash_domain_error(error)
    else:
        position = services.waitlist_position(registration) if registration.is_waitlisted else None
        db.session.commit()
        flash(f"La formation est complète : vous êtes sur liste d'attente (position {position}). "
              "Vous serez prévenu·e par e-mail si une place se libère." if position else
              "Inscription confirmée : l'invitation arrive dans votre agenda.", "info" if position else "success")
    return redirect(url_for("sessions.meeting_detail", meeting_id=meeting_id))


@bp.route("/<int:meeting_id>/desinscription", methods=["POST"])
@roles(Role.FACILITATOR, Role.COORDINATOR)
def training_unregister(meeting_id):
    meeting = load_meeting(meeting_id)
    try:
        services.unregister(actor=current_user, meeting=meeting)
    except DomainError as error:
        flash_domain_error(error)
    else:
        db.session.commit()
        flash("Vous êtes désinscrit·e de la formation.", "success")
    return redirect(url_for("sessions.meeting_detail", meeting_id=meeting_id))
