import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from network.auth import roles, signed_in
from network.extensions import db
from network.forms import query_int, query_page
from network.members.enums import Role
from network.members.models import Member, Network
from network.privacy import queries, services
from network.privacy.blueprint import bp
from network.privacy.forms import ErasureForm
from network.text import DB_INT_MAX
from network.views_support import on_refusal


@bp.route("/mes-donnees.zip")
@signed_in
def my_data():
    archive = services.member_data_zip(current_user)
    return send_file(io.BytesIO(archive), mimetype="application/zip", as_attachment=True,
                     download_name="mes-donnees-reseau.zip")


@bp.route("/membres/<int:member_id>/effacement", methods=["GET", "POST"])
@roles(Role.ADMIN)
def erase_member(member_id):
    member = db.get_or_404(Member, member_id)
    if member.erased_at is not None:
        abort(404)
    form = ErasureForm()

    def page():
        return render_template("privacy/erase_member.html", member=member, form=form)

    if form.validate_on_submit():
        with on_refusal(page):
            services.erase_member(actor=current_user, member=member)
        db.session.commit()
        flash("Le membre est effacé : son identité a été remplacée partout, les indicateurs gardent leurs comptes.",
              "success")
        return redirect(url_for("members.member_detail", member_id=member.id))
    return page()


@bp.route("/journal")
@roles(Role.ADMIN)
def audit_log():
    network = db.session.get(Network, query_int("reseau", 0, minimum=0, maximum=DB_INT_MAX, clamp=True))
    action = request.args.get("action", "")[:60]
    page = queries.audit_page(page=query_page(), network_id=network.id if network else None,
                              action_prefix=action)
    return render_template("privacy/audit_log.html", page=page, network=network, action=action,
                           networks=queries.network_names(), actions=queries.audit_actions())
