"""Email address changes (DESIGN.md §7): the member's own, their decisions, the emailed links, an admin's forced one."""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from network.auth import public, require, roles, signed_in
from network.errors import DomainError
from network.extensions import db
from network.formatting import french_datetime
from network.forms import add_form_error
from network.members import email_changes, permissions, queries, tokens
from network.members.blueprint import bp
from network.members.enums import Role
from network.members.forms import EmailChangeForm, EmailForceForm, LinkConfirmForm
from network.views_support import on_refusal

EFFECTIVE_PATTERN = "EEEE d MMMM y 'à' H' h 'mm"
ACTIONS_BY_WORD = {word: action for action, word in tokens.EMAIL_CHANGE_URL_WORDS.items()}
DONE_MESSAGES = {
    "approve": "Merci. Un lien de confirmation est envoyé à la nouvelle adresse\u202f: l'adresse de votre compte "
               "changera quand il aura été ouvert.",
    "refuse": "Le changement d'adresse est refusé\u202f: votre adresse reste la même.",
    "cancel": "Le changement d'adresse est annulé\u202f: votre adresse reste la même.",
    "verify": "Votre nouvelle adresse est confirmée\u202f: c'est désormais celle de votre compte.",
}


def _decide(action: str, change, member, *, actor):
    """Run the member's decision on `change`; `actor` is the signed-in member, or None for an emailed link."""
    if action == "approve":
        email_changes.approve_email_change(change, member, actor=actor)
    elif action == "verify":
        keep = current_user.login_token if current_user.is_authenticated and current_user.id == member.id else None
        email_changes.verify_email_change(change, member, keep_login_token=keep)
    else:
        email_changes.refuse_email_change(change, member, actor=actor)


@bp.route("/profil/adresse", methods=["GET", "POST"])
@signed_in
def email_change():
    form = EmailChangeForm()
    if form.validate_on_submit():
        try:
            change = email_changes.request_own_email_change(current_user, form.new_email.data,
                                                            password=form.password.data)
        except DomainError as error:
            db.session.commit()  # a wrong password is counted
            add_form_error(form, "new_email" if "adresse" in str(error) else "password", str(error))
        else:
            db.session.commit()
            flash(f"Un lien de confirmation est envoyé à {change.new_email}\u202f: l'adresse de votre compte changera "
                  "quand vous l'aurez ouvert.", "success")
            return redirect(url_for("members.profile"))
    return render_template("members/email_change.html", form=form)


@bp.route("/profil/adresse/<any(approuver, refuser, annuler):word>", methods=["POST"])
@signed_in
def email_change_decide(word):
    change = email_changes.open_change_of(current_user) or abort(404)
    action = ACTIONS_BY_WORD[word]
    with on_refusal(url_for("members.profile")):
        _decide(action, change, current_user, actor=current_user)
    db.session.commit()
    flash(DONE_MESSAGES[action], "success")
    return redirect(url_for("members.profile"))


@bp.route("/adresse/<any(approuver, refuser, confirmer, annuler):word>/<token>", methods=["GET", "POST"])
@public
def email_change_link(word, token):
    action = ACTIONS_BY_WORD[word]
    found = email_changes.change_for_link(token, action)
    if found is None:
        return render_template("members/email_change_link_invalid.html"), 400
    change, member = found
    form = LinkConfirmForm()
    if form.validate_on_submit():
        try:
            _decide(action, change, member, actor=None)
        except DomainError as error:
            db.session.rollback()
            return render_template("members/email_change_link_invalid.html", message=str(error)), 409
        db.session.commit()
        return render_template("members/email_change_link_done.html", message=DONE_MESSAGES[action])
    return render_template("members/email_change_link.html", form=form, action=action, change=change, member=member)


@bp.route("/membres/<int:member_id>/adresse/imposer", methods=["GET", "POST"])
@roles(Role.ADMIN)
def email_force(member_id):
    member = queries.member_detail(member_id) or abort(404)
    require(permissions.can_force_email_change(current_user, member))
    form = EmailForceForm()

    def page():
        return render_template("members/email_force.html", form=form, member=member,
                               pending=email_changes.open_change_of(member),
                               delay_hours=int(current_app.config["EMAIL_CHANGE_FORCED_DELAY"].total_seconds() // 3600))

    if form.validate_on_submit():
        with on_refusal(page, under=form.new_email):
            change = email_changes.force_email_change(member, form.new_email.data, actor=current_user)
        db.session.commit()
        flash(f"Les deux adresses sont prévenues. Sauf annulation par {member.full_name}, {change.new_email} "
              f"deviendra l'adresse du compte le {french_datetime(change.effective_at, EFFECTIVE_PATTERN)}.",
              "success")
        return redirect(url_for("members.member_detail", member_id=member.id))
    return page()
