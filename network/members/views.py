import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from network.auth import public, require, require_in_reach, roles, safe_next_url, signed_in
from network.extensions import db
from network.forms import add_form_error
from network.formatting import plural
from network.identity import flow as identity_flow
from network.members import email_changes, permissions, queries, services, tokens
from network.members.blueprint import bp
from network.members.enums import Role
from network.members.forms import (
    ImportConfirmForm, ImportUploadForm, InstitutionForm, LoginForm, MemberForm, NetworkForm, PasswordForgotForm,
    PasswordSetForm, ProfileForm, TerritoryForm,
)
from network.members.importing import import_members, parse_members_csv
from network.members.models import Institution, Member, Territory
from network.outbox import external_url
from network.routing import id_urls
from network.views_support import on_refusal
from network.scope import network_in_scope, scope_args

PASSWORD_PURPOSES = {"activation": tokens.PASSWORD_SETUP, "reinitialisation": tokens.PASSWORD_RESET}


def _client_ip() -> str:
    return request.remote_addr or "unknown"


def _member_data(form, base: Member) -> services.MemberData:
    """MemberData from a profile or member form; fields the form lacks keep `base`'s values."""
    def value(name):
        return getattr(form, name).data if name in form else getattr(base, name)

    return services.MemberData(
        first_name=form.first_name.data, last_name=form.last_name.data, email=value("email"), role=value("role"),
        phone=form.phone.data, job_title=form.job_title.data, institution_id=form.institution_id.data,
        territory_id=form.territory_id.data, is_associated_operator=value("is_associated_operator"),
        joined_on=form.joined_on.data if "joined_on" in form else None,
    )


# --- authentication -------------------------------------------------------------------------------

@bp.route("/connexion", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            member = services.authenticate(form.email.data, form.password.data, ip_address=_client_ip())
        except services.LoginThrottled as error:
            db.session.commit()
            flash(str(error), "error")
            return render_template("members/login.html", form=form), 429
        if member is None:
            db.session.commit()
            add_form_error(form, "password", "Adresse e-mail ou mot de passe incorrect.")
            return render_template("members/login.html", form=form), 200
        if (next_step := identity_flow.after_password(member, next_url=form.next.data)) is not None:
            db.session.commit()  # the second factor (or the provider) comes first
            return next_step
        services.open_login_session(member, ip_address=_client_ip())
        db.session.commit()
        login_user(member)
        return redirect(safe_next_url(form.next.data, url_for("home.index")))
    return render_template("members/login.html", form=form)


@bp.route("/deconnexion", methods=["POST"])
@signed_in
def logout():
    services.close_login_session(current_user.login_token)
    db.session.commit()
    logout_user()
    if (at_provider := identity_flow.provider_logout()) is not None:
        return at_provider  # ends the ProConnect session too, then comes back to the login page
    flash("Vous êtes déconnecté·e.", "info")
    return redirect(url_for("members.login"))


@bp.route("/mot-de-passe/oublie", methods=["GET", "POST"])
@public
def password_forgot():
    form = PasswordForgotForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data, ip_address=_client_ip())
        db.session.commit()
        flash("Si un compte existe pour cette adresse, un lien de réinitialisation vient d'y être envoyé. "
              "Il est valable 2 heures.", "info")
        return redirect(url_for("members.login"))
    return render_template("members/password_forgot.html", form=form)


@bp.route("/mot-de-passe/<any(activation, reinitialisation):purpose>/<token>", methods=["GET", "POST"])
@public
def password_set(purpose, token):
    member = services.member_for_password_token(token, PASSWORD_PURPOSES[purpose])
    if member is None:
        return render_template("members/password_link_invalid.html", purpose=purpose), 400
    form = PasswordSetForm()

    def page():
        return render_template("members/password_set.html", form=form, member=member, purpose=purpose)

    if form.validate_on_submit():
        with on_refusal(page, under=form.password):
            services.set_password(member, form.password.data)
        db.session.commit()
        flash("Votre mot de passe est enregistré. Vous pouvez vous connecter.", "success")
        return redirect(url_for("members.login"))
    return page()


# --- profile and directory ------------------------------------------------------------------------

@bp.route("/profil", methods=["GET", "POST"])
@signed_in
def profile():
    form = ProfileForm(obj=current_user)
    network_id = current_user.network_id
    form.set_references(queries.institutions_of(network_id) if network_id else [],
                        queries.territories_of(network_id) if network_id else [])
    if form.validate_on_submit():
        with on_refusal(lambda: _profile_page(form)):
            services.update_profile(actor=current_user, data=_member_data(form, current_user))
        db.session.commit()
        flash("Votre profil est à jour.", "success")
        return redirect(url_for("members.profile"))
    return _profile_page(form)


def _profile_page(form: ProfileForm):
    member = queries.member_detail(current_user.id)
    pending = email_changes.open_change_of(member, with_requester=True)
    feed_url = (external_url("sessions.calendar_feed", token=member.calendar_token)
                if "sessions.calendar_feed" in current_app.view_functions and member.calendar_token else None)
    return render_template("members/profile.html", form=form, member=member, feed_url=feed_url,
                           pending_email_change=pending)


@bp.route("/profil/calendrier/regenerer", methods=["POST"])
@signed_in
def calendar_token_regenerate():
    services.regenerate_calendar_token(actor=current_user)
    db.session.commit()
    flash("Nouvelle adresse d'agenda créée : l'ancienne ne fonctionne plus.", "success")
    return redirect(url_for("members.profile"))


@bp.route("/membres")
@signed_in
def directory():
    network = network_in_scope()
    require(permissions.can_view_directory(current_user, network))
    can_manage = permissions.can_manage_members(current_user, network)
    search = request.args.get("q", "")[:100]
    members = queries.directory(network, search=search, include_inactive=can_manage)
    return render_template("members/directory.html", network=network, members=members, search=search,
                           can_manage=can_manage, member_url=id_urls("members.member_detail", "member_id"))


@bp.route("/membres/<int:member_id>")
@signed_in
def member_detail(member_id):
    member = queries.member_detail(member_id) or abort(404)
    require_in_reach(member.network_id)
    require(permissions.can_view_member(current_user, member))
    can_edit = permissions.can_edit_member(current_user, member)
    return render_template("members/member_detail.html", member=member, can_edit=can_edit,
                           can_deactivate=permissions.can_deactivate_member(current_user, member),
                           can_force_email=permissions.can_force_email_change(current_user, member),
                           pending_email_change=email_changes.open_change_of(member) if can_edit else None)


@bp.route("/membres/nouveau", methods=["GET", "POST"])
@roles(Role.ADMIN, Role.FACILITATOR)
def member_create():
    network = network_in_scope()
    require(permissions.can_manage_members(current_user, network))
    form = MemberForm(actor=current_user, institutions=queries.institutions_of(network.id),
                      territories=queries.territories_of(network.id), role=request.args.get("role", Role.COORDINATOR))
    def page():
        return render_template("members/member_form.html", form=form, network=network, member=None)

    if form.validate_on_submit():
        with on_refusal(page, under=lambda message: form.email if "e-mail" in message else form.role):
            member = services.create_member(actor=current_user, network=network, data=_member_data(form, Member()))
        db.session.commit()
        flash(f"{member.full_name} est ajouté·e ; un e-mail l'invite à choisir son mot de passe.", "success")
        return redirect(url_for("members.member_detail", member_id=member.id))
    return page()


@bp.route("/membres/<int:member_id>/modifier", methods=["GET", "POST"])
@roles(Role.ADMIN, Role.FACILITATOR)
def member_edit(member_id):
    member = queries.member_detail(member_id) or abort(404)
    require_in_reach(member.network_id)
    require(permissions.can_edit_member(current_user, member))
    network_id = member.network_id
    form = MemberForm(obj=member, actor=current_user, is_admin_account=member.is_admin,
                      institutions=queries.institutions_of(network_id) if network_id else [],
                      territories=queries.territories_of(network_id) if network_id else [])
    if form.validate_on_submit():
        # After the rollback the member is loaded again: its network is a relationship the page reads.
        with on_refusal(lambda: _member_form_page(form, queries.member_detail(member_id)),
                        under=lambda message: form.email if "adresse" in message else form.role):
            services.update_member(actor=current_user, member=member, data=_member_data(form, member))
        db.session.commit()
        flash("Les modifications sont enregistrées.", "success")
        if services.normalize_email(form.email.data) != member.email:  # an activated account's address waits
            flash(f"L'adresse e-mail ne changera qu'avec l'accord de {member.full_name}\u202f: un e-mail le lui "
                  f"demande à {member.email}, puis la nouvelle adresse devra être confirmée.", "info")
        return redirect(url_for("members.member_detail", member_id=member.id))
    return _member_form_page(form, member)


def _member_form_page(form: MemberForm, member: Member):
    return render_template("members/member_form.html", form=form, network=member.network, member=member)


@bp.route("/membres/<int:member_id>/<any(desactiver, reactiver, reinviter):action>", methods=["POST"])
@roles(Role.ADMIN, Role.FACILITATOR)
def member_action(member_id, action):
    member = db.get_or_404(Member, member_id)
    require_in_reach(member.network_id)
    require(permissions.can_edit_member(current_user, member))
    verb = {"desactiver": services.deactivate_member, "reactiver": services.reactivate_member,
            "reinviter": services.resend_account_invitation}[action]
    with on_refusal(url_for("members.member_detail", member_id=member.id)):
        verb(actor=current_user, member=member)
    db.session.commit()
    flash({"desactiver": f"Le compte de {member.full_name} est désactivé ; ses sessions sont fermées.",
           "reactiver": f"Le compte de {member.full_name} est réactivé.",
           "reinviter": f"Une nouvelle invitation est envoyée à {member.email}."}[action], "success")
    return redirect(url_for("members.member_detail", member_id=member.id))


# --- CSV import -------------------------------------------------------------------------------------

@bp.route("/membres/import", methods=["GET", "POST"])
@roles(Role.ADMIN, Role.FACILITATOR)
def member_import():
    network = network_in_scope()
    require(permissions.can_manage_members(current_user, network))
    form = ImportUploadForm()
    if form.validate_on_submit():
        raw = form.file.data.read()
        preview = parse_members_csv(raw, network)
        confirm = ImportConfirmForm(payload=base64.b64encode(raw).decode())
        return render_template("members/import_preview.html", network=network, preview=preview, confirm=confirm)
    return render_template("members/import_upload.html", network=network, form=form)


@bp.route("/membres/import/confirmer", methods=["POST"])
@roles(Role.ADMIN, Role.FACILITATOR)
def member_import_confirm():
    network = network_in_scope()
    require(permissions.can_manage_members(current_user, network))
    form = ImportConfirmForm()
    try:
        raw = base64.b64decode(form.payload.data or "", validate=True) if form.validate_on_submit() else None
    except (binascii.Error, ValueError):
        raw = None
    if not raw:
        flash("Le fichier à importer est illisible : recommencez l'import.", "error")
        return redirect(url_for("members.member_import", **scope_args(network)))
    preview = parse_members_csv(raw, network)
    created = import_members(actor=current_user, network=network, preview=preview)
    db.session.commit()
    flash(f"{plural(len(created), 'membre importé', 'membres importés')} ; "
          f"{plural(len(preview.invalid_rows), 'ligne en erreur ignorée', 'lignes en erreur ignorées')}. "
          "Chaque nouveau membre reçoit un e-mail pour choisir son mot de passe.", "success")
    return redirect(url_for("members.directory", **scope_args(network)))


# --- networks (admin) and their reference data ----------------------------------------------------------

@bp.route("/reseaux")
@roles(Role.ADMIN)
def network_list():
    return render_template("members/network_list.html", rows=queries.networks_with_counts())


@bp.route("/reseaux/nouveau", methods=["GET", "POST"])
@roles(Role.ADMIN)
def network_create():
    form = NetworkForm()
    if form.validate_on_submit():
        with on_refusal(lambda: render_template("members/network_form.html", form=form), under=form.slug):
            network = services.create_network(actor=current_user, name=form.name.data, slug=form.slug.data,
                                              department_code=form.department_code.data,
                                              mailbox_email=form.mailbox_email.data)
        db.session.commit()
        flash(f"Le réseau « {network.name} » est créé. Ajoutez ses institutions, territoires et co-animateurs.",
              "success")
        return redirect(url_for("members.network_settings", slug=network.slug))
    return render_template("members/network_form.html", form=form)


@bp.route("/reseaux/<slug>/parametres", methods=["GET", "POST"])
@roles(Role.ADMIN, Role.FACILITATOR)
def network_settings(slug):
    network = queries.network_by_slug(slug) or abort(404)
    require_in_reach(network.id)
    require(permissions.can_manage_members(current_user, network))
    institution_form = InstitutionForm(prefix="institution")
    territory_form = TerritoryForm(prefix="territory")
    submitted = request.form.get("which")
    form, add = {"institution": (institution_form, services.add_institution),
                 "territory": (territory_form, services.add_territory)}.get(submitted, (None, None))
    def page():
        return render_template("members/network_settings.html", network=network,
                               institutions=queries.institutions_of(network.id),
                               territories=queries.territories_of(network.id),
                               institution_form=institution_form, territory_form=territory_form)

    if form is not None and form.validate_on_submit():
        values = {"name": form.name.data, **({"kind": form.kind.data} if submitted == "institution"
                                             else {"siren": form.siren.data})}
        with on_refusal(page, under=form.name):
            add(actor=current_user, network=network, **values)
        db.session.commit()
        flash("Ajout enregistré.", "success")
        return redirect(url_for("members.network_settings", slug=slug))
    return page()


# Institutions and territories: renamed, or deleted while no member (even a former one) refers to them.
@dataclass(frozen=True)
class Reference:
    model: type
    form: type
    update: Callable
    delete: Callable
    title: str  # of the edit page
    saved: str
    deleted: str  # with {name}


REFERENCES = {
    "institutions": Reference(Institution, InstitutionForm, services.update_institution, services.delete_institution,
                              "Modifier l'institution", "L'institution est modifiée.",
                              "L'institution « {name} » est supprimée."),
    "territoires": Reference(Territory, TerritoryForm, services.update_territory, services.delete_territory,
                             "Modifier le territoire", "Le territoire est modifié.",
                             "Le territoire « {name} » est supprimé."),
}


def _reference_in(slug: str, kind: str, ident: int):
    network = queries.network_by_slug(slug) or abort(404)
    model = REFERENCES[kind].model
    require_in_reach(network.id)
    require(permissions.can_manage_members(current_user, network))
    item = db.session.get(model, ident)
    if item is None or item.network_id != network.id:
        abort(404)
    return network, item


@bp.route("/reseaux/<slug>/<any(institutions, territoires):kind>/<int:ident>/modifier", methods=["GET", "POST"])
@roles(Role.ADMIN, Role.FACILITATOR)
def reference_edit(slug, kind, ident):
    network, item = _reference_in(slug, kind, ident)
    reference = REFERENCES[kind]
    form = reference.form(obj=item)
    def page():
        return render_template("members/reference_edit.html", network=network, item=item, form=form, kind=kind,
                               title=reference.title)

    if form.validate_on_submit():
        values = {"kind": form.kind.data} if kind == "institutions" else {"siren": form.siren.data}
        with on_refusal(page, under=form.name):
            reference.update(item, actor=current_user, network=network, name=form.name.data, **values)
        db.session.commit()
        flash(reference.saved, "success")
        return redirect(url_for("members.network_settings", slug=slug))
    return page()


@bp.route("/reseaux/<slug>/<any(institutions, territoires):kind>/<int:ident>/supprimer", methods=["POST"])
@roles(Role.ADMIN, Role.FACILITATOR)
def reference_delete(slug, kind, ident):
    network, item = _reference_in(slug, kind, ident)
    reference, name = REFERENCES[kind], item.name
    with on_refusal(url_for("members.network_settings", slug=slug)):
        reference.delete(item, actor=current_user, network=network)
    db.session.commit()
    flash(reference.deleted.format(name=name), "success")
    return redirect(url_for("members.network_settings", slug=slug))
