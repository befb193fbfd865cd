"""Rows of « Ressources partagées » written directly, for the indicator's and the bilan's hand-counted worlds."""

from network.extensions import db
from network.resources.enums import ResourceKind, ResourceStatus
from network.resources.models import Resource


def link_on(meeting, *, status=ResourceStatus.PUBLISHED, shared_at=None) -> Resource:
    """A link attached to the meeting (published unless said), shared with every network from `shared_at`."""
    resource = Resource(network_id=meeting.network_id, meeting_id=meeting.id, kind=ResourceKind.LINK, status=status,
                        title="Support", url="https://example.org/support", year=meeting.starts_at.year,
                        shared_at=shared_at, shared_theme="housing" if shared_at else None)
    db.session.add(resource)
    db.session.flush()
    return resource
