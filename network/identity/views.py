from flask import abort, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user

from network.auth import public, require, roles, safe_next_url, signed_in
from network.errors import DomainError
from network.extensions import db
from network.forms import add_form_error
from network.identity import flow, oidc, passkeys, permissions, services, twofactor
from network.identity.blueprint import bp
from network.identity.forms import ConfirmForm, LinkPasswordForm, SecondFactorForm, SignInPolicyForm, TotpConfirmForm
from network.members import queries as member_queries
from network.members.enums import Role
from network.members.models import Member
from network.members.services import LoginThrottled, authenticate
from network.outbox import external_url
from network.security import CONTENT_SECURITY_POLICY
from network.views_support import on_refusal


@bp.app_template_global()
def sso_enabled() -> bool:
    return oidc.is_enabled()


@bp.app_template_global()
def sso_label() -> str:
    return flow.oidc_label()


bp.add_app_template_global(permissions.can_reset_second_factor, "can_reset_second_factor")
bp.add_app_template_global(permissions.can_manage_sign_in_policy, "can_manage_sign_in_policy")


@bp.after_app_request
def allow_logout_form_to_reach_provider(response):
    """The logout button's POST is answered by a redirect to the provider's end-session endpoint: Chromium checks
    the CSP form-action of the page against that redirect too, so the provider's origin joins 'self'."""
    if oidc.is_enabled():
        policy = response.headers.get("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        origin = oidc.provider_origin()
        if origin not in policy:
            response.headers["Content-Security-Policy"] = policy.replace("form-action 'self'",
                                                                         f"form-action 'self' {origin}")
    return response


def _back_to_login(message: str, category: str = "error"):
    flash(message, category)
    return redirect(url_for("members.login"))


# --- single sign-on ------------------------------------------------------------------------------------------

@bp.route("/connexion/proconnect")
@public
def sso_start():
    config = oidc.settings() or abort(404)
    session[flow.NEXT_KEY] = safe_next_url(request.args.get("next"), "")
    try:
        return oidc.client(config).authorize_redirect(external_url("identity.sso_callback"),
                                                      **oidc.authorize_params(config))
    except oidc.REFUSALS as error:
        return _back_to_login(oidc.french_message(error))


@bp.route("/connexion/proconnect/retour")
@public
def sso_callback():
    config = oidc.settings() or abort(404)
    try:
        identity = oidc.complete_authorization(config)
    except oidc.SsoRefused as error:
        return _back_to_login(str(error))
    next_url = session.pop(flow.NEXT_KEY, "")
    found = services.resolve_provider_identity(identity)
    if found.outcome == "linked":
        return flow.after_provider(found.member, identity, next_url=next_url)
    if found.outcome == "to_link":
        flow.hold_link(found.member, identity, next_url=next_url)
        return redirect(url_for("identity.sso_link"))
    if found.outcome == "unknown":
        flow.hold_join_prefill(identity)
        flash("Aucun compte Réseau ne correspond à votre identité ProConnect. Choisissez votre réseau pour demander "
              "à le rejoindre : le formulaire est pré-rempli.", "info")
        return redirect(url_for("registration.choose_network"))
    return _back_to_login(found.message)


@bp.route("/connexion/proconnect/deconnecte")
@public
def sso_logged_out():
    try:
        oidc.client().validate_logout_response()
    except (*oidc.REFUSALS, AttributeError):
        pass  # the local session is closed whatever the provider says
    flash("Vous êtes déconnecté·e de Réseau et de ProConnect.", "info")
    return redirect(url_for("members.login"))


@bp.route("/connexion/proconnect/lier", methods=["GET", "POST"])
@public
def sso_link():
    held = flow.held_link() or abort(404)
    member, data = held
    form = LinkPasswordForm()
    if form.validate_on_submit():
        try:
            confirmed = authenticate(member.email, form.password.data, ip_address=flow.client_ip())
        except LoginThrottled as error:
            db.session.commit()
            flash(str(error), "error")
            return render_template("identity/sso_link.html", form=form, member=member, email_form=ConfirmForm()), 429
        if confirmed is None:
            db.session.commit()
            add_form_error(form, "password", "Mot de passe incorrect.")
        else:
            return _link_and_continue(member, data)
    return render_template("identity/sso_link.html", form=form, member=member, email_form=ConfirmForm())


def _link_and_continue(member: Member, data: dict):
    with on_refusal(url_for("members.login")):
        services.link_provider_identity(member, issuer=data["iss"], subject=data["sub"], email=data["email"])
    flash("Votre identité ProConnect est reliée à votre compte : elle suffira désormais pour vous connecter.",
          "success")
    return flow.after_provider(member, flow.identity_of_link(data), next_url=data.get("next"))


@bp.route("/connexion/proconnect/lier/email", methods=["POST"])
@public
def sso_link_email():
    held = flow.held_link() or abort(404)
    member, data = held
    if ConfirmForm().validate_on_submit():
        link = flow.link_email_url(member, data)
        if services.send_link_email(member, link=link, valid_minutes=flow.LINK_MAX_AGE // 60):
            flash(f"Un lien vient d'être envoyé à {member.email}. Ouvrez-le dans ce navigateur dans l'heure qui vient.",
                  "info")
        else:
            flash("Plusieurs liens ont déjà été envoyés à cette adresse : utilisez le dernier reçu, ou patientez une "
                  "heure.", "error")
        db.session.commit()
    return redirect(url_for("identity.sso_link"))


@bp.route("/connexion/proconnect/lier/<token>", methods=["GET", "POST"])
@public
def sso_link_confirm(token):
    found = flow.read_link_token(token)
    if found is None:
        return render_template("identity/link_invalid.html"), 400
    member, data = found
    form = ConfirmForm()
    if form.validate_on_submit():
        held = flow.held_link()
        if held is not None and held[1]["sub"] == data["sub"] and held[0].id == member.id:
            return _link_and_continue(member, held[1])
        with on_refusal(url_for("members.login")):
            services.link_provider_identity(member, issuer=data["iss"], subject=data["sub"], email=data["e"])
        db.session.commit()
        return _back_to_login("Votre identité ProConnect est reliée à votre compte : connectez-vous avec ProConnect.",
                              "success")
    return render_template("identity/sso_link_confirm.html", form=form, member=member, provider_email=data["e"])


# --- the second-factor step of a sign-in ---------------------------------------------------------------------

@bp.route("/connexion/second-facteur", methods=["GET", "POST"])
@public
def second_factor():
    member, data = flow.pending() or (None, None)
    if member is None:
        return _back_to_login("Votre connexion a expiré : recommencez.", "info")
    has_totp = twofactor.has_confirmed_totp(member)
    if not has_totp and not passkeys.has_passkey(member):
        return redirect(url_for("identity.second_factor_enrol"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        check = services.verify_second_factor(member)
        try:
            check.check(form.code.data)
        except services.SecondFactorThrottled as error:
            db.session.commit()
            add_form_error(form, "code", str(error))
            return _render_second_factor(form, member, has_totp), 429
        except services.SecondFactorRejected as error:
            db.session.commit()
            add_form_error(form, "code", str(error))
        else:
            if check.used_recovery_code:
                left = twofactor.unused_recovery_count(member)
                flash(f"Code de secours accepté ; il vous en reste {left}. Pensez à en créer de nouveaux depuis "
                      "« Mon profil » → « Sécurité de la connexion »." if left != 1 else
                      "Code de secours accepté ; c'était l'avant-dernier : créez-en de nouveaux depuis « Mon profil ».",
                      "warning")
            return _finish(member, data, remember=form.remember.data)
    return _render_second_factor(form, member, has_totp)


def _render_second_factor(form, member, has_totp: bool):
    return render_template("identity/second_factor.html", form=form, member=member, has_totp=has_totp,
                           has_passkey=passkeys.has_passkey(member))


def _finish(member: Member, data: dict, *, remember: bool):
    cookie = flow.remember_device(member) if remember else None
    response = flow.finish_sign_in(member, next_url=data.get("next"), id_token=data.get("id_token"))
    if cookie is not None:
        flow.set_device_cookie(response, cookie)
    return response


@bp.route("/connexion/second-facteur/enregistrement", methods=["GET", "POST"])
@public
def second_factor_enrol():
    member, data = flow.pending() or (None, None)
    if member is None:
        return _back_to_login("Votre connexion a expiré : recommencez.", "info")
    if twofactor.has_confirmed_totp(member):
        return redirect(url_for("identity.second_factor"))
    credential, form, codes = _enrolment_step(member)
    if codes is not None:
        flow.finish_sign_in(member, next_url=data.get("next"), id_token=data.get("id_token"))
        return render_template("identity/recovery_codes.html", codes=codes,
                               next_url=safe_next_url(data.get("next"), url_for("home.index")))
    return _render_enrolment(member, credential, form, action=url_for("identity.second_factor_enrol"), at_login=True)


def _enrolment_step(member):
    """The TOTP enrolment shared by the sign-in step and the profile: the pending secret (kept across attempts), the
    form, and the recovery codes once the member's code confirms it (None until then, the form carrying the error)."""
    credential = twofactor.totp_of(member) or services.start_totp_enrolment(member)
    db.session.commit()
    form = TotpConfirmForm()
    codes = None
    if form.validate_on_submit():
        try:
            codes = services.confirm_totp(member, form.code.data)
        except DomainError as error:
            add_form_error(form, "code", str(error))
    return credential, form, codes


def _render_enrolment(member, credential, form, *, action: str, at_login: bool):
    uri = twofactor.provisioning_uri(credential.secret, member)
    return render_template("identity/enrol.html", form=form, member=member, qr_svg=twofactor.qr_code_svg(uri),
                           secret=twofactor.grouped(credential.secret), action=action, at_login=at_login,
                           required=services.second_factor_required_for_role(member))


# --- the member's own settings -------------------------------------------------------------------------------

@bp.route("/profil/securite")
@signed_in
def security():
    member = current_user
    credential = twofactor.totp_of(member)
    return render_template(
        "identity/security.html", member=member, link=services.sso_identity_of(member),
        totp_active=credential is not None and credential.confirmed_at is not None, credential=credential,
        recovery_left=twofactor.unused_recovery_count(member), devices=twofactor.trusted_devices_of(member),
        passkey_count=len(passkeys.passkeys_of(member)),
        required=services.second_factor_required_for_role(member), sso_required=services.sso_required(member))


@bp.route("/profil/securite/application", methods=["GET", "POST"])
@signed_in
def totp_enrol():
    member = current_user
    if twofactor.has_confirmed_totp(member):
        flash("Votre application d'authentification est déjà enregistrée.", "info")
        return redirect(url_for("identity.security"))
    credential, form, codes = _enrolment_step(member)
    if codes is not None:
        db.session.commit()
        flash("Votre application d'authentification est enregistrée.", "success")
        return render_template("identity/recovery_codes.html", codes=codes, next_url=url_for("identity.security"))
    return _render_enrolment(member, credential, form, action=url_for("identity.totp_enrol"), at_login=False)


@bp.route("/profil/securite/codes-de-secours", methods=["POST"])
@signed_in
def recovery_codes_regenerate():
    with on_refusal(url_for("identity.security")):
        codes = services.regenerate_recovery_codes(current_user, actor=current_user)
    db.session.commit()
    return render_template("identity/recovery_codes.html", codes=codes, next_url=url_for("identity.security"))


@bp.route("/profil/securite/<any('retirer-application', 'oublier-appareils', 'delier-proconnect'):action>",
          methods=["POST"])
@signed_in
def security_action(action):
    verb, message = {
        "retirer-application": (services.remove_totp, "Votre application d'authentification est retirée."),
        "oublier-appareils": (services.forget_devices, "Les appareils mémorisés devront de nouveau saisir un code."),
        "delier-proconnect": (services.unlink_provider_identity, "Votre identité ProConnect n'est plus reliée."),
    }[action]
    with on_refusal(url_for("identity.security")):
        verb(current_user, actor=current_user)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("identity.security"))


@bp.route("/profil/securite/appareils/<int:device_id>/oublier", methods=["POST"])
@signed_in
def device_forget(device_id):
    if not services.forget_devices(current_user, actor=current_user, device_id=device_id):
        abort(404)
    db.session.commit()
    flash("Cet appareil devra de nouveau saisir un code.", "success")
    return redirect(url_for("identity.security"))


# --- admins and facilitators ---------------------------------------------------------------------------------

@bp.route("/membres/<int:member_id>/second-facteur/reinitialiser", methods=["POST"])
@roles(Role.ADMIN)
def second_factor_reset(member_id):
    member = db.get_or_404(Member, member_id)
    require(permissions.can_reset_second_factor(current_user, member))
    back = url_for("members.member_detail", member_id=member.id)
    with on_refusal(back):
        services.reset_second_factor(member, actor=current_user)
    db.session.commit()
    flash(f"Le second facteur de {member.full_name} est réinitialisé ; un e-mail l'en informe.", "success")
    return redirect(back)


@bp.route("/reseaux/<slug>/connexion", methods=["GET", "POST"])
@roles(Role.ADMIN, Role.FACILITATOR)
def sign_in_policy(slug):
    network = member_queries.network_by_slug(slug) or abort(404)
    require(permissions.can_manage_sign_in_policy(current_user, network))
    policy = services.network_policy(network.id)
    form = SignInPolicyForm(requires_sso_for_facilitators=bool(policy and policy.requires_sso_for_facilitators))

    def page():
        return render_template("identity/sign_in_policy.html", form=form, network=network)

    if form.validate_on_submit():
        with on_refusal(page, under=form.requires_sso_for_facilitators):
            services.set_network_sso_requirement(network, form.requires_sso_for_facilitators.data, actor=current_user)
        db.session.commit()
        flash("La règle de connexion du réseau est enregistrée.", "success")
        return redirect(url_for("identity.sign_in_policy", slug=slug))
    return page()


# --- passkeys (WebAuthn): JSON exchanges with static/js/passkeys.js ---------------------------------------------

CHALLENGE_KEY = "identity.webauthn_challenge"


def _json_answer() -> dict:
    answer = request.get_json(silent=True)
    return answer if isinstance(answer, dict) else {}


@bp.route("/profil/securite/cle-d-acces")
@signed_in
def passkey_page():
    return render_template("identity/passkeys.html", passkeys=passkeys.passkeys_of(current_user))


@bp.route("/profil/securite/cle-d-acces/options", methods=["POST"])
@signed_in
def passkey_registration_options():
    options, session[CHALLENGE_KEY] = passkeys.registration_options(current_user)
    return current_app.response_class(options, mimetype="application/json")


@bp.route("/profil/securite/cle-d-acces/enregistrer", methods=["POST"])
@signed_in
def passkey_register():
    try:
        services.add_passkey(current_user, _json_answer(), challenge=session.pop(CHALLENGE_KEY, None),
                             label=flow.device_label())
    except DomainError as error:
        db.session.rollback()
        return jsonify(error=str(error)), 400
    db.session.commit()
    flash("Votre clé d'accès est enregistrée : elle pourra remplacer le code à la connexion.", "success")
    return jsonify(redirect=url_for("identity.passkey_page"))


@bp.route("/profil/securite/cle-d-acces/<int:passkey_id>/retirer", methods=["POST"])
@signed_in
def passkey_remove(passkey_id):
    if not services.remove_passkey(current_user, passkey_id, actor=current_user):
        abort(404)
    db.session.commit()
    flash("La clé d'accès est retirée.", "success")
    return redirect(url_for("identity.passkey_page"))


@bp.route("/connexion/second-facteur/cle/options", methods=["POST"])
@public
def passkey_sign_in_options():
    member, _data = flow.pending() or abort(404)
    options, session[CHALLENGE_KEY] = passkeys.authentication_options(member)
    return current_app.response_class(options, mimetype="application/json")


@bp.route("/connexion/second-facteur/cle", methods=["POST"])
@public
def passkey_sign_in():
    pending = flow.pending()
    if pending is None:
        return jsonify(error="Votre connexion a expiré : recommencez."), 400
    member, data = pending
    try:
        services.check_passkey(member, _json_answer(), challenge=session.pop(CHALLENGE_KEY, None))
    except services.SecondFactorThrottled as error:
        db.session.commit()
        return jsonify(error=str(error)), 429
    except services.SecondFactorRejected as error:
        db.session.commit()
        return jsonify(error=str(error)), 400
    response = flow.finish_sign_in(member, next_url=data.get("next"), id_token=data.get("id_token"))
    return jsonify(redirect=response.location)
