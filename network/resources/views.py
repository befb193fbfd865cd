"""Meeting materials, minutes, the network's library, and a guest's view through their link."""

import io

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from network.auth import public, require, roles, signed_in
from network.calendar import to_paris
from network.database import utcnow
from network.extensions import db
from network.formatting import plural
from network.members.enums import Role
from network.members.models import Network
from network.codev.enums import THEME_LABELS, Theme
from network.codev.models import Case
from network.resources import news, queries, search, services
from network.resources.blueprint import bp
from network.resources.enums import FAMILY_LABELS, ResourceStatus
from network.resources.files import format_size
from network.resources.forms import (
    EmptyForm, GuestUploadForm, MinutesForm, NewsForm, NewsPreferenceForm, ResourceForm, ShareForm,
)
from network.resources.permissions import (
    can_delete_resource, can_manage_meeting_resources, can_view_library, can_view_meeting_resources,
    can_view_resource_figures,
    can_view_minutes, can_view_resource, can_write_minutes,
)
from network.resources.rendering import render_markdown
from network.routing import id_urls
from network.sessions.guest_tokens import read_guest_token, read_upload_token
from network.views_support import on_refusal

ID = "int(max=2147483647)"  # ids beyond the database's integers are unknown (404), never an error
MEMBERS = (Role.FACILITATOR, Role.COORDINATOR)
FORM_OVERHEAD = 64 * 1024  # the form's other fields around the file
UPLOAD_ENDPOINTS = frozenset({"resources.resource_add", "resources.guest_upload", "resources.news_create"})


def _allow_larger_uploads():
    """Before any other hook reads the body (the CSRF check does): upload pages take RESOURCE_MAX_BYTES,
    every other page keeps the app's MAX_CONTENT_LENGTH."""
    if request.endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = current_app.config["RESOURCE_MAX_BYTES"] + FORM_OVERHEAD


@bp.record_once
def _install_upload_limit(state):
    state.app.before_request_funcs.setdefault(None, []).insert(0, _allow_larger_uploads)


def _meeting(meeting_id: int, *, manage: bool = False):
    """The meeting; 404 outside its network (its existence is not told), 403 for a coordinator managing."""
    meeting = queries.meeting(meeting_id)
    if meeting is None or not can_view_meeting_resources(current_user, meeting):
        abort(404)
    require(not manage or can_manage_meeting_resources(current_user, meeting))
    return meeting


def _file_response(resource, content: bytes):
    """Inline only for PDF and images; the type we checked, never sniffed again by the browser; not shared caches."""
    file_type = resource.file_type
    response = send_file(io.BytesIO(content), mimetype=file_type.value, as_attachment=not file_type.is_inline,
                         download_name=resource.filename, etag=False, conditional=False, max_age=None)
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox" \
        if file_type.family == "image" else "default-src 'none'; object-src 'self'; frame-ancestors 'none'"
    return response


# --- a meeting's materials ----------------------------------------------------------------------------

@bp.route(f"/rencontre/<{ID}:meeting_id>")
@roles(*MEMBERS)
def meeting_materials(meeting_id):
    meeting = _meeting(meeting_id)
    can_manage = can_manage_meeting_resources(current_user, meeting)
    agenda = queries.agenda(meeting.id)
    resources = queries.meeting_resources(meeting.id, include_pending=can_manage)
    minutes = queries.minutes_of(meeting.id)
    return render_template(
        "resources/meeting.html", meeting=meeting, agenda=agenda, can_manage=can_manage,
        general=[r for r in resources if r.agenda_item_id is None],
        by_item={item.id: [r for r in resources if r.agenda_item_id == item.id] for item in agenda},
        themes={theme.value: theme.label for theme in Theme},
        minutes=minutes if minutes and can_view_minutes(current_user, minutes) else None,
        can_write=can_write_minutes(current_user, meeting), empty_form=EmptyForm())


@bp.route(f"/rencontre/<{ID}:meeting_id>/ajouter", methods=["GET", "POST"])
@roles(Role.FACILITATOR)
def resource_add(meeting_id):
    meeting = _meeting(meeting_id, manage=True)
    agenda = queries.agenda(meeting.id)
    form = ResourceForm(agenda_item_id=request.args.get("point", type=int))
    form.set_agenda(agenda)

    def page():
        return render_template("resources/resource_form.html", form=form, meeting=meeting,
                               limit=format_size(current_app.config["RESOURCE_MAX_BYTES"]))

    if form.validate_on_submit():
        item = next((i for i in agenda if i.id == form.agenda_item_id.data), None)
        with on_refusal(page, under=form.url if form.kind.data == "link" else form.file):
            if form.kind.data == "link":
                services.attach_link(actor=current_user, meeting=meeting, title=form.title.data,
                                     description=form.description.data, url=form.url.data, agenda_item=item)
            else:
                upload = services.Upload(form.file.data.read(current_app.config["RESOURCE_MAX_BYTES"] + 1),
                                         form.file.data.filename)
                services.attach_file(actor=current_user, meeting=meeting, title=form.title.data or "",
                                     description=form.description.data, upload=upload, agenda_item=item)
        db.session.commit()
        flash("Document ajouté à la rencontre.", "success")
        return redirect(url_for("resources.meeting_materials", meeting_id=meeting.id))
    return page()


@bp.errorhandler(413)
def too_large(_error):
    limit = format_size(current_app.config["RESOURCE_MAX_BYTES"])
    return render_template("errors/error.html", code=413, title="Fichier trop volumineux",
                           message=f"Le fichier envoyé dépasse la taille autorisée ({limit}). "
                                   "Réduisez-le (par exemple en l'exportant en PDF) puis réessayez."), 413


@bp.route(f"/<{ID}:resource_id>/telecharger")
@roles(*MEMBERS, Role.ADMIN)
def download(resource_id):
    resource = queries.resource(resource_id)
    if resource is None or not resource.is_file or not can_view_resource(current_user, resource):
        abort(404)
    response = _file_response(resource, services.blob_content(resource))
    services.count_download(resource, day=to_paris(utcnow()).date())
    return response


@bp.route(f"/<{ID}:resource_id>/supprimer", methods=["POST"])
@roles(Role.FACILITATOR)
def resource_delete(resource_id):
    resource = _visible_resource(resource_id)
    require(can_delete_resource(current_user, resource))
    back = url_for("resources.meeting_materials", meeting_id=resource.meeting_id)
    with on_refusal(back):
        services.delete_resource(resource, actor=current_user)
    db.session.commit()
    flash("Document retiré.", "success")
    return redirect(back)


# --- minutes ------------------------------------------------------------------------------------------

@bp.route(f"/rencontre/<{ID}:meeting_id>/compte-rendu")
@roles(*MEMBERS)
def minutes_detail(meeting_id):
    meeting = _meeting(meeting_id)
    minutes = queries.minutes_of(meeting.id)
    if minutes is None or not can_view_minutes(current_user, minutes):
        abort(404)
    return render_template("resources/minutes.html", meeting=meeting, minutes=minutes,
                           body=render_markdown(minutes.body), codev=services.codev_summary(meeting),
                           versions=queries.minutes_versions(minutes.id) if minutes.is_published else [],
                           can_write=can_write_minutes(current_user, meeting), empty_form=EmptyForm(),
                           now=utcnow())


@bp.route(f"/rencontre/<{ID}:meeting_id>/compte-rendu/versions/<int(min=1, max=100000):version>")
@roles(*MEMBERS)
def minutes_version(meeting_id, version):
    meeting = _meeting(meeting_id)
    minutes = queries.minutes_of(meeting.id)
    if minutes is None or not minutes.is_published or not can_view_minutes(current_user, minutes):
        abort(404)
    old = queries.minutes_version(minutes.id, version) or abort(404)
    return render_template("resources/minutes_version.html", meeting=meeting, minutes=minutes, old=old,
                           body=render_markdown(old.body))


@bp.route(f"/rencontre/<{ID}:meeting_id>/compte-rendu/rediger", methods=["GET", "POST"])
@roles(Role.FACILITATOR)
def minutes_edit(meeting_id):
    meeting = _meeting(meeting_id, manage=True)
    minutes = queries.minutes_of(meeting.id)
    form = MinutesForm(obj=minutes)

    def page():
        return render_template("resources/minutes_form.html", form=form, meeting=meeting, minutes=minutes,
                               codev=services.codev_summary(meeting))

    if form.validate_on_submit():
        with on_refusal(page):
            minutes = services.save_minutes(meeting, actor=current_user, summary=form.summary.data or "",
                                            body=form.body.data or "")
        db.session.commit()
        flash("Compte rendu modifié : la nouvelle version est en ligne." if minutes.is_published
              else "Brouillon enregistré.", "success")
        return redirect(url_for("resources.minutes_detail", meeting_id=meeting.id))
    return page()


@bp.route(f"/rencontre/<{ID}:meeting_id>/compte-rendu/publier", methods=["POST"])
@roles(Role.FACILITATOR)
def minutes_publish(meeting_id):
    meeting = _meeting(meeting_id, manage=True)
    minutes = queries.minutes_of(meeting.id) or abort(404)
    back = url_for("resources.minutes_detail", meeting_id=meeting.id)
    with on_refusal(back):
        sent = services.publish_minutes(minutes, meeting, actor=current_user)
    db.session.commit()
    flash(f"Compte rendu publié ; {_people(sent)} {'est prévenue' if sent == 1 else 'sont prévenues'} "
          "par e-mail." if sent else "Compte rendu publié.", "success")
    return redirect(back)


def _people(count: int) -> str:
    return "1 personne invitée" if count == 1 else f"{count} personnes invitées"


# --- the network's library --------------------------------------------------------------------------

def _year() -> int | None:
    year = request.args.get("annee", type=int)
    return year if year and 1900 <= year <= 2200 else None


def _filters() -> queries.LibraryFilters:
    family = request.args.get("type") or None
    return queries.LibraryFilters(query=(request.args.get("q") or "")[:200], year=_year(),
                                  family=family if family in FAMILY_LABELS else None)


@bp.route("/")
@roles(*MEMBERS)
def library():
    network = db.get_or_404(Network, current_user.network_id)
    require(can_view_library(current_user, network))
    filters = _filters()
    items = queries.library_items(network.id, filters)
    by_topic = request.args.get("par") == "theme"
    groups = queries.group_by_topic(items) if by_topic else queries.group_by_meeting(items)
    return render_template("resources/library.html", network=network, filters=filters, groups=groups,
                           count=len(items), years=queries.library_years(network.id), families=FAMILY_LABELS,
                           by_topic=by_topic, figures_year=filters.year or to_paris(utcnow()).year,
                           materials_url=id_urls("resources.meeting_materials", "meeting_id"),
                           minutes_url=id_urls("resources.minutes_detail", "meeting_id"),
                           download_url=id_urls("resources.download", "resource_id"),
                           figures=queries.resource_figures(filters.year or to_paris(utcnow()).year,
                                                            network_id=network.id)
                           if can_view_resource_figures(current_user, network.id) else None)


# --- a named guest, through their link ------------------------------------------------------------------

def _guest(token: str):
    ids = read_guest_token(token)
    invitation = queries.guest_invitation(*ids) if ids else None
    if invitation is None:
        abort(404)
    return invitation, queries.meeting(invitation.meeting_id)


@bp.route("/invite/<token>")
@public
def guest_materials(token):
    invitation, meeting = _guest(token)
    minutes = queries.minutes_of(meeting.id)
    return render_template("resources/guest.html", token=token, invitation=invitation, meeting=meeting,
                           resources=queries.meeting_resources(meeting.id, include_pending=False),
                           minutes=minutes if minutes and minutes.is_published else None,
                           body=render_markdown(minutes.body) if minutes and minutes.is_published else None)


@bp.route(f"/invite/<token>/<{ID}:resource_id>")
@public
def guest_download(token, resource_id):
    invitation, meeting = _guest(token)
    resource = queries.resource(resource_id)
    if (resource is None or resource.meeting_id != meeting.id or not resource.is_file
            or resource.status != ResourceStatus.PUBLISHED):
        abort(404)
    response = _file_response(resource, services.blob_content(resource))
    services.count_download(resource, day=to_paris(utcnow()).date())
    return response




@bp.route("/depot/<token>", methods=["GET", "POST"])
@public
def guest_upload(token):
    """A guest speaker sends their slides once, from the link in their invitation email."""
    ids = read_upload_token(token)
    invitation = queries.guest_invitation(*ids) if ids else None
    if invitation is None:
        abort(404)
    meeting = queries.meeting(invitation.meeting_id)
    form = GuestUploadForm()
    used = queries.guest_upload_used(invitation.id)
    def page():
        return render_template("resources/guest_upload.html", meeting=meeting, invitation=invitation, form=form,
                               used=used, done=False, limit=format_size(current_app.config["RESOURCE_MAX_BYTES"]))

    if not used and form.validate_on_submit():
        upload = services.Upload(form.file.data.read(current_app.config["RESOURCE_MAX_BYTES"] + 1),
                                 form.file.data.filename)
        with on_refusal(page, under=form.file):
            services.receive_guest_upload(invitation, meeting, title=form.title.data or "", upload=upload)
        db.session.commit()
        return render_template("resources/guest_upload.html", meeting=meeting, invitation=invitation,
                               form=None, done=True)
    return page()


@bp.route(f"/<{ID}:resource_id>/publier", methods=["POST"])
@roles(Role.FACILITATOR)
def resource_publish(resource_id):
    resource = _visible_resource(resource_id)
    back = url_for("resources.meeting_materials", meeting_id=resource.meeting_id)
    with on_refusal(back):
        services.publish_resource(resource, actor=current_user)
    db.session.commit()
    flash("Document publié : les membres du réseau le voient.", "success")
    return redirect(back)


# --- across networks --------------------------------------------------------------------------------------

@bp.route(f"/<{ID}:resource_id>/partager", methods=["GET", "POST"])
@roles(Role.FACILITATOR)
def resource_share(resource_id):
    resource = _visible_resource(resource_id)
    require(can_delete_resource(current_user, resource))
    form = ShareForm(theme=resource.shared_theme)

    def page():
        return render_template("resources/share_form.html", form=form, resource=resource)

    if form.validate_on_submit():
        with on_refusal(page, under=form.theme):
            services.share_resource(resource, actor=current_user, theme=form.theme.data)
        db.session.commit()
        flash("Document partagé avec tous les réseaux, dans la bibliothèque nationale.", "success")
        return redirect(url_for("resources.meeting_materials", meeting_id=resource.meeting_id))
    return page()


@bp.route(f"/<{ID}:resource_id>/ne-plus-partager", methods=["POST"])
@roles(Role.FACILITATOR)
def resource_unshare(resource_id):
    resource = _visible_resource(resource_id)
    require(can_delete_resource(current_user, resource))
    services.unshare_resource(resource, actor=current_user)
    db.session.commit()
    flash("Le document n'est plus partagé avec les autres réseaux.", "success")
    return redirect(url_for("resources.meeting_materials", meeting_id=resource.meeting_id))


@bp.route("/fiches-codev")
@roles(Role.FACILITATOR)
def case_sheets():
    network = db.get_or_404(Network, current_user.network_id)
    require(can_view_resource_figures(current_user, network.id))
    return render_template("resources/case_sheets.html", network=network,
                           sheets=queries.network_case_sheets(network.id), themes=THEME_LABELS)


@bp.route(f"/fiches-codev/<{ID}:case_id>/<any(partager, retirer):action>", methods=["POST"])
@roles(Role.FACILITATOR)
def case_sheet_share(case_id, action):
    case = db.session.get(Case, case_id)
    if case is None or case.network_id != current_user.network_id:
        abort(404)
    with on_refusal(url_for("resources.case_sheets")):
        if action == "partager":
            services.share_case_sheet(case, actor=current_user)
        else:
            services.unshare_case_sheet(case, actor=current_user)
    db.session.commit()
    flash("Fiche partagée avec tous les réseaux." if action == "partager"
          else "La fiche n'est plus partagée avec les autres réseaux.", "success")
    return redirect(url_for("resources.case_sheets"))


@bp.route("/national")
@signed_in
def national():
    theme = request.args.get("theme") or None
    theme = theme if theme in set(Theme) else None
    query = (request.args.get("q") or "")[:200]
    words = search.query_words(query)
    items = queries.shared_items(theme=theme, words=words)
    shelves: dict[str, list] = {}
    for item in items:
        shelves.setdefault(Theme(item.theme).label if item.theme in set(Theme) else "Autres", []).append(item)
    year = _year() or to_paris(utcnow()).year
    sheets: dict[str, list] = {}
    found_sheets = queries.shared_case_sheets(theme, words)
    for sheet in found_sheets:
        sheets.setdefault(THEME_LABELS[Theme(sheet.theme)], []).append(sheet)
    return render_template("resources/national.html", shelves=sorted(shelves.items()), count=len(items),
                           sheets=sorted(sheets.items()), sheet_count=len(found_sheets),
                           theme=theme, query=query, themes=list(Theme), year=year,
                           travelling=queries.shared_by_network() if current_user.is_admin else None,
                           figures=queries.resource_figures(year) if current_user.is_admin else None)


# --- network news ---------------------------------------------------------------------------------------

def _news_network() -> Network:
    network = db.get_or_404(Network, current_user.network_id) if current_user.network_id else abort(404)
    require(news.can_read_news(current_user, network.id))
    return network


@bp.route("/actualites")
@roles(*MEMBERS)
def news_list():
    network = _news_network()
    return render_template("resources/news_list.html", network=network, items=news.news_of(network.id),
                           can_post=news.can_post_news(current_user, network.id),
                           frequency=news.news_frequency(current_user))


@bp.route("/actualites/nouvelle", methods=["GET", "POST"])
@roles(Role.FACILITATOR)
def news_create():
    network = _news_network()
    require(news.can_post_news(current_user, network.id))
    form = NewsForm()
    if form.validate_on_submit():
        upload = services.Upload(form.file.data.read(current_app.config["RESOURCE_MAX_BYTES"] + 1),
                                 form.file.data.filename) if getattr(form.file.data, "filename", None) else None
        with on_refusal(lambda: render_template("resources/news_form.html", form=form), under=form.file):
            _, sent = news.post_news(network, actor=current_user, title=form.title.data, body=form.body.data or "",
                                     upload=upload)
        db.session.commit()
        flash("Actualité publiée" + (f" ; envoyée par e-mail à {_members(sent)}." if sent else "."), "success")
        return redirect(url_for("resources.news_list"))
    return render_template("resources/news_form.html", form=form)


def _members(count: int) -> str:
    return plural(count, "membre")


def _visible_resource(resource_id: int):
    """The resource, or 404 for a missing one and for one the member may not see alike (no id discovery)."""
    resource = queries.resource(resource_id)
    if resource is None or not can_view_resource(current_user, resource):
        abort(404)
    return resource


def _news_item(news_id: int):
    item = queries.news_item(news_id)
    if item is None or not news.can_read_news(current_user, item.network_id):
        abort(404)
    return item


@bp.route(f"/actualites/<{ID}:news_id>")
@roles(*MEMBERS)
def news_detail(news_id):
    item = _news_item(news_id)
    return render_template("resources/news_detail.html", item=item, body=render_markdown(item.body))


@bp.route(f"/actualites/<{ID}:news_id>/piece-jointe")
@roles(*MEMBERS)
def news_file(news_id):
    item = _news_item(news_id)
    if item.blob_id is None:
        abort(404)
    return _file_response(item, services.blob_content(item))


@bp.route("/actualites/preferences", methods=["GET", "POST"])
@roles(*MEMBERS)
def news_preferences():
    form = NewsPreferenceForm(frequency=news.news_frequency(current_user).value)
    if form.validate_on_submit():
        news.set_news_frequency(current_user, form.frequency.data, actor=current_user)
        db.session.commit()
        flash("Votre choix est enregistré.", "success")
        return redirect(url_for("resources.news_list"))
    return render_template("resources/news_preferences.html", form=form)


bp.add_app_template_global(can_view_meeting_resources)  # the meeting page's link (resources/_meeting_link.html)
bp.add_app_template_filter(format_size, "filesize")
