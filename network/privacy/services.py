"""Data protection: a member's own data as a zip, erasure by an admin (anonymised in place,
indicators keep their counts), and the retention purge of members gone for years."""

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email import message_from_bytes, policy

from sqlalchemy import String, Text, and_, delete, func, or_, select, update

from network.audit import record_audit
from network.codev.models import Case, CaseAction, CaseFollowUp, CaseRecord
from network.database import utcnow
from network.errors import NotAllowed
from network.evaluation.models import SelfAssessment, SelfEfficacyResponse
from network.extensions import db
from network.members.history import end_membership
from network.members.models import EmailChange, Institution, LoginSession, Member, Network, Territory
from network.members.permissions import can_manage_networks
from network.outbox import OutboxMessage, OutboxStatus
from network.registration.models import JoinRequest
from network.resources import services as resource_services, sheet_search
from network.sessions.models import Attendance, CalendarReply, Invitation, Meeting
from network.text import spreadsheet_cell
from network.throttle import ThrottleEvent, clear_events_starting_with, purge_older_than
from network.topics.models import Ballot, BallotPoint, Topic

ERASED_LABEL = "[anonymisé]"
DONE_WITH = (OutboxStatus.SENT, OutboxStatus.REFUSED)  # emails that will not be sent (again)
# Login and reset throttling looks back an hour at most: older attempts only take room (and hold IP addresses).
THROTTLE_EVENTS_KEPT = timedelta(days=1)
CASE_CONTENT_FIELDS = ("context", "question", "help_wanted")
RECORD_FIELDS = ("exposition", "clarifications", "contract", "suggestions", "synthesis", "client_learnings",
                 "group_learnings")


# --- the member's own data ---------------------------------------------------------------------------

def _rows(statement) -> list[dict]:
    return [dict(row._mapping) for row in db.session.execute(statement)]


def _jsonable(value):
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def collect_member_data(member: Member) -> dict[str, list[dict]]:
    """Everything stored about `member`, one list of rows per family (one query each)."""
    profile = _rows(
        select(Member.first_name, Member.last_name, Member.email, Member.phone, Member.job_title, Member.role,
               Member.is_associated_operator, Member.joined_on, Member.last_login_at,
               Network.name.label("network"), Institution.name.label("institution"),
               Territory.name.label("territory"))
        .outerjoin(Network, Network.id == Member.network_id)
        .outerjoin(Institution, Institution.id == Member.institution_id)
        .outerjoin(Territory, Territory.id == Member.territory_id)
        .where(Member.id == member.id))
    return {
        "profil": profile,
        "invitations": _rows(
            select(Meeting.title.label("rencontre"), Meeting.starts_at.label("debut"), Invitation.rsvp.label("reponse"),
                   Invitation.rsvp_comment.label("commentaire"), Invitation.responded_at.label("repondu_le"))
            .join(Meeting, Meeting.id == Invitation.meeting_id).where(Invitation.member_id == member.id)
            .order_by(Meeting.starts_at)),
        "presences": _rows(
            select(Meeting.title.label("rencontre"), Meeting.starts_at.label("debut"), Attendance.status.label("presence"))
            .join(Meeting, Meeting.id == Attendance.meeting_id).where(Attendance.member_id == member.id)
            .order_by(Meeting.starts_at)),
        "themes_proposes": _rows(
            select(Topic.title.label("titre"), Topic.description, Topic.links.label("liens"),
                   Topic.created_at.label("propose_le")).where(Topic.author_id == member.id).order_by(Topic.created_at)),
        "votes": _rows(
            select(Ballot.vote_id.label("tour_de_vote"), Topic.title.label("theme"), BallotPoint.points.label("points"))
            .join(BallotPoint, BallotPoint.ballot_id == Ballot.id).join(Topic, Topic.id == BallotPoint.topic_id)
            .where(Ballot.member_id == member.id).order_by(Ballot.vote_id)),
        "cas_codev": _rows(
            select(Case.title.label("titre"), Case.case_type.label("type"), Case.theme.label("theme"),
                   Case.state.label("etat"), Case.outcome.label("issue"), Case.context.label("contexte"),
                   Case.question, Case.help_wanted.label("aide_souhaitee"), Case.created_at.label("cree_le"))
            .where(Case.client_id == member.id).order_by(Case.created_at)),
        "efficacite_personnelle": _rows(
            select(SelfEfficacyResponse.__table__).where(SelfEfficacyResponse.member_id == member.id)
            .order_by(SelfEfficacyResponse.taken_on)),
        "auto_evaluation": _rows(
            select(SelfAssessment.__table__).where(SelfAssessment.member_id == member.id)
            .order_by(SelfAssessment.taken_on)),
        "changements_adresse": _rows(
            select(EmailChange.old_email.label("ancienne_adresse"), EmailChange.new_email.label("nouvelle_adresse"),
                   EmailChange.kind.label("origine"), EmailChange.status.label("etat"),
                   EmailChange.created_at.label("demande_le"), EmailChange.closed_at.label("clos_le"))
            .where(EmailChange.member_id == member.id).order_by(EmailChange.id)),
        **{family: _rows(statement) for family, statement in resource_services.export_statements(member).items()},
    }


def member_data_zip(member: Member) -> bytes:
    """A zip with donnees.json (everything, as stored) and one CSV per family (UTF-8 with BOM, ';' for Excel; cells
    through spreadsheet_cell: a topic title written by another member must not run as a formula)."""
    data = collect_member_data(member)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("donnees.json", json.dumps(
            {family: [{key: _jsonable(value) for key, value in row.items()} for row in rows]
             for family, rows in data.items()}, ensure_ascii=False, indent=2))
        for family, rows in data.items():
            text = io.StringIO()
            if rows:
                writer = csv.DictWriter(text, fieldnames=list(rows[0]), delimiter=";")
                writer.writeheader()
                writer.writerows([{key: spreadsheet_cell(_jsonable(value)) for key, value in row.items()}
                                  for row in rows])
            archive.writestr(f"{family}.csv", "\ufeff" + text.getvalue())
    return buffer.getvalue()


# --- erasure ------------------------------------------------------------------------------------------

@dataclass
class ErasureReport:
    text_replacements: int
    emails_deleted: int


def _purge_case_content(case_ids) -> None:
    if not case_ids:
        return
    db.session.execute(update(Case).where(Case.id.in_(case_ids))
                       .values(title="Cas anonymisé", **{field: "" for field in CASE_CONTENT_FIELDS}))
    db.session.execute(update(CaseRecord).where(CaseRecord.case_id.in_(case_ids))
                       .values(**{field: "" for field in RECORD_FIELDS}))
    db.session.execute(update(CaseAction).where(CaseAction.case_id.in_(case_ids)).values(description="", owner=""))
    db.session.execute(update(CaseFollowUp).where(CaseFollowUp.case_id.in_(case_ids))
                       .values(actions_done="", comment=""))
    sheet_search.refresh(db.session.connection(), case_ids)  # bulk updates: no flush event tells the library


def _replace_everywhere(needles: list[str]) -> int:
    """Replace each needle in every text column of every table (members excepted)."""
    count = 0
    for table in db.metadata.sorted_tables:
        if table.name == Member.__tablename__:
            continue
        for column in table.columns:
            if not isinstance(column.type, (String, Text)) or column.foreign_keys:
                continue
            for needle in needles:
                result = db.session.execute(
                    table.update().where(column.contains(needle, autoescape=True))
                    .values({column.name: func.replace(column, needle, ERASED_LABEL)}))
                count += result.rowcount or 0
    return count


def _mentions(raw: bytes, needles: list[str]) -> bool:
    message = message_from_bytes(raw, policy=policy.default)
    texts = [str(message.get("Subject", "")), str(message.get("To", ""))]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            texts.append(part.get_content())
    lowered = " ".join(texts).lower()
    return any(needle.lower() in lowered for needle in needles)


def _delete_emails_about(needles: list[str], email: str) -> int:
    ids = [message_id for message_id, recipients, status, raw in db.session.execute(
        select(OutboxMessage.id, OutboxMessage.recipients, OutboxMessage.status, OutboxMessage.raw))
        if email in recipients.lower() or (status in DONE_WITH and _mentions(raw, needles))]
    if ids:
        db.session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(ids)))
    return len(ids)


def _delete_calendar_replies(*, member_ids, email: str | None = None, processed_before: datetime | None = None) -> int:
    """Calendar answers read from the organizer's mailbox about these members: those tied to one of their
    invitations, those whose Message-ID or logged reason names `email` (a forged or stray reply is tied to no
    invitation), and, with `processed_before`, every answer read before then (its Message-ID is needed only while
    the email may be read again; reasons name senders who may be no member at all)."""
    conditions = [CalendarReply.invitation_id.in_(select(Invitation.id).where(Invitation.member_id.in_(member_ids)))]
    if email:
        conditions += [func.lower(CalendarReply.reason).contains(email.lower(), autoescape=True),
                       func.lower(CalendarReply.message_key).contains(email.lower(), autoescape=True)]
    if processed_before is not None:
        conditions.append(CalendarReply.processed_at < processed_before)
    return db.session.execute(delete(CalendarReply).where(or_(*conditions))).rowcount or 0


def erase_member(*, actor: Member, member: Member) -> ErasureReport:
    """Anonymise `member` in place: rows stay (indicators keep their counts), identity goes everywhere."""
    if not can_manage_networks(actor):
        raise NotAllowed("Seul un administrateur peut effacer un membre.")
    if actor.id == member.id:
        raise NotAllowed("Vous ne pouvez pas effacer votre propre compte.")
    email = member.email
    needles = [value for value in {f"{member.first_name} {member.last_name}", f"{member.last_name} {member.first_name}",
                                   email} if value.strip()]
    emails_deleted = _delete_emails_about(needles, email)
    # before the replacement below, which would otherwise rewrite these keys and addresses
    db.session.execute(delete(ThrottleEvent).where(ThrottleEvent.key == email))
    clear_events_starting_with("login-source", email + "|")  # failures counted per account and source
    db.session.execute(delete(EmailChange).where(EmailChange.member_id == member.id))  # old and new addresses
    _delete_calendar_replies(member_ids=[member.id], email=email)
    replacements = _replace_everywhere(needles)
    resource_services.forget_member(member, needles)
    case_ids = db.session.scalars(select(Case.id).where(Case.client_id == member.id)).all()
    _purge_case_content(case_ids)
    db.session.execute(delete(JoinRequest).where(func.lower(JoinRequest.email) == email))
    db.session.execute(delete(LoginSession).where(LoginSession.member_id == member.id))
    member.first_name, member.last_name = "Membre", f"anonymisé n° {member.id}"
    member.email = f"anonyme-{member.id}@membre-efface.invalid"
    member.phone = member.job_title = member.password_hash = member.calendar_token = None
    member.is_active = False
    member.deactivated_at = member.deactivated_at or utcnow()
    end_membership(member, at=member.deactivated_at)
    member.erased_at = utcnow()
    record_audit(actor=actor, action="member.erase", obj=member, fields=["identity"], network_id=member.network_id)
    return ErasureReport(text_replacements=replacements, emails_deleted=emails_deleted)


# --- retention ----------------------------------------------------------------------------------------

@dataclass
class PurgeReport:
    members: int
    self_efficacy_responses: int
    self_assessments: int
    cases: int
    sent_emails: int
    throttle_events: int
    calendar_replies: int


def purge_departed_members(*, now: datetime | None = None, years: int, sent_email_days: int = 90) -> PurgeReport:
    """Members deactivated more than `years` ago lose their self-efficacy answers, their grids and the
    content of their CODEV cases (metadata stays for the indicators) and the calendar answers tied to their
    invitations. Sent (or given up) emails and calendar answers read more than `sent_email_days` ago are deleted
    too, and throttling records older than a day."""
    now = now or utcnow()
    cutoff = now - timedelta(days=365 * years)
    departed = select(Member.id).where(Member.is_active.is_(False), Member.deactivated_at < cutoff)
    member_ids = db.session.scalars(departed).all()
    responses = db.session.execute(delete(SelfEfficacyResponse).where(SelfEfficacyResponse.member_id.in_(departed)))
    assessments = db.session.execute(delete(SelfAssessment).where(SelfAssessment.member_id.in_(departed)))
    case_ids = db.session.scalars(
        select(Case.id).where(Case.client_id.in_(departed), Case.title != "Cas anonymisé")).all()
    _purge_case_content(case_ids)
    emails_before = now - timedelta(days=sent_email_days)
    emails = db.session.execute(delete(OutboxMessage).where(or_(
        and_(OutboxMessage.status == OutboxStatus.SENT, OutboxMessage.sent_at < emails_before),
        and_(OutboxMessage.status == OutboxStatus.REFUSED, OutboxMessage.created_at < emails_before))))
    replies = _delete_calendar_replies(member_ids=departed, processed_before=emails_before)
    return PurgeReport(members=len(member_ids), self_efficacy_responses=responses.rowcount or 0,
                       self_assessments=assessments.rowcount or 0, cases=len(case_ids),
                       sent_emails=emails.rowcount or 0,
                       throttle_events=purge_older_than(THROTTLE_EVENTS_KEPT, now=now), calendar_replies=replies)
