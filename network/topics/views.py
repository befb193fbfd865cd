from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from network.auth import require, require_in_reach, roles, signed_in
from network.calendar import to_paris
from network.database import utcnow
from network.extensions import db
from network.formatting import french_percent
from network.members.enums import Role
from network.members.models import Network
from network.scope import network_in_scope
from network.topics import permissions, queries, services
from network.topics.blueprint import bp
from network.topics.forms import ConfirmForm, MergeForm, TopicForm, VoteRoundForm, ballot_form
from network.sessions.models import Meeting
from network.sessions.pickers import workshop_meeting_choices
from network.topics.models import Topic, TopicVote
from network.views_support import on_refusal


def _load_vote(vote_id: int, query=queries.vote_detail) -> TopicVote:
    vote = query(vote_id) or abort(404)
    require_in_reach(vote.network_id)
    require(permissions.can_view_topics(current_user, vote.network_id))
    return vote


# --- topics ------------------------------------------------------------------------------------

@bp.route("/")
@signed_in
def topic_list():
    network = network_in_scope()
    require(permissions.can_view_topics(current_user, network.id))
    return render_template("topics/topic_list.html", network=network, backlog=queries.backlog(network.id),
                           set_aside=queries.set_aside_topics(network.id), rounds=queries.vote_rounds(network.id),
                           now=utcnow(), can_propose=permissions.can_propose_topic(current_user, network.id),
                           can_manage=permissions.can_manage_topics(current_user, network.id))


@bp.route("/proposer", methods=["GET", "POST"])
@roles(Role.FACILITATOR, Role.COORDINATOR)
def topic_create():
    network = db.get_or_404(Network, current_user.network_id)
    require(permissions.can_propose_topic(current_user, network.id))
    form = TopicForm()

    def page():
        return render_template("topics/topic_form.html", form=form, network=network)

    if form.validate_on_submit():
        with on_refusal(page):
            topic = services.propose_topic(actor=current_user, network=network, title=form.title.data,
                                           description=form.description.data, links=form.links.data)
        db.session.commit()
        flash(f"Merci ! « {topic.title} » rejoint les propositions de thèmes.", "success")
        return redirect(url_for("topics.topic_detail", topic_id=topic.id))
    return page()


@bp.route("/<int:topic_id>")
@signed_in
def topic_detail(topic_id):
    topic = queries.topic_detail(topic_id) or abort(404)
    require_in_reach(topic.network_id)
    require(permissions.can_view_topics(current_user, topic.network_id))
    can_manage = permissions.can_manage_topics(current_user, topic.network_id)
    targets = queries.merge_targets(topic) if can_manage and topic.is_in_backlog else []
    return render_template("topics/topic_detail.html", topic=topic, duplicates=queries.duplicates_of(topic),
                           rounds=queries.rounds_of_topic(topic), now=utcnow(), can_manage=can_manage,
                           merge_form=MergeForm(targets=targets) if targets else None)


@bp.route("/<int:topic_id>/<any(archiver, restaurer):action>", methods=["POST"])
@roles(Role.FACILITATOR)
def topic_action(topic_id, action):
    topic = db.get_or_404(Topic, topic_id)
    require_in_reach(topic.network_id)
    require(permissions.can_manage_topics(current_user, topic.network_id))
    verb = {"archiver": services.archive_topic, "restaurer": services.restore_topic}[action]
    with on_refusal(url_for("topics.topic_detail", topic_id=topic.id)):
        verb(topic, actor=current_user)
    db.session.commit()
    flash({"archiver": f"« {topic.title} » est archivé.",
           "restaurer": f"« {topic.title} » est de retour dans les propositions."}[action], "success")
    return redirect(url_for("topics.topic_detail", topic_id=topic.id))


@bp.route("/<int:topic_id>/fusionner", methods=["POST"])
@roles(Role.FACILITATOR)
def topic_merge(topic_id):
    topic = db.get_or_404(Topic, topic_id)
    require_in_reach(topic.network_id)
    require(permissions.can_manage_topics(current_user, topic.network_id))
    form = MergeForm(targets=queries.merge_targets(topic))
    if not form.validate_on_submit():
        flash("Choisissez le thème dont celui-ci est le doublon.", "error")
        return redirect(url_for("topics.topic_detail", topic_id=topic.id))
    with on_refusal(url_for("topics.topic_detail", topic_id=topic.id)):
        into = services.merge_topic(topic, into=db.get_or_404(Topic, form.into_id.data), actor=current_user)
    db.session.commit()
    flash(f"« {topic.title} » est fusionné dans « {into.title} ».", "success")
    return redirect(url_for("topics.topic_detail", topic_id=into.id))


@bp.route("/historique")
@signed_in
def topic_history():
    network = network_in_scope()
    require(permissions.can_view_topics(current_user, network.id))
    now = utcnow()
    rows = queries.meeting_topics(network.id)
    return render_template("topics/topic_history.html", network=network, now=now,
                           upcoming=[row for row in rows if row.meeting.starts_at >= now][::-1],
                           past=[row for row in rows if row.meeting.starts_at < now])


# --- vote rounds -------------------------------------------------------------------------------

@bp.route("/votes/nouveau", methods=["GET", "POST"])
@roles(Role.FACILITATOR)
def vote_create():
    network = db.get_or_404(Network, current_user.network_id)
    require(permissions.can_manage_topics(current_user, network.id))
    backlog = queries.backlog(network.id)
    now = utcnow()
    meetings = workshop_meeting_choices(network.id, now=now)
    form = VoteRoundForm(meetings=meetings, topics=backlog)
    closings = {meeting.id: to_paris(services.default_closes_at(meeting, now)) for meeting in meetings}
    if request.method == "GET" and meetings:  # the next quarterly meeting (or today's), closing the evening before
        closes_at = closings[meetings[0].id]
        form.meeting_id.data, form.closes_on.data, form.closes_time.data = meetings[0].id, closes_at.date(), \
            closes_at.time()
    valid = form.validate_on_submit()
    if request.method == "POST" and form.meeting_id.data is not None:  # another network's meeting: 403, not a hint
        meeting = db.get_or_404(Meeting, form.meeting_id.data)
        require_in_reach(meeting.network_id)
        require(permissions.can_manage_topics(current_user, meeting.network_id))
    def page():
        return render_template("topics/vote_form.html", form=form, network=network, backlog=backlog,
                               closings={str(key): [value.date().isoformat(), f"{value:%H:%M}"]
                                         for key, value in closings.items()})

    if valid:
        with on_refusal(page):
            vote = services.create_vote_round(
                actor=current_user, meeting=meeting, topics=queries.topics_by_ids(form.topic_ids.data),
                closes_at=form.closes_at, points_per_voter=form.points_per_voter.data,
                max_per_topic=form.max_per_topic.data, hide_results=form.hide_results.data)
        db.session.commit()
        flash("Le vote est ouvert : les membres peuvent répartir leurs points.", "success")
        return redirect(url_for("topics.vote_detail", vote_id=vote.id))
    return page()


def _render_vote(vote: TopicVote, form=None, status: int = 200):
    now = utcnow()
    can_vote = permissions.can_vote(current_user, vote) and vote.accepts_ballots(now)
    if can_vote and form is None:
        form = ballot_form([c.topic_id for c in vote.candidates], vote.max_per_topic,
                           queries.ballot_points_of(vote, current_user))
    has_voted = queries.ballot_of(vote, current_user) is not None
    results = queries.tally(vote) if permissions.can_see_results(current_user, vote, now, has_voted=has_voted) \
        else None
    can_manage = permissions.can_manage_topics(current_user, vote.network_id)
    confirmable = can_manage and results is not None and vote.current_status(now) == "closed"
    return render_template(
        "topics/vote_detail.html", vote=vote, now=now, ballot_form=form if can_vote else None, results=results,
        turnout=queries.turnout(vote), has_voted=has_voted,
        can_manage=can_manage,
        confirm_form=ConfirmForm(leaders=[row.topic for row in results if row.is_leader]) if confirmable else None,
    ), status


@bp.route("/votes/<int:vote_id>")
@signed_in
def vote_detail(vote_id):
    return _render_vote(_load_vote(vote_id))


@bp.route("/votes/<int:vote_id>/bulletin", methods=["POST"])
@roles(Role.FACILITATOR, Role.COORDINATOR)
def ballot_submit(vote_id):
    vote = _load_vote(vote_id, queries.vote_for_ballot)  # the round and its candidates, not what its page shows
    require(permissions.can_vote(current_user, vote))
    form = ballot_form([c.topic_id for c in vote.candidates], vote.max_per_topic, {})
    if not form.validate_on_submit():
        db.session.expire(vote)  # the page loads it again with what it shows
        return _render_vote(_load_vote(vote_id), form, 400)
    with on_refusal(lambda: _render_vote(_load_vote(vote_id), form, 400)):  # after the rollback (vote expired)
        services.cast_ballot(vote, form.allocation(), actor=current_user)
    db.session.commit()
    flash("Votre bulletin est enregistré.", "success")  # the page says until when it can be changed
    return redirect(url_for("topics.vote_detail", vote_id=vote_id))  # not vote.id: the commit expired it


@bp.route("/votes/<int:vote_id>/cloturer", methods=["POST"])
@roles(Role.FACILITATOR)
def vote_close(vote_id):
    vote = _load_vote(vote_id)
    require(permissions.can_manage_topics(current_user, vote.network_id))
    with on_refusal(url_for("topics.vote_detail", vote_id=vote.id)):
        services.close_vote_round(vote, actor=current_user)
    db.session.commit()
    flash("Le vote est clos. Confirmez le thème retenu.", "success")
    return redirect(url_for("topics.vote_detail", vote_id=vote.id))


@bp.route("/votes/<int:vote_id>/confirmer", methods=["POST"])
@roles(Role.FACILITATOR)
def vote_confirm(vote_id):
    vote = _load_vote(vote_id)
    require(permissions.can_manage_topics(current_user, vote.network_id))
    form = ConfirmForm(leaders=[row.topic for row in queries.tally(vote) if row.is_leader])
    if not form.validate_on_submit():
        flash("Choisissez le thème retenu parmi ceux en tête.", "error")
        return redirect(url_for("topics.vote_detail", vote_id=vote.id))
    topic = db.get_or_404(Topic, form.topic_id.data)
    with on_refusal(url_for("topics.vote_detail", vote_id=vote_id)):
        meeting = services.confirm_vote_round(vote, topic=topic, actor=current_user)
    db.session.commit()
    flash(f"« {topic.title} » sera le thème de la rencontre « {meeting.title} ».", "success")
    return redirect(url_for("topics.vote_detail", vote_id=vote.id))


# --- in-room mode ------------------------------------------------------------------------------

@bp.route("/votes/<int:vote_id>/projection")
@signed_in
def vote_projector(vote_id):
    vote = _load_vote(vote_id)
    return render_template("topics/vote_projector.html", vote=vote, **_live_tally(vote))


@bp.route("/votes/<int:vote_id>/direct.json")
@signed_in
def vote_live(vote_id):
    vote = _load_vote(vote_id)
    live = _live_tally(vote)
    return jsonify(
        status=live["status_label"], accepts_ballots=live["accepts_ballots"], voters=live["turnout"].voters,
        eligible=live["turnout"].eligible, turnout=french_percent(live["turnout"].rate),
        results=None if live["results"] is None else [
            {"title": row.topic.title, "points": row.points, "voters": row.voters, "rank": row.rank,
             "tied": row.is_tied} for row in live["results"]])


def _live_tally(vote: TopicVote) -> dict:
    now = utcnow()
    visible = permissions.can_project_results(current_user, vote, now) or permissions.can_see_results(
        current_user, vote, now, has_voted=queries.ballot_of(vote, current_user) is not None)
    return {"now": now, "status_label": vote.status_label(now), "accepts_ballots": vote.accepts_ballots(now),
            "turnout": queries.turnout(vote), "results": queries.tally(vote) if visible else None}
