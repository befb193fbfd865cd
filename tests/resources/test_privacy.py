"""Personal data: a member's uploads, news and minutes are in their export; erasure keeps them without the name."""

import io
import json
import zipfile

from sqlalchemy import select

from network.extensions import db
from network.members.models import Network
from network.privacy.services import erase_member
from network.resources import news, services
from network.resources.models import MinutesVersion, NewsItem, Resource
from tests import factories
from tests.resources import samples
from tests.resources.test_library import _titles


def _share_things(helene, meeting):
    services.attach_file(actor=helene, meeting=meeting, title="Support présenté par Hélène Lefèvre",
                         description=None, upload=services.Upload(samples.pdf("Schéma des familles"), "sdsf.pdf"))
    minutes = services.save_minutes(meeting, actor=helene, summary="", body="Animé par Hélène Lefèvre.")
    services.publish_minutes(minutes, meeting, actor=helene)
    news.post_news(db.session.get(Network, meeting.network_id), actor=helene, title="Offre de la Caf",
                   body="Contact : Hélène Lefèvre")
    db.session.commit()


def test_export_holds_my_uploads_news_and_minutes(login, client, network, meeting):
    helene = factories.create_member(network=network, role="facilitator", first_name="Hélène", last_name="Lefèvre")
    _share_things(helene, meeting)
    login(helene)
    archive = zipfile.ZipFile(io.BytesIO(client.get("/donnees/mes-donnees.zip").data))
    data = json.loads(archive.read("donnees.json"))
    assert [row["fichier"] for row in data["documents_deposes"]] == ["sdsf.pdf"]
    assert [row["titre"] for row in data["actualites"]] == ["Offre de la Caf"]
    assert [row["texte"] for row in data["comptes_rendus"]] == ["Animé par Hélène Lefèvre."]


def test_erasure_keeps_the_resources_without_the_name(login, client, network, meeting, coordinator, admin):
    helene = factories.create_member(network=network, role="facilitator", first_name="Hélène", last_name="Lefèvre")
    _share_things(helene, meeting)
    erase_member(actor=admin, member=helene)
    db.session.commit()
    [resource] = db.session.scalars(select(Resource)).all()
    assert (resource.title, resource.uploaded_by_id) == ("Support présenté par [anonymisé]", None)
    assert db.session.scalar(select(NewsItem.author_id)) is None
    assert db.session.scalars(select(MinutesVersion.author_id)).all() == [None]
    login(coordinator)
    assert _titles(client, q="Lefèvre") == []
    assert _titles(client, q="schéma") == ["Support présenté par [anonymisé]"]
