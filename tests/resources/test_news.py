"""Network news: posted by facilitators, on members' home page, emailed by each member's choice."""

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from network.database import utcnow
from network.extensions import db
from network.outbox import send_due
from network.resources import news
from network.resources.models import NewsItem, NewsPreference
from tests import factories
from tests.resources import samples
from tests.sessions.factories import page_text


@pytest.fixture
def readers(network):
    """Three coordinators: one wants each news, one the weekly digest (the default), one none."""
    each = factories.create_member(network=network, email="chaque@example.test")
    weekly = factories.create_member(network=network, email="hebdo@example.test")
    never = factories.create_member(network=network, email="jamais@example.test")
    db.session.add_all([NewsPreference(member_id=each.id, frequency="each"),
                        NewsPreference(member_id=never.id, frequency="none")])
    db.session.commit()
    return each, weekly, never


def test_post_news_emails_who_chose_each(app, login, client, smtp_server, facilitator, readers):
    login(facilitator)
    response = client.post("/ressources/actualites/nouvelle", data={
        "title": "Nouvelle offre de la MSA", "body": "Un **appel à projets** jeunesse.",
        "file": (io.BytesIO(samples.pdf("Appel à projets")), "appel.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302
    item = db.session.scalar(select(NewsItem))
    assert (item.title, item.filename, item.media_type) == ("Nouvelle offre de la MSA", "appel.pdf", "application/pdf")
    send_due()
    [mail] = smtp_server.messages
    assert (mail["To"], mail["Subject"]) == ("chaque@example.test", "Actualité du réseau : Nouvelle offre de la MSA")
    text = mail.get_body(("plain",)).get_content()
    assert "Un appel à projets jeunesse." in text
    assert f"Lire : {app.config['PUBLIC_BASE_URL']}/ressources/actualites/{item.id}" in text


def test_weekly_digest_once_a_week_with_the_week_s_news(smtp_server, network, facilitator, readers):
    each, weekly, never = readers
    for title in ("Offre de la Caf", "Formation élus"):
        news.post_news(network, actor=facilitator, title=title, body="")
    db.session.commit()
    send_due()
    smtp_server.clear()
    # The facilitator has no preference either: weekly by default.
    assert news.send_weekly_digests() == 2
    db.session.commit()
    assert news.send_weekly_digests(now=utcnow() + timedelta(days=3)) == 0
    send_due()
    by_recipient = {m["To"]: m for m in smtp_server.messages}
    assert sorted(by_recipient) == ["animatrice@example.test", "hebdo@example.test"]
    text = by_recipient["hebdo@example.test"].get_body(("plain",)).get_content()
    assert text.index("Formation élus") < text.index("Offre de la Caf")


def test_home_page_shows_the_latest_news(login, client, coordinator, network, facilitator, outsider):
    news.post_news(network, actor=facilitator, title="Réunion des partenaires", body="")
    db.session.commit()
    login(coordinator)
    assert "Réunion des partenaires" in page_text(client.get("/"))
    client.logout()
    login(outsider)
    assert "Réunion des partenaires" not in page_text(client.get("/"))


def test_member_changes_their_choice(login, client, coordinator):
    login(coordinator)
    assert client.post("/ressources/actualites/preferences", data={"frequency": "none"}).status_code == 302
    assert news.news_frequency(coordinator).value == "none"
    response = client.post("/ressources/actualites/preferences", data={"frequency": "daily"})
    assert "N'est pas un choix valide." in page_text(response)


@pytest.mark.parametrize(("who", "status"), [("coordinator", 403), ("admin", 403), ("outsider", 302)])
def test_posting_refused_or_kept_in_its_own_network(request, login, client, network, who, status):
    member = request.getfixturevalue(who)
    login(member)
    response = client.post("/ressources/actualites/nouvelle", data={"title": "x", "body": ""})
    assert response.status_code == status
    # The facilitator of another network posts in their own network, never in this one.
    assert [item.network_id for item in db.session.scalars(select(NewsItem))] == (
        [member.network_id] if status == 302 else [])


def test_news_of_another_network_is_404(login, client, network, facilitator, outsider):
    item, _ = news.post_news(network, actor=facilitator, title="Interne", body="")
    db.session.commit()
    login(outsider)
    assert client.get(f"/ressources/actualites/{item.id}").status_code == 404
