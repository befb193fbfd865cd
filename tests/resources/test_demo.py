"""The demo network's library is not empty: materials, minutes and news of its last held meetings."""

from sqlalchemy import func, select

from network.demo import seed_demo
from network.outbox import OutboxMessage
from network.resources.enums import MinutesStatus, ResourceKind
from network.resources.models import Minutes, MinutesVersion, NewsItem, Resource
from network.sessions.models import Meeting


def test_demo_leaves_materials_minutes_and_news_without_queuing_email(db):
    seed_demo()
    db.session.commit()
    resources = db.session.execute(select(Resource.kind, Resource.media_type, Resource.shared_theme, Meeting.status)
                                   .join(Meeting, Meeting.id == Resource.meeting_id)
                                   .order_by(Resource.id)).all()
    assert [(kind, media_type, theme) for kind, media_type, theme, _status in resources] == [
        (ResourceKind.FILE, "application/pdf", None), (ResourceKind.LINK, None, None),
        (ResourceKind.FILE, "application/pdf", "elected_officials"), (ResourceKind.LINK, None, None)]
    assert {status for *_rest, status in resources} <= {"held", "closed"}
    minutes = db.session.execute(select(Minutes.status, Minutes.version)).all()
    assert minutes == [(MinutesStatus.PUBLISHED, 1), (MinutesStatus.PUBLISHED, 1)]
    assert db.session.scalar(select(func.count(MinutesVersion.id))) == 2
    assert db.session.scalar(select(func.count(NewsItem.id))) == 2
    subjects = set(db.session.scalars(select(OutboxMessage.subject)))
    assert not {subject for subject in subjects if subject.startswith(("Compte rendu", "Actualité"))}
