"""Verb functions: self-efficacy answers and invitations, the grid and self-assessments. Never commit."""

from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from network.audit import record_audit
from network.errors import DomainError, NotAllowed
from network.evaluation import bilan, queries
from network.evaluation.default_grid import DEFAULT_GRID
from network.evaluation.enums import GRID_MAX_SCORE
from network.evaluation.models import (
    GridActivity, GridRubric, Publication, SelfAssessment, SelfAssessmentScore, SelfEfficacyReminder,
    SelfEfficacyResponse,
)
from network.periods import PARIS, YearSpan
from network.evaluation.permissions import can_edit_grid, can_self_evaluate, can_view_all_networks
from network.evaluation.queries import SelfEfficacyStatus
from network.evaluation.scales import GSE_ITEM_COUNT, gse_score
from network.extensions import db
from network.members.models import Member, Network
from network.outbox import external_url, queue_templated_email


# --- self-efficacy --------------------------------------------------------------------------------

def full_years_between(start: date, end: date) -> int:
    years = end.year - start.year
    return years - 1 if (end.month, end.day) < (start.month, start.day) else years


CORRECTION_DAYS = 30  # a member may correct a questionnaire for a month after answering it


def due_wave(status: SelfEfficacyStatus | None, today: date) -> int | None:
    """T0 until answered; then the next wave from the date next_due_date() promises (a year after the last answer)."""
    if status is None or status.first_taken_on is None:
        return 0
    due_on = next_due_date(status)
    return (status.last_wave or 0) + 1 if due_on is not None and today >= due_on else None


def next_due_date(status: SelfEfficacyStatus | None) -> date | None:
    """One year after the latest answer (28 February for a 29 February): the date the pages promise."""
    if status is None or status.first_taken_on is None:
        return None
    last = status.last_taken_on or status.first_taken_on
    try:
        return last.replace(year=last.year + 1)
    except ValueError:  # 29 February
        return last.replace(year=last.year + 1, day=28)


def correction_deadline(response: SelfEfficacyResponse) -> date:
    return response.taken_on + timedelta(days=CORRECTION_DAYS)


def _check_answers(member: Member, answers: list[int | None], actor: Member) -> None:
    if actor.id != member.id or not can_self_evaluate(member):
        raise NotAllowed("Seul·e le ou la membre concerné·e peut répondre à son questionnaire.")
    if len(answers) != GSE_ITEM_COUNT or any(a is not None and a not in (1, 2, 3, 4) for a in answers):
        raise NotAllowed("Réponses invalides.")


def record_self_efficacy(member: Member, answers: list[int | None], *, actor: Member,
                         today: date) -> SelfEfficacyResponse:
    """Store the member's answers for their due wave; the prorated score is computed here once."""
    _check_answers(member, answers, actor)
    status = queries.self_efficacy_statuses([member.id]).get(member.id)
    wave = due_wave(status, today)
    if wave is None:
        raise NotAllowed("Votre prochain questionnaire n'est pas encore ouvert\u00a0: il l'est une fois par an.")
    response = SelfEfficacyResponse(member_id=member.id, network_id=member.network_id, wave=wave, taken_on=today,
                                    score=gse_score(answers),
                                    **{f"item_{n}": answer for n, answer in enumerate(answers, start=1)})
    db.session.add(response)
    db.session.flush()
    record_audit(actor=actor, action="self_efficacy.answered", obj=response, fields=["wave"])
    return response


def correct_self_efficacy(response: SelfEfficacyResponse, answers: list[int | None], *, actor: Member,
                          today: date) -> list[str]:
    """The member corrects their own latest questionnaire within CORRECTION_DAYS; the score follows. Returns the
    items changed (audited by name, never by value)."""
    member = db.session.get(Member, response.member_id)
    _check_answers(member, answers, actor)
    latest = queries.correctable_self_efficacy(member, today - timedelta(days=CORRECTION_DAYS))
    if latest is None or latest.id != response.id:
        raise NotAllowed("Ce questionnaire ne se corrige plus\u00a0: il se corrige pendant un mois après la réponse.")
    changed = [f"item_{n}" for n, answer in enumerate(answers, start=1) if getattr(response, f"item_{n}") != answer]
    for name in changed:
        setattr(response, name, answers[int(name.removeprefix("item_")) - 1])
    if changed:
        response.score = gse_score(answers)
        db.session.flush()
        record_audit(actor=actor, action="self_efficacy.corrected", obj=response, fields=changed)
    return changed


def send_self_efficacy_invitations(*, actor: Member | None, now: datetime) -> int:
    """Email each active coordinator whose questionnaire is due, once per due wave. Returns the count."""
    today = now.date()
    participants = queries.self_efficacy_participants()
    statuses = queries.self_efficacy_statuses([member.id for member in participants])
    already = queries.reminded_waves()
    sent = 0
    for member in participants:
        status = statuses.get(member.id)
        wave = due_wave(status, today)
        if wave is None or (member.id, wave) in already:
            continue
        queue_templated_email(
            "self_efficacy_invitation", to=member.email,
            subject="Questionnaire : votre sentiment d'efficacité personnelle" + (" (entrée)" if wave == 0 else ""),
            member=member, wave=wave, link=external_url("evaluation.self_efficacy_form"))
        db.session.add(SelfEfficacyReminder(member_id=member.id, wave=wave, sent_at=now))
        sent += 1
    db.session.flush()
    return sent


# --- the grid -------------------------------------------------------------------------------------

def _require_grid_editor(actor: Member, network: Network) -> None:
    if not can_edit_grid(actor, network):
        raise NotAllowed("Seuls les co-animateurs du réseau modifient sa grille.")


def create_default_grid(network: Network, *, actor: Member | None) -> list[GridRubric]:
    """Seed the network's grid with the Caf grid; refused when the network already has one."""
    if actor is not None:
        _require_grid_editor(actor, network)
    if queries.grid_exists(network.id):
        raise NotAllowed("La grille de ce réseau existe déjà.")
    rubrics = []
    for position, (title, short_title, activities) in enumerate(DEFAULT_GRID, start=1):
        rubric = GridRubric(network_id=network.id, title=title, short_title=short_title, position=position)
        db.session.add(rubric)
        db.session.flush()
        db.session.add_all(GridActivity(rubric_id=rubric.id, label=label, position=index)
                           for index, label in enumerate(activities, start=1))
        rubrics.append(rubric)
    db.session.flush()
    return rubrics


def add_rubric(network: Network, *, title: str, short_title: str, actor: Member) -> GridRubric:
    _require_grid_editor(actor, network)
    position = db.session.scalar(select(func.coalesce(func.max(GridRubric.position), 0)).where(
        GridRubric.network_id == network.id)) + 1
    rubric = GridRubric(network_id=network.id, title=title, short_title=short_title, position=position)
    db.session.add(rubric)
    db.session.flush()
    record_audit(actor=actor, action="grid.rubric_added", obj=rubric, fields=["title"])
    return rubric


def update_rubric(rubric: GridRubric, network: Network, *, title: str, short_title: str, is_active: bool,
                  actor: Member) -> GridRubric:
    _require_grid_editor(actor, network)
    rubric.title, rubric.short_title, rubric.is_active = title, short_title, is_active
    db.session.flush()
    record_audit(actor=actor, action="grid.rubric_updated", obj=rubric, fields=["title", "short_title", "is_active"])
    return rubric


def add_activity(rubric: GridRubric, network: Network, *, label: str, actor: Member) -> GridActivity:
    _require_grid_editor(actor, network)
    position = db.session.scalar(select(func.coalesce(func.max(GridActivity.position), 0)).where(
        GridActivity.rubric_id == rubric.id)) + 1
    activity = GridActivity(rubric_id=rubric.id, label=label, position=position)
    db.session.add(activity)
    db.session.flush()
    record_audit(actor=actor, action="grid.activity_added", obj=activity, fields=["label"], network_id=network.id)
    return activity


def update_activity(activity: GridActivity, network: Network, *, label: str, is_active: bool,
                    actor: Member) -> GridActivity:
    """Archiving keeps the activity (and past scores); it leaves the form and future self-assessments."""
    _require_grid_editor(actor, network)
    activity.label, activity.is_active = label, is_active
    db.session.flush()
    record_audit(actor=actor, action="grid.activity_updated", obj=activity, fields=["label", "is_active"],
                 network_id=network.id)
    return activity


def record_self_assessment(member: Member, scores: dict[int, int | None], *, actor: Member,
                           today: date) -> SelfAssessment:
    """A new self-assessment (T0 first, then T1, T2…) scoring every active activity 0–3 or NC (None)."""
    if actor.id != member.id or not can_self_evaluate(member):
        raise NotAllowed("Seul·e le ou la membre concerné·e remplit son auto-évaluation.")
    expected = {activity.id for entry in queries.network_grid(member.network_id) for activity in entry.activities}
    if not expected:
        raise NotAllowed("La grille de votre réseau n'est pas encore disponible.")
    if set(scores) != expected or any(s is not None and not 0 <= s <= GRID_MAX_SCORE for s in scores.values()):
        raise NotAllowed("Chaque activité doit être notée de 0 à 3, ou NC.")
    wave = db.session.scalar(select(func.count(SelfAssessment.id)).where(SelfAssessment.member_id == member.id))
    assessment = SelfAssessment(member_id=member.id, network_id=member.network_id, wave=wave, taken_on=today)
    db.session.add(assessment)
    db.session.flush()
    db.session.add_all(SelfAssessmentScore(assessment_id=assessment.id, activity_id=activity_id, score=score)
                       for activity_id, score in scores.items())
    db.session.flush()
    record_audit(actor=actor, action="self_assessment.recorded", obj=assessment, fields=["wave"])
    return assessment


# --- publications of the experiment's report ------------------------------------------------------------------

def publish_bilan(first_year: int, last_year: int, *, actor: Member, now: datetime) -> Publication:
    """Freeze the report of closed years (every network, the total, the trajectories) as computed now: who, when,
    the figures exactly (canonical JSON and its SHA-256). Only admins; only years already over."""
    if not can_view_all_networks(actor):
        raise NotAllowed("Seul un administrateur publie le bilan de l'expérimentation.")
    this_year = now.astimezone(PARIS).year
    if not first_year <= last_year < this_year:
        raise DomainError(f"Seules des années closes se publient (jusqu'à {this_year - 1}) : les chiffres d'une "
                          "année en cours changent encore.")
    payload = bilan.serialise(bilan.compute(first_year, last_year, now))
    publication = Publication(title=f"Bilan de l'expérimentation — {YearSpan(first_year, last_year).label}",
                              first_year=first_year, last_year=last_year, published_by_id=actor.id,
                              payload=payload, digest=bilan.digest(payload), created_at=now)
    db.session.add(publication)
    db.session.flush()
    record_audit(actor=actor, action="evaluation.publish", obj=publication, fields=["payload"])
    return publication
