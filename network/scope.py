"""The network a page is about, read from the request: one definition for every feature's views."""

from flask import abort, request
from flask_login import current_user

from network.auth import require_in_reach
from network.extensions import db
from network.members.enums import Role
from network.members.models import Network
from network.members.queries import network_by_slug


def network_in_scope(*, admin_overview: bool = False, slug_for_every_role: bool = False) -> Network | None:
    """An admin names the network with ?reseau=slug (404 if unknown); without it, None where the page has a national
    overview (admin_overview), else 404. Other members get their own network (404 if they have none) and ?reseau is
    ignored, unless slug_for_every_role: then a slug is honoured for them too, and one outside their reach is a 404."""
    slug = request.args.get("reseau")
    is_admin = current_user.role == Role.ADMIN
    if slug and (is_admin or slug_for_every_role):
        network = network_by_slug(slug) or abort(404)
        require_in_reach(network.id)
        return network
    if is_admin:
        return None if admin_overview else abort(404)
    if current_user.network_id is None:
        abort(404)
    return db.get_or_404(Network, current_user.network_id)


def scope_args(network: Network) -> dict:
    """The query arguments that keep an admin on the page's network (members stay on their own)."""
    return {"reseau": network.slug} if current_user.role == Role.ADMIN else {}
