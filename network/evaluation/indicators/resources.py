"""Ressources partagées (issue #16): what a network leaves behind its meetings and posts, what it shares with every
network, and how often its files are downloaded (a count per day, never who)."""

from functools import lru_cache

from sqlalchemy import and_, func, select, type_coerce, union_all

from network.database import UTCDateTime, constant, or_zero
from network.evaluation.figures import SharedResources
from network.periods import Scope, ScopeShape, Series
from network.resources.enums import MinutesStatus, ResourceStatus
from network.resources.models import Minutes, NewsItem, Resource, ResourceDownload, SharedCaseSheet
from network.sessions.attendance_counts import group_by_period, period_bucket, run
from network.sessions.enums import MeetingStatus
from network.sessions.models import Meeting

SHARED_RESOURCE_SOURCES = ("materials", "minutes", "news", "shared_resources", "shared_sheets", "downloads")


@lru_cache(maxsize=16)
def _shared_resources_statement(shape: ScopeShape):
    """One UNION ALL of grouped counts, a part per source of SHARED_RESOURCE_SOURCES (its position): source, bucket,
    network_id, value. Not filtered by territory: resources belong to the network, not to a member's territory."""

    def part(source, model, network_id, moment, value, *conditions, join=None):
        bucket = period_bucket(shape, moment)
        statement = select(constant(SHARED_RESOURCE_SOURCES.index(source)).label("source"), bucket,
                           network_id.label("network_id"), value.label("value")).select_from(model)
        if join is not None:
            statement = statement.join(*join)
        statement = statement.where(moment >= shape.start_at, moment < shape.until, *conditions)
        if shape.network_ids is not None:
            statement = statement.where(network_id.in_(shape.network_ids))
        return group_by_period(statement.group_by(network_id), shape, bucket)

    # a resource's or minutes' meeting is one of its network's (resources.services): saying so lets PostgreSQL reach the
    # period's meetings by the (network, starts_at) index instead of scanning the period's meetings of the country
    at_meeting = (Meeting, and_(Meeting.id == Resource.meeting_id, Meeting.network_id == Resource.network_id))
    published = Resource.status == constant(ResourceStatus.PUBLISHED)
    held = Meeting.status != constant(MeetingStatus.CANCELLED)
    # a download day compared as the UTC midnight starting it: the period edges are Paris midnights in UTC (the day
    # before, 22:00 or 23:00), so each Paris day falls in its own period on both databases
    download_day = type_coerce(ResourceDownload.day, UTCDateTime)
    return union_all(
        part("materials", Resource, Resource.network_id, Meeting.starts_at, func.count(Resource.id), published, held,
             join=at_meeting),
        part("minutes", Minutes, Minutes.network_id, Meeting.starts_at, func.count(Minutes.id),
             Minutes.status == constant(MinutesStatus.PUBLISHED), held,
             join=(Meeting, and_(Meeting.id == Minutes.meeting_id, Meeting.network_id == Minutes.network_id))),
        part("news", NewsItem, NewsItem.network_id, NewsItem.created_at, func.count(NewsItem.id)),
        part("shared_resources", Resource, Resource.network_id, Resource.shared_at, func.count(Resource.id),
             published),
        part("shared_sheets", SharedCaseSheet, SharedCaseSheet.network_id, SharedCaseSheet.created_at,
             func.count(SharedCaseSheet.id)),
        part("downloads", ResourceDownload, Resource.network_id, download_day,
             or_zero(func.sum(ResourceDownload.count)),
             join=(Resource, Resource.id == ResourceDownload.resource_id)),
    )


def shared_resources_by_period(scope: Scope | Series, by_network: bool) -> dict[tuple[int, int | None],
                                                                               SharedResources]:
    """« Ressources partagées » per period (bucket) and network (by_network) or all networks (None): one query.
    The definition is DEFINITIONS' « Ressources partagées »."""
    tallies: dict[tuple[int, int | None], dict[str, int]] = {}
    for row in run(_shared_resources_statement(scope.shape), scope):
        key = (int(row.bucket), row.network_id if by_network else None)
        tally = tallies.setdefault(key, dict.fromkeys(SHARED_RESOURCE_SOURCES, 0))
        tally[SHARED_RESOURCE_SOURCES[row.source]] += int(row.value or 0)
    return {key: SharedResources(**tally) for key, tally in tallies.items()}
