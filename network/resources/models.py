"""Meeting materials (files and links), the files' bytes, and the meetings' minutes.

A file's bytes live in the database, once per content (`FileBlob`, keyed by SHA-256): backups, several app
hosts and erasure cover them with no shared disk, and the same slides sent twice are stored once.
"""

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint, Date, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.database import IdMixin, TimestampMixin, UTCDateTime
from network.extensions import db
from network.members.models import Member, Network
from network.resources.enums import (
    DEFAULT_NEWS_FREQUENCY, FAMILY_LABELS, FileType, MinutesStatus, ResourceKind, ResourceStatus,
)
from network.resources.search import install_search_objects
from network.sessions.models import AgendaItem, Meeting
from network.topics.models import Topic


class FileBlob(IdMixin, TimestampMixin, db.Model):
    __tablename__ = "file_blobs"

    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True, deferred_raiseload=True)  # read only to serve it


class Resource(IdMixin, TimestampMixin, db.Model):
    """A file or a link attached to a meeting (or one of its agenda items)."""

    __tablename__ = "resources"
    __table_args__ = (
        CheckConstraint("(blob_id IS NULL) <> (url IS NULL)", name="file_xor_link"),
        Index("ix_resources_network_year", "network_id", "year"),
        Index("ix_resources_meeting", "meeting_id"),
        Index("ix_resources_blob", "blob_id"),
    )

    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id", ondelete="SET NULL"))
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default=ResourceKind.FILE)
    status: Mapped[str] = mapped_column(String(12), default=ResourceStatus.PUBLISHED)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(2000))
    blob_id: Mapped[int | None] = mapped_column(ForeignKey("file_blobs.id", ondelete="RESTRICT"))
    filename: Mapped[str | None] = mapped_column(String(200))
    media_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"), index=True)
    uploader_name: Mapped[str | None] = mapped_column(String(200))  # a guest speaker's, from their invitation
    year: Mapped[int] = mapped_column(Integer)  # the meeting's year (Paris), for the library's filter
    # Accent-free lower-case text of the title, description and file (network/resources/search.py).
    search_text: Mapped[str] = mapped_column(Text, default="", deferred=True, deferred_raiseload=True)
    shared_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)  # shared with every network
    shared_theme: Mapped[str | None] = mapped_column(String(40))  # codev.enums.Theme: the national library's shelf

    network: Mapped[Network] = relationship(lazy="raise")
    meeting: Mapped[Meeting] = relationship(lazy="raise")
    agenda_item: Mapped[AgendaItem | None] = relationship(lazy="raise")
    topic: Mapped[Topic | None] = relationship(lazy="raise")
    uploaded_by: Mapped[Member | None] = relationship(lazy="raise")
    blob: Mapped[FileBlob | None] = relationship(lazy="raise")

    @property
    def is_file(self) -> bool:
        return self.kind == ResourceKind.FILE

    @property
    def is_pending(self) -> bool:
        return self.status == ResourceStatus.PENDING

    @property
    def file_type(self) -> FileType | None:
        return FileType(self.media_type) if self.media_type else None

    @property
    def family(self) -> str:
        return self.file_type.family if self.file_type else "link"

    @property
    def type_label(self) -> str:
        return self.file_type.label if self.file_type else FAMILY_LABELS["link"][:-1]


class GuestUpload(IdMixin, TimestampMixin, db.Model):
    """A guest speaker's upload link, used: one per invitation, enforced by the database."""

    __tablename__ = "guest_uploads"

    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"), unique=True)
    resource_id: Mapped[int | None] = mapped_column(ForeignKey("resources.id", ondelete="SET NULL"), index=True)


class Minutes(IdMixin, TimestampMixin, db.Model):
    """The compte rendu of a meeting, in Markdown. Published once; every later edit is a new version."""

    __tablename__ = "meeting_minutes"
    __table_args__ = (Index("ix_meeting_minutes_network_year", "network_id", "year"),)

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), unique=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=MinutesStatus.DRAFT)
    summary: Mapped[str] = mapped_column(String(1000), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=0)  # 0 until published, then 1, 2… per edit
    year: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last edit after publication
    search_text: Mapped[str] = mapped_column(Text, default="", deferred=True, deferred_raiseload=True)

    meeting: Mapped[Meeting] = relationship(lazy="raise")
    topic: Mapped[Topic | None] = relationship(lazy="raise")
    author: Mapped[Member | None] = relationship(lazy="raise")

    @property
    def is_published(self) -> bool:
        return self.status == MinutesStatus.PUBLISHED


class MinutesVersion(IdMixin, TimestampMixin, db.Model):
    """What the minutes said at each publication and each later edit."""

    __tablename__ = "meeting_minutes_versions"
    __table_args__ = (UniqueConstraint("minutes_id", "version"),)

    minutes_id: Mapped[int] = mapped_column(ForeignKey("meeting_minutes.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(String(1000), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))

    author: Mapped[Member | None] = relationship(lazy="raise")


class ResourceDownload(db.Model):
    """How many times a file was downloaded each day: a count, never who."""

    __tablename__ = "resource_downloads"

    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class SharedCaseSheet(IdMixin, TimestampMixin, db.Model):
    """A CODEV capitalisation sheet (anonymised, shared with its network by its client) that a facilitator put in
    the national library. The sheet is read from the case while its client's consent lasts; only its search text is
    kept here (network/resources/sheet_search.py: the sheet's own fields, never the case's confidential record)."""

    __tablename__ = "shared_case_sheets"

    case_id: Mapped[int] = mapped_column(ForeignKey("codev_cases.id", ondelete="CASCADE"), unique=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    shared_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"), index=True)
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="", deferred=True,
                                             deferred_raiseload=True)


class NewsItem(IdMixin, TimestampMixin, db.Model):
    """A network's news (actualité): institutional news, a partner's offer; an optional attached file."""

    __tablename__ = "news_items"
    __table_args__ = (Index("ix_news_items_network_created", "network_id", "created_at"),)

    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    blob_id: Mapped[int | None] = mapped_column(ForeignKey("file_blobs.id", ondelete="RESTRICT"), index=True)
    filename: Mapped[str | None] = mapped_column(String(200))
    media_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column(Integer)

    author: Mapped[Member | None] = relationship(lazy="raise")

    @property
    def file_type(self) -> FileType | None:
        return FileType(self.media_type) if self.media_type else None


class NewsPreference(IdMixin, db.Model):
    """A member's choice of news emails; no row means the default (a weekly digest)."""

    __tablename__ = "news_preferences"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), unique=True)
    frequency: Mapped[str] = mapped_column(String(10), default=DEFAULT_NEWS_FREQUENCY)
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


install_search_objects(Resource.__table__)
install_search_objects(Minutes.__table__)
install_search_objects(SharedCaseSheet.__table__)
