"""Flask-Login's user loader: the signed-in member, read at the start of every signed-in request.

One statement reads the member, its network and the login session's start, as plain rows (SQLAlchemy Core). The
member and its network are then put in the session as the ORM would have loaded them: persistent, unmodified, their
other relationships unloaded (they raise, as `lazy="raise"` says), a change flushed and committed as usual. Loading
the same statement through the ORM cost a quarter more of the loader's work, on every signed-in page.

When the session already holds that member or network (a test's own objects, or a second app on the same session),
the ORM loads the row instead: it keeps the instance the session has, as it always does."""

from functools import lru_cache

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_dict, set_committed_value

from network.database import utcnow
from network.extensions import db
from network.members.models import LoginSession, Member, Network


def _live_session_of_active_member(statement):
    return (statement.where(LoginSession.token == bindparam("token"), LoginSession.revoked_at.is_(None),
                            LoginSession.created_at >= bindparam("opened_since"), Member.is_active.is_(True)))


@lru_cache(maxsize=1)
def _rows_statement():
    """Built once; the token and the cut-off are bound at execution. Columns in table order: the member's, its
    network's (NULL for an admin, who has none), then when the login session opened."""
    members, networks = Member.__table__, Network.__table__
    return _live_session_of_active_member(
        select(*members.c, *networks.c, LoginSession.created_at.label("opened_at"))
        .select_from(members)
        .join(LoginSession.__table__, LoginSession.member_id == members.c.id)
        .outerjoin(networks, networks.c.id == members.c.network_id))


@lru_cache(maxsize=1)
def _orm_statement():
    return _live_session_of_active_member(
        select(Member, LoginSession.created_at).options(joinedload(Member.network))
        .join(LoginSession, LoginSession.member_id == Member.id))


@lru_cache(maxsize=None)
def _attribute_keys(model) -> tuple[str, ...]:
    """The model's attribute for each column of its table, in table order."""
    mapper = model.__mapper__
    return tuple(mapper.get_property_by_column(column).key for column in model.__table__.columns)


def _as_loaded(model, values):
    """An instance of `model` with the column values of one row, attached to the session as loaded from it."""
    instance = model.__mapper__.class_manager.new_instance()
    instance_dict(instance).update(zip(_attribute_keys(model), values))
    make_transient_to_detached(instance)  # its identity from the primary key, every value committed
    db.session.add(instance)
    return instance


def _in_session(model, ident) -> bool:
    return db.session.identity_map.get(db.session.identity_key(model, ident)) is not None


def load_member_for_login_token(token: str) -> Member | None:
    """Flask-Login's user loader: one query, live and unexpired sessions of active members only.

    The member carries its login token and the moment that login session expires."""
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"]
    parameters = {"token": token, "opened_since": utcnow() - lifetime}
    row = db.session.connection().execute(_rows_statement(), parameters).first()
    if row is None:
        return None
    member_keys = _attribute_keys(Member)
    member_values, network_values = row[:len(member_keys)], row[len(member_keys):-1]
    member_id, network_id = member_values[member_keys.index("id")], member_values[member_keys.index("network_id")]
    if _in_session(Member, member_id) or (network_id is not None and _in_session(Network, network_id)):
        member, opened_at = db.session.execute(_orm_statement(), parameters).one()
    else:
        network = _as_loaded(Network, network_values) if network_id is not None else None
        member = _as_loaded(Member, member_values)
        set_committed_value(member, "network", network)
        opened_at = row.opened_at
    member.login_token, member.login_expires_at = token, opened_at + lifetime
    return member
