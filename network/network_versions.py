"""Each network's version: a number raised by the transactions that write that network's data, so that a worker
may keep a result computed from one network and know, with one cheap read, whether it still holds.

A write is attributed to the networks of the rows it touches: after each flush, every new, changed or deleted
object names its network (its `network_id`, or the row its foreign key in NETWORK_PATHS leads to); a statement run
through the session (`update()`, `delete()`, `insert()`) names its networks with the execution option
`network_ids`, or else counts as a write in every network (text() statements are not read: the app's only ones keep
the full-text index beside rows that raise on their own). Tables in OUTSIDE_CACHED_DATA hold nothing a cached
result reads. The versions are raised inside the writing transaction, just before its COMMIT, so a reader that
sees the new number also sees the new data; a write in one network leaves every other network's number alone."""

import weakref
from functools import lru_cache

from sqlalchemy import BigInteger, bindparam, event, inspect, literal, select, true
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.engine import Engine
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.attributes import get_history
from sqlalchemy.sql.dml import UpdateBase

from network.extensions import db

EVERY_NETWORK = "every network"  # a write that cannot name its networks: all of them are raised
NETWORK_IDS_OPTION = "network_ids"  # statement.execution_options(network_ids=(…)): the networks a Core write touches

# Tables without a network_id column: the foreign key that leads to the row that names their network.
NETWORK_PATHS = {
    "agenda_items": "meeting_id",
    "attendances": "meeting_id",
    "ballots": "vote_id",
    "ballot_points": "ballot_id",
    "calendar_replies": "invitation_id",
    "codev_case_actions": "case_id",
    "codev_case_follow_ups": "case_id",
    "codev_case_records": "case_id",
    "codev_subgroups": "meeting_id",
    "codev_subgroup_events": "case_id",
    "codev_subgroup_members": "meeting_id",
    "grid_activities": "rubric_id",
    "guest_uploads": "resource_id",
    "invitations": "meeting_id",
    "meeting_minutes_versions": "minutes_id",
    "membership_periods": "member_id",
    "news_preferences": "member_id",
    "self_assessment_scores": "assessment_id",
    "self_efficacy_reminders": "member_id",
    "topic_vote_candidates": "vote_id",
    "training_registrations": "meeting_id",
}

# Tables no cached result reads, written beside the network's data (each sign-in, each mail, each download):
# raising a network's version for them would only throw its results away.
OUTSIDE_CACHED_DATA = frozenset({
    "audit_events",  # the journal, written beside the write it records (which raises on its own)
    "email_changes", "login_sessions", "passkey_credentials", "recovery_codes", "sso_identities",
    "totp_credentials", "trusted_devices",  # a member's credentials and sign-ins
    "evaluation_publications",  # frozen national reports, never cached
    "file_blobs",  # file contents, reached through the resources that name their network
    "network_versions",
    "outbox_messages", "throttle_events",  # the machinery
    "resource_downloads",  # a download is a read: its counter is written on a connection of its own
})

# Columns no cached result reads: a change to them alone is not a write of the network's data.
UNCACHED_COLUMNS = {
    "members": frozenset({"last_login_at"}),
    # The answers to an invitation and its reminder: the meeting pages read them, never the figures or the calendar
    # feeds. An answer, a meeting day's commonest write, keeps its network's figures (the dashboard was worked out
    # again after each one).
    "invitations": frozenset({"rsvp", "rsvp_comment", "rsvp_source", "responded_at", "reminder_sent_at"}),
}

_WRITTEN = "network.written_networks"  # in Session.info: the network ids (or EVERY_NETWORK) of the transaction


class NetworkVersion(db.Model):
    """One row per network once written (none: version 0); kept when the network is deleted, so that a network
    created later under the same id never meets the results of the one before."""

    __tablename__ = "network_versions"

    network_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)


def network_version(network_id: int) -> int:
    # on the session's connection: no ORM result processing (this read is all a cache hit costs)
    return db.session.connection().execute(_VERSION_OF, {"network_id": network_id}).scalar() or 0


def every_network_version() -> tuple[tuple[int, int], ...]:
    """Every network's (id, version): what a deployment-wide result depends on."""
    return tuple(tuple(row) for row in db.session.connection().execute(_EVERY_VERSION).all())


_VERSION_OF = select(NetworkVersion.version).where(NetworkVersion.network_id == bindparam("network_id"))
_EVERY_VERSION = select(NetworkVersion.network_id, NetworkVersion.version).order_by(NetworkVersion.network_id)


# --- which networks a transaction wrote -------------------------------------------------------------

def _written(session) -> set:
    return session.info.setdefault(_WRITTEN, set())


def _before_flush(session, _flush_context, _instances) -> None:
    # deleted rows are read before they go (a foreign key may lead through them)
    _attribute(session, [(obj, True) for obj in session.deleted])
    written = _written(session)
    for obj in session.dirty:  # a row moved to another network: the one it leaves, when its value was not loaded
        table, model = obj.__table__.name, type(obj)
        if table in OUTSIDE_CACHED_DATA:
            continue
        key = _key_column(table)
        history = inspect(obj).attrs[key].history
        if history.added and not history.deleted:
            left = session.execute(select(getattr(model, key)).where(model.id == obj.id)).scalar()
            written.update(_networks_of(session, model, {left}))
    written.discard(None)


def _after_flush(session, _flush_context) -> None:
    # new rows once inserted: their foreign keys are set, even those given as relationships
    _attribute(session, [(obj, False) for obj in session.new]
               + [(obj, True) for obj in session.dirty if _changed_cached_data(session, obj)])


def _attribute(session, touched: list) -> None:
    values_by_model: dict[type, set] = {}
    for obj, with_old_values in touched:
        table = obj.__table__.name
        if table not in OUTSIDE_CACHED_DATA:
            values_by_model.setdefault(type(obj), set()).update(
                _key_values(obj, _key_column(table), with_old_values))
    written = _written(session)
    for model, values in values_by_model.items():
        written.update(_networks_of(session, model, values))
    written.discard(None)


def _changed_cached_data(session, obj) -> bool:
    if not session.is_modified(obj):
        return False
    uncached = UNCACHED_COLUMNS.get(obj.__table__.name)
    if uncached is None:
        return True
    state = inspect(obj)
    return any(state.attrs[column.key].history.has_changes()
               for column in state.mapper.column_attrs if column.key not in uncached)


def _key_column(table: str) -> str:
    if table == "networks":
        return "id"
    return NETWORK_PATHS.get(table, "network_id")


def _key_values(obj, attribute: str, with_old_values: bool) -> set:
    """The attribute's value, and its value before the flush when it changed (a row moved to another network)."""
    values = {getattr(obj, attribute)}
    if with_old_values:
        values.update(get_history(obj, attribute).deleted or ())
    return values


def _networks_of(session, model, values: set) -> set:
    """The networks named by `values` of the model's key column: network ids, or parent rows to follow."""
    table = model.__table__.name
    if table not in NETWORK_PATHS:
        return values
    parent = _parent_model(model, NETWORK_PATHS[table])
    parent_key = _key_column(parent.__table__.name)
    in_session = {inspect(obj).mapper.identity_key_from_instance(obj): obj
                  for obj in session.new if isinstance(obj, parent)}
    found, missing = set(), set()
    for parent_id in values - {None}:
        identity = inspect(parent).identity_key_from_primary_key((parent_id,))
        loaded = session.identity_map.get(identity) or in_session.get(identity)
        if loaded is not None:
            found.add(getattr(loaded, parent_key))
        else:
            missing.add(parent_id)
    if missing:  # parents the transaction did not load: one query (their network, or their own parent's id)
        found.update(session.execute(select(getattr(parent, parent_key)).where(parent.id.in_(missing))).scalars())
    return _networks_of(session, parent, found)


@lru_cache(maxsize=None)  # the mapping of models, not data
def _parent_model(model, foreign_key: str):
    [target] = model.__table__.c[foreign_key].foreign_keys
    return next(mapper.class_ for mapper in db.Model.registry.mappers
                if mapper.local_table is target.column.table)


def _statement_ran(state) -> None:
    """A Core write run through the session (update(), delete(), insert() statements)."""
    if not isinstance(state.statement, UpdateBase) or state.statement.table.name in OUTSIDE_CACHED_DATA:
        return
    networks = state.execution_options.get(NETWORK_IDS_OPTION)
    if networks is None:
        _written(state.session).add(EVERY_NETWORK)
    else:
        _written(state.session).update(networks)


def _raise_written_versions(session) -> None:
    session.flush()  # the commit's own flush comes after this hook: its writes must count
    written = session.info.pop(_WRITTEN, None)
    if not written or not _versions_table_exists(session):
        return
    dialect = session.get_bind().dialect.name
    if EVERY_NETWORK in written:
        session.execute(_raise_every_version_statement(dialect))
    else:  # one statement text whatever the networks, compiled once: each network is a row of parameters
        session.connection().execute(_raise_version_statement(dialect),
                                     [{"network_id": network_id} for network_id in sorted(written)])


def _upsert(statement):
    return statement.on_conflict_do_update(index_elements=["network_id"],
                                           set_={"version": NetworkVersion.version + 1})


def _insert(dialect: str):
    return (sqlite_insert if dialect == "sqlite" else postgresql_insert)(NetworkVersion.__table__)


@lru_cache(maxsize=2)
def _raise_version_statement(dialect: str):
    """The version of the network bound to :network_id, raised (or started at 1). A statement listing the networks
    in its VALUES has no cache key: SQLAlchemy compiled it again on every write."""
    return _upsert(_insert(dialect).values(network_id=bindparam("network_id"), version=1))


@lru_cache(maxsize=2)
def _raise_every_version_statement(dialect: str):
    """Every network's version raised, those never written included (a row per network; SQLite needs the WHERE to
    parse)."""
    networks = db.metadata.tables["networks"]
    return _upsert(_insert(dialect).from_select(["network_id", "version"],
                                                select(networks.c.id, literal(1)).where(true())))


_migrated_engines: "weakref.WeakSet[Engine]" = weakref.WeakSet()


def _versions_table_exists(session) -> bool:
    """False only in a database not yet migrated to 0018 (the migration tests write at older revisions); asked
    again until it is there, then never."""
    engine = session.get_bind()
    if engine not in _migrated_engines:
        if not inspect(session.connection()).has_table(NetworkVersion.__tablename__):
            return False
        _migrated_engines.add(engine)
    return True


def _forget_written(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_WRITTEN, None)


def install_network_versions() -> None:
    # db.session is one per process, while apps may be several (tests, CLI): listen once.
    for name, listener in (("before_flush", _before_flush), ("after_flush", _after_flush),
                           ("do_orm_execute", _statement_ran),
                           ("before_commit", _raise_written_versions),
                           ("after_transaction_end", _forget_written)):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)
