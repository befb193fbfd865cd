"""Verbs on materials and minutes. They take model instances and `actor=`, flush, queue mail, never commit."""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import undefer

from network.audit import record_audit
from network.calendar import to_paris
from network.codev.enums import AFTER_WORKSHOP_STATES, CaseState, Theme
from network.codev.models import Case
from network.database import utcnow
from network.errors import DomainError, NotAllowed
from network.extensions import db
from network.members.models import Member, Network
from network.outbox import external_url, queue_templated_email
from network.resources import files, search
from network.resources.enums import MinutesStatus, ResourceKind, ResourceStatus
from network.members.permissions import is_facilitator_of
from network.resources.models import (
    FileBlob, GuestUpload, Minutes, MinutesVersion, NewsItem, Resource, ResourceDownload, SharedCaseSheet,
)
from network.resources.permissions import can_delete_resource, can_manage_meeting_resources, can_write_minutes
from network.resources.rendering import plain_summary
from network.sessions.enums import MeetingStatus
from network.sessions.guest_tokens import make_guest_token
from network.sessions.models import AgendaItem, Invitation, Meeting

WORKED_STATES = (CaseState.WORKED, CaseState.FOLLOWED_UP, CaseState.CLOSED)


@dataclass(frozen=True)
class Upload:
    data: bytes
    filename: str | None


@dataclass(frozen=True)
class CodevSummary:
    """What the minutes may say of the CODEV workshop: metadata only, never a case's content."""

    cases: int
    themes: list[str]


def limits() -> dict:
    config = current_app.config
    return {"max_bytes": config["RESOURCE_MAX_BYTES"], "max_unzipped_bytes": config["RESOURCE_MAX_UNZIPPED_BYTES"]}


# --- files and links -----------------------------------------------------------------------------------

def store_blob(data: bytes) -> FileBlob:
    """The blob holding these bytes: the existing one when the same content was sent before."""
    digest = hashlib.sha256(data).hexdigest()
    blob = db.session.scalar(select(FileBlob).where(FileBlob.sha256 == digest))
    if blob is None:
        blob = FileBlob(sha256=digest, size=len(data), content=data)
        db.session.add(blob)
        db.session.flush()
    return blob


def _thematic_topic_id(meeting: Meeting, agenda_item: AgendaItem | None) -> int | None:
    if agenda_item is not None and agenda_item.topic_id is not None:
        return agenda_item.topic_id
    return db.session.scalar(select(AgendaItem.topic_id).where(
        AgendaItem.meeting_id == meeting.id, AgendaItem.topic_id.is_not(None))
        .order_by(AgendaItem.position, AgendaItem.id).limit(1))


def _check_attach(actor: Member, meeting: Meeting, agenda_item: AgendaItem | None) -> None:
    if not can_manage_meeting_resources(actor, meeting):
        raise NotAllowed("Seuls les co-animateurs du réseau ajoutent des documents à une rencontre.")
    if agenda_item is not None and agenda_item.meeting_id != meeting.id:
        raise DomainError("Ce point n'est pas à l'ordre du jour de cette rencontre.")


def _new_resource(meeting: Meeting, agenda_item: AgendaItem | None, **values) -> Resource:
    return Resource(network_id=meeting.network_id, meeting_id=meeting.id,
                    agenda_item_id=agenda_item.id if agenda_item else None,
                    topic_id=_thematic_topic_id(meeting, agenda_item), year=to_paris(meeting.starts_at).year,
                    **values)


def attach_file(*, actor: Member, meeting: Meeting, title: str, description: str | None, upload: Upload,
                agenda_item: AgendaItem | None = None) -> Resource:
    """Check the file from its content (files.inspect_upload), store its bytes once, index its text."""
    _check_attach(actor, meeting, agenda_item)
    inspected = files.inspect_upload(upload.data, upload.filename, **limits())
    blob = store_blob(upload.data)
    title = title.strip() or inspected.filename
    resource = _new_resource(
        meeting, agenda_item, kind=ResourceKind.FILE, title=title, description=description or None, blob_id=blob.id,
        filename=inspected.filename, media_type=inspected.file_type.value, size=len(upload.data),
        uploaded_by_id=actor.id, search_text=search.search_document(title, description, inspected.text))
    db.session.add(resource)
    db.session.flush()
    search.reindex(Resource, [resource])
    record_audit(actor=actor, action="resource.upload", obj=resource, fields=["file"])
    return resource


def attach_link(*, actor: Member, meeting: Meeting, title: str, description: str | None, url: str,
                agenda_item: AgendaItem | None = None) -> Resource:
    _check_attach(actor, meeting, agenda_item)
    resource = _new_resource(meeting, agenda_item, kind=ResourceKind.LINK, title=title.strip(),
                             description=description or None, url=url.strip(), uploaded_by_id=actor.id,
                             search_text=search.search_document(title, description))
    db.session.add(resource)
    db.session.flush()
    search.reindex(Resource, [resource])
    record_audit(actor=actor, action="resource.link", obj=resource, fields=["url"])
    return resource


def receive_guest_upload(invitation: Invitation, meeting: Meeting, *, title: str, upload: Upload) -> Resource:
    """A guest speaker's file through their single-use link: kept aside until a facilitator publishes it."""
    if invitation.guest_email is None or invitation.meeting_id != meeting.id:
        raise NotAllowed("Ce lien de dépôt n'est pas valide.")
    if meeting.status == MeetingStatus.CANCELLED:
        raise DomainError("Cette rencontre a été annulée : le dépôt est fermé.")
    if db.session.scalar(select(GuestUpload.id).where(GuestUpload.invitation_id == invitation.id)):
        raise DomainError("Ce lien a déjà servi : il ne permet qu'un envoi. Pour un autre document, écrivez aux "
                          "co-animateurs du réseau.")
    inspected = files.inspect_upload(upload.data, upload.filename, **limits())
    blob = store_blob(upload.data)
    title = title.strip() or inspected.filename
    resource = _new_resource(
        meeting, None, kind=ResourceKind.FILE, status=ResourceStatus.PENDING, title=title, blob_id=blob.id,
        filename=inspected.filename, media_type=inspected.file_type.value, size=len(upload.data),
        uploader_name=invitation.guest_name, search_text=search.search_document(title, inspected.text))
    db.session.add(resource)
    db.session.flush()
    db.session.add(GuestUpload(invitation_id=invitation.id, resource_id=resource.id))
    db.session.flush()
    search.reindex(Resource, [resource])
    record_audit(actor=None, action="resource.guest_upload", obj=resource, fields=["file"])
    return resource


def publish_resource(resource: Resource, *, actor: Member) -> None:
    """A guest's upload becomes visible to the network (and to the meeting's guests)."""
    if not can_delete_resource(actor, resource):
        raise NotAllowed("Seuls les co-animateurs du réseau publient un document.")
    if not resource.is_pending:
        raise DomainError("Ce document est déjà publié.")
    resource.status = ResourceStatus.PUBLISHED
    db.session.flush()
    record_audit(actor=actor, action="resource.publish", obj=resource, fields=["status"])


def share_resource(resource: Resource, *, actor: Member, theme: str, now: datetime | None = None) -> None:
    """Put the resource in the national library, on a theme's shelf: every network's members may read it."""
    if not can_delete_resource(actor, resource):
        raise NotAllowed("Seuls les co-animateurs du réseau partagent ses documents.")
    if resource.is_pending:
        raise DomainError("Publiez d'abord ce document dans le réseau.")
    if theme not in set(Theme):
        raise DomainError("Choisissez un thème.")
    resource.shared_theme = theme
    resource.shared_at = resource.shared_at or now or utcnow()
    db.session.flush()
    record_audit(actor=actor, action="resource.share", obj=resource, fields=["shared_at", "shared_theme"])


def unshare_resource(resource: Resource, *, actor: Member) -> None:
    if not can_delete_resource(actor, resource):
        raise NotAllowed("Seuls les co-animateurs du réseau partagent ses documents.")
    resource.shared_at = None
    resource.shared_theme = None
    db.session.flush()
    record_audit(actor=actor, action="resource.unshare", obj=resource, fields=["shared_at", "shared_theme"])


def share_case_sheet(case: Case, *, actor: Member) -> SharedCaseSheet:
    """Put a capitalisation sheet its client already shared with the network into the national library."""
    if not is_facilitator_of(actor, case.network_id):
        raise NotAllowed("Seuls les co-animateurs du réseau partagent ses fiches de capitalisation.")
    if not case.has_capitalisation_consent or case.state not in AFTER_WORKSHOP_STATES:
        raise DomainError("Son porteur n'a pas partagé cette fiche de capitalisation avec le réseau.")
    sheet = db.session.scalar(select(SharedCaseSheet).where(SharedCaseSheet.case_id == case.id))
    if sheet is None:
        sheet = SharedCaseSheet(case_id=case.id, network_id=case.network_id, shared_by_id=actor.id)
        db.session.add(sheet)
        db.session.flush()
        record_audit(actor=actor, action="case_sheet.share", obj=sheet, fields=["case_id"])
    return sheet


def unshare_case_sheet(case: Case, *, actor: Member) -> None:
    if not is_facilitator_of(actor, case.network_id):
        raise NotAllowed("Seuls les co-animateurs du réseau partagent ses fiches de capitalisation.")
    sheet = db.session.scalar(select(SharedCaseSheet).where(SharedCaseSheet.case_id == case.id))
    if sheet is not None:
        record_audit(actor=actor, action="case_sheet.unshare", obj=sheet, fields=["case_id"])
        db.session.delete(sheet)
        db.session.flush()


def delete_resource(resource: Resource, *, actor: Member) -> None:
    """Remove the resource; its bytes go too when no other resource holds the same content."""
    if not can_delete_resource(actor, resource):
        raise NotAllowed("Seuls les co-animateurs du réseau retirent un document.")
    record_audit(actor=actor, action="resource.delete", obj=resource, fields=["file" if resource.is_file else "url"])
    blob_id = resource.blob_id
    db.session.delete(resource)
    db.session.flush()
    if blob_id is not None:
        db.session.execute(delete(FileBlob).where(
            FileBlob.id == blob_id, ~exists().where(Resource.blob_id == blob_id)))


def count_download(resource: Resource, *, day: date) -> None:
    """One more download of the file today (no one's name). Written and committed on a connection of its own: a
    download is a read for everything else, so it neither raises the data version (the page caches stay) nor
    holds the request's transaction."""
    statement = _upsert(db.session.get_bind().dialect.name)(ResourceDownload).values(
        resource_id=resource.id, day=day, count=1)
    statement = statement.on_conflict_do_update(index_elements=["resource_id", "day"],
                                                set_={"count": ResourceDownload.count + 1})
    try:
        with db.engine.begin() as connection:
            connection.execute(statement)
    except IntegrityError:
        pass  # the resource was deleted meanwhile: nothing left to count


def _upsert(dialect: str):
    return sqlite_insert if dialect == "sqlite" else postgresql_insert


def blob_content(holder) -> bytes:
    """The bytes of a resource's or a news item's file."""
    return db.session.scalar(select(FileBlob.content).where(FileBlob.id == holder.blob_id))


# --- minutes ---------------------------------------------------------------------------------------------

def codev_summary(meeting: Meeting) -> CodevSummary:
    """How many cases the meeting's workshop worked, and their themes (one query, metadata only)."""
    rows = db.session.execute(select(Case.theme, func.count()).where(
        Case.meeting_id == meeting.id, Case.state.in_(WORKED_STATES)).group_by(Case.theme)).all()
    return CodevSummary(sum(count for _, count in rows), sorted(Theme(theme).label for theme, _ in rows))


def _minutes_search_text(meeting: Meeting, summary: str, body: str) -> str:
    return search.search_document(f"Compte rendu {meeting.title}", summary, body)


def save_minutes(meeting: Meeting, *, actor: Member, summary: str, body: str,
                 now: datetime | None = None) -> Minutes:
    """Write the draft; once published, every save is a new version (kept, and shown as « modifié le … »)."""
    now = now or utcnow()
    if not can_write_minutes(actor, meeting):
        raise NotAllowed("Seuls les co-animateurs du réseau rédigent le compte rendu.")
    minutes = db.session.scalar(select(Minutes).where(Minutes.meeting_id == meeting.id))
    summary, body = summary.strip(), body.strip()
    if minutes is None:
        minutes = Minutes(meeting_id=meeting.id, network_id=meeting.network_id, year=to_paris(meeting.starts_at).year,
                          topic_id=_thematic_topic_id(meeting, None), author_id=actor.id)
        db.session.add(minutes)
    elif minutes.is_published and (minutes.summary, minutes.body) == (summary, body):
        return minutes  # nothing changed: no new version
    minutes.summary, minutes.body = summary, body
    minutes.search_text = _minutes_search_text(meeting, summary, body)
    if minutes.is_published:
        minutes.version += 1
        minutes.edited_at = now
        db.session.add(MinutesVersion(minutes_id=minutes.id, version=minutes.version, summary=summary, body=body,
                                      author_id=actor.id, created_at=now))
    db.session.flush()
    search.reindex(Minutes, [minutes])
    record_audit(actor=actor, action="minutes.edit" if minutes.is_published else "minutes.draft", obj=minutes,
                 fields=["summary", "body"])
    return minutes


def publish_minutes(minutes: Minutes, meeting: Meeting, *, actor: Member, now: datetime | None = None) -> int:
    """Publish the draft (version 1) and email everyone invited to the meeting once: the summary and the links."""
    now = now or utcnow()
    if not can_write_minutes(actor, meeting):
        raise NotAllowed("Seuls les co-animateurs du réseau publient le compte rendu.")
    if minutes.is_published:
        raise DomainError("Ce compte rendu est déjà publié.")
    if meeting.status == MeetingStatus.CANCELLED or meeting.starts_at > now:
        raise DomainError("Le compte rendu se publie une fois la rencontre tenue.")
    if not minutes.body.strip():
        raise DomainError("Le compte rendu est vide : rédigez-le avant de le publier.")
    minutes.status = MinutesStatus.PUBLISHED
    minutes.published_at = now
    minutes.version = 1
    db.session.add(MinutesVersion(minutes_id=minutes.id, version=1, summary=minutes.summary, body=minutes.body,
                                  author_id=actor.id, created_at=now))
    db.session.flush()
    record_audit(actor=actor, action="minutes.publish", obj=minutes, fields=["status"])
    return _email_minutes(minutes, meeting)


def _email_minutes(minutes: Minutes, meeting: Meeting) -> int:
    network = db.session.get(Network, meeting.network_id)
    materials = list(db.session.execute(
        select(Resource.id, Resource.title, Resource.kind, Resource.url)
        .where(Resource.meeting_id == meeting.id, Resource.status == ResourceStatus.PUBLISHED)
        .order_by(Resource.id)))
    rows = db.session.execute(
        select(Invitation, Member).outerjoin(Member, Member.id == Invitation.member_id)
        .where(Invitation.meeting_id == meeting.id)
        .where(Member.id.is_(None) | Member.is_active.is_(True))
        .order_by(Invitation.id)).all()
    codev = codev_summary(meeting)
    summary = minutes.summary or plain_summary(minutes.body)
    for invitation, member in rows:
        if member is not None:
            page = external_url("resources.minutes_detail", meeting_id=meeting.id)
            links = [(title, url or external_url("resources.download", resource_id=resource_id))
                     for resource_id, title, kind, url in materials]
        else:
            page = external_url("resources.guest_materials", token=make_guest_token(invitation))
            links = [(title, url) for _, title, kind, url in materials if kind == ResourceKind.LINK]
        queue_templated_email(
            "minutes_published", to=member.email if member else invitation.guest_email,
            subject=f"Compte rendu : {meeting.title}", reply_to=network.mailbox_email,
            name=member.first_name if member else invitation.guest_name, meeting=meeting, network=network,
            summary=summary, page=page, links=links, codev=codev, is_member=member is not None)
    return len(rows)


# --- personal data ----------------------------------------------------------------------------------------

def export_statements(member: Member) -> dict:
    """The member's uploads, news and minutes, for their data export (privacy.collect_member_data)."""
    return {
        "documents_deposes": select(
            Resource.title.label("titre"), Resource.filename.label("fichier"), Resource.url.label("lien"),
            Resource.description, Meeting.title.label("rencontre"), Resource.created_at.label("depose_le"),
            Resource.shared_at.label("partage_le"))
        .join(Meeting, Meeting.id == Resource.meeting_id).where(Resource.uploaded_by_id == member.id)
        .order_by(Resource.created_at, Resource.id),
        "actualites": select(NewsItem.title.label("titre"), NewsItem.body.label("texte"),
                             NewsItem.filename.label("piece_jointe"), NewsItem.created_at.label("publiee_le"))
        .where(NewsItem.author_id == member.id).order_by(NewsItem.created_at, NewsItem.id),
        "comptes_rendus": select(Meeting.title.label("rencontre"), Minutes.summary.label("en_bref"),
                                 Minutes.body.label("texte"), Minutes.published_at.label("publie_le"))
        .join(Meeting, Meeting.id == Minutes.meeting_id).where(Minutes.author_id == member.id)
        .order_by(Minutes.created_at),
    }


def forget_member(member: Member, names: list[str]) -> None:
    """Erasure: the resources, minutes and news stay, without who wrote or sent them; the names go from the search
    text too (the visible texts are handled by the erasure itself)."""
    db.session.execute(update(Resource).where(Resource.uploaded_by_id == member.id).values(uploaded_by_id=None))
    db.session.execute(update(NewsItem).where(NewsItem.author_id == member.id).values(author_id=None))
    db.session.execute(update(Minutes).where(Minutes.author_id == member.id).values(author_id=None))
    db.session.execute(update(MinutesVersion).where(MinutesVersion.author_id == member.id).values(author_id=None))
    db.session.execute(update(SharedCaseSheet).where(SharedCaseSheet.shared_by_id == member.id)
                       .values(shared_by_id=None))
    for model in (Resource, Minutes, SharedCaseSheet):
        for name in {search.normalise(name) for name in names if name.strip()}:
            rows = list(db.session.scalars(select(model).options(undefer(model.search_text))
                                           .where(model.search_text.contains(name, autoescape=True))))
            for row in rows:
                row.search_text = row.search_text.replace(name, "")
            db.session.flush()
            search.reindex(model, rows)
