from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from network.auth import public, require, require_in_reach, roles
from network.extensions import db
from network.identity import flow as identity_flow
from network.members import queries as member_queries
from network.members.enums import Role
from network.members.models import Network
from network.members.permissions import is_facilitator_of
from network.registration import permissions, queries, services
from network.registration.blueprint import bp
from network.registration.forms import ConfirmForm, DeclineForm, JoinForm, JoinRequestEditForm
from network.registration.models import JoinRequest
from network.views_support import on_refusal
from network.scope import network_in_scope


def _client_ip() -> str:
    return request.remote_addr or "unknown"


# --- public: the request and the email confirmation ----------------------------------------------

@bp.route("/")
@public
def choose_network():
    return render_template("registration/choose_network.html", networks=queries.open_networks())


@bp.route("/<slug>", methods=["GET", "POST"])
@public
def join_form(slug):
    network = queries.open_network_by_slug(slug) or abort(404)
    form = JoinForm(data=identity_flow.join_prefill(), institutions=member_queries.institutions_of(network.id),
                    territories=member_queries.territories_of(network.id))
    if form.validate_on_submit():
        with on_refusal(lambda: _render_join_form(form, network), under=_reference_field(form)):
            try:
                services.submit_join_request(network=network, data=form.to_data(), ip_address=_client_ip(),
                                             honeypot=form.website.data or "")
            except services.JoinThrottled as error:  # too many requests: a 429, not a field error
                flash(str(error), "error")
                return _render_join_form(form, network), 429
        db.session.commit()
        return redirect(url_for("registration.join_sent", slug=network.slug))
    return _render_join_form(form, network)


def _reference_field(form):
    """Where a refused employer or territory (services._check_references) is shown: under the field it is about."""
    return lambda message: form.territory if "territoire" in message else form.institution


def _render_join_form(form: JoinForm, network: Network):
    return render_template("registration/join_form.html", form=form, network=network,
                           valid_days=services.confirmation_window().days)


@bp.route("/<slug>/demande-envoyee")
@public
def join_sent(slug):
    network = queries.open_network_by_slug(slug) or abort(404)
    return render_template("registration/join_sent.html", network=network,
                           valid_days=services.confirmation_window().days)


@bp.route("/confirmer/<token>", methods=["GET", "POST"])
@public
def confirm_email(token):
    join_request = services.join_request_for_token(token)
    if join_request is None:
        return render_template("registration/link_invalid.html"), 400
    form = ConfirmForm()
    if form.validate_on_submit():
        services.confirm_join_request(join_request)
        db.session.commit()
        return redirect(url_for("registration.confirmed", slug=db.session.get(Network, join_request.network_id).slug))
    return render_template("registration/confirm.html", form=form, join_request=join_request)


@bp.route("/<slug>/adresse-confirmee")
@public
def confirmed(slug):
    network = queries.open_network_by_slug(slug) or abort(404)
    return render_template("registration/confirmed.html", network=network)


# --- facilitators: the queue and the decisions ---------------------------------------------------

@bp.route("/demandes")
@roles(Role.FACILITATOR, Role.ADMIN)
def request_queue():
    network = network_in_scope(admin_overview=True)
    if network is None:
        return render_template("registration/queue_overview.html", rows=queries.networks_with_pending_counts())
    require(permissions.can_view_join_requests(current_user, network))
    join_requests = queries.pending_requests(network)
    return render_template("registration/request_queue.html", network=network, join_requests=join_requests,
                           unconfirmed=queries.unconfirmed_count(network),
                           can_decide=is_facilitator_of(current_user, network.id),
                           decline_forms={jr.id: _decline_form(jr.id) for jr in join_requests})


def _decline_form(request_id: int) -> DeclineForm:
    return DeclineForm(prefix=f"refus-{request_id}")  # one form per request on the queue page: distinct ids


@bp.route("/demandes/<int:request_id>/accepter", methods=["POST"])
@roles(Role.FACILITATOR)
def request_approve(request_id):
    join_request = db.get_or_404(JoinRequest, request_id)
    require_in_reach(join_request.network_id)
    require(permissions.can_decide_join_request(current_user, join_request))
    with on_refusal(url_for("registration.request_queue")):
        member = services.approve_join_request(join_request, actor=current_user)
    db.session.commit()
    flash(f"{member.full_name} rejoint le réseau ; un e-mail l'invite à choisir son mot de passe.", "success")
    return redirect(url_for("registration.request_queue"))


@bp.route("/demandes/<int:request_id>/modifier", methods=["GET", "POST"])
@roles(Role.FACILITATOR)
def request_edit(request_id):
    join_request = db.get_or_404(JoinRequest, request_id)
    require_in_reach(join_request.network_id)
    require(permissions.can_decide_join_request(current_user, join_request))
    if join_request.status != services.Status.PENDING:
        flash("Cette demande n'est plus en attente : elle ne peut plus être modifiée.", "error")
        return redirect(url_for("registration.request_queue"))
    form = JoinRequestEditForm.of(join_request, institutions=member_queries.institutions_of(join_request.network_id),
                                  territories=member_queries.territories_of(join_request.network_id))
    def page():
        return render_template("registration/request_edit.html", form=form, join_request=join_request)

    if form.validate_on_submit():
        with on_refusal(page, under=_reference_field(form)):
            changed = services.update_join_request(join_request, actor=current_user,
                                                   data=form.to_data(email=join_request.email))
        db.session.commit()
        flash(f"Demande de {join_request.full_name} modifiée." if changed else "Aucune modification.", "success")
        return redirect(url_for("registration.request_queue", _anchor=f"demande-{join_request.id}"))
    return page()


@bp.route("/demandes/<int:request_id>/refuser", methods=["POST"])
@roles(Role.FACILITATOR)
def request_decline(request_id):
    join_request = db.get_or_404(JoinRequest, request_id)
    require_in_reach(join_request.network_id)
    require(permissions.can_decide_join_request(current_user, join_request))
    form = _decline_form(request_id)
    if not form.validate_on_submit():
        flash(" ".join(form.message.errors) or "Le formulaire n'a pas pu être vérifié.", "error")
        return redirect(url_for("registration.request_queue"))
    with on_refusal(url_for("registration.request_queue")):
        services.decline_join_request(join_request, actor=current_user, message=form.message.data)
    db.session.commit()
    flash(f"La demande de {join_request.full_name} est refusée ; la personne en est informée par e-mail.", "success")
    return redirect(url_for("registration.request_queue"))
