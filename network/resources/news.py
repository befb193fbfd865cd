"""Network news (actualités): posted by facilitators, read on the home page, emailed by each member's choice."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Row, Select, bindparam, func, select

from network.audit import record_audit
from network.database import utcnow
from network.errors import NotAllowed
from network.extensions import db
from network.members.enums import Role
from network.members.models import Member, Network
from network.members.permissions import is_facilitator_of
from network.outbox import external_url, queue_templated_email
from network.resources import files
from network.resources.enums import DEFAULT_NEWS_FREQUENCY, NewsFrequency
from network.resources.models import NewsItem, NewsPreference
from network.resources.rendering import plain_summary
from network.resources.services import Upload, limits, store_blob

DIGEST_PERIOD = timedelta(days=7)
MEMBER_ROLES = (Role.FACILITATOR, Role.COORDINATOR)


def can_post_news(actor, network_id: int | None) -> bool:
    return is_facilitator_of(actor, network_id)


def can_read_news(actor, network_id: int | None) -> bool:
    return actor.role in MEMBER_ROLES and network_id is not None and actor.network_id == network_id


def _readers(network_id: int, frequency: NewsFrequency):
    """Active members of the network whose choice is `frequency` (no row: the default)."""
    chosen = func.coalesce(NewsPreference.frequency, DEFAULT_NEWS_FREQUENCY.value)
    return (select(Member, NewsPreference).outerjoin(NewsPreference, NewsPreference.member_id == Member.id)
            .where(Member.network_id == network_id, Member.is_active.is_(True), Member.role.in_(MEMBER_ROLES),
                   chosen == frequency.value).order_by(Member.id))


def post_news(network: Network, *, actor: Member, title: str, body: str, upload: Upload | None = None) -> tuple[
        NewsItem, int]:
    """Publish a news item; members who chose « each » get it by email at once. (item, emails queued)"""
    if not can_post_news(actor, network.id):
        raise NotAllowed("Seuls les co-animateurs du réseau publient des actualités.")
    item = NewsItem(network_id=network.id, author_id=actor.id, title=title.strip(), body=body.strip())
    if upload is not None:
        inspected = files.inspect_upload(upload.data, upload.filename, **limits())
        item.blob_id = store_blob(upload.data).id
        item.filename, item.media_type, item.size = inspected.filename, inspected.file_type.value, len(upload.data)
    db.session.add(item)
    db.session.flush()
    record_audit(actor=actor, action="news.post", obj=item, fields=["title", "body"] + (["file"] if upload else []))
    recipients = [member for member, _ in db.session.execute(_readers(network.id, NewsFrequency.EACH))]
    for member in recipients:
        queue_templated_email("news", to=member.email, subject=f"Actualité du réseau : {item.title}",
                              reply_to=network.mailbox_email, name=member.first_name, network=network,
                              items=[_mail_item(item)], digest=False,
                              preferences_url=external_url("resources.news_preferences"))
    return item, len(recipients)


@dataclass(frozen=True)
class MailItem:
    title: str
    summary: str
    url: str
    created_at: datetime


def _mail_item(item: NewsItem) -> MailItem:
    return MailItem(item.title, plain_summary(item.body, 400), external_url("resources.news_detail", news_id=item.id),
                    item.created_at)


def set_news_frequency(member: Member, frequency: str, *, actor: Member) -> None:
    if actor.id != member.id:
        raise NotAllowed("Chacun choisit pour soi.")
    preference = db.session.scalar(select(NewsPreference).where(NewsPreference.member_id == member.id))
    if preference is None:
        preference = NewsPreference(member_id=member.id)
        db.session.add(preference)
    preference.frequency = NewsFrequency(frequency).value
    db.session.flush()


def news_frequency(member: Member) -> NewsFrequency:
    value = db.session.scalar(select(NewsPreference.frequency).where(NewsPreference.member_id == member.id))
    return NewsFrequency(value or DEFAULT_NEWS_FREQUENCY)


def send_weekly_digests(*, now: datetime | None = None) -> int:
    """One email per member who chose the weekly digest, with the news of their network since their last one
    (a week at most); at most once every 7 days. For cron, daily."""
    now = now or utcnow()
    networks = db.session.execute(select(Network).where(Network.id.in_(
        select(NewsItem.network_id).where(NewsItem.created_at > now - DIGEST_PERIOD)))).scalars().all()
    sent = 0
    for network in networks:
        news = list(db.session.scalars(select(NewsItem).where(
            NewsItem.network_id == network.id, NewsItem.created_at > now - DIGEST_PERIOD)
            .order_by(NewsItem.created_at.desc(), NewsItem.id.desc())))
        for member, preference in db.session.execute(_readers(network.id, NewsFrequency.WEEKLY)).all():
            since = preference.last_digest_at if preference and preference.last_digest_at else now - DIGEST_PERIOD
            if since > now - DIGEST_PERIOD + timedelta(hours=1):
                continue  # had one less than a week ago
            items = [_mail_item(item) for item in news if item.created_at > since]
            if not items:
                continue
            if preference is None:
                preference = NewsPreference(member_id=member.id, frequency=NewsFrequency.WEEKLY)
                db.session.add(preference)
            preference.last_digest_at = now
            queue_templated_email("news", to=member.email, subject=f"Les actualités de la semaine — {network.name}",
                                  reply_to=network.mailbox_email, name=member.first_name, network=network,
                                  items=items, digest=True,
                                  preferences_url=external_url("resources.news_preferences"))
            sent += 1
    db.session.flush()
    return sent


@cache
def _latest_news_statement() -> Select:
    return (select(NewsItem.id, NewsItem.title, NewsItem.created_at)
            .where(NewsItem.network_id == bindparam("network_id")).order_by(NewsItem.created_at.desc(), NewsItem.id.desc()).limit(bindparam("limit")))


def latest_news(network_id: int | None, limit: int = 3) -> list[Row]:
    """The home page's latest news of the network, as rows (id, title, created_at): built once, bound per request."""
    if network_id is None:
        return []
    return db.session.execute(_latest_news_statement(), {"network_id": network_id, "limit": limit}).all()


def news_of(network_id: int, limit: int = 100) -> list[NewsItem]:
    return list(db.session.scalars(select(NewsItem).where(NewsItem.network_id == network_id)
                                   .order_by(NewsItem.created_at.desc(), NewsItem.id.desc()).limit(limit)))
